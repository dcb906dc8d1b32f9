//! Fuzzes the Compose loader: YAML parsing, merge keys, interpolation, `!reset`, schema
//! validation and the service model, on a file whose `extends` and `include` lead nowhere.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    escalint::fuzzing::compose(text);
});
