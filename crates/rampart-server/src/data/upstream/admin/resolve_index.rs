//! `GET /_resolve/index/{name}` through the gateway: answered locally from the upstream's
//! cached metadata rather than forwarded, because the upstream would list every name its own
//! (service) credentials reach. Only names the caller's roles authorize are listed, in the
//! embedded plane's shape.

use rampart_core::resolve::{Abstraction, IndexMetadata, IndexState, IndicesOptions};
use serde_json::{Value, json};

use super::super::metadata;
use crate::data::target;
use crate::error::ApiError;
use crate::gateway::Gateway;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

pub(in crate::data::upstream) const RESOLVE_INDEX: &str = "indices:admin/resolve/index";

pub(super) async fn resolve_index(
    gateway: &Gateway,
    ctx: &Ctx,
    req: &Req,
) -> Result<Reply, ApiError> {
    let meta = metadata(gateway).await?;
    // ES's resolve request includes data streams.
    let defaults = IndicesOptions {
        include_data_streams: true,
        ..IndicesOptions::lenient_expand_open()
    };
    let options = target::options(req, defaults)?;
    let expressions = req.param_list("name");
    let authorized = target::authorize(ctx, req, ctx.action, &expressions, &options, &meta)?;
    let names: &[String] = if authorized.placeholder {
        &[]
    } else {
        &authorized.names
    };
    Ok(Reply::ok(answer(names, &meta)))
}

/// The indices, aliases and data streams among `names` (already authorized), each list
/// sorted by name.
fn answer(names: &[String], meta: &IndexMetadata) -> Value {
    let mut indices = Vec::new();
    let mut aliases = Vec::new();
    let mut streams = Vec::new();
    for name in names {
        match meta.get(name) {
            Some(Abstraction::Index(info)) => {
                let mut attributes = Vec::new();
                if info.hidden {
                    attributes.push("hidden");
                }
                attributes.push(match info.state {
                    IndexState::Open => "open",
                    IndexState::Closed => "closed",
                });
                let mut entry = json!({"name": name, "attributes": attributes});
                if let Value::Object(o) = &mut entry {
                    if !info.aliases.is_empty() {
                        o.insert("aliases".into(), json!(info.aliases));
                    }
                    if let Some(stream) = &info.data_stream {
                        o.insert("data_stream".into(), json!(stream));
                    }
                }
                indices.push(entry);
            }
            Some(Abstraction::Alias(alias)) => {
                aliases.push(json!({"name": name, "indices": alias.targets}));
            }
            Some(Abstraction::DataStream(stream)) => streams.push(json!({
                "name": name,
                "backing_indices": stream.backing_indices,
                "timestamp_field": "@timestamp",
            })),
            None => {}
        }
    }
    for list in [&mut indices, &mut aliases, &mut streams] {
        list.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    }
    json!({"indices": indices, "aliases": aliases, "data_streams": streams})
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::resolve::{AliasSpec, DataStreamSpec, IndexSpec};

    /// Backing indices are hidden, as ES creates them.
    #[test]
    fn lists_only_the_given_names_by_kind() {
        let meta = IndexMetadata::builder()
            .index(IndexSpec::new("b"))
            .index(IndexSpec::new("a").hidden())
            .index(IndexSpec::new("secret"))
            .alias(AliasSpec::new("al").target("a").target("b"))
            .data_stream(DataStreamSpec::new("logs").backing_index(".ds-logs-1"))
            .build()
            .unwrap();
        let names: Vec<String> = ["b", "a", "al", "logs", ".ds-logs-1", "gone"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            answer(&names, &meta),
            json!({
                "indices": [
                    {"name": ".ds-logs-1", "attributes": ["hidden", "open"],
                        "data_stream": "logs"},
                    {"name": "a", "attributes": ["hidden", "open"], "aliases": ["al"]},
                    {"name": "b", "attributes": ["open"], "aliases": ["al"]},
                ],
                "aliases": [{"name": "al", "indices": ["a", "b"]}],
                "data_streams": [{"name": "logs", "backing_indices": [".ds-logs-1"],
                    "timestamp_field": "@timestamp"}],
            })
        );
    }
}
