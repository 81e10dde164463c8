//! A cache of compiled permissions keyed by role-set identity.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::{CompileError, Permission};

/// Identity of a role set: each role's name and the revision of its stored definition.
/// Built-in roles use revision 0; a store bumps a role's revision on every change.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleSetKey(Vec<(String, u64)>);

impl RoleSetKey {
    pub fn new(mut roles: Vec<(String, u64)>) -> Self {
        roles.sort();
        roles.dedup();
        RoleSetKey(roles)
    }
}

/// Compiled permissions shared between requests. Bounded: when full it starts over, which
/// keeps memory predictable without a per-hit bookkeeping cost.
#[derive(Debug)]
pub struct PermissionCache {
    entries: RwLock<HashMap<RoleSetKey, Arc<Permission>>>,
    capacity: usize,
}

impl PermissionCache {
    pub fn new(capacity: usize) -> Self {
        PermissionCache {
            entries: RwLock::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// The cached permission for `key`, compiling it with `compile` on a miss.
    pub fn get_or_compile(
        &self,
        key: &RoleSetKey,
        compile: impl FnOnce() -> Result<Permission, CompileError>,
    ) -> Result<Arc<Permission>, CompileError> {
        if let Ok(entries) = self.entries.read() {
            if let Some(p) = entries.get(key) {
                return Ok(Arc::clone(p));
            }
        }
        let compiled = Arc::new(compile()?);
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(key.clone(), Arc::clone(&compiled));
        }
        Ok(compiled)
    }

    /// Drop every cached permission (after role or privilege changes).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }

    pub fn len(&self) -> usize {
        self.entries.read().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
