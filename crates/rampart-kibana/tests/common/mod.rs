#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::sync::Arc;

use rampart_core::authz::EffectiveRole;
use rampart_core::permission::{ApplicationPrivilegeStore, Permission, RestrictedIndices};
use rampart_core::role::RoleDescriptor;
use rampart_kibana::role::{parse_put_body, to_es};
use rampart_kibana::{FeatureRegistry, KibanaPrivileges};
use serde_json::Value;

#[derive(Debug)]
pub struct Kit {
    pub registry: FeatureRegistry,
    pub privileges: KibanaPrivileges,
    pub store: ApplicationPrivilegeStore,
}

pub fn kit() -> Kit {
    let registry = FeatureRegistry::builtin().unwrap();
    let privileges = KibanaPrivileges::build(&registry);
    let store = privileges.store();
    Kit {
        registry,
        privileges,
        store,
    }
}

impl Kit {
    /// The ES role Kibana would write for this PUT body.
    pub fn es_role(&self, name: &str, body: Value) -> RoleDescriptor {
        let role = parse_put_body(name, &body).unwrap();
        to_es(&role, None, &self.registry).unwrap()
    }

    pub fn compile(&self, roles: &[RoleDescriptor]) -> EffectiveRole {
        let p = Permission::compile(
            roles,
            &[],
            &self.store,
            &RestrictedIndices::builtin().unwrap(),
        )
        .unwrap();
        EffectiveRole::plain(Arc::new(p))
    }
}
