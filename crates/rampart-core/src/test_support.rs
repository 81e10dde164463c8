//! Helpers shared by unit tests.

use std::path::PathBuf;

/// The facts folder (`../shared/spec` beside the clone), if present.
pub(crate) fn spec_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec");
    dir.is_dir().then_some(dir)
}

/// Parse a JSON facts file from the spec folder, if present.
pub(crate) fn spec_json(file: &str) -> Option<serde_json::Value> {
    let path = spec_dir()?.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}
