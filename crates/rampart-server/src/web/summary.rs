//! `POST /internal/rampart/privilege_summary`: the per-space, per-feature summary (Kibana facts
//! section e) of the Kibana privileges being edited, before they are saved. Body: the role's
//! `kibana` array in the PUT format; answer: one column per entry, the all-spaces one first.

use std::sync::LazyLock;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use rampart_kibana::role::{parse_put_body, validate_schema, validation_response};
use rampart_kibana::summary::{SummaryColumn, privilege_summary};
use rampart_kibana::{FeatureRegistry, KibanaPrivileges};
use serde_json::{Value, json};

use super::WebState;
use super::auth::{authenticate_session, kibana_api_error, kibana_error};

/// The feature registry and its privileges, built once (both are pure and embedded).
static CATALOG: LazyLock<Option<(FeatureRegistry, KibanaPrivileges)>> =
    LazyLock::new(|| match FeatureRegistry::builtin() {
        Ok(registry) => {
            let privileges = KibanaPrivileges::build(&registry);
            Some((registry, privileges))
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot load the Kibana feature registry");
            None
        }
    });

fn column_json(c: &SummaryColumn, registry: &FeatureRegistry) -> Value {
    let features: Vec<Value> = c
        .features
        .iter()
        .map(|f| {
            json!({
                "feature": f.feature,
                "name": registry.get(&f.feature).map(|x| x.name.as_str()).unwrap_or(&f.feature),
                "privilege": f.display,
                "sub_features": f.sub_features,
                "has_customized_sub_features": f.has_customized_sub_features,
            })
        })
        .collect();
    json!({"spaces": c.spaces, "base": c.base, "features": features})
}

/// The summary of `kibana` entries, or the Kibana validation message for them.
pub fn summarize(kibana: &Value) -> Result<Value, (u16, String)> {
    let Some((registry, privileges)) = CATALOG.as_ref() else {
        return Err((500, "the feature registry is unavailable".into()));
    };
    let body = json!({"elasticsearch": {}, "kibana": kibana});
    let invalid = |errs: &[_]| {
        let e = validation_response(errs);
        (e.status, e.message)
    };
    let role = parse_put_body("summary", &body).map_err(|errs| invalid(&errs))?;
    let errs = validate_schema(&role);
    if !errs.is_empty() {
        return Err(invalid(&errs));
    }
    let columns = privilege_summary(&role.kibana, registry, privileges);
    Ok(Value::Array(
        columns.iter().map(|c| column_json(c, registry)).collect(),
    ))
}

pub async fn privilege_summary_route(
    State(web): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match authenticate_session(&web.app, &headers, &Method::POST).await {
        Ok(Some(_)) => {}
        Ok(None) => return kibana_error(401, "Unauthorized"),
        Err(e) => return kibana_api_error(&e),
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return kibana_error(400, "[request body]: expected a JSON object");
    };
    match summarize(v.get("kibana").unwrap_or(&Value::Array(Vec::new()))) {
        Ok(columns) => axum::Json(columns).into_response(),
        Err((status, message)) => kibana_error(status, &message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_puts_all_spaces_first_and_applies_it_to_other_columns() {
        let kibana = json!([
            {"base": [], "feature": {"dashboard": ["all"]}, "spaces": ["marketing"]},
            {"base": ["read"], "feature": {}, "spaces": ["*"]},
        ]);
        let cols = summarize(&kibana).unwrap();
        let cols = cols.as_array().unwrap();
        assert_eq!(cols[0]["spaces"], json!(["*"]));
        let cell = |col: &Value, id: &str| {
            col["features"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["feature"] == id)
                .unwrap()["privilege"]
                .clone()
        };
        assert_eq!(cell(&cols[0], "dashboard"), json!("Read"));
        assert_eq!(cell(&cols[1], "dashboard"), json!("All"));
        // Read everywhere from the all-spaces entry.
        assert_eq!(cell(&cols[1], "discover"), json!("Read"));
    }

    #[test]
    fn invalid_entries_answer_kibana_validation_messages() {
        let err = summarize(&json!([{"base": ["bogus"], "spaces": ["*"]}])).unwrap_err();
        assert_eq!(err.0, 400);
        assert!(err.1.contains("unknown global privilege"), "{}", err.1);
    }
}
