//! Arbitrary bytes as a role body: parsing and validation return errors, never panic; a role
//! that parses renders to JSON that parses back to the same role.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_core::role::{RoleContext, parse_role, parse_role_bytes, validate_role};

fuzz_target!(|data: &[u8]| {
    for ctx in [RoleContext::RoleApi, RoleContext::ApiKey, RoleContext::File] {
        let Ok(role) = parse_role_bytes("fuzz", data, ctx) else {
            continue;
        };
        let _ = validate_role(&role, ctx);
        let rendered = role.to_json();
        let again = parse_role("fuzz", &rendered, ctx);
        assert!(again.is_ok(), "rendered role does not parse: {rendered}");
    }
});
