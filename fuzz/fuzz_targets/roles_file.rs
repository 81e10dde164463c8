//! Arbitrary text as a roles.yml file: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_core::role::parse_roles_file;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_roles_file(text);
    }
});
