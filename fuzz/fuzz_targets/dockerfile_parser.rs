//! Fuzzes the Dockerfile parser and the model built from its syntax (which runs the shell
//! analysis on every RUN script): any text must parse without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    escalint::fuzzing::dockerfile(text);
});
