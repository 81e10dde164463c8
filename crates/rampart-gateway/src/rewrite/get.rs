//! `GET <index>/_doc/<id>` and `_mget` under DLS: a realtime GET would return documents the
//! role query hides, so they are answered by an `ids` search carrying the filter and the
//! hits turned back into GET answers. Documented difference: such reads are not realtime
//! (they see the index as of its last refresh). Without DLS the GET is forwarded and only
//! FLS applies to its `_source`.

use rampart_query::{Query, to_es_json};
use serde_json::{Map, Value, json};

use super::IndexRestrictions;
use super::response::filter_document;

/// The search that stands in for reading `ids` of one index under DLS; `None` when the
/// caller has no DLS there (forward the GET/mget as is).
pub fn plan_get(ids: &[String], restrictions: &IndexRestrictions) -> Option<Value> {
    let dls = restrictions.documents.as_ref()?;
    let filter = vec![json!({"ids": {"values": ids}}), to_es_json(dls)];
    Some(json!({
        "query": {"bool": {"filter": filter}},
        "size": ids.len(),
        "version": true,
        "seq_no_primary_term": true,
        "track_total_hits": false
    }))
}

/// One GET answer per requested id, in request order, from the stand-in search's answer:
/// found documents with their metadata and FLS-filtered `_source`, the rest `found: false`
/// exactly as for a document that does not exist.
pub fn get_answers(
    index: &str,
    ids: &[String],
    search_answer: &Value,
    restrictions: &IndexRestrictions,
) -> Vec<Value> {
    let hits: Vec<&Value> = search_answer
        .pointer("/hits/hits")
        .and_then(Value::as_array)
        .map(|h| h.iter().collect())
        .unwrap_or_default();
    ids.iter()
        .map(|id| {
            let hit = hits
                .iter()
                .find(|h| h.get("_id").and_then(Value::as_str) == Some(id.as_str()));
            match hit {
                Some(hit) => found(index, id, hit, restrictions),
                None => json!({"_index": index, "_id": id, "found": false}),
            }
        })
        .collect()
}

fn found(index: &str, id: &str, hit: &Value, restrictions: &IndexRestrictions) -> Value {
    let mut answer = Map::new();
    answer.insert("_index".into(), json!(index));
    answer.insert("_id".into(), json!(id));
    for key in ["_version", "_seq_no", "_primary_term"] {
        if let Some(value) = hit.get(key) {
            answer.insert(key.into(), value.clone());
        }
    }
    answer.insert("found".into(), json!(true));
    if let Some(source) = hit.get("_source") {
        answer.insert("_source".into(), source.clone());
    }
    let mut answer = Value::Object(answer);
    if let Some(fields) = &restrictions.fields {
        filter_document(&mut answer, fields);
    }
    answer
}

/// Whether the DLS filter is one that admits every document (then a plain GET is exact).
pub fn admits_everything(restrictions: &IndexRestrictions) -> bool {
    matches!(restrictions.documents, None | Some(Query::MatchAll { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::fls::FieldSecurityDef;
    use rampart_query::parse_query;

    fn dls() -> IndexRestrictions {
        IndexRestrictions {
            documents: Some(parse_query(&json!({"term": {"dept": "x"}})).unwrap()),
            fields: Some(
                FieldSecurityDef::new(["public"], Vec::<String>::new())
                    .compile()
                    .unwrap(),
            ),
        }
    }

    #[test]
    fn get_becomes_a_filtered_ids_search() {
        let body = plan_get(&["1".into()], &dls()).unwrap();
        assert_eq!(
            body["query"]["bool"]["filter"][0],
            json!({"ids": {"values": ["1"]}})
        );
        assert_eq!(
            parse_query(&body["query"]["bool"]["filter"][1]).unwrap(),
            parse_query(&json!({"term": {"dept": "x"}})).unwrap()
        );
        assert_eq!(body["size"], json!(1));
        assert_eq!(plan_get(&["1".into()], &IndexRestrictions::default()), None);
    }

    #[test]
    fn hidden_and_missing_documents_look_the_same() {
        let answer = json!({"hits": {"hits": [
            {"_index": "i", "_id": "2", "_version": 3, "_seq_no": 7, "_primary_term": 1,
             "_source": {"public": 1, "secret": 2}}
        ]}});
        let ids = ["1".to_owned(), "2".to_owned()];
        let got = get_answers("i", &ids, &answer, &dls());
        assert_eq!(got[0], json!({"_index": "i", "_id": "1", "found": false}));
        assert_eq!(
            got[1],
            json!({"_index": "i", "_id": "2", "_version": 3, "_seq_no": 7,
                "_primary_term": 1, "found": true, "_source": {"public": 1}})
        );
    }

    #[test]
    fn match_all_filters_need_no_search() {
        assert!(admits_everything(&IndexRestrictions::default()));
        assert!(!admits_everything(&dls()));
    }
}
