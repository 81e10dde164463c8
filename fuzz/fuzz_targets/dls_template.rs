//! Arbitrary text as a DLS role query (plain or mustache template): validation and rendering
//! return errors, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_core::dls::{UserContext, render_role_query, validate_role_query};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = validate_role_query(&value);
    }
    let user = UserContext::named("fuzz");
    let _ = render_role_query(text, &user, None);
});
