//! API keys and OAuth2 tokens: the store writes that look records up by their fields.

use serde_json::json;

use rampart_store::{
    ApiKeyFilter, ApiKeyRecord, Invalidation, StoreError, StoreResult, TokenInvalidation,
    TokenRecord, TokenSelector,
};

use super::UpstreamStore;
use super::filters::{api_key_order, key_matches, token_selected};
use super::impl_store::require_name;
use super::snapshot::{api_key_id, decode, envelope, token_id};

impl UpstreamStore {
    pub(super) fn create_api_key_impl(&self, key: &ApiKeyRecord) -> StoreResult<()> {
        require_name("api key id", &key.id)?;
        self.write(|snapshot, _, batch| {
            let id = api_key_id(&key.id);
            if snapshot.contains(&id) {
                return Err(StoreError::Conflict(format!("api key [{}] exists", key.id)));
            }
            let record = ApiKeyRecord {
                version: 1,
                ..key.clone()
            };
            let order = json!(snapshot.changes + 1);
            let doc = envelope("apikey", &id, &record, &[("created_seq", order)])?;
            batch.put(snapshot, id, doc);
            Ok(())
        })
    }

    pub(super) fn find_api_keys_impl(
        &self,
        filter: &ApiKeyFilter,
    ) -> StoreResult<Vec<ApiKeyRecord>> {
        let snapshot = self.snapshot()?;
        let mut keys = Vec::new();
        for (id, doc) in snapshot.with_prefix("apikey-") {
            let key: ApiKeyRecord = decode(id, &doc.source)?;
            if key_matches(filter, &key) {
                keys.push((key.creation_ms, api_key_order(&snapshot, id), key));
            }
        }
        keys.sort_by_key(|(creation, order, _)| (*creation, *order));
        Ok(keys.into_iter().map(|(_, _, key)| key).collect())
    }

    pub(super) fn update_api_key_impl(
        &self,
        key: &ApiKeyRecord,
        expected_version: u64,
    ) -> StoreResult<u64> {
        self.write(|snapshot, _, batch| {
            let id = api_key_id(&key.id);
            let Some(stored) = snapshot.get::<ApiKeyRecord>(&id)? else {
                return Err(StoreError::NotFound(format!("api key [{}]", key.id)));
            };
            if stored.version != expected_version {
                return Err(StoreError::Conflict(format!(
                    "api key [{}] is at version {}",
                    key.id, stored.version
                )));
            }
            let version = stored.version + 1;
            let record = ApiKeyRecord {
                version,
                ..key.clone()
            };
            let order = json!(api_key_order(snapshot, &id));
            let doc = envelope("apikey", &id, &record, &[("created_seq", order)])?;
            batch.put(snapshot, id, doc);
            Ok(version)
        })
    }

    pub(super) fn invalidate_api_keys_impl(
        &self,
        ids: &[String],
        now_ms: i64,
    ) -> StoreResult<Invalidation> {
        if ids.is_empty() {
            return Ok(Invalidation::default());
        }
        self.write(|snapshot, _, batch| {
            let mut result = Invalidation::default();
            for key_id in ids {
                if result.invalidated.contains(key_id)
                    || result.previously_invalidated.contains(key_id)
                {
                    continue;
                }
                let id = api_key_id(key_id);
                let Some(mut key) = snapshot.get::<ApiKeyRecord>(&id)? else {
                    continue;
                };
                if key.invalidated {
                    result.previously_invalidated.push(key_id.clone());
                    continue;
                }
                key.invalidated = true;
                key.invalidation_ms = Some(now_ms);
                key.version += 1;
                let order = json!(api_key_order(snapshot, &id));
                let doc = envelope("apikey", &id, &key, &[("created_seq", order)])?;
                batch.put(snapshot, id, doc);
                result.invalidated.push(key_id.clone());
            }
            Ok(result)
        })
    }

    pub(super) fn create_token_impl(&self, token: &TokenRecord) -> StoreResult<()> {
        require_name("token", &token.access_hash)?;
        self.write(|snapshot, _, batch| {
            let id = token_id(&token.access_hash);
            let refresh_taken = token
                .refresh_hash
                .as_ref()
                .is_some_and(|r| snapshot.refresh_index.contains_key(r));
            if snapshot.contains(&id) || refresh_taken {
                return Err(StoreError::Conflict("token exists".into()));
            }
            batch.put(snapshot, id.clone(), envelope("token", &id, token, &[])?);
            Ok(())
        })
    }

    pub(super) fn use_refresh_token_impl(&self, refresh_hash: &str) -> StoreResult<TokenRecord> {
        self.write(|snapshot, _, batch| {
            let Some(id) = snapshot.refresh_index.get(refresh_hash) else {
                return Err(StoreError::NotFound("refresh token".into()));
            };
            let Some(token) = snapshot.get::<TokenRecord>(id)? else {
                return Err(StoreError::NotFound("refresh token".into()));
            };
            if token.refresh_used || token.invalidated {
                return Err(StoreError::Conflict("refresh token already used".into()));
            }
            let used = TokenRecord {
                refresh_used: true,
                ..token.clone()
            };
            batch.put(snapshot, id.clone(), envelope("token", id, &used, &[])?);
            Ok(token)
        })
    }

    pub(super) fn invalidate_tokens_impl(
        &self,
        selector: &TokenSelector,
    ) -> StoreResult<TokenInvalidation> {
        self.write(|snapshot, _, batch| {
            let mut result = TokenInvalidation::default();
            for (id, doc) in snapshot.with_prefix("token-") {
                let token: TokenRecord = decode(id, &doc.source)?;
                if !token_selected(selector, &token) {
                    continue;
                }
                if token.invalidated {
                    result.previously_invalidated += 1;
                    continue;
                }
                let invalidated = TokenRecord {
                    invalidated: true,
                    ..token
                };
                batch.put(
                    snapshot,
                    id.clone(),
                    envelope("token", id, &invalidated, &[])?,
                );
                result.invalidated += 1;
            }
            Ok(result)
        })
    }
}
