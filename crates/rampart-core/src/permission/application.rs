//! Application privileges: stored privilege definitions and the application part of a
//! permission (section 11 of the facts).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use rampart_automaton::PatternSet;
use serde_json::{Map, Value};

use super::CompileError;
use crate::role::ApplicationPrivileges;

/// A stored application privilege (`PUT /_security/privilege`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApplicationPrivilegeDescriptor {
    pub application: String,
    pub name: String,
    pub actions: Vec<String>,
    pub metadata: Map<String, Value>,
}

/// (application, sorted privilege names)
type UnionKey = (String, Vec<String>);

/// The stored application privileges known when a permission is compiled.
#[derive(Debug)]
pub struct ApplicationPrivilegeStore {
    by_app: HashMap<String, Vec<ApplicationPrivilegeDescriptor>>,
    /// Compiled action sets per (application, sorted privilege names): Kibana's privileges carry
    /// thousands of literal actions, compiled once per store rather than once per role set.
    unions: RwLock<HashMap<UnionKey, Arc<PatternSet>>>,
    /// Distinguishes store instances (answers cached elsewhere are valid for one instance).
    id: u64,
}

static NEXT_STORE_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_store_id() -> u64 {
    NEXT_STORE_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Default for ApplicationPrivilegeStore {
    fn default() -> Self {
        ApplicationPrivilegeStore::new(std::iter::empty())
    }
}

impl Clone for ApplicationPrivilegeStore {
    fn clone(&self) -> Self {
        ApplicationPrivilegeStore {
            by_app: self.by_app.clone(),
            unions: RwLock::new(HashMap::new()),
            id: next_store_id(),
        }
    }
}

impl ApplicationPrivilegeStore {
    pub fn new(privileges: impl IntoIterator<Item = ApplicationPrivilegeDescriptor>) -> Self {
        let mut by_app: HashMap<String, Vec<ApplicationPrivilegeDescriptor>> = HashMap::new();
        for p in privileges {
            by_app.entry(p.application.clone()).or_default().push(p);
        }
        ApplicationPrivilegeStore {
            by_app,
            unions: RwLock::new(HashMap::new()),
            id: next_store_id(),
        }
    }

    /// This instance's identity (answers cached per permission are valid for one instance).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The union of the actions of the named privileges of `application` (compiled once).
    pub fn actions_of(
        &self,
        application: &str,
        names: &[&str],
    ) -> Result<Arc<PatternSet>, CompileError> {
        let mut key_names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        key_names.sort();
        key_names.dedup();
        let key = (application.to_string(), key_names);
        if let Ok(cache) = self.unions.read() {
            if let Some(hit) = cache.get(&key) {
                return Ok(Arc::clone(hit));
            }
        }
        let actions: Vec<&str> = key
            .1
            .iter()
            .filter_map(|n| self.get(application, n))
            .flat_map(|p| p.actions.iter().map(String::as_str))
            .collect();
        let set = Arc::new(PatternSet::new(actions).map_err(CompileError::automaton)?);
        if let Ok(mut cache) = self.unions.write() {
            cache.insert(key, Arc::clone(&set));
        }
        Ok(set)
    }

    pub fn get(&self, application: &str, name: &str) -> Option<&ApplicationPrivilegeDescriptor> {
        self.by_app
            .get(application)?
            .iter()
            .find(|p| p.name == name)
    }

    /// Applications whose name matches `pattern` (an application name or `prefix*`).
    pub fn applications_matching<'a>(
        &'a self,
        pattern: &'a PatternSet,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.by_app
            .keys()
            .map(String::as_str)
            .filter(|a| pattern.matches(a))
    }

    pub fn iter(&self) -> impl Iterator<Item = &ApplicationPrivilegeDescriptor> {
        self.by_app.values().flatten()
    }
}

/// Whether a privilege string is a privilege name rather than an action pattern: action
/// patterns must contain one of `/`, `*`, `:`.
pub fn is_privilege_name(s: &str) -> bool {
    !s.contains(['/', '*', ':'])
}

/// One merged role entry: (application pattern, resources) with its privileges.
#[derive(Debug, Clone)]
pub struct ApplicationEntry {
    pub application: String,
    pub(crate) app_matcher: PatternSet,
    pub resources: Vec<String>,
    pub(crate) resource_matcher: PatternSet,
    /// Privilege strings as given in the roles.
    pub privileges: Vec<String>,
    /// Raw action patterns from the privilege strings (apply to every matching application).
    pub(crate) raw_actions: Vec<String>,
    /// Actions of named privileges per concrete application.
    pub(crate) named_actions: HashMap<String, Arc<PatternSet>>,
    pub(crate) generic_actions: Arc<PatternSet>,
    pub roles: Vec<String>,
}

impl ApplicationEntry {
    pub fn matches_application(&self, application: &str) -> bool {
        self.app_matcher.matches(application)
    }

    pub fn resource_patterns(&self) -> &PatternSet {
        &self.resource_matcher
    }

    /// The actions this entry grants for a concrete application.
    pub fn actions_for(&self, application: &str) -> Result<Arc<PatternSet>, CompileError> {
        match self.named_actions.get(application) {
            Some(named) if self.raw_actions.is_empty() => Ok(Arc::clone(named)),
            Some(named) => PatternSet::new(named.patterns().iter().chain(&self.raw_actions))
                .map(Arc::new)
                .map_err(CompileError::automaton),
            None => Ok(Arc::clone(&self.generic_actions)),
        }
    }
}

/// The application part of a permission.
#[derive(Debug, Clone, Default)]
pub struct ApplicationPermission {
    pub(crate) entries: Vec<ApplicationEntry>,
}

impl ApplicationPermission {
    pub fn entries(&self) -> &[ApplicationEntry] {
        &self.entries
    }
}

/// (application, sorted resources) → (privileges, roles).
type EntryKey = (String, Vec<String>);

#[derive(Debug, Default)]
pub(crate) struct ApplicationBuilder {
    entries: Vec<(EntryKey, Vec<String>, Vec<String>)>,
}

impl ApplicationBuilder {
    pub(crate) fn add(&mut self, role: &str, entries: &[ApplicationPrivileges]) {
        for e in entries {
            let mut resources = e.resources.clone();
            resources.sort();
            resources.dedup();
            let key = (e.application.clone(), resources);
            let slot = match self.entries.iter().position(|(k, _, _)| *k == key) {
                Some(i) => self.entries.get_mut(i),
                None => {
                    self.entries.push((key, Vec::new(), Vec::new()));
                    self.entries.last_mut()
                }
            };
            if let Some((_, privileges, roles)) = slot {
                for p in &e.privileges {
                    if !privileges.contains(p) {
                        privileges.push(p.clone());
                    }
                }
                if !roles.iter().any(|r| r == role) {
                    roles.push(role.to_string());
                }
            }
        }
    }

    pub(crate) fn build(
        self,
        store: &ApplicationPrivilegeStore,
    ) -> Result<ApplicationPermission, CompileError> {
        let mut entries = Vec::with_capacity(self.entries.len());
        for ((application, resources), privileges, roles) in self.entries {
            let app_matcher =
                PatternSet::new([application.as_str()]).map_err(CompileError::automaton)?;
            let resource_matcher =
                PatternSet::new(resources.iter()).map_err(CompileError::automaton)?;
            let raw_actions: Vec<String> = privileges
                .iter()
                .filter(|p| !is_privilege_name(p))
                .cloned()
                .collect();
            let mut named_actions = HashMap::new();
            let names: Vec<&str> = privileges
                .iter()
                .filter(|p| is_privilege_name(p))
                .map(String::as_str)
                .collect();
            for app in store.applications_matching(&app_matcher) {
                named_actions.insert(app.to_string(), store.actions_of(app, &names)?);
            }
            let generic_actions =
                Arc::new(PatternSet::new(raw_actions.iter()).map_err(CompileError::automaton)?);
            entries.push(ApplicationEntry {
                application,
                app_matcher,
                resources,
                resource_matcher,
                privileges,
                raw_actions,
                named_actions,
                generic_actions,
                roles,
            });
        }
        Ok(ApplicationPermission { entries })
    }
}
