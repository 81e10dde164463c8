//! Scroll and point-in-time ids bound to the caller who opened them: the client gets
//! `rmp1.<owner>.<upstream id>.<mac>` (base64url parts), where the MAC is HMAC-SHA256 over
//! owner and id with a key every gateway node shares. Another caller presenting the id, or a
//! forged or altered id, finds no search context.
//!
//! A scroll over remote targets also carries its scope, `rmp2.<owner>.<id>.<scope>.<mac>`: the
//! remote target expressions (`alias:index`) it was opened on, under the same MAC, so that
//! continuation pages can authorize those expressions again and filter remote hits with their
//! field sets (remote concrete index names cannot be authorized on their own).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use rampart_core::error::EsError;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const PREFIX: &str = "rmp1";
const SCOPED_PREFIX: &str = "rmp2";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScrollError {
    /// Not an id this gateway issued.
    #[error("Cannot parse scroll id")]
    Malformed,
    /// Issued to someone else, or altered: answered as Elasticsearch answers an unknown id.
    #[error("No search context found for id [{0}]")]
    NotFound(String),
}

impl EsError for ScrollError {
    fn es_type(&self) -> &'static str {
        match self {
            Self::Malformed => "illegal_argument_exception",
            Self::NotFound(_) => "search_context_missing_exception",
        }
    }
    fn status(&self) -> u16 {
        match self {
            Self::Malformed => 400,
            Self::NotFound(_) => 404,
        }
    }
}

/// Binds and checks ids with one secret key (at least 32 bytes, shared by all nodes).
#[derive(Clone)]
pub struct ScrollBinder {
    key: Vec<u8>,
}

impl std::fmt::Debug for ScrollBinder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScrollBinder(***)")
    }
}

impl ScrollBinder {
    /// `None` if the key is shorter than 32 bytes.
    pub fn new(key: &[u8]) -> Option<Self> {
        (key.len() >= 32).then(|| Self { key: key.to_vec() })
    }

    fn mac(&self, owner: &str, id: &str) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(&self.key).ok()?;
        // Length-prefixed so (owner, id) pairs cannot be shifted into each other.
        mac.update(&(owner.len() as u64).to_be_bytes());
        mac.update(owner.as_bytes());
        mac.update(id.as_bytes());
        Some(mac)
    }

    /// The MAC of a scoped id. Its input starts with the scoped prefix, which an unscoped
    /// input (8-byte owner length first) can never start with.
    fn scoped_mac(&self, owner: &str, id: &str, scope: &str) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(&self.key).ok()?;
        mac.update(SCOPED_PREFIX.as_bytes());
        for part in [owner, id] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac.update(scope.as_bytes());
        Some(mac)
    }

    /// The id handed to `owner` for the upstream's `upstream_id` opened over the remote
    /// targets `scope` (none: an unscoped id, as `bind`).
    pub fn bind_scoped(&self, owner: &str, upstream_id: &str, scope: &[String]) -> String {
        if scope.is_empty() {
            return self.bind(owner, upstream_id);
        }
        let scope = scope.join("\n");
        let tag = self
            .scoped_mac(owner, upstream_id, &scope)
            .map(|m| m.finalize().into_bytes().to_vec())
            .unwrap_or_default();
        format!(
            "{SCOPED_PREFIX}.{}.{}.{}.{}",
            B64.encode(owner),
            B64.encode(upstream_id),
            B64.encode(scope),
            B64.encode(tag)
        )
    }

    /// The id handed to `owner` for the upstream's `upstream_id`.
    pub fn bind(&self, owner: &str, upstream_id: &str) -> String {
        let tag = self
            .mac(owner, upstream_id)
            .map(|m| m.finalize().into_bytes().to_vec())
            .unwrap_or_default();
        format!(
            "{PREFIX}.{}.{}.{}",
            B64.encode(owner),
            B64.encode(upstream_id),
            B64.encode(tag)
        )
    }

    /// Replaces the upstream's ids in an answer by ids bound to `owner`: `_scroll_id` and
    /// `pit_id` of a search answer, `id` of an open point-in-time answer (`open_pit`).
    pub fn bind_answer(&self, owner: &str, answer: &mut serde_json::Value, open_pit: bool) {
        self.bind_answer_scoped(owner, answer, open_pit, &[]);
    }

    /// `bind_answer` for a scroll opened over the remote targets `scope`.
    pub fn bind_answer_scoped(
        &self,
        owner: &str,
        answer: &mut serde_json::Value,
        open_pit: bool,
        scope: &[String],
    ) {
        let Some(object) = answer.as_object_mut() else {
            return;
        };
        let keys: &[&str] = if open_pit {
            &["id"]
        } else {
            &["_scroll_id", "pit_id"]
        };
        for key in keys {
            if let Some(serde_json::Value::String(id)) = object.get_mut(*key) {
                *id = if *key == "_scroll_id" {
                    self.bind_scoped(owner, id, scope)
                } else {
                    self.bind(owner, id)
                };
            }
        }
    }

    /// The upstream id inside `token`, if `owner` is the caller it was issued to.
    pub fn unbind(&self, owner: &str, token: &str) -> Result<String, ScrollError> {
        self.unbind_scoped(owner, token).map(|(id, _)| id)
    }

    /// The upstream id and the remote targets inside `token`, if `owner` is the caller it
    /// was issued to.
    pub fn unbind_scoped(
        &self,
        owner: &str,
        token: &str,
    ) -> Result<(String, Vec<String>), ScrollError> {
        if !token.starts_with(SCOPED_PREFIX) {
            return self.unbind_plain(owner, token).map(|id| (id, Vec::new()));
        }
        let mut parts = token.split('.');
        let (Some(SCOPED_PREFIX), Some(issued_to), Some(id), Some(scope), Some(tag), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(ScrollError::Malformed);
        };
        let text = |part: &str| {
            B64.decode(part)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or(ScrollError::Malformed)
        };
        let (issued_to, id, scope) = (text(issued_to)?, text(id)?, text(scope)?);
        let tag = B64.decode(tag).map_err(|_| ScrollError::Malformed)?;
        let not_found = || ScrollError::NotFound(token.to_owned());
        if issued_to != owner {
            return Err(not_found());
        }
        let mac = self.scoped_mac(owner, &id, &scope).ok_or_else(not_found)?;
        mac.verify_slice(&tag).map_err(|_| not_found())?;
        Ok((id, scope.split('\n').map(String::from).collect()))
    }

    fn unbind_plain(&self, owner: &str, token: &str) -> Result<String, ScrollError> {
        let mut parts = token.split('.');
        let (Some(PREFIX), Some(issued_to), Some(id), Some(tag), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(ScrollError::Malformed);
        };
        let decode = |part: &str| B64.decode(part).map_err(|_| ScrollError::Malformed);
        let issued_to =
            String::from_utf8(decode(issued_to)?).map_err(|_| ScrollError::Malformed)?;
        let id = String::from_utf8(decode(id)?).map_err(|_| ScrollError::Malformed)?;
        let tag = decode(tag)?;
        let not_found = || ScrollError::NotFound(token.to_owned());
        if issued_to != owner {
            return Err(not_found());
        }
        let mac = self.mac(owner, &id).ok_or_else(not_found)?;
        // Constant-time comparison.
        mac.verify_slice(&tag).map_err(|_| not_found())?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn binder() -> ScrollBinder {
        ScrollBinder::new(&[7u8; 32]).unwrap()
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(ScrollBinder::new(&[1u8; 31]).is_none());
    }

    #[test]
    fn only_the_opener_gets_the_upstream_id_back() {
        let b = binder();
        let token = b.bind("native/alice", "FGluY2x1ZGVfY29udGV4dF91dWlk");
        assert_eq!(
            b.unbind("native/alice", &token).unwrap(),
            "FGluY2x1ZGVfY29udGV4dF91dWlk"
        );
        let err = b.unbind("native/bob", &token).unwrap_err();
        assert_eq!(err.status(), 404);
        assert_eq!(err.es_type(), "search_context_missing_exception");
    }

    #[test]
    fn forged_and_altered_ids_fail() {
        let b = binder();
        let token = b.bind("alice", "id1");
        // Rebinding the owner part to bob without the key.
        let forged = token.replacen(&B64.encode("alice"), &B64.encode("bob"), 1);
        assert!(matches!(
            b.unbind("bob", &forged),
            Err(ScrollError::NotFound(_))
        ));
        let other_key = ScrollBinder::new(&[8u8; 32]).unwrap();
        assert!(other_key.unbind("alice", &token).is_err());
        assert_eq!(b.unbind("alice", "garbage"), Err(ScrollError::Malformed));
        assert_eq!(b.unbind("alice", "rmp1.!.!.!"), Err(ScrollError::Malformed));
    }

    #[test]
    fn answers_carry_bound_ids() {
        let b = binder();
        let mut answer = serde_json::json!({"_scroll_id": "up1", "pit_id": "pit1", "hits": {}});
        b.bind_answer("alice", &mut answer, false);
        let scroll = answer["_scroll_id"].as_str().unwrap();
        assert_eq!(b.unbind("alice", scroll).unwrap(), "up1");
        let pit = answer["pit_id"].as_str().unwrap();
        assert_eq!(b.unbind("alice", pit).unwrap(), "pit1");
        let mut opened = serde_json::json!({"id": "pit2"});
        b.bind_answer("alice", &mut opened, true);
        assert!(b.unbind("bob", opened["id"].as_str().unwrap()).is_err());
    }

    #[test]
    fn scoped_ids_carry_their_remote_targets_under_the_mac() {
        let b = binder();
        let scope = vec!["other:logs-*".to_owned(), "third:x".to_owned()];
        let token = b.bind_scoped("alice", "up1", &scope);
        assert!(token.starts_with("rmp2."));
        assert_eq!(
            b.unbind_scoped("alice", &token).unwrap(),
            ("up1".to_owned(), scope.clone())
        );
        assert_eq!(b.unbind("alice", &token).unwrap(), "up1");
        assert!(matches!(
            b.unbind_scoped("bob", &token),
            Err(ScrollError::NotFound(_))
        ));
        // Widening the scope without the key fails.
        let parts: Vec<&str> = token.split('.').collect();
        let widened = format!(
            "rmp2.{}.{}.{}.{}",
            parts[1],
            parts[2],
            B64.encode("other:*"),
            parts[4]
        );
        assert!(matches!(
            b.unbind_scoped("alice", &widened),
            Err(ScrollError::NotFound(_))
        ));
        // An unscoped id has no scope; an empty scope binds unscoped.
        let plain = b.bind("alice", "up2");
        assert_eq!(
            b.unbind_scoped("alice", &plain).unwrap().1,
            Vec::<String>::new()
        );
        assert!(b.bind_scoped("alice", "up2", &[]).starts_with("rmp1."));
        let mut answer = serde_json::json!({"_scroll_id": "up3", "pit_id": "pit3"});
        b.bind_answer_scoped("alice", &mut answer, false, &scope);
        let scroll = answer["_scroll_id"].as_str().unwrap();
        assert_eq!(b.unbind_scoped("alice", scroll).unwrap().1, scope);
        assert!(answer["pit_id"].as_str().unwrap().starts_with("rmp1."));
    }

    proptest! {
        #[test]
        fn bind_unbind_round_trips(owner in ".{0,20}", id in ".{0,40}", other in ".{1,20}") {
            let b = binder();
            let token = b.bind(&owner, &id);
            prop_assert_eq!(b.unbind(&owner, &token).unwrap(), id);
            if other != owner {
                prop_assert!(b.unbind(&other, &token).is_err());
            }
        }
    }
}
