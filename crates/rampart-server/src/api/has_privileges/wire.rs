//! The `_has_privileges` body on the wire without a `serde_json::Value` in between: the
//! request read straight into typed, borrowed fields, and the answer written straight to
//! bytes. Building and hashing a `Value` (an ordered map per object) cost more than deciding.
//!
//! Reading is a fast path only: it accepts the canonical shape (an object with arrays of
//! strings, each key at most once) and gives up on anything else, leaving every other body,
//! and every error message, to `HasPrivilegesRequest::parse`.

use rampart_core::has_privileges::{
    ApplicationCheckItem, HasPrivilegesError, HasPrivilegesRequest, HasPrivilegesResponse,
    IndexCheck,
};
use serde::Deserialize;
use serde::ser::{Serialize, SerializeMap, Serializer};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body<'a> {
    #[serde(borrow, default)]
    cluster: Option<Vec<&'a str>>,
    #[serde(borrow, default, alias = "indices")]
    index: Option<Vec<IndexItem<'a>>>,
    #[serde(borrow, default, alias = "applications")]
    application: Option<Vec<ApplicationItem<'a>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexItem<'a> {
    #[serde(borrow, default)]
    names: Vec<&'a str>,
    #[serde(borrow, default)]
    privileges: Vec<&'a str>,
    #[serde(default)]
    allow_restricted_indices: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicationItem<'a> {
    #[serde(borrow)]
    application: Option<&'a str>,
    #[serde(borrow)]
    privileges: Option<Vec<&'a str>>,
    #[serde(borrow)]
    resources: Option<Vec<&'a str>>,
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The request of a canonical body, validated as `HasPrivilegesRequest::parse` validates it;
/// `None` when the body is anything else (then `parse` decides, with ES's messages).
pub(super) fn read_request(
    body: &[u8],
) -> Option<Result<HasPrivilegesRequest, HasPrivilegesError>> {
    let body: Body<'_> = serde_json::from_slice(body).ok()?;
    if body.cluster.is_none() && body.index.is_none() && body.application.is_none() {
        return None;
    }
    let mut request = HasPrivilegesRequest {
        cluster: owned(body.cluster.as_deref().unwrap_or_default()),
        ..HasPrivilegesRequest::default()
    };
    for item in body.index.unwrap_or_default() {
        request.index.push(IndexCheck {
            names: owned(&item.names),
            privileges: owned(&item.privileges),
            allow_restricted_indices: item.allow_restricted_indices,
        });
    }
    for item in body.application.unwrap_or_default() {
        // `parse` names the first missing field; leave that message to it.
        let (Some(application), Some(privileges), Some(resources)) =
            (item.application, item.privileges, item.resources)
        else {
            return None;
        };
        request.application.push(ApplicationCheckItem {
            application: application.to_owned(),
            privileges: owned(&privileges),
            resources: owned(&resources),
        });
    }
    Some(request.validate().map(|()| request))
}

/// `{"name": bool, ...}` in request order.
struct Bools<'a>(&'a [(String, bool)]);

impl Serialize for Bools<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, granted) in self.0 {
            map.serialize_entry(name, granted)?;
        }
        map.end()
    }
}

/// `{"name": {...}, ...}` in request order.
struct Named<'a, T>(&'a [(String, T)]);

impl Serialize for Named<'_, Vec<(String, bool)>> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, answers) in self.0 {
            map.serialize_entry(name, &Bools(answers))?;
        }
        map.end()
    }
}

impl Serialize for Named<'_, Vec<(String, Vec<(String, bool)>)>> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (application, resources) in self.0 {
            map.serialize_entry(application, &Named(resources))?;
        }
        map.end()
    }
}

struct Answer<'a>(&'a HasPrivilegesResponse);

impl Serialize for Answer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut map = s.serialize_map(Some(5))?;
        map.serialize_entry("username", &r.username)?;
        map.serialize_entry("has_all_requested", &r.has_all_requested())?;
        map.serialize_entry("cluster", &Bools(&r.cluster))?;
        map.serialize_entry("index", &Named(&r.index))?;
        map.serialize_entry("application", &Named(&r.application))?;
        map.end()
    }
}

/// The response body, byte for byte what `serde_json::to_vec(&response.to_json())` writes.
pub(super) fn write_response(
    response: &HasPrivilegesResponse,
) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(&Answer(response))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const USER: &str = "bench_user";

    fn both(body: &serde_json::Value) -> (Option<HasPrivilegesRequest>, HasPrivilegesRequest) {
        let bytes = serde_json::to_vec(body).unwrap();
        let fast = read_request(&bytes).map(|r| r.unwrap());
        (fast, HasPrivilegesRequest::parse(USER, body).unwrap())
    }

    #[test]
    fn canonical_bodies_read_as_parse_reads_them() {
        for body in [
            json!({"cluster": ["monitor", "manage_security"]}),
            json!({"index": [{"names": ["logs-*", "a"], "privileges": ["read"], "allow_restricted_indices": true}]}),
            json!({"indices": [{"names": ["x"], "privileges": ["write"]}], "cluster": []}),
            json!({"applications": [{"application": "app", "privileges": ["read"], "resources": ["*"]}]}),
        ] {
            let (fast, slow) = both(&body);
            assert_eq!(fast.as_ref(), Some(&slow), "{body}");
        }
    }

    #[test]
    fn other_bodies_are_left_to_parse() {
        for body in [
            &b""[..],
            b"[]",
            b"{}",
            br#"{"cluster": "monitor"}"#,
            br#"{"cluster": ["a"], "cluster": ["b"]}"#,
            br#"{"index": [{"names": ["a"], "privileges": ["read"], "query": {}}]}"#,
            br#"{"index": [{"names": ["a"], "privileges": ["read"]}], "indices": []}"#,
            br#"{"application": [{"application": "a", "privileges": ["r"]}]}"#,
            br#"{"cluster": ["a\u0062"]}"#,
            br#"{"cluster": ["a"]} x"#,
            br#"{"other": 1}"#,
            // Both spellings at once: `parse` appends both lists; left to it.
            br#"{"applications": [], "application": []}"#,
        ] {
            assert!(
                read_request(body).is_none(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn validation_matches_parse() {
        let body = json!({"index": [{"names": [], "privileges": ["read"]}],
                          "application": [{"application": "a*", "privileges": [], "resources": ["r"]}]});
        let fast = read_request(&serde_json::to_vec(&body).unwrap()).unwrap();
        assert_eq!(fast, HasPrivilegesRequest::parse(USER, &body));
        assert!(fast.is_err());
    }

    #[test]
    fn the_answer_is_written_as_to_json_writes_it() {
        let response = HasPrivilegesResponse {
            username: "b\"ob\u{e9}".into(),
            cluster: vec![("monitor".into(), true), ("manage".into(), false)],
            index: vec![
                ("logs-*".into(), vec![("read".into(), true)]),
                (
                    "a\\b".into(),
                    vec![("write".into(), false), ("read".into(), true)],
                ),
            ],
            application: vec![(
                "app".into(),
                vec![("space:default".into(), vec![("read".into(), true)])],
            )],
        };
        assert_eq!(
            write_response(&response).unwrap(),
            serde_json::to_vec(&response.to_json()).unwrap()
        );
        let empty = HasPrivilegesResponse::default();
        assert_eq!(
            write_response(&empty).unwrap(),
            serde_json::to_vec(&empty.to_json()).unwrap()
        );
    }
}
