//! `sesame merge`: gathers the per-recording result tables of a batch output (written by
//! one run or by the shards of a job array) into `sesame_results.tsv`.

use anyhow::Result;
use clap::Args;
use sesame_core::recording::terminal_safe_path;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Output folder of `sesame batch`.
    pub output: PathBuf,
}

pub fn run(args: MergeArgs) -> Result<()> {
    sesame_core::batch::output::remove_stale_temporaries(&args.output, "");
    let s = sesame_core::batch::merge(&args.output)?;
    eprintln!(
        "merged {} tables, {} rows into {}{}",
        s.tables,
        s.rows,
        terminal_safe_path(&args.output.join(sesame_core::batch::RESULTS_TABLE)),
        if s.failures > 0 {
            format!("; {} failure(s) in failures.tsv", s.failures)
        } else {
            String::new()
        }
    );
    Ok(())
}
