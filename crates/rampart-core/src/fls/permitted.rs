//! A compiled language of permitted field names, with a small cache for object-prefix questions.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use rampart_automaton::Automaton;

/// How many distinct object prefixes one language remembers answers for.
const PREFIX_CACHE_CAPACITY: usize = 1024;

/// A restricted (never total) language of field paths; cheap to clone.
#[derive(Clone)]
pub(super) struct Permitted {
    inner: Arc<Inner>,
}

struct Inner {
    automaton: Automaton,
    /// `prefix` → whether some permitted field starts with `prefix.`.
    prefixes: RwLock<HashMap<Box<str>, bool>>,
}

impl fmt::Debug for Permitted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Permitted")
            .field(&self.inner.automaton)
            .finish()
    }
}

impl Permitted {
    pub(super) fn new(automaton: Automaton) -> Self {
        Self {
            inner: Arc::new(Inner {
                automaton,
                prefixes: RwLock::new(HashMap::new()),
            }),
        }
    }

    pub(super) fn automaton(&self) -> &Automaton {
        &self.inner.automaton
    }

    /// One DFA run over the bytes of `field`.
    pub(super) fn contains(&self, field: &str) -> bool {
        self.inner.automaton.matches(field)
    }

    /// Whether `L ∩ prefix.Σ*` is non-empty. Too complex to decide ⇒ `false` (fail closed).
    pub(super) fn has_object_prefix(&self, prefix: &str) -> bool {
        if let Ok(cache) = self.inner.prefixes.read() {
            if let Some(&known) = cache.get(prefix) {
                return known;
            }
        }
        let under = Automaton::prefix(&format!("{prefix}."));
        let answer = self
            .inner
            .automaton
            .intersection(&under)
            .is_ok_and(|both| !both.is_empty());
        if let Ok(mut cache) = self.inner.prefixes.write() {
            if cache.len() < PREFIX_CACHE_CAPACITY {
                cache.insert(prefix.into(), answer);
            }
        }
        answer
    }

    /// Same language (shared tables are trivially equal).
    pub(super) fn same_language(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
            || self.inner.automaton.same_language(&other.inner.automaton)
    }
}
