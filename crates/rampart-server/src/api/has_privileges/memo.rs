//! Finished `_has_privileges` answers, reused for byte-identical requests.
//!
//! An answer is a pure function of four inputs: the compiled permission(s) of the effective
//! role, the stored application privileges, the checked username and the request body. An
//! entry keeps all four and is used only when all four are the same again:
//!
//! - permissions and application privileges by `Arc` identity. Every change that can alter
//!   them (a role, a user's roles, an application privilege, roles.yml, an API key) makes
//!   the server's caches hand out a NEW `Arc` (they are keyed by store revision and content),
//!   and the entry holds its `Arc`s, so an address can never be reused by another value
//!   while the entry exists;
//! - username and body by value (the body's exact bytes), never by hash alone.
//!
//! The 64-bit hash only finds the slot; a collision at worst replaces an entry.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, RwLock};

use rampart_core::authz::EffectiveRole;
use rampart_core::permission::ApplicationPrivilegeStore;

/// Entries kept before the memo starts over (each holds its permissions alive, so this
/// also bounds how many superseded permissions the memo can keep in memory).
const MAX_ENTRIES: usize = 1024;

/// What an answer is computed from (borrowed from the request being served).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Inputs<'a> {
    pub role: &'a EffectiveRole,
    pub apps: &'a Arc<ApplicationPrivilegeStore>,
    pub username: &'a str,
    pub body: &'a [u8],
}

#[derive(Debug)]
struct Entry {
    role: EffectiveRole,
    apps: Arc<ApplicationPrivilegeStore>,
    username: Box<str>,
    body: Box<[u8]>,
    answer: Box<[u8]>,
}

impl Entry {
    fn answers(&self, inputs: &Inputs<'_>) -> bool {
        Arc::ptr_eq(&self.apps, inputs.apps)
            && self.asked(inputs.role, inputs.username, inputs.body)
    }

    fn asked(&self, role: &EffectiveRole, username: &str, body: &[u8]) -> bool {
        same_role(&self.role, role) && *self.username == *username && *self.body == *body
    }
}

fn same_role(a: &EffectiveRole, b: &EffectiveRole) -> bool {
    match (a, b) {
        (EffectiveRole::Plain(x), EffectiveRole::Plain(y)) => Arc::ptr_eq(x, y),
        (
            EffectiveRole::Limited {
                assigned: a1,
                limited_by: l1,
            },
            EffectiveRole::Limited {
                assigned: a2,
                limited_by: l2,
            },
        ) => Arc::ptr_eq(a1, a2) && Arc::ptr_eq(l1, l2),
        _ => false,
    }
}

/// Whether every side of the role is also held elsewhere (by a cache).
fn shared(role: &EffectiveRole) -> bool {
    match role {
        EffectiveRole::Plain(p) => Arc::strong_count(p) > 1,
        EffectiveRole::Limited {
            assigned,
            limited_by,
        } => Arc::strong_count(assigned) > 1 && Arc::strong_count(limited_by) > 1,
    }
}

/// The memo of serialized `_has_privileges` answers.
#[derive(Debug, Default)]
pub struct AnswerMemo {
    hasher: foldhash::fast::RandomState,
    entries: RwLock<HashMap<u64, Entry, foldhash::fast::RandomState>>,
}

impl AnswerMemo {
    /// The slot of (role, username, body); the application privileges are compared, not
    /// hashed, so `was_asked` can find an entry without reading them.
    fn slot(&self, role: &EffectiveRole, username: &str, body: &[u8]) -> u64 {
        let mut h = self.hasher.build_hasher();
        match role {
            EffectiveRole::Plain(p) => h.write_usize(Arc::as_ptr(p) as usize),
            EffectiveRole::Limited {
                assigned,
                limited_by,
            } => {
                h.write_usize(Arc::as_ptr(assigned) as usize);
                h.write_usize(Arc::as_ptr(limited_by) as usize);
            }
        }
        h.write(username.as_bytes());
        h.write_u8(0xff);
        h.write(body);
        h.finish()
    }

    /// The answer computed earlier from exactly these inputs.
    pub(crate) fn get(&self, inputs: &Inputs<'_>) -> Option<Vec<u8>> {
        let slot = self.slot(inputs.role, inputs.username, inputs.body);
        let entries = self.entries.read().ok()?;
        entries
            .get(&slot)
            .filter(|e| e.answers(inputs))
            .map(|e| e.answer.to_vec())
    }

    /// Whether this body was answered before for this role and user (whatever the
    /// application privileges were then): it was valid then, so it is valid now.
    pub(crate) fn was_asked(&self, role: &EffectiveRole, username: &str, body: &[u8]) -> bool {
        let slot = self.slot(role, username, body);
        self.entries.read().is_ok_and(|entries| {
            entries
                .get(&slot)
                .is_some_and(|e| e.asked(role, username, body))
        })
    }

    /// Remember the answer computed from `inputs`.
    pub(crate) fn remember(&self, inputs: &Inputs<'_>, answer: &[u8]) {
        // A permission held by nothing but this request (compiled for it alone, e.g. a
        // service account's) can never be presented again: an entry could not be hit, and
        // would only keep the permission alive.
        if !shared(inputs.role) {
            return;
        }
        let slot = self.slot(inputs.role, inputs.username, inputs.body);
        let entry = Entry {
            role: inputs.role.clone(),
            apps: Arc::clone(inputs.apps),
            username: inputs.username.into(),
            body: inputs.body.into(),
            answer: answer.into(),
        };
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(slot, entry);
        }
    }

    /// Forget every answer.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::permission::{Permission, RestrictedIndices};
    use rampart_core::role::{RoleContext, parse_role};

    fn permission(doc: serde_json::Value) -> Arc<Permission> {
        let role = parse_role("r", &doc, RoleContext::RoleApi).unwrap();
        let restricted = RestrictedIndices::builtin().unwrap();
        Arc::new(
            Permission::compile(
                &[role],
                &[],
                &ApplicationPrivilegeStore::default(),
                &restricted,
            )
            .unwrap(),
        )
    }

    fn monitor() -> Arc<Permission> {
        permission(serde_json::json!({"cluster": ["monitor"]}))
    }

    #[test]
    fn an_answer_is_reused_only_for_the_same_inputs() {
        let memo = AnswerMemo::default();
        let p = monitor();
        let role = EffectiveRole::plain(Arc::clone(&p));
        let apps = Arc::new(ApplicationPrivilegeStore::default());
        let at = Inputs {
            role: &role,
            apps: &apps,
            username: "alice",
            body: br#"{"cluster":["monitor"]}"#,
        };
        let asked = |m: &AnswerMemo, i: &Inputs<'_>| m.was_asked(i.role, i.username, i.body);
        assert_eq!(memo.get(&at), None);
        assert!(!asked(&memo, &at));
        memo.remember(&at, b"answer");
        assert_eq!(memo.get(&at).as_deref(), Some(&b"answer"[..]));
        assert!(asked(&memo, &at));

        // The same role content compiled again (a role change, even back and forth) is a
        // different permission: not reused.
        let recompiled = EffectiveRole::plain(monitor());
        assert_eq!(
            memo.get(&Inputs {
                role: &recompiled,
                ..at
            }),
            None
        );
        // Other application privileges: not the same answer, but the same (valid) body.
        let other_apps = Arc::new(ApplicationPrivilegeStore::default());
        let new_apps = Inputs {
            apps: &other_apps,
            ..at
        };
        assert_eq!(memo.get(&new_apps), None);
        assert!(asked(&memo, &new_apps));
        assert_eq!(
            memo.get(&Inputs {
                username: "bob",
                ..at
            }),
            None
        );
        assert_eq!(
            memo.get(&Inputs {
                body: br#"{"cluster":["manage"]}"#,
                ..at
            }),
            None
        );
        let limited = EffectiveRole::limited(Arc::clone(&p), Arc::clone(&p));
        assert_eq!(
            memo.get(&Inputs {
                role: &limited,
                ..at
            }),
            None
        );
        memo.clear();
        assert_eq!(memo.get(&at), None);
    }

    #[test]
    fn limited_roles_need_both_sides() {
        let memo = AnswerMemo::default();
        let (a, b) = (monitor(), monitor());
        let apps = Arc::new(ApplicationPrivilegeStore::default());
        let role = EffectiveRole::limited(Arc::clone(&a), Arc::clone(&b));
        let at = Inputs {
            role: &role,
            apps: &apps,
            username: "k",
            body: b"{}",
        };
        memo.remember(&at, b"x");
        assert!(memo.get(&at).is_some());
        let swapped = EffectiveRole::limited(b, a);
        assert!(
            memo.get(&Inputs {
                role: &swapped,
                ..at
            })
            .is_none()
        );
        assert!(!memo.was_asked(&swapped, at.username, at.body));
    }

    #[test]
    fn permissions_held_by_nobody_else_are_not_remembered() {
        let memo = AnswerMemo::default();
        let role = EffectiveRole::plain(monitor());
        let apps = Arc::new(ApplicationPrivilegeStore::default());
        let at = Inputs {
            role: &role,
            apps: &apps,
            username: "sa",
            body: b"{}",
        };
        memo.remember(&at, b"x");
        assert_eq!(memo.get(&at), None);
        let cached = role.clone();
        memo.remember(&at, b"x");
        assert_eq!(memo.get(&at).as_deref(), Some(&b"x"[..]));
        drop(cached);
    }

    #[test]
    fn the_memo_is_bounded() {
        let memo = AnswerMemo::default();
        let role = EffectiveRole::plain(monitor());
        let _cached = role.clone();
        let apps = Arc::new(ApplicationPrivilegeStore::default());
        for i in 0..MAX_ENTRIES + 10 {
            let body = format!("{{\"cluster\":[\"c{i}\"]}}");
            let at = Inputs {
                role: &role,
                apps: &apps,
                username: "u",
                body: body.as_bytes(),
            };
            memo.remember(&at, b"a");
        }
        // Full at MAX_ENTRIES, started over, then 10 more.
        assert_eq!(memo.entries.read().unwrap().len(), 10);
    }
}
