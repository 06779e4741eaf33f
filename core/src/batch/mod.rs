//! Cohort analysis: the same [`Config`] over many recordings, with outputs laid out as a
//! BIDS derivative dataset, resumable (finished recordings are recognised by the
//! provenance of their outputs) and shardable across the tasks of a job array.
//!
//! [`discover()`](fn@discover) builds the sorted work list, [`process_item`] analyses one recording and
//! writes its outputs, [`merge`] builds the run's long table from the per-recording
//! tables. Running items in parallel and reporting progress is the caller's job.

pub mod compare;
pub mod discover;
pub mod output;

pub use discover::{discover, input_kind, InputLayout, Shard, WorkItem};
pub use output::{BatchRow, Failure, FAILURES_TABLE, RESOLVED_CONFIG, RESULTS_TABLE};

use crate::analysis::{self, write_atomic, Config, ExportError, Progress, Provenance};
use crate::recording::{ReadOptions, Recording};
use std::path::{Path, PathBuf};

/// Why a batch step failed.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Reading, writing or listing a file or folder failed.
    #[error("{}: {error}", crate::recording::terminal_safe_path(path))]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// Writing an output table or its sidecar failed.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The input is unusable: not a recording, folder or manifest, an invalid manifest or
    /// shard, a comparison without the groups it needs…; the message says why.
    #[error("{0}")]
    Input(String),
    /// A file of the run (resolved configuration, table, sidecar) could not be parsed or
    /// serialised; the message names it.
    #[error("{0}")]
    Format(String),
    /// A per-recording table that does not match the row count, length and SHA-256 its
    /// sidecar records (truncated or altered after it was written).
    #[error("{0}")]
    Integrity(String),
}

/// What happened to one recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Analysed; its outputs hold `rows` result rows. `rerun` says why outputs that
    /// were already there were recomputed (a table that no longer matches its sidecar),
    /// `None` when there were none to keep.
    Done {
        /// Number of result rows written for the recording.
        rows: usize,
        /// Why existing outputs were recomputed; `None` when there were none to keep.
        rerun: Option<String>,
    },
    /// Its outputs were already complete for this input and configuration.
    Skipped,
}

/// Analyses one recording and writes its outputs, unless they are already complete for
/// the same input bytes and configuration (and `overwrite` is false). Temporary files an
/// interrupted earlier run left for this recording are removed first. The error is a
/// one-line reason for `failures.tsv`.
pub fn process_item(
    out: &Path,
    item: &WorkItem,
    config: &Config,
    overwrite: bool,
    progress: &dyn Progress,
) -> Result<Outcome, String> {
    output::remove_stale_temporaries(&output::item_dir(out, item), &item.entities);
    let rerun = if overwrite {
        None
    } else {
        match output::resume_state(out, item, config) {
            output::Resume::Keep => return Ok(Outcome::Skipped),
            output::Resume::Run => None,
            output::Resume::Rerun(why) => Some(why),
        }
    };
    let rec = Recording::open(&item.path, &ReadOptions::default()).map_err(|e| e.to_string())?;
    let cfg = output::item_config(config, item);
    let (results, bumps) =
        analysis::run_detailed(&rec, &item.entities, &cfg, progress).map_err(|e| e.to_string())?;
    let mut prov = Provenance::new(Some(&item.path), &cfg.to_toml()).map_err(|e| e.to_string())?;
    prov.input = item.display.clone();
    let rows = output::write_item(out, item, config, &prov, &results.rows, bumps.as_ref())
        .map_err(|e| e.to_string())?;
    Ok(Outcome::Done {
        rows: rows.len(),
        rerun,
    })
}

/// Writes the merged long table of `items` (read back from their connectivity tables) to
/// `path`, sorted. Items without complete outputs are left out.
pub fn write_table_of(
    out: &Path,
    items: &[&WorkItem],
    config: &Config,
    path: &Path,
) -> Result<usize, BatchError> {
    let mut rows = Vec::new();
    for item in items {
        rows.extend(output::read_item(out, item, config)?);
    }
    output::sort_rows(&mut rows);
    write_atomic(path, &output::table_bytes(&rows)?)?;
    Ok(rows.len())
}

/// What [`merge`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeSummary {
    /// Connectivity tables read.
    pub tables: usize,
    /// Rows in the merged table.
    pub rows: usize,
    /// Failures gathered from the shards' failure tables.
    pub failures: usize,
}

/// Merges every per-recording connectivity table below `out` (for the measures of its
/// `config.resolved.toml`) into `out/sesame_results.tsv`, sorted, and the shards'
/// `failures.shard-K-of-N.tsv` into `failures.tsv`. A table that does not match the
/// row count, length and SHA-256 its sidecar records is an error naming it
/// ([`BatchError::Integrity`]); nothing is written then.
pub fn merge(out: &Path) -> Result<MergeSummary, BatchError> {
    let cfg_path = out.join(RESOLVED_CONFIG);
    let text = std::fs::read_to_string(&cfg_path).map_err(|error| BatchError::Io {
        path: cfg_path.clone(),
        error,
    })?;
    let config = Config::from_toml(&text)
        .map_err(|e| BatchError::Format(format!("{}: {e}", cfg_path.display())))?;
    let tables = output::find_conn_tables(out, &config)?;
    let mut rows = Vec::new();
    for t in &tables {
        rows.extend(output::read_verified_table(t)?);
    }
    output::sort_rows(&mut rows);
    write_atomic(&out.join(RESULTS_TABLE), &output::table_bytes(&rows)?)?;
    let mut failures = Vec::new();
    let mut shard_files = Vec::new();
    for e in std::fs::read_dir(out)
        .map_err(|error| BatchError::Io {
            path: out.to_path_buf(),
            error,
        })?
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("failures.shard-") && name.ends_with(".tsv") {
            shard_files.push(e.path());
        }
    }
    shard_files.sort();
    for f in &shard_files {
        failures.extend(output::read_failures(f)?);
    }
    if !shard_files.is_empty() {
        write_atomic(
            &out.join(FAILURES_TABLE),
            &output::failures_bytes(&failures),
        )?;
    }
    Ok(MergeSummary {
        tables: tables.len(),
        rows: rows.len(),
        failures: failures.len(),
    })
}
