//! `rampart import <index> <file.ndjson>`: a local administration tool, like
//! `reset-password`. It opens the data directory's document engine directly (the node must be
//! stopped: the engine's index writer lock refuses a second process), so it acts with the
//! authority of whoever can write the data directory — a superuser-equivalent — and skips the
//! HTTP authorization that a `_bulk` client would go through. Writes go through the engine's
//! normal write path (write target resolution: aliases, data streams, auto-create from
//! templates; dynamic mapping), in batches, refreshing after each batch.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rampart_search::{Engine, OpType, Refresh, WriteBatch, WriteConditions};
use serde_json::Value;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Target index, alias or data stream (created on first write if missing).
    index: String,
    /// The ndjson file: one JSON object (a document `_source`) per line.
    file: PathBuf,
    /// Data directory of the (stopped) node.
    #[arg(long, default_value = "./data")]
    data: PathBuf,
    /// Documents per batch (the engine refreshes after each).
    #[arg(long, default_value_t = 5_000)]
    batch: usize,
    /// Take each document's `_id` from this top-level field (kept in the source).
    #[arg(long)]
    id_field: Option<String>,
    /// No progress bar (for scripts).
    #[arg(long)]
    quiet: bool,
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub indexed: u64,
    pub failed: u64,
}

pub fn run(args: ImportArgs) -> Result<()> {
    let summary = import(&args)?;
    println!(
        "imported {} documents into [{}] ({} failed)",
        summary.indexed, args.index, summary.failed
    );
    if summary.failed > 0 {
        bail!("{} documents were rejected (see the log)", summary.failed);
    }
    Ok(())
}

fn progress(file: &Path, quiet: bool) -> Result<ProgressBar> {
    if quiet {
        return Ok(ProgressBar::hidden());
    }
    let len = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta} {msg}",
        )
        .context("progress bar template")?,
    );
    Ok(bar)
}

/// Import the file; each line that is not a JSON object, or that the engine rejects, counts
/// as failed (with its line number in the log) and the import goes on.
pub fn import(args: &ImportArgs) -> Result<ImportSummary> {
    if args.batch == 0 {
        bail!("--batch must be at least 1");
    }
    let engine = Engine::open(&args.data)
        .with_context(|| format!("cannot open the document engine in {}", args.data.display()))?;
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let bar = progress(&args.file, args.quiet)?;
    let mut summary = ImportSummary::default();
    let mut in_batch = 0usize;
    let mut written: Vec<String> = Vec::new();
    // One translog fsync per batch and index, not per document.
    let mut batch = engine.write_batch();
    for (number, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read line {}", number + 1))?;
        bar.inc(line.len() as u64 + 1);
        if line.trim().is_empty() {
            continue;
        }
        match index_line(&engine, &mut batch, args, &line) {
            Ok(index) => {
                summary.indexed += 1;
                if !written.contains(&index) {
                    written.push(index);
                }
            }
            Err(e) => {
                summary.failed += 1;
                tracing::warn!(line = number + 1, error = %e, "document rejected");
            }
        }
        in_batch += 1;
        if in_batch == args.batch {
            std::mem::replace(&mut batch, engine.write_batch())
                .finish()
                .context("translog sync")?;
            engine.refresh(&written).context("refresh")?;
            in_batch = 0;
            bar.set_message(format!("{} docs", summary.indexed));
        }
    }
    batch.finish().context("translog sync")?;
    engine.refresh(&written).context("refresh")?;
    bar.finish_with_message(format!("{} docs", summary.indexed));
    Ok(summary)
}

fn index_line(
    engine: &Engine,
    batch: &mut WriteBatch<'_>,
    args: &ImportArgs,
    line: &str,
) -> Result<String> {
    let doc: Value = serde_json::from_str(line).context("not JSON")?;
    if !doc.is_object() {
        bail!("not a JSON object");
    }
    let id = match &args.id_field {
        Some(field) => match doc.get(field) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => bail!("no [{field}] to take the _id from"),
        },
        None => None,
    };
    // Data streams accept only creates; plain indices overwrite by id as `_bulk` index does.
    let op = if id.is_some() && !is_data_stream(engine, &args.index) {
        OpType::Index
    } else {
        OpType::Create
    };
    let written = batch.index_doc(
        &args.index,
        id.as_deref(),
        &doc,
        op,
        WriteConditions::default(),
        Refresh::False,
    )?;
    Ok(written.index)
}

fn is_data_stream(engine: &Engine, name: &str) -> bool {
    engine.cluster_state().data_streams.contains_key(name)
        || matches!(
            engine.write_target(name),
            Ok(rampart_search::WriteTarget::AutoCreateDataStream(_))
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_query::SearchRequest;

    fn args(dir: &Path, file: PathBuf, id_field: Option<&str>) -> ImportArgs {
        ImportArgs {
            index: "books".into(),
            file,
            data: dir.to_path_buf(),
            batch: 2,
            id_field: id_field.map(String::from),
            quiet: true,
        }
    }

    #[test]
    fn imports_every_object_line_and_counts_rejects() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("docs.ndjson");
        std::fs::write(
            &file,
            "{\"id\":\"a\",\"n\":1}\n\n{\"id\":\"b\",\"n\":2}\nnot json\n[1]\n{\"id\":\"c\",\"n\":3}\n",
        )
        .unwrap();
        let data = dir.path().join("data");
        let summary = import(&args(&data, file.clone(), Some("id"))).unwrap();
        assert_eq!(
            summary,
            ImportSummary {
                indexed: 3,
                failed: 2
            }
        );
        // Importing again overwrites by id: still three documents.
        import(&args(&data, file, Some("id"))).unwrap();
        let engine = Engine::open(&data).unwrap();
        let hits = engine
            .search(
                &[("books".to_string(), rampart_search::Restrictions::none())],
                &SearchRequest::default(),
            )
            .unwrap();
        assert_eq!(hits["hits"]["total"]["value"], 3);
        let doc = engine.get_doc("books", "b", true).unwrap().unwrap();
        assert_eq!(doc.source["n"], 2);
    }

    #[test]
    fn zero_batch_and_missing_file_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = args(dir.path(), dir.path().join("missing.ndjson"), None);
        assert!(import(&a).is_err());
        a.batch = 0;
        assert!(import(&a).is_err());
    }
}
