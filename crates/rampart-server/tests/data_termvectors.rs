#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `_termvectors` on the embedded engine: terms, positions, offsets and statistics computed on
//! the fly from `_source`, the request options, artificial documents, and the security model
//! (`read` grants it; DLS answers a hidden document as missing and keeps hidden documents out
//! of the statistics; FLS-hidden fields never appear, even when named).

mod common;

use axum::http::Method;
use common::TestNode;
use serde_json::{Value, json};

const PW: &str = "password-123";

async fn node() -> TestNode {
    let node = TestNode::new();
    let mapping = json!({"mappings": {"properties": {
        "text": {"type": "text"}, "tag": {"type": "keyword"}, "secret": {"type": "text"},
        "dept": {"type": "keyword"}, "n": {"type": "long"}}}});
    assert_eq!(node.admin("PUT", "/docs", Some(mapping)).await.0, 200);
    let docs = [
        (
            "1",
            json!({"text": "the quick fox and the dog", "tag": "animals", "secret": "alpha",
            "dept": "public", "n": 1}),
        ),
        (
            "2",
            json!({"text": "the lazy dog", "tag": "animals", "secret": "alpha beta",
            "dept": "public", "n": 2}),
        ),
        (
            "3",
            json!({"text": "hidden fox fox", "tag": "private", "secret": "gamma",
            "dept": "secret", "n": 3}),
        ),
    ];
    for (id, doc) in docs {
        let (s, b) = node
            .admin("PUT", &format!("/docs/_doc/{id}"), Some(doc))
            .await;
        assert_eq!(s, 201, "{b}");
    }
    assert_eq!(node.admin("POST", "/docs/_refresh", None).await.0, 200);
    let roles = [
        (
            "reader",
            json!({"indices": [{"names": ["docs"], "privileges": ["read"]}]}),
        ),
        (
            "dls",
            json!({"indices": [{"names": ["docs"], "privileges": ["read"],
            "query": {"term": {"dept": "public"}}}]}),
        ),
        (
            "fls",
            json!({"indices": [{"names": ["docs"], "privileges": ["read"],
            "field_security": {"grant": ["text", "tag", "dept"]}}]}),
        ),
        (
            "writer",
            json!({"indices": [{"names": ["docs"], "privileges": ["write"]}]}),
        ),
    ];
    for (name, role) in roles {
        let (s, b) = node
            .admin("PUT", &format!("/_security/role/{name}"), Some(role))
            .await;
        assert_eq!(s, 200, "{b}");
        node.add_user(name, PW, &[name]);
    }
    node
}

async fn tv(node: &TestNode, user: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    node.call(Method::POST, path, Some((user, PW)), body).await
}

#[tokio::test]
async fn terms_positions_offsets_and_statistics_come_from_source_and_index() {
    let node = node().await;
    let body = json!({"fields": ["text", "tag"], "term_statistics": true});
    let (status, answer) = tv(&node, "reader", "/docs/_termvectors/1", Some(body)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["_index"], json!("docs"));
    assert_eq!(answer["_id"], json!("1"));
    assert_eq!(answer["found"], json!(true));
    assert_eq!(answer["_version"], json!(1));
    let text = &answer["term_vectors"]["text"];
    let the = &text["terms"]["the"];
    assert_eq!(the["term_freq"], json!(2), "{answer}");
    assert_eq!(
        the["tokens"],
        json!([{"position": 0, "start_offset": 0, "end_offset": 3},
            {"position": 4, "start_offset": 18, "end_offset": 21}])
    );
    // `the` is in documents 1 and 2 (three occurrences); `fox` in 1 and 3 (three).
    assert_eq!((&the["doc_freq"], &the["ttf"]), (&json!(2), &json!(3)));
    assert_eq!(
        (
            &text["terms"]["fox"]["doc_freq"],
            &text["terms"]["fox"]["ttf"]
        ),
        (&json!(2), &json!(3))
    );
    assert_eq!(
        text["field_statistics"],
        json!({"sum_doc_freq": 10, "doc_count": 3, "sum_ttf": 12})
    );
    let tag = &answer["term_vectors"]["tag"]["terms"]["animals"];
    assert_eq!(
        tag["tokens"],
        json!([{"position": 0, "start_offset": 0, "end_offset": 7}])
    );
    assert_eq!(tag["doc_freq"], json!(2));
    assert!(answer["term_vectors"].get("secret").is_none(), "{answer}");
}

#[tokio::test]
async fn options_shape_the_answer() {
    let node = node().await;
    // URL options; without `fields` every string field is analysed.
    let path = "/docs/_termvectors/2?positions=false&offsets=false&field_statistics=false";
    let (status, answer) = node
        .call(Method::GET, path, Some(("reader", PW)), None)
        .await;
    assert_eq!(status, 200, "{answer}");
    let vectors = answer["term_vectors"].as_object().unwrap();
    let mut fields: Vec<&str> = vectors.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["dept", "secret", "tag", "text"]);
    assert_eq!(vectors["text"]["terms"]["lazy"], json!({"term_freq": 1}));
    assert!(vectors["text"].get("field_statistics").is_none());
    // Wildcards in `fields`; a missing document is `found: false`.
    let (status, answer) = tv(&node, "reader", "/docs/_termvectors/2?fields=te*", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        answer["term_vectors"].as_object().unwrap().len(),
        1,
        "{answer}"
    );
    let (status, answer) = tv(&node, "reader", "/docs/_termvectors/9", None).await;
    assert_eq!(status, 200);
    assert_eq!(answer["found"], json!(false), "{answer}");
    assert!(answer.get("term_vectors").is_none());
    // Neither an id nor a document.
    let (status, answer) = tv(&node, "reader", "/docs/_termvectors", None).await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("id or doc is missing")
    );
}

#[tokio::test]
async fn artificial_documents_are_analysed_with_index_statistics() {
    let node = node().await;
    let body = json!({"doc": {"text": "a fox, a fox!"}, "term_statistics": true});
    let (status, answer) = tv(&node, "reader", "/docs/_termvectors", Some(body)).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.get("_id").is_none(), "{answer}");
    assert_eq!(
        (&answer["found"], &answer["_version"]),
        (&json!(true), &json!(0))
    );
    let fox = &answer["term_vectors"]["text"]["terms"]["fox"];
    assert_eq!(fox["term_freq"], json!(2));
    assert_eq!(fox["doc_freq"], json!(2), "index statistics: {answer}");
    assert_eq!(
        fox["tokens"][1],
        json!({"position": 3, "start_offset": 9, "end_offset": 12})
    );
}

#[tokio::test]
async fn read_is_required() {
    let node = node().await;
    let (status, answer) = tv(&node, "writer", "/docs/_termvectors/1", None).await;
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer["error"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("action [indices:data/read/tv] is unauthorized for user [writer]"),
        "{answer}"
    );
}

#[tokio::test]
async fn dls_hides_documents_and_their_statistics() {
    let node = node().await;
    let (status, answer) = tv(&node, "dls", "/docs/_termvectors/3", None).await;
    assert_eq!(status, 200);
    assert_eq!(answer["found"], json!(false), "{answer}");
    assert!(answer.get("term_vectors").is_none(), "{answer}");
    // Document 3 (hidden) holds `fox` twice: the statistics count only document 1.
    let body = json!({"fields": ["text"], "term_statistics": true});
    let (status, answer) = tv(&node, "dls", "/docs/_termvectors/1", Some(body.clone())).await;
    assert_eq!(status, 200, "{answer}");
    let text = &answer["term_vectors"]["text"];
    assert_eq!(
        (
            &text["terms"]["fox"]["doc_freq"],
            &text["terms"]["fox"]["ttf"]
        ),
        (&json!(1), &json!(1))
    );
    assert_eq!(text["field_statistics"]["doc_count"], json!(2), "{answer}");
    // An artificial document too.
    let artificial = json!({"doc": {"text": "fox"}, "term_statistics": true});
    let (_, answer) = tv(&node, "dls", "/docs/_termvectors", Some(artificial)).await;
    assert_eq!(
        answer["term_vectors"]["text"]["terms"]["fox"]["doc_freq"],
        json!(1)
    );
}

#[tokio::test]
async fn fls_hidden_fields_never_appear() {
    let node = node().await;
    for body in [
        None,
        Some(json!({"fields": ["secret", "text"]})),
        Some(json!({"fields": ["*"]})),
    ] {
        let (status, answer) = tv(&node, "fls", "/docs/_termvectors/2", body.clone()).await;
        assert_eq!(status, 200, "{answer}");
        let vectors = answer["term_vectors"].as_object().unwrap();
        assert!(vectors.contains_key("text"), "{body:?}: {answer}");
        assert!(!vectors.contains_key("secret"), "{body:?}: {answer}");
        assert!(!answer.to_string().contains("alpha"), "{answer}");
    }
    let only_hidden = json!({"fields": ["secret"]});
    let (status, answer) = tv(&node, "fls", "/docs/_termvectors/2", Some(only_hidden)).await;
    assert_eq!(status, 200);
    assert!(answer.get("term_vectors").is_none(), "{answer}");
    // An artificial document's hidden field is dropped as well (its statistics would describe
    // hidden data).
    let artificial = json!({"doc": {"secret": "alpha", "text": "fox"}, "term_statistics": true});
    let (status, answer) = tv(&node, "fls", "/docs/_termvectors", Some(artificial)).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["term_vectors"].get("secret").is_none(), "{answer}");
    assert!(answer["term_vectors"].get("text").is_some(), "{answer}");
}
