//! Arbitrary JSON as a `_has_privileges` body: parsing and evaluation against a fixed role
//! never panic.
#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use rampart_core::authz::EffectiveRole;
use rampart_core::builtin::BuiltinRoles;
use rampart_core::has_privileges::{HasPrivilegesRequest, has_privileges};
use rampart_core::permission::{ApplicationPrivilegeStore, Permission, RestrictedIndices};

static ROLE: LazyLock<Option<EffectiveRole>> = LazyLock::new(|| {
    let builtin = BuiltinRoles::load().ok()?;
    let roles: Vec<_> = ["viewer", "editor"].iter().filter_map(|n| builtin.get(n).cloned()).collect();
    let restricted = RestrictedIndices::builtin().ok()?;
    let p = Permission::compile(&roles, &[], &ApplicationPrivilegeStore::default(), &restricted).ok()?;
    Some(EffectiveRole::plain(Arc::new(p)))
});

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(req) = HasPrivilegesRequest::parse("fuzz", &body) else {
        return;
    };
    if let Some(role) = ROLE.as_ref() {
        let _ = has_privileges(role, "fuzz", &req, &ApplicationPrivilegeStore::default());
    }
});
