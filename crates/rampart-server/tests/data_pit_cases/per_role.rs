//! `per_role` pairing over a PIT: each hit's fields are widened by the roles whose query
//! admits the hit *as the PIT sees it*, and the source shown is the PIT's copy; a document
//! changed after opening shows neither its new values nor fields its new version would earn.

use serde_json::{Value, json};

use super::super::PW;
use super::super::common::TestNode;

/// `hr` with e1 (team a) and e2 (team b); role `ra` sees team a with salaries, `rb` team b
/// without; `both` has the two roles.
async fn two_role_node() -> TestNode {
    let node = TestNode::with_settings(&[("rampart.security.dls_fls.pairing", "per_role")]);
    for (id, team, name, salary) in [("e1", "a", "ann", 10), ("e2", "b", "bob", 20)] {
        let doc = json!({"team": team, "name": name, "salary": salary});
        let (s, b) = node
            .admin("PUT", &format!("/hr/_doc/{id}"), Some(doc))
            .await;
        assert_eq!(s, 201, "{b}");
    }
    let (s, b) = node.admin("POST", "/hr/_refresh", None).await;
    assert_eq!(s, 200, "{b}");
    for (role, team, fields) in [
        ("ra", "a", json!(["team", "name", "salary"])),
        ("rb", "b", json!(["team", "name"])),
    ] {
        let body = json!({"indices": [{"names": ["hr"], "privileges": ["read"],
            "query": {"term": {"team": team}}, "field_security": {"grant": fields}}]});
        let (s, b) = node
            .admin("PUT", &format!("/_security/role/{role}"), Some(body))
            .await;
        assert_eq!(s, 200, "{b}");
    }
    node.add_user("both", PW, &["ra", "rb"]);
    node
}

fn source_of(body: &Value, id: &str) -> Value {
    body["hits"]["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("no hits: {body}"))
        .iter()
        .find(|h| h["_id"] == id)
        .map(|h| h["_source"].clone())
        .unwrap_or_else(|| panic!("no {id}: {body}"))
}

#[tokio::test]
async fn widening_reads_the_pits_copy_of_each_hit() {
    let node = two_role_node().await;
    let both = ("both", PW);
    let (s, b) = node
        .call("POST", "/hr/_pit?keep_alive=1m", both, None)
        .await;
    assert_eq!(s, 200, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    // After opening: ann's salary changes, bob moves to team a (role A would now admit him).
    for (doc, team, name, salary) in [("e1", "a", "ann", 99), ("e2", "a", "bob", 20)] {
        let body = json!({"team": team, "name": name, "salary": salary});
        let (s, b) = node
            .admin("PUT", &format!("/hr/_doc/{doc}?refresh=true"), Some(body))
            .await;
        assert_eq!(s, 200, "{b}");
    }
    let body = json!({"pit": {"id": id}});
    let (s, b) = node
        .call("POST", "/_search", both, Some(body.clone()))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        source_of(&b, "e1"),
        json!({"team": "a", "name": "ann", "salary": 10})
    );
    assert_eq!(source_of(&b, "e2"), json!({"team": "b", "name": "bob"}));
    // The same in an `_msearch` item.
    let r = node
        .call_raw(
            axum::http::Method::POST,
            "/_msearch",
            Some(both),
            Some(format!("{{}}\n{body}\n").into_bytes()),
        )
        .await;
    let b = r.json();
    assert_eq!(
        source_of(&b["responses"][0], "e2"),
        json!({"team": "b", "name": "bob"})
    );
    // Without the PIT the current versions are searched and widened.
    let (_, b) = node.call("POST", "/hr/_search", both, None).await;
    assert_eq!(
        source_of(&b, "e2"),
        json!({"team": "a", "name": "bob", "salary": 20})
    );
}
