//! `sesame stats`: group comparison of a batch's merged table, per pair and parameter
//! and for each recording's pair average, with Benjamini–Hochberg correction; and, on
//! request, permutation tests with max-statistic FWER correction, the network-based
//! statistic, paired designs and bootstrap confidence intervals (`docs/statistics.md`).

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use sesame_core::analysis::stats::cohort::{self, CohortOptions, NbsBy};
use sesame_core::analysis::stats::permutation::Statistic;
use sesame_core::analysis::stats::GroupTest;
use sesame_core::analysis::write_atomic;
use sesame_core::batch::{compare, output, RESULTS_TABLE};
use std::path::{Path, PathBuf};

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
    /// Permutations of the group labels (sign flips when paired) for per-pair
    /// permutation p-values with max-statistic FWER correction; 0: none. The smallest p
    /// is 1/(N+1).
    #[arg(long, default_value_t = 0)]
    pub permutations: usize,
    /// Statistic of the permutation test and NBS: Welch's (or the paired) t, or the
    /// mean difference.
    #[arg(long, value_enum, default_value_t = StatChoice::T)]
    pub perm_stat: StatChoice,
    /// Network-based statistic: primary threshold on the statistic (e.g. 3.0 for t);
    /// needs --permutations.
    #[arg(long)]
    pub nbs_threshold: Option<f64>,
    /// Component property NBS tests: number of edges, or summed excess over the threshold.
    #[arg(long, value_enum, default_value_t = NbsChoice::Size)]
    pub nbs_by: NbsChoice,
    /// Paired design: column that pairs the recordings of the two groups (e.g. subject,
    /// with --group-by session). Paired t and sign-flip permutations.
    #[arg(long)]
    pub paired_by: Option<String>,
    /// Bootstrap resamples for percentile confidence intervals of each group mean and
    /// of their difference; 0: none.
    #[arg(long, default_value_t = 0)]
    pub bootstrap: usize,
    /// Confidence level of the bootstrap intervals.
    #[arg(long, default_value_t = 0.95)]
    pub ci: f64,
    /// Seed of the permutations and resamples (same seed, same p and intervals, whatever
    /// the thread count).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Per-pair permutation/bootstrap table (TSV); default: next to --out as
    /// NAME.permutation.tsv.
    #[arg(long)]
    pub perm_out: Option<PathBuf>,
    /// NBS component table (TSV, one row per edge of each component); default: next to
    /// --out as NAME.nbs.tsv.
    #[arg(long)]
    pub nbs_out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestChoice {
    MannWhitney,
    T,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatChoice {
    T,
    MeanDiff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NbsChoice {
    Size,
    Intensity,
}

/// `given`, or `--out`'s path with its extension replaced by `suffix`.
fn side_path(
    given: &Option<PathBuf>,
    out: &Option<PathBuf>,
    suffix: &str,
    flag: &str,
) -> Result<PathBuf> {
    if let Some(p) = given {
        return Ok(p.clone());
    }
    match out {
        Some(o) => Ok(o.with_extension(suffix)),
        None => bail!("give {flag} PATH (or --out PATH, and the table goes next to it)"),
    }
}

fn write(path: &Path, bytes: &[u8], what: &str, n: usize) -> Result<()> {
    write_atomic(path, bytes)?;
    eprintln!("wrote {n} {what} to {}", path.display());
    Ok(())
}

/// Every option is checked and every table computed before the first file is written:
/// a bad option (an unknown column, one group, a pairing that does not hold, a threshold
/// without permutations) leaves nothing behind.
pub fn run(args: StatsArgs) -> Result<()> {
    let table = if args.output.is_dir() {
        args.output.join(RESULTS_TABLE)
    } else {
        args.output.clone()
    };
    let rows = output::read_table(&table)
        .with_context(|| format!("run `sesame merge` first if {} is missing", table.display()))?;
    if args.nbs_threshold.is_some() && args.permutations == 0 {
        bail!("--nbs-threshold needs permutations: add --permutations N (e.g. 5000)");
    }
    if let Some(t) = args.nbs_threshold {
        if !t.is_finite() {
            bail!("--nbs-threshold {t} must be a finite number (e.g. 3.0)");
        }
    }
    if args.bootstrap > 0 && !(args.ci > 0.0 && args.ci < 1.0) {
        bail!(
            "--ci {} must lie strictly between 0 and 1 (e.g. 0.95)",
            args.ci
        );
    }
    let extra = args.permutations > 0 || args.bootstrap > 0 || args.nbs_threshold.is_some();
    if args.paired_by.is_some() && !extra {
        bail!(
            "--paired-by applies to the permutation tests and bootstrap intervals: add \
             --permutations N or --bootstrap N (the Mann–Whitney/Welch table compares \
             independent groups)"
        );
    }
    let perm_out = if extra {
        Some(side_path(
            &args.perm_out,
            &args.out,
            "permutation.tsv",
            "--perm-out",
        )?)
    } else {
        None
    };
    let nbs_out = match args.nbs_threshold {
        Some(_) => Some(side_path(&args.nbs_out, &args.out, "nbs.tsv", "--nbs-out")?),
        None => None,
    };
    let targets: Vec<&PathBuf> = [&args.out, &perm_out, &nbs_out]
        .into_iter()
        .flatten()
        .collect();
    for (k, a) in targets.iter().enumerate() {
        if targets[..k].contains(a) {
            bail!(
                "two tables would be written to {}: give --out, --perm-out and --nbs-out \
                 different paths",
                a.display()
            );
        }
    }
    let test = match args.test {
        TestChoice::MannWhitney => GroupTest::MannWhitney,
        TestChoice::T => GroupTest::WelchT,
    };
    let result = compare::compare(&rows, &args.group_by, test)?;
    let bytes = compare::to_tsv(&result)?;
    let cohort = match &perm_out {
        None => None,
        Some(_) => {
            let opts = CohortOptions {
                group_by: args.group_by.clone(),
                paired_by: args.paired_by.clone(),
                permutations: args.permutations,
                statistic: match args.perm_stat {
                    StatChoice::T => Statistic::T,
                    StatChoice::MeanDiff => Statistic::MeanDiff,
                },
                seed: args.seed,
                nbs_threshold: args.nbs_threshold,
                nbs_by: match args.nbs_by {
                    NbsChoice::Size => NbsBy::Size,
                    NbsChoice::Intensity => NbsBy::Intensity,
                },
                bootstrap: args.bootstrap,
                ci: args.ci,
            };
            let res = cohort::analyze_cohort(&rows, &opts)?;
            let pairs = cohort::to_tsv(&res.pairs)?;
            let nbs = cohort::to_tsv(&res.nbs)?;
            Some((res, pairs, nbs))
        }
    };

    // everything is computed: write
    match &args.out {
        Some(p) => write(p, &bytes, "comparisons", result.len())?,
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    let (Some(perm_out), Some((res, pairs, nbs))) = (perm_out, cohort) else {
        return Ok(());
    };
    for n in &res.notes {
        eprintln!("note: {n}");
    }
    write(&perm_out, &pairs, "pair tests", res.pairs.len())?;
    if let Some(p) = nbs_out {
        write(&p, &nbs, "component edges", res.nbs.len())?;
    }
    Ok(())
}
