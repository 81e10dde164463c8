//! Arbitrary JSON as a query, a search body and an aggregation set: parsing returns errors,
//! never panics, and whatever parses renders back to a query that parses to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_query::{
    hide_agg_fields, hide_fields, parse_query, parse_role_query, parse_search_request,
    to_es_json,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_role_query(text);
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    if let Ok(query) = parse_query(&value) {
        let rendered = to_es_json(&query);
        assert_eq!(parse_query(&rendered).ok(), Some(query.clone()), "{rendered}");
        let _ = hide_fields(query, &|f| f.len() % 2 == 0);
    }
    if let Ok(request) = parse_search_request(&value) {
        if let Some(aggs) = &request.aggs {
            let _ = hide_agg_fields(aggs, &|f| f.len() % 2 == 0);
        }
    }
});
