//! The `set_security_user` processor: writes who is indexing the document into it, so that
//! role queries (DLS) can later match documents to their authors.
//!
//! What is written follows Elasticsearch: the effective user (the run-as target under
//! run-as), its realm (for an API key: the realm of the key's creator), the API key's id,
//! name and non-empty metadata, and the authentication type in upper case. Properties with
//! no value (no email, no roles, empty metadata) are left out rather than written as null.
//!
//! One deliberate difference: when the document already holds an object at `field`, ES
//! merges into it and keeps whatever the writer put under a configured property the user
//! has no value for (an API key's user has no roles, so a forged `user.roles` would survive
//! and could satisfy a role query on it). Here every configured property is the server's:
//! a value the user lacks is removed, not kept. Keys outside the configured properties stay.

use serde_json::{Map, Value, json};

use super::config::ProcessorConfig;
use super::field::FieldPath;
use crate::authn::{Authentication, Credential};
use crate::error::ApiError;

/// The properties, in Elasticsearch's order (the order they are written in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Property {
    Username,
    Roles,
    Email,
    FullName,
    Metadata,
    ApiKey,
    Realm,
    AuthenticationType,
}

const ALL: [Property; 8] = [
    Property::Username,
    Property::Roles,
    Property::Email,
    Property::FullName,
    Property::Metadata,
    Property::ApiKey,
    Property::Realm,
    Property::AuthenticationType,
];

impl Property {
    fn parse(text: &str) -> Option<Self> {
        ALL.iter()
            .copied()
            .find(|p| p.name().eq_ignore_ascii_case(text))
    }

    fn name(self) -> &'static str {
        match self {
            Property::Username => "USERNAME",
            Property::Roles => "ROLES",
            Property::Email => "EMAIL",
            Property::FullName => "FULL_NAME",
            Property::Metadata => "METADATA",
            Property::ApiKey => "API_KEY",
            Property::Realm => "REALM",
            Property::AuthenticationType => "AUTHENTICATION_TYPE",
        }
    }
}

/// A configured `set_security_user` processor.
#[derive(Debug, Clone, PartialEq)]
pub struct SetSecurityUser {
    pub field: FieldPath,
    /// Sorted, without duplicates.
    pub properties: Vec<Property>,
}

impl SetSecurityUser {
    pub fn parse(config: &mut ProcessorConfig) -> Result<Self, ApiError> {
        let field = config.required_field("field")?;
        let properties = match config.optional_strings("properties")? {
            None => ALL.to_vec(),
            Some(names) => {
                let mut out = Vec::with_capacity(names.len());
                for name in names {
                    let Some(p) = Property::parse(&name) else {
                        let valid: Vec<&str> = ALL.iter().map(|p| p.name()).collect();
                        return Err(config.error(
                            "properties",
                            format!(
                                "illegal property value [{name}]. valid values are [{}]",
                                valid.join(", ")
                            ),
                        ));
                    };
                    out.push(p);
                }
                out.sort();
                out.dedup();
                out
            }
        };
        Ok(SetSecurityUser { field, properties })
    }

    /// Write the user's properties under `field` (merged into an object already there).
    pub fn apply(&self, doc: &mut Map<String, Value>, user: &UserFacts) -> Result<(), ApiError> {
        let mut object = match self.field.get(doc) {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        for property in &self.properties {
            user.write(*property, &mut object);
        }
        self.field.set(doc, Value::Object(object))
    }
}

/// What the processor can say about the caller, gathered once per request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserFacts {
    pub username: String,
    pub roles: Vec<String>,
    pub email: Option<String>,
    pub full_name: Option<String>,
    pub metadata: Map<String, Value>,
    /// `(id, name, metadata)` when authenticated by an API key.
    pub api_key: Option<ApiKeyFacts>,
    pub realm_name: Option<String>,
    pub realm_type: Option<String>,
    pub authentication_type: &'static str,
}

/// The API key part of [`UserFacts`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiKeyFacts {
    pub id: String,
    pub name: Option<String>,
    pub metadata: Map<String, Value>,
}

impl UserFacts {
    /// The facts of an authentication. `api_key_record` is the key's stored record (for its
    /// metadata and its creator's realm), looked up by the caller.
    pub fn of(auth: &Authentication, api_key_record: Option<&rampart_store::ApiKeyRecord>) -> Self {
        let user = auth.effective_user();
        let (api_key, realm_name, realm_type) = match &auth.credential {
            Credential::ApiKey(key) => (
                Some(ApiKeyFacts {
                    id: key.id.clone(),
                    name: key.name.clone(),
                    metadata: api_key_record
                        .and_then(|r| r.metadata.as_object().cloned())
                        .unwrap_or_default(),
                }),
                api_key_record.map(|r| r.realm_name.clone()),
                api_key_record.map(|r| r.realm_type.clone()),
            ),
            _ => (
                None,
                Some(auth.lookup_realm.name.clone()),
                Some(auth.lookup_realm.realm_type.clone()),
            ),
        };
        UserFacts {
            username: user.username.clone(),
            roles: user.roles.clone(),
            email: user.email.clone(),
            full_name: user.full_name.clone(),
            metadata: user.metadata.clone(),
            api_key,
            realm_name,
            realm_type,
            authentication_type: authentication_type(&auth.credential),
        }
    }

    fn write(&self, property: Property, out: &mut Map<String, Value>) {
        let (key, value) = match property {
            Property::Username => ("username", Some(json!(self.username))),
            Property::Roles => ("roles", (!self.roles.is_empty()).then(|| json!(self.roles))),
            Property::Email => ("email", self.email.as_ref().map(|e| json!(e))),
            Property::FullName => ("full_name", self.full_name.as_ref().map(|n| json!(n))),
            Property::Metadata => (
                "metadata",
                (!self.metadata.is_empty()).then(|| Value::Object(self.metadata.clone())),
            ),
            Property::ApiKey => ("api_key", self.api_key.as_ref().map(api_key_object)),
            Property::Realm => {
                let mut m = Map::new();
                if let Some(name) = &self.realm_name {
                    m.insert("name".into(), json!(name));
                }
                if let Some(t) = &self.realm_type {
                    m.insert("type".into(), json!(t));
                }
                ("realm", (!m.is_empty()).then_some(Value::Object(m)))
            }
            Property::AuthenticationType => {
                ("authentication_type", Some(json!(self.authentication_type)))
            }
        };
        match value {
            Some(v) => out.insert(key.into(), v),
            // Never keep a writer-supplied value for a property the server owns.
            None => out.remove(key),
        };
    }
}

fn api_key_object(key: &ApiKeyFacts) -> Value {
    let mut m = Map::new();
    if let Some(name) = &key.name {
        m.insert("name".into(), json!(name));
    }
    m.insert("id".into(), json!(key.id));
    if !key.metadata.is_empty() {
        m.insert("metadata".into(), Value::Object(key.metadata.clone()));
    }
    Value::Object(m)
}

/// Elasticsearch's `AuthenticationType` names (service-account tokens are `TOKEN`).
fn authentication_type(credential: &Credential) -> &'static str {
    match credential {
        Credential::Password => "REALM",
        Credential::ApiKey(_) => "API_KEY",
        Credential::Token | Credential::ServiceAccount { .. } => "TOKEN",
        Credential::Anonymous => "ANONYMOUS",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authn::{ApiKeyIdentity, RealmRef, UserInfo};

    fn processor(v: Value) -> Result<SetSecurityUser, ApiError> {
        let mut c = ProcessorConfig::new("set_security_user", v.as_object().cloned().unwrap())?;
        let p = SetSecurityUser::parse(&mut c)?;
        c.finish()?;
        Ok(p)
    }

    fn user(name: &str, roles: &[&str]) -> UserInfo {
        UserInfo {
            username: name.into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            enabled: true,
            ..Default::default()
        }
    }

    fn realm_auth(u: UserInfo) -> Authentication {
        Authentication {
            user: u,
            authentication_realm: RealmRef::new("default_native", "native"),
            lookup_realm: RealmRef::new("default_native", "native"),
            run_as: None,
            credential: Credential::Password,
        }
    }

    fn run(p: &SetSecurityUser, facts: &UserFacts, doc: Value) -> Value {
        let mut d = doc.as_object().cloned().unwrap();
        p.apply(&mut d, facts).unwrap();
        Value::Object(d)
    }

    #[test]
    fn realm_user_gets_every_present_property() {
        let mut u = user("joe", &["r1", "r2"]);
        u.email = Some("joe@example.com".into());
        u.metadata.insert("team".into(), json!("x"));
        let facts = UserFacts::of(&realm_auth(u), None);
        let p = processor(json!({"field": "user"})).unwrap();
        let out = run(&p, &facts, json!({"msg": "m"}));
        assert_eq!(
            out,
            json!({"msg": "m", "user": {
                "username": "joe", "roles": ["r1", "r2"], "email": "joe@example.com",
                "metadata": {"team": "x"},
                "realm": {"name": "default_native", "type": "native"},
                "authentication_type": "REALM"}})
        );
    }

    #[test]
    fn properties_select_and_merge_into_an_existing_object() {
        let facts = UserFacts::of(&realm_auth(user("joe", &["r1"])), None);
        let p = processor(json!({"field": "a.user", "properties": ["roles", "Username"]})).unwrap();
        let out = run(&p, &facts, json!({"a": {"user": {"keep": 1}}}));
        assert_eq!(
            out,
            json!({"a": {"user": {"keep": 1, "username": "joe", "roles": ["r1"]}}})
        );
    }

    #[test]
    fn run_as_writes_the_target_and_its_lookup_realm() {
        let mut auth = realm_auth(user("admin", &["superuser"]));
        auth.run_as = Some(user("bob", &["reader"]));
        auth.lookup_realm = RealmRef::new("file", "file");
        let facts = UserFacts::of(&auth, None);
        let p = processor(json!({"field": "u", "properties": ["username", "roles", "realm", "authentication_type"]})).unwrap();
        assert_eq!(
            run(&p, &facts, json!({}))["u"],
            json!({"username": "bob", "roles": ["reader"],
                   "realm": {"name": "file", "type": "file"}, "authentication_type": "REALM"})
        );
    }

    #[test]
    fn api_key_writes_key_and_creator_realm_and_skips_empty_metadata() {
        let auth = Authentication {
            user: user("owner", &[]),
            authentication_realm: RealmRef::new("_es_api_key", "_es_api_key"),
            lookup_realm: RealmRef::new("_es_api_key", "_es_api_key"),
            run_as: None,
            credential: Credential::ApiKey(ApiKeyIdentity {
                id: "k1".into(),
                name: Some("key-one".into()),
                role_descriptors: vec![],
                limited_by: vec![],
                key_type: "rest".into(),
            }),
        };
        let mut record = rampart_store::ApiKeyRecord {
            id: "k1".into(),
            name: Some("key-one".into()),
            hash: String::new(),
            creation_ms: 0,
            expiration_ms: None,
            invalidated: false,
            invalidation_ms: None,
            username: "owner".into(),
            realm_name: "default_native".into(),
            realm_type: "native".into(),
            role_descriptors: json!({}),
            limited_by_role_descriptors: json!({}),
            metadata: json!({}),
            key_type: "rest".into(),
            version: 1,
        };
        let p = processor(json!({"field": "user"})).unwrap();
        let out = run(&p, &UserFacts::of(&auth, Some(&record)), json!({}));
        assert_eq!(
            out["user"],
            json!({"username": "owner", "api_key": {"name": "key-one", "id": "k1"},
                   "realm": {"name": "default_native", "type": "native"},
                   "authentication_type": "API_KEY"})
        );
        record.metadata = json!({"n": 42});
        let out = run(&p, &UserFacts::of(&auth, Some(&record)), json!({}));
        assert_eq!(out["user"]["api_key"]["metadata"], json!({"n": 42}));
    }

    #[test]
    fn writer_supplied_values_of_configured_properties_never_survive() {
        // An API key's user has no roles and no email: forged ones are removed, not kept.
        let mut auth = realm_auth(user("owner", &[]));
        auth.credential = Credential::Token;
        let facts = UserFacts::of(&auth, None);
        let p = processor(json!({"field": "user"})).unwrap();
        let out = run(
            &p,
            &facts,
            json!({"user": {"roles": ["admin"], "email": "ceo@example.com",
                            "api_key": {"id": "forged"}, "note": "kept"}}),
        );
        assert_eq!(
            out["user"],
            json!({"note": "kept", "username": "owner",
                   "realm": {"name": "default_native", "type": "native"},
                   "authentication_type": "TOKEN"})
        );
    }

    #[test]
    fn unknown_property_and_missing_field_are_parse_errors() {
        let e = processor(json!({"field": "u", "properties": ["nope"]})).unwrap_err();
        assert_eq!(e.es_type, "parse_exception");
        assert_eq!(
            e.reason,
            "[properties] illegal property value [nope]. valid values are [USERNAME, ROLES, EMAIL, FULL_NAME, METADATA, API_KEY, REALM, AUTHENTICATION_TYPE]"
        );
        let e = processor(json!({})).unwrap_err();
        assert_eq!(e.reason, "[field] required property is missing");
    }
}
