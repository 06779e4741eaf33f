//! `sesame stats`: group comparison of a batch's merged table, per pair and parameter
//! and for each recording's pair average, with Benjamini–Hochberg correction.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use sesame_core::analysis::stats::GroupTest;
use sesame_core::analysis::write_atomic;
use sesame_core::batch::{compare, output, RESULTS_TABLE};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// Output folder of `sesame batch` (reads its sesame_results.tsv), or a results table.
    pub output: PathBuf,
    /// Column whose values form the groups: group, session or subject.
    #[arg(long, default_value = "group")]
    pub group_by: String,
    /// Test: Mann–Whitney U (rank-biserial effect size) or Welch's t (Hedges' g).
    #[arg(long, value_enum, default_value_t = TestChoice::MannWhitney)]
    pub test: TestChoice,
    /// Write the table (TSV) here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestChoice {
    MannWhitney,
    T,
}

pub fn run(args: StatsArgs) -> Result<()> {
    let table = if args.output.is_dir() {
        args.output.join(RESULTS_TABLE)
    } else {
        args.output.clone()
    };
    let rows = output::read_table(&table)
        .with_context(|| format!("run `sesame merge` first if {} is missing", table.display()))?;
    let test = match args.test {
        TestChoice::MannWhitney => GroupTest::MannWhitney,
        TestChoice::T => GroupTest::WelchT,
    };
    let result = compare::compare(&rows, &args.group_by, test)?;
    let bytes = compare::to_tsv(&result)?;
    match &args.out {
        Some(p) => {
            write_atomic(p, &bytes)?;
            eprintln!("wrote {} comparisons to {}", result.len(), p.display());
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(())
}
