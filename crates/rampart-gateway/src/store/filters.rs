//! In-memory filters over snapshot records (API key and token selection, ordering).

use serde_json::Value;

use rampart_store::{ApiKeyFilter, ApiKeyRecord, TokenRecord, TokenSelector};

use super::snapshot::Snapshot;

/// API keys are listed oldest first; equal creation times keep creation order.
pub(super) fn api_key_order(snapshot: &Snapshot, id: &str) -> u64 {
    snapshot
        .docs
        .get(id)
        .and_then(|d| d.source.get("created_seq"))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

pub(super) fn name_matches(pattern: Option<&str>, name: Option<&str>) -> bool {
    match pattern {
        None | Some("*") => true,
        Some(pattern) => match (pattern.strip_suffix('*'), name) {
            (_, None) => false,
            (Some(prefix), Some(name)) => name.starts_with(prefix),
            (None, Some(name)) => name == pattern,
        },
    }
}

pub(super) fn key_matches(filter: &ApiKeyFilter, key: &ApiKeyRecord) -> bool {
    filter.ids.as_ref().is_none_or(|ids| ids.contains(&key.id))
        && name_matches(filter.name.as_deref(), key.name.as_deref())
        && filter.username.as_ref().is_none_or(|u| *u == key.username)
        && filter
            .realm_name
            .as_ref()
            .is_none_or(|r| *r == key.realm_name)
        && (!filter.active_only
            || (!key.invalidated && key.expiration_ms.is_none_or(|e| e > filter.now_ms)))
}

pub(super) fn token_selected(selector: &TokenSelector, token: &TokenRecord) -> bool {
    match selector {
        TokenSelector::AccessHash(hash) => token.access_hash == *hash,
        TokenSelector::RefreshHash(hash) => token.refresh_hash.as_deref() == Some(hash.as_str()),
        TokenSelector::Username(name) => token.username == *name,
        TokenSelector::Realm {
            realm_name,
            username,
        } => {
            token.realm_name == *realm_name
                && username.as_ref().is_none_or(|u| *u == token.username)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_name_patterns() {
        assert!(name_matches(None, None));
        assert!(name_matches(Some("*"), None));
        assert!(!name_matches(Some("prod*"), None));
        assert!(name_matches(Some("prod*"), Some("production")));
        assert!(!name_matches(Some("prod*"), Some("Prod-x")));
        assert!(name_matches(Some("pro%*"), Some("pro%d")));
        assert!(!name_matches(Some("prod"), Some("production")));
    }
}
