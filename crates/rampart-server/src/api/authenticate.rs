//! `GET /_security/_authenticate`.

use serde_json::{Value, json};

use crate::authn::Credential;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx};

/// Who am I: the effective user, realms, authentication type (and API key details).
pub fn authenticate(ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        let a = &ctx.auth;
        let user = a.effective_user();
        let mut body = user.to_json();
        if let Value::Object(m) = &mut body {
            m.insert(
                "authentication_realm".into(),
                a.authentication_realm.to_json(),
            );
            m.insert("lookup_realm".into(), a.lookup_realm.to_json());
            m.insert("authentication_type".into(), json!(a.authentication_type()));
            if let Credential::ApiKey(k) = &a.credential {
                m.insert("api_key".into(), json!({"id": k.id, "name": k.name, "managed_by": "elasticsearch", "internal": false}));
            }
            if let Credential::ServiceAccount {
                token_name,
                token_source,
                ..
            } = &a.credential
            {
                m.insert(
                    "token".into(),
                    json!({"name": token_name, "type": format!("_service_account_{token_source}")}),
                );
            }
        }
        Ok(Reply::ok(body))
    })
}
