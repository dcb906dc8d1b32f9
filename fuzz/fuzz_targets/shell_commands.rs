//! Fuzzes the shell analysis: the simple commands of any script, nested ones included, and the
//! setuid and setcap steps read from them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(script) = std::str::from_utf8(data) else {
        return;
    };
    escalint::fuzzing::shell(script);
});
