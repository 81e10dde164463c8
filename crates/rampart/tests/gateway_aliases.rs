#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Alias APIs through the gateway (behind the recording `gateway_front`): changes are
//! authorized as the embedded plane authorizes them (a caller under DLS/FLS may change no
//! alias) and forwarded as one `_aliases` request on concrete names; reads list only the
//! aliases the caller may see. Open/close are forwarded the same way, on concrete names, and
//! `_cat/indices` lists only authorized indices.

mod gateway_front;
mod gateway_support;

use gateway_front::Front;
use gateway_support::Cluster;
use serde_json::{Value, json};

const PASSWORD: &str = "password-123";
/// All privileges on `docs`, under DLS.
const RESTRICTED: &str = "restricted";
/// All privileges on `docs*` (indices and aliases), no DLS/FLS.
const MANAGER: &str = "manager";

async fn setup() -> (Cluster, Front) {
    let mut front = None;
    let cluster = Cluster::start_via(|upstream| {
        let (f, url) = Front::start(upstream);
        front = Some(f);
        url
    })
    .await;
    let doc = json!({"title": "t", "dept": "public"});
    cluster
        .seed_docs("docs", &[("d1".into(), doc.clone())])
        .await;
    cluster.seed_docs("other", &[("o1".into(), doc)]).await;
    let aliases = json!({"actions": [
        {"add": {"index": "docs", "alias": "docs-alias"}},
        {"add": {"index": "docs", "alias": "hidden-alias"}},
        {"add": {"index": "other", "alias": "other-alias"}},
    ]});
    cluster.seed("POST", "/_aliases", Some(&aliases), 200).await;
    cluster
        .put_roles(vec![
            (
                RESTRICTED.into(),
                json!({"indices": [{"names": ["docs", "docs-*"], "privileges": ["all"],
                    "query": {"term": {"dept": "public"}}}]}),
            ),
            (
                MANAGER.into(),
                json!({"indices": [{"names": ["docs*"], "privileges": ["all"]}]}),
            ),
        ])
        .await;
    cluster
        .put_users(&[
            (RESTRICTED, PASSWORD, &[RESTRICTED]),
            (MANAGER, PASSWORD, &[MANAGER]),
        ])
        .await;
    (cluster, front.unwrap())
}

async fn call(
    cluster: &Cluster,
    user: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let r = cluster
        .call(Some((user, PASSWORD)), method, path, body.as_ref())
        .await;
    (r.status, r.json())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_under_dls_may_not_change_aliases() {
    let (cluster, front) = setup().await;
    let add = json!({"actions": [{"add": {"index": "docs", "alias": "docs-new"}}]});
    let (status, answer) = call(&cluster, RESTRICTED, "POST", "/_aliases", Some(add)).await;
    // Elasticsearch answers this refusal with a 400.
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["type"], "security_exception", "{answer}");
    assert!(
        answer["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("field or document level security"),
        "{answer}"
    );
    let (status, answer) = call(&cluster, RESTRICTED, "PUT", "/docs/_alias/docs-new", None).await;
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = call(
        &cluster,
        RESTRICTED,
        "DELETE",
        "/docs/_alias/docs-alias",
        None,
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(front.recorded("/_aliases").is_empty());
    assert!(front.recorded("/_alias/").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alias_changes_are_authorized_and_forwarded_on_concrete_names() {
    let (cluster, front) = setup().await;
    // An alias outside the caller's names is refused, nothing is sent.
    let (status, answer) = call(&cluster, MANAGER, "PUT", "/docs/_alias/elsewhere", None).await;
    assert_eq!(status, 403, "{answer}");
    assert!(front.recorded("/_aliases").is_empty());

    let (status, answer) = call(&cluster, MANAGER, "PUT", "/docs/_alias/docs-new", None).await;
    assert_eq!(status, 200, "{answer}");
    let sent = front.recorded("/_aliases");
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        sent[0].body,
        json!({"actions": [{"add": {"index": "docs", "alias": "docs-new"}}]})
    );
    // The metadata cache was dropped: the new alias resolves at once.
    let (status, answer) = call(&cluster, MANAGER, "GET", "/docs-new/_search", None).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["hits"]["hits"][0]["_id"], "d1", "{answer}");

    let remove = json!({"actions": [{"remove": {"index": "docs", "alias": "docs-new"}}]});
    let (status, answer) = call(&cluster, MANAGER, "POST", "/_aliases", Some(remove)).await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = call(&cluster, MANAGER, "GET", "/docs-new/_search", None).await;
    assert_eq!(status, 404, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alias_reads_list_only_what_the_caller_may_see() {
    let (cluster, _front) = setup().await;
    let (status, answer) = call(&cluster, MANAGER, "GET", "/_alias", None).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, json!({"docs": {"aliases": {"docs-alias": {}}}}));

    let (status, answer) = call(&cluster, MANAGER, "GET", "/_alias/hidden-alias", None).await;
    assert_eq!(status, 404, "{answer}");
    assert_eq!(answer["error"]["type"], "aliases_not_found_exception");

    let (status, answer) = call(&cluster, MANAGER, "GET", "/_cat/aliases?format=json", None).await;
    assert_eq!(status, 200, "{answer}");
    let aliases: Vec<&str> = answer
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["alias"].as_str().unwrap())
        .collect();
    assert_eq!(aliases, vec!["docs-alias"]);

    // The superuser sees every alias.
    let r = cluster.admin("GET", "/_alias", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let all = r.json();
    assert_eq!(
        all["docs"]["aliases"].as_object().unwrap().len(),
        2,
        "{all}"
    );
    assert!(
        all["other"]["aliases"].get("other-alias").is_some(),
        "{all}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_and_close_are_authorized_and_forwarded_on_concrete_names() {
    let (cluster, front) = setup().await;
    let (status, answer) = call(&cluster, MANAGER, "POST", "/other/_close", None).await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = call(&cluster, MANAGER, "POST", "/do*/_close", None).await;
    assert_eq!(status, 200, "{answer}");
    let sent = front.recorded("/_close");
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].target.starts_with("/docs/_close"), "{sent:?}");
    let r = cluster.admin("GET", "/docs/_search", None).await;
    assert_eq!(r.status, 400, "{}", r.text());
    let (status, answer) = call(&cluster, MANAGER, "POST", "/docs/_open", None).await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = call(&cluster, MANAGER, "GET", "/docs/_search", None).await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cat_indices_lists_only_authorized_indices() {
    let (cluster, front) = setup().await;
    let (status, answer) = call(&cluster, MANAGER, "GET", "/_cat/indices?format=json", None).await;
    assert_eq!(status, 200, "{answer}");
    let rows = answer.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{answer}");
    assert_eq!(rows[0]["index"], "docs");
    assert_eq!(rows[0]["status"], "open");
    assert_eq!(rows[0]["docs.count"], "1");
    // Only the authorized concrete index was asked for.
    let sent = front.recorded("/_cat/indices");
    assert!(
        sent[0].target.starts_with("/_cat/indices/docs?"),
        "{sent:?}"
    );

    let (status, answer) = call(&cluster, MANAGER, "GET", "/_cat/indices/other", None).await;
    assert_eq!(status, 403, "{answer}");

    let r = cluster
        .call(
            Some((MANAGER, PASSWORD)),
            "GET",
            "/_cat/indices?h=index,docs.count",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.text().split_whitespace().collect::<Vec<_>>(),
        vec!["docs", "1"]
    );
}
