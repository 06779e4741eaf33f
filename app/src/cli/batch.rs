//! `sesame batch`: one analysis configuration over a cohort (BIDS dataset, folder of
//! EDF/BDF files or manifest), in parallel, into a BIDS derivative dataset; resumable and
//! shardable across the tasks of a job array.

use super::analyze::{resolve_config, AnalysisFlags};
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use sesame_core::analysis::{write_atomic, WarningLog};
use sesame_core::batch::{self, output, Outcome, Shard, WorkItem};
use sesame_core::recording::{terminal_safe, terminal_safe_path};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct BatchArgs {
    /// A BIDS dataset, a folder of EDF/BDF files, or a manifest (one path per line,
    /// `#` comments, optional tab-separated group column).
    pub input: PathBuf,
    /// Output folder (a BIDS derivative dataset).
    pub output: PathBuf,
    #[command(flatten)]
    pub analysis: AnalysisFlags,
    /// Recordings analysed at once (default: SLURM_CPUS_PER_TASK when set, else every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Analyse only the K-th of N slices of the sorted work list (K from 1).
    #[arg(long, value_name = "K/N", conflicts_with_all = ["array_index", "array_count"])]
    pub shard: Option<String>,
    /// Job-array task index, from 0 (default: SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN);
    /// with --array-count, the same as --shard (index+1)/count.
    #[arg(long)]
    pub array_index: Option<usize>,
    /// Number of job-array tasks (default: SLURM_ARRAY_TASK_COUNT).
    #[arg(long)]
    pub array_count: Option<usize>,
    /// Print the (shard's) work list and exit: entity string, file, group.
    #[arg(long)]
    pub list: bool,
    /// Rerun recordings whose outputs are already complete.
    #[arg(long)]
    pub overwrite: bool,
    /// Stop starting new recordings after the first failure.
    #[arg(long)]
    pub fail_fast: bool,
    /// Progress display: bars on a terminal (auto), plain lines on stderr, or JSON lines
    /// on stdout.
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    Auto,
    Plain,
    Json,
}

fn env_usize(name: &str) -> Result<Option<usize>> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map(Some)
            .with_context(|| format!("environment variable {name}={v} is not a count")),
        _ => Ok(None),
    }
}

/// The shard this task runs, from --shard, --array-index/--array-count or SLURM's
/// job-array variables; `None`: the whole list.
fn resolve_shard(args: &BatchArgs) -> Result<Option<Shard>> {
    if let Some(s) = &args.shard {
        return Ok(Some(Shard::parse(s)?));
    }
    let index = match args.array_index {
        Some(i) => Some(i),
        None => match env_usize("SLURM_ARRAY_TASK_ID")? {
            Some(id) => {
                let min = env_usize("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
                Some(
                    id.checked_sub(min)
                        .context("SLURM_ARRAY_TASK_ID below SLURM_ARRAY_TASK_MIN")?,
                )
            }
            None => None,
        },
    };
    let count = match args.array_count {
        Some(c) => Some(c),
        None => env_usize("SLURM_ARRAY_TASK_COUNT")?,
    };
    match (index, count) {
        (Some(i), Some(n)) => Shard::new(i + 1, n)
            .map(Some)
            .with_context(|| format!("array index {i} is not below the array count {n}")),
        (Some(_), None) => bail!("--array-index needs --array-count (or SLURM_ARRAY_TASK_COUNT)"),
        (None, Some(_)) if args.array_count.is_some() => {
            bail!("--array-count needs --array-index (or SLURM_ARRAY_TASK_ID)")
        }
        _ => Ok(None),
    }
}

fn resolve_threads(args: &BatchArgs) -> Result<usize> {
    let n = match args.threads {
        Some(n) => n,
        None => env_usize("SLURM_CPUS_PER_TASK")?.unwrap_or(0),
    };
    Ok(if n == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        n
    })
}

/// Progress reporting of a run.
enum Reporter {
    Bar(indicatif::ProgressBar),
    Plain,
    Json,
}

impl Reporter {
    fn new(mode: ProgressMode, total: usize) -> Reporter {
        match mode {
            ProgressMode::Json => Reporter::Json,
            ProgressMode::Plain => Reporter::Plain,
            ProgressMode::Auto if std::io::stderr().is_terminal() => {
                let bar = indicatif::ProgressBar::new(total as u64);
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{bar:40.cyan/blue} {pos}/{len} [{elapsed_precise} < {eta_precise}] {msg}",
                ) {
                    bar.set_style(style);
                }
                Reporter::Bar(bar)
            }
            ProgressMode::Auto => Reporter::Plain,
        }
    }

    fn item(
        &self,
        k: usize,
        total: usize,
        file: &str,
        result: &Result<Outcome, String>,
        secs: f64,
    ) {
        let (status, note) = match result {
            Ok(Outcome::Done { rerun: None, .. }) => ("done", String::new()),
            Ok(Outcome::Done {
                rerun: Some(why), ..
            }) => ("done", format!("recomputed: {why}")),
            Ok(Outcome::Skipped) => ("skipped", String::new()),
            Err(reason) => ("failed", reason.clone()),
        };
        // File names and reasons may quote bytes from the input folder or its files:
        // escaped for a terminal, exact in JSON.
        let (shown_file, shown_note) = (terminal_safe(file), terminal_safe(&note));
        match self {
            Reporter::Bar(bar) => {
                if !note.is_empty() {
                    bar.println(format!("{status}: {shown_file}: {shown_note}"));
                }
                bar.set_message(format!("{status} {shown_file}"));
                bar.inc(1);
            }
            Reporter::Plain => {
                if note.is_empty() {
                    eprintln!("{k}/{total} {status} ({shown_file}, {secs:.1} s)");
                } else {
                    eprintln!("{k}/{total} {status} ({shown_file}, {secs:.1} s): {shown_note}");
                }
            }
            Reporter::Json => {
                let mut v = serde_json::json!({
                    "event": "recording", "index": k, "total": total, "file": file,
                    "status": status, "seconds": (secs * 1000.0).round() / 1000.0,
                });
                if !note.is_empty() {
                    v["reason"] = note.into();
                }
                println!("{v}");
            }
        }
    }

    /// The non-fatal problems met while analysing `file`.
    fn warnings(&self, file: &str, warnings: &[String]) {
        for w in warnings {
            match self {
                Reporter::Bar(bar) => bar.println(format!(
                    "warning: {}: {}",
                    terminal_safe(file),
                    terminal_safe(w)
                )),
                Reporter::Plain => {
                    eprintln!("warning: {}: {}", terminal_safe(file), terminal_safe(w))
                }
                Reporter::Json => println!(
                    "{}",
                    serde_json::json!({ "event": "warning", "file": file, "message": w })
                ),
            }
        }
    }

    fn finish(&self) {
        if let Reporter::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

pub fn run(args: BatchArgs) -> Result<()> {
    let config = resolve_config(&args.analysis)?;
    sesame_core::analysis::pipeline::resolve_measures(&config)?;
    let shard = resolve_shard(&args)?;
    let all = batch::discover(&args.input)?;
    let range = shard.map_or(0..all.len(), |s| s.range(all.len()));
    let items: Vec<&WorkItem> = all[range].iter().collect();

    if args.list {
        for it in &items {
            println!(
                "{}\t{}\t{}",
                terminal_safe(&it.entities),
                terminal_safe(&it.display),
                terminal_safe(&it.group)
            );
        }
        return Ok(());
    }

    let out = &args.output;
    batch::output::write_dataset_files(out, &args.input, &config)?;
    match shard {
        None => {
            batch::output::remove_stale_temporaries(out, "");
        }
        Some(s) => {
            for prefix in ["sesame_results.", "failures."] {
                batch::output::remove_stale_temporaries(out, &format!("{prefix}{}", s.tag()));
            }
        }
    }

    let threads = resolve_threads(&args)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start the worker threads")?;
    let total = items.len();
    let reporter = Reporter::new(args.progress, total);
    let started = Instant::now();
    let counter = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results: Mutex<Vec<(usize, Result<Outcome, String>)>> = Mutex::new(Vec::new());
    if let Some(s) = shard {
        eprintln!(
            "shard {}/{}: {total} of {} recordings, {threads} thread(s)",
            s.index,
            s.count,
            all.len()
        );
    } else if args.progress != ProgressMode::Json {
        eprintln!("{total} recordings, {threads} thread(s)");
    }
    pool.install(|| {
        items.par_iter().enumerate().for_each(|(i, item)| {
            if args.fail_fast && stop.load(Ordering::SeqCst) {
                return;
            }
            let t0 = Instant::now();
            let warnings = WarningLog::default();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                batch::process_item(out, item, &config, args.overwrite, &warnings)
            }))
            .unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(format!("internal error: {what}"))
            });
            if result.is_err() {
                stop.store(true, Ordering::SeqCst);
            }
            let k = counter.fetch_add(1, Ordering::SeqCst) + 1;
            reporter.warnings(&item.display, &warnings.take());
            reporter.item(k, total, &item.display, &result, t0.elapsed().as_secs_f64());
            if let Ok(mut r) = results.lock() {
                r.push((i, result));
            }
        });
    });
    reporter.finish();
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(i, _)| *i);

    let (mut done, mut skipped) = (0, 0);
    let mut failures = Vec::new();
    let mut finished: Vec<&WorkItem> = Vec::new();
    for (i, r) in &results {
        match r {
            Ok(Outcome::Done { .. }) => {
                done += 1;
                finished.push(items[*i]);
            }
            Ok(Outcome::Skipped) => {
                skipped += 1;
                finished.push(items[*i]);
            }
            Err(reason) => failures.push(output::Failure {
                file: items[*i].display.clone(),
                reason: reason.clone(),
            }),
        }
    }
    let not_run = total - results.len();
    let (table, failures_file) = match shard {
        None => (
            out.join(batch::RESULTS_TABLE),
            out.join(batch::FAILURES_TABLE),
        ),
        Some(s) => (
            out.join(format!("sesame_results.{}.tsv", s.tag())),
            out.join(format!("failures.{}.tsv", s.tag())),
        ),
    };
    write_atomic(&failures_file, &output::failures_bytes(&failures))?;
    let rows = batch::write_table_of(out, &finished, &config, &table)?;
    let elapsed = started.elapsed().as_secs_f64();
    summary(
        args.progress,
        done,
        skipped,
        failures.len(),
        not_run,
        rows,
        &table,
        elapsed,
    );
    if !failures.is_empty() {
        bail!(
            "{} recording(s) failed: see {}",
            failures.len(),
            terminal_safe_path(&failures_file)
        );
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn summary(
    mode: ProgressMode,
    done: usize,
    skipped: usize,
    failed: usize,
    not_run: usize,
    rows: usize,
    table: &Path,
    seconds: f64,
) {
    if mode == ProgressMode::Json {
        println!(
            "{}",
            serde_json::json!({
                "event": "summary", "done": done, "skipped": skipped, "failed": failed,
                "not_run": not_run, "rows": rows, "table": table.display().to_string(),
                "seconds": (seconds * 1000.0).round() / 1000.0,
            })
        );
    } else {
        let extra = if not_run > 0 {
            format!(", {not_run} not run (--fail-fast)")
        } else {
            String::new()
        };
        eprintln!(
            "done {done}, skipped {skipped}, failed {failed}{extra} in {seconds:.1} s; {rows} rows in {}",
            terminal_safe_path(table)
        );
    }
}
