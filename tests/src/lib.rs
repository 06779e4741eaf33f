//! Shared helpers for the end-to-end and conformance tests.

use std::path::PathBuf;

/// The shared test-data folder (`../shared` beside the repository, or
/// `$SESAME_SHARED_DIR`), or `None` with the reason printed, so that tests depending on
/// it skip on a fresh clone.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SESAME_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: shared test data not found at {} (set SESAME_SHARED_DIR)",
            dir.display()
        );
        None
    }
}
