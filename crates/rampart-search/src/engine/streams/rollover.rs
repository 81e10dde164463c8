//! `_rollover` on a data stream or an alias with a write index, as ES's
//! `TransportRolloverAction`/`MetadataRolloverService`: validate the target and the new name,
//! evaluate the conditions on the source index (`dry_run` stops there), then create the new
//! index and move the alias (or append the backing index). `lazy` marks a data stream to roll
//! over on its next write.

use serde_json::Map;

use super::backing_name;
use crate::cluster::{AliasMeta, ClusterState, validate_index_name};
use crate::engine::Engine;
use crate::error::{Result, SearchError};
use crate::rollover::{IndexFacts, RolloverOutcome, RolloverRequest};

/// What a rollover would do, decided from the metadata before any change.
struct Plan {
    source: String,
    new_index: String,
    stream: bool,
}

impl Engine {
    /// Rolls `target` over (see the module doc); `new_index` is the path's new index name.
    pub fn rollover(
        &self,
        target: &str,
        new_index: Option<&str>,
        request: &RolloverRequest,
    ) -> Result<RolloverOutcome> {
        let plan = plan(&self.state(), target, new_index, request)?;
        if request.lazy {
            return self.mark_lazy(target, &plan, request);
        }
        let mut results = Vec::new();
        if !request.conditions.is_empty() {
            let facts = self.facts(&plan.source)?;
            results = request.evaluate(&facts, chrono::Utc::now().timestamp_millis());
        }
        let mut outcome = RolloverOutcome {
            old_index: plan.source.clone(),
            new_index: plan.new_index.clone(),
            conditions: results,
            dry_run: request.dry_run,
            rolled_over: false,
            acknowledged: false,
            lazy: false,
        };
        if request.dry_run || !request.conditions_met(&outcome.conditions) {
            return Ok(outcome);
        }
        if plan.stream {
            self.roll_stream(target, &plan)?;
        } else {
            self.roll_alias(target, &plan, &request.create)?;
        }
        outcome.rolled_over = true;
        outcome.acknowledged = true;
        Ok(outcome)
    }

    /// Runs the rollover a lazy mark left pending on the stream `name` writes to (`name` is
    /// the stream or its write index); the new write index if it rolled. Two writers racing
    /// roll over once: the loser finds the new index already created.
    pub(crate) fn roll_over_pending(&self, name: &str) -> Result<Option<String>> {
        let stream = {
            let state = self.state();
            let stream = if state.data_streams.contains_key(name) {
                Some(name.to_string())
            } else {
                state.indices.get(name).and_then(|m| m.data_stream.clone())
            };
            stream.filter(|s| {
                state.data_streams.get(s).is_some_and(|d| {
                    d.rollover_on_write
                        && (s == name || d.indices.last().map(String::as_str) == Some(name))
                })
            })
        };
        let Some(stream) = stream else {
            return Ok(None);
        };
        let plan = plan(&self.state(), &stream, None, &RolloverRequest::default());
        match plan {
            Ok(plan) => match self.roll_stream(&stream, &plan) {
                Ok(()) | Err(SearchError::IndexAlreadyExists { .. }) => Ok(Some(plan.new_index)),
                Err(e) => Err(e),
            },
            Err(SearchError::IndexAlreadyExists { index, .. }) => Ok(Some(index)),
            Err(e) => Err(e),
        }
    }

    fn mark_lazy(
        &self,
        target: &str,
        plan: &Plan,
        request: &RolloverRequest,
    ) -> Result<RolloverOutcome> {
        let has_conditions = !request.conditions.is_empty();
        if !plan.stream || has_conditions {
            let message = if plan.stream {
                "Lazy rollover can be used only without any conditions. Please remove the conditions from the request body or the query parameter 'lazy'."
            } else if !has_conditions {
                "Lazy rollover can be applied only on a data stream. Please remove the query parameter 'lazy'."
            } else {
                "Lazy rollover can be applied only on a data stream with no conditions. Please remove the query parameter 'lazy'."
            };
            return Err(SearchError::IllegalArgument(message.into()));
        }
        if !request.dry_run {
            self.mutate(|state| {
                if let Some(d) = state.data_streams.get_mut(target) {
                    d.rollover_on_write = true;
                }
                Ok(())
            })?;
        }
        Ok(RolloverOutcome {
            old_index: plan.source.clone(),
            new_index: plan.new_index.clone(),
            conditions: Vec::new(),
            dry_run: request.dry_run,
            rolled_over: false,
            acknowledged: !request.dry_run,
            lazy: true,
        })
    }

    /// The source index's statistics the conditions compare (refreshed documents, as ES's
    /// index stats).
    fn facts(&self, index: &str) -> Result<IndexFacts> {
        let created_ms = self
            .state()
            .indices
            .get(index)
            .map_or(0, |m| m.creation_date);
        let docs = self.stats(index)?.docs;
        let size_bytes = self.store_size(index)?.unwrap_or(0);
        Ok(IndexFacts {
            docs,
            size_bytes,
            created_ms,
        })
    }

    fn roll_stream(&self, stream: &str, plan: &Plan) -> Result<()> {
        self.create_index_inner(&plan.new_index, &Map::new(), Some(stream))?;
        self.mutate(|state| {
            if let Some(d) = state.data_streams.get_mut(stream) {
                d.generation += 1;
                d.indices.push(plan.new_index.clone());
                d.rollover_on_write = false;
            }
            Ok(())
        })
    }

    /// Creates the new index from the request's body and moves the alias as ES does: an
    /// explicit write alias stays on the old index as `is_write_index: false` and is the
    /// new index's write alias; an implicit one moves. Filter and routing are not carried.
    fn roll_alias(
        &self,
        alias: &str,
        plan: &Plan,
        create: &Map<String, serde_json::Value>,
    ) -> Result<()> {
        self.create_index_inner(&plan.new_index, create, None)?;
        self.mutate(|state| {
            let Some(old) = state
                .indices
                .get(&plan.source)
                .and_then(|m| m.aliases.get(alias))
                .cloned()
            else {
                return Err(SearchError::IllegalArgument(format!(
                    "rollover target [{alias}] does not point to a write index"
                )));
            };
            let explicit = old.is_write_index == Some(true);
            let moved = |write: Option<bool>| AliasMeta {
                is_write_index: write,
                is_hidden: old.is_hidden,
                ..AliasMeta::default()
            };
            if let Some(m) = state.indices.get_mut(&plan.source) {
                if explicit {
                    m.aliases.insert(alias.to_string(), moved(Some(false)));
                } else {
                    m.aliases.remove(alias);
                }
            }
            if let Some(m) = state.indices.get_mut(&plan.new_index) {
                m.aliases
                    .insert(alias.to_string(), moved(explicit.then_some(true)));
            }
            Ok(())
        })
    }
}

/// Validates the target as `MetadataRolloverService.validate` and the new index's name as
/// index creation would, and names the source and new indices.
fn plan(
    state: &ClusterState,
    target: &str,
    new_index: Option<&str>,
    request: &RolloverRequest,
) -> Result<Plan> {
    let plan = if let Some(ds) = state.data_streams.get(target) {
        if new_index.is_some_and(|n| !n.is_empty()) {
            return Err(SearchError::IllegalArgument(
                "new index name may not be specified when rolling over a data stream".into(),
            ));
        }
        if request.has_create_body() {
            return Err(SearchError::IllegalArgument(
                "aliases, mappings, and index settings may not be specified when rolling over a data stream".into(),
            ));
        }
        let source = ds
            .indices
            .last()
            .cloned()
            .ok_or_else(|| no_write_index(target))?;
        Plan {
            source,
            new_index: backing_name(target, ds.generation + 1),
            stream: true,
        }
    } else if state.indices.contains_key(target) {
        return Err(SearchError::IllegalArgument(
            "rollover target is a [concrete index] but one of [alias,data_stream] was expected"
                .into(),
        ));
    } else if state.name_kind(target) == Some("alias") {
        let source = state
            .alias_write_index(target)
            .ok_or_else(|| no_write_index(target))?;
        let new_index = match new_index {
            Some(n) => n.to_string(),
            None => next_index_name(&source)?,
        };
        check_template_aliases(state, target, &new_index)?;
        Plan {
            source,
            new_index,
            stream: false,
        }
    } else {
        return Err(SearchError::IllegalArgument(format!(
            "rollover target [{target}] does not exist"
        )));
    };
    check_new_name(state, &plan.new_index)?;
    Ok(plan)
}

fn no_write_index(target: &str) -> SearchError {
    SearchError::IllegalArgument(format!(
        "rollover target [{target}] does not point to a write index"
    ))
}

/// The checks index creation makes on a name, made before a dry run answers.
fn check_new_name(state: &ClusterState, name: &str) -> Result<()> {
    validate_index_name(name)?;
    if let Some(existing) = state.indices.get(name) {
        return Err(SearchError::IndexAlreadyExists {
            index: name.to_string(),
            uuid: existing.uuid.clone(),
        });
    }
    if let Some(kind) = state.name_kind(name) {
        return Err(SearchError::InvalidIndexName(format!(
            "Invalid index name [{name}], already exists as {kind}"
        )));
    }
    Ok(())
}

/// A template giving the new index the rolled alias would leave it on two indices.
fn check_template_aliases(state: &ClusterState, alias: &str, new_index: &str) -> Result<()> {
    let Some((name, template)) = state
        .matching_template(new_index)
        .filter(|(_, t)| t.data_stream.is_none())
    else {
        return Ok(());
    };
    let aliases: Vec<&String> = template
        .aliases
        .as_ref()
        .and_then(|a| a.as_object())
        .map(|a| a.keys().collect())
        .unwrap_or_default();
    if aliases.iter().any(|a| a.as_str() == alias) {
        let listed = aliases
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(SearchError::IllegalArgument(format!(
            "Rollover alias [{alias}] can point to multiple indices, found duplicated alias [[{listed}]] in index template [{name}]"
        )));
    }
    Ok(())
}

/// `logs-000001` → `logs-000002` (ES's `^.*-\d+$` rule, counter padded to six digits).
fn next_index_name(old: &str) -> Result<String> {
    let mismatch = || {
        SearchError::IllegalArgument(format!(
            "index name [{old}] does not match pattern '^.*-\\d+$'"
        ))
    };
    let (prefix, digits) = old.rsplit_once('-').ok_or_else(mismatch)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(mismatch());
    }
    let n: u64 = digits.parse().map_err(|_| mismatch())?;
    Ok(format!("{prefix}-{:06}", n + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_names_follow_the_counter() {
        assert_eq!(next_index_name("logs-000001").unwrap(), "logs-000002");
        assert_eq!(next_index_name("a-b-9").unwrap(), "a-b-000010");
        assert!(next_index_name("logs").is_err());
        assert!(next_index_name("logs-").is_err());
        assert!(next_index_name("logs-+1").is_err());
    }
}
