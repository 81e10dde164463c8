//! A compiled language of permitted field names, with a small cache for object-prefix questions.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock, RwLock};

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
    /// The names not permitted, built on the first object-prefix question (`None`: too complex).
    complement: OnceLock<Option<Automaton>>,
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
                complement: OnceLock::new(),
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

    /// Whether `L ∩ prefix.Σ*` is non-empty, i.e. `prefix.Σ*` is not inside the complement of
    /// `L` (an on-the-fly product walk, much cheaper than building the intersection). Answers
    /// are cached per prefix. Too complex to decide ⇒ `false` (fail closed).
    pub(super) fn has_object_prefix(&self, prefix: &str) -> bool {
        if let Ok(cache) = self.inner.prefixes.read() {
            if let Some(&known) = cache.get(prefix) {
                return known;
            }
        }
        let complement = self
            .inner
            .complement
            .get_or_init(|| self.inner.automaton.complement().ok());
        let answer = complement
            .as_ref()
            .is_some_and(|outside| !Automaton::prefix(&format!("{prefix}.")).is_subset_of(outside));
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
