//! `sesame analyze`: bumps + SES (and any registered measure) on every channel or region
//! pair of one recording; tidy rows to a file or a readable table on stdout.

use super::values::{self, Band, BumpThreshold, ChannelSelection, TimeWindow};
use anyhow::{bail, Context, Result};
use clap::Args;
use sesame_core::analysis::{self, write_results, Config, Progress, Provenance, Results};
use sesame_core::recording::{terminal_safe, terminal_safe_path, ReadOptions, Recording};
use sesame_core::surrogates::SurrogateMethod;
use std::path::{Path, PathBuf};

#[derive(Args, Debug, Clone)]
pub struct AnalyzeArgs {
    /// Recording (EDF, EDF+, BDF, BDF+, CSV/TSV).
    pub file: PathBuf,
    #[command(flatten)]
    pub analysis: AnalysisFlags,
    /// Output file: .csv, .tsv or .json (with provenance). Without it, a table on stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Read files that EDFbrowser would repair, with a warning per repair.
    #[arg(long)]
    pub lenient: bool,
    /// Sample rate of a CSV/TSV recording without a `# fs=` line, Hz.
    #[arg(long)]
    pub fs: Option<f64>,
}

/// The flags that set the analysis configuration, shared by `analyze` and `batch`
/// (defaults < `--config` file < these flags; see [`resolve_config`]).
#[derive(Args, Debug, Clone, Default)]
pub struct AnalysisFlags {
    /// Analysis configuration (TOML; `sesame config --print-default` shows every key).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Channels: `all` (every signal), `eeg` (every EEG channel) or labels / 10-20 names,
    /// comma-separated (default: every EEG channel with a 10-20 name).
    #[arg(long, value_name = "all|eeg|A,B,…", value_parser = values::parse_channels)]
    pub channels: Option<ChannelSelection>,
    /// Analyse scalp-region pairs: `default` (the five regions of the SES papers) or a
    /// region table (TOML).
    #[arg(long)]
    pub regions: Option<String>,
    /// Analysis window START:END in seconds; an empty side is the start or the end of the
    /// recording (`:60`, `30:`).
    #[arg(long, value_name = "START:END", value_parser = values::parse_window)]
    pub window: Option<TimeWindow>,
    /// Frequency band of the bump maps, LOW-HIGH in Hz, 0 < LOW (default 4-30).
    #[arg(long, value_name = "LOW-HIGH", value_parser = values::parse_band)]
    pub band: Option<Band>,
    /// Prune bumps below this fraction of the map maximum, in [0, 1) (default 0.4).
    #[arg(long, value_name = "FRACTION", value_parser = values::parse_threshold)]
    pub threshold: Option<BumpThreshold>,
    /// Cap on events per second of each channel or region: keep the largest bumps, so
    /// that units with different bump counts are comparable (default: no cap).
    #[arg(long)]
    pub max_rate: Option<f64>,
    /// Memory above which a channel's map and bump fit are computed block by block, MB
    /// (default 512; `[bumps] max_map_mb`).
    #[arg(long, value_name = "MB", allow_negative_numbers = true, value_parser = values::parse_megabytes)]
    pub max_map_mb: Option<f64>,
    /// Measures, comma-separated (`sesame measures` lists them; default ses-bumps).
    #[arg(long, value_delimiter = ',')]
    pub measure: Vec<String>,
    /// Measure parameter `measure.name=value` (repeatable), e.g. `ses-bumps.beta=0.02`.
    #[arg(long = "param")]
    pub params: Vec<String>,
    #[command(flatten)]
    pub significance: SignificanceArgs,
}

/// The per-pair surrogate test flags, shared by `analyze` and `batch`
/// (`[significance]` in the configuration; see docs/statistics.md).
#[derive(Args, Debug, Clone, Default)]
pub struct SignificanceArgs {
    /// Surrogates per pair: every synchrony output OUT gains OUT.p (one-sided, +1
    /// corrected), OUT.q (Benjamini–Hochberg over pairs), OUT.null_mean, OUT.null_sd
    /// (default 0: no test).
    #[arg(long, value_name = "N")]
    pub surrogates: Option<usize>,
    /// How a surrogate pair is made: shift (circular shift, every measure), dither
    /// (event measures), epochs or phase (continuous measures).
    #[arg(long, value_parser = ["shift", "dither", "epochs", "phase"])]
    pub surrogate_method: Option<String>,
    /// Seed of the surrogates (mixed with each pair's data; default 0).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Also report OUT.p_fwer, the max-statistic family-wise p-value over the pairs.
    #[arg(long)]
    pub fwer: bool,
}

impl SignificanceArgs {
    /// Writes the flags given over the configuration's `[significance]` keys.
    pub fn apply(&self, config: &mut Config) -> Result<()> {
        let s = &mut config.significance;
        if let Some(n) = self.surrogates {
            s.surrogates = n;
        }
        if let Some(m) = &self.surrogate_method {
            s.method = SurrogateMethod::parse(m)
                .with_context(|| format!("--surrogate-method {m}: unknown method"))?;
        }
        if let Some(seed) = self.seed {
            s.seed = seed;
        }
        if self.fwer {
            s.fwer = true;
        }
        Ok(())
    }
}

/// The configuration a command line resolves to: defaults < config file < flags.
pub fn resolve_config(args: &AnalysisFlags) -> Result<Config> {
    let mut config = match &args.config {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("{}", p.display()))?;
            Config::from_toml(&text).with_context(|| format!("{}", p.display()))?
        }
        None => Config::default(),
    };
    if let Some(c) = &args.channels {
        config.input.channels = c.to_config();
    }
    if let Some(w) = args.window {
        config.input.window = Some(w.to_config());
    }
    if let Some(b) = args.band {
        config.bumps.f_min = b.low;
        config.bumps.f_max = b.high;
    }
    if let Some(BumpThreshold(t)) = args.threshold {
        config.bumps.min_amplitude = t;
    }
    if let Some(mb) = args.max_map_mb {
        config.bumps.max_map_mb = mb;
    }
    if let Some(r) = args.max_rate {
        if !(r.is_finite() && r > 0.0) {
            bail!("--max-rate {r}: must be a number of events per second > 0");
        }
        config.events.max_rate = Some(r);
    }
    if let Some(r) = &args.regions {
        config.regions.enabled = true;
        config.regions.table = if r == "default" {
            None
        } else {
            Some(PathBuf::from(r))
        };
    }
    args.significance.apply(&mut config)?;
    if !args.measure.is_empty() {
        config.measures.ids = args.measure.iter().map(|s| s.trim().to_string()).collect();
    }
    for p in &args.params {
        let (key, value) = p
            .split_once('=')
            .with_context(|| format!("--param {p}: expected measure.name=value"))?;
        let (measure, name) = key
            .split_once('.')
            .with_context(|| format!("--param {p}: expected measure.name=value"))?;
        // Integers stay integers (integer parameters refuse `3.0`; real ones accept `3`).
        let value = match (value.trim().parse::<i64>(), value.trim().parse::<f64>()) {
            (Ok(i), _) => toml::Value::Integer(i),
            (_, Ok(x)) => toml::Value::Float(x),
            _ => toml::Value::String(value.trim().to_string()),
        };
        config
            .measures
            .params
            .entry(measure.trim().to_string())
            .or_default()
            .insert(name.trim().to_string(), value);
    }
    Ok(config)
}

/// Progress on stderr, one line per stage.
/// Progress and warnings on stderr; `file` names the recording in warnings.
struct StderrProgress<'a> {
    file: &'a Path,
}

impl Progress for StderrProgress<'_> {
    fn report(&self, fraction: f64, message: &str) {
        eprintln!("[{:>3.0}%] {}", fraction * 100.0, terminal_safe(message));
    }
    fn warn(&self, message: &str) {
        eprintln!(
            "sesame: warning: {}: {}",
            terminal_safe_path(self.file),
            terminal_safe(message)
        );
    }
}

pub fn run(args: AnalyzeArgs) -> Result<()> {
    let config = resolve_config(&args.analysis)?;
    let opts = ReadOptions {
        lenient: args.lenient,
        csv_sample_rate: args.fs,
    };
    let rec = Recording::open(&args.file, &opts)?;
    for w in &rec.warnings {
        eprintln!(
            "sesame: warning: {}: {}",
            terminal_safe_path(&args.file),
            terminal_safe(w)
        );
    }
    let id = recording_id(&args.file);
    let started = std::time::Instant::now();
    let progress = StderrProgress { file: &args.file };
    let results = analysis::run(&rec, &id, &config, &progress)
        .with_context(|| format!("{}", args.file.display()))?;
    eprintln!(
        "analysed {} in {:.2} s",
        terminal_safe_path(&args.file),
        started.elapsed().as_secs_f64()
    );
    match &args.out {
        Some(out) => {
            let prov = Provenance::new(Some(&args.file), &config.to_toml())?;
            write_results(out, &results, &prov)?;
            eprintln!(
                "wrote {} rows to {}",
                results.rows.len(),
                terminal_safe_path(out)
            );
        }
        None => print!("{}", table(&results)),
    }
    Ok(())
}

/// File stem of a recording, its identifier in result rows.
pub fn recording_id(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The terminal table: one line per pair and measure, parameters as columns.
fn table(results: &Results) -> String {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut by_key: BTreeMap<(String, String, String), Vec<(String, f64)>> = BTreeMap::new();
    for r in &results.rows {
        by_key
            .entry((r.measure.clone(), r.channel_a.clone(), r.channel_b.clone()))
            .or_default()
            .push((r.parameter.clone(), r.value));
    }
    // A header is printed whenever the measure or its list of parameters changes (a
    // measure may give global rows and per-channel rows with other parameters).
    let label = |a: &str, b: &str| {
        if b.is_empty() {
            a.to_string()
        } else {
            format!("{a}–{b}")
        }
    };
    let pair_width = by_key
        .keys()
        .map(|(_, a, b)| label(a, b).chars().count() + 1)
        .max()
        .unwrap_or(0)
        .max(16);
    // Rows with the same parameters stay together under one header.
    struct Line {
        measure: String,
        names: Vec<String>,
        a: String,
        b: String,
        values: Vec<f64>,
    }
    let mut rows: Vec<Line> = by_key
        .into_iter()
        .map(|((measure, a, b), values)| {
            let (names, values) = values.into_iter().unzip();
            Line {
                measure,
                names,
                a,
                b,
                values,
            }
        })
        .collect();
    rows.sort_by(|x, y| (&x.measure, &x.names).cmp(&(&y.measure, &y.names)));
    // Counts (the registry names them `n_…`: n_events, n_pairs) print without decimals
    // when every value under their header is whole. Other outputs keep four decimals even
    // when whole (a ρ of 1 is a fraction that happens to be 1, not a count).
    let mut whole: BTreeMap<(&str, &[String]), Vec<bool>> = BTreeMap::new();
    for l in &rows {
        let cols = whole
            .entry((l.measure.as_str(), l.names.as_slice()))
            .or_insert_with(|| l.names.iter().map(|n| n.starts_with("n_")).collect());
        for (w, v) in cols.iter_mut().zip(&l.values) {
            *w &= v.is_nan() || (v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15);
        }
    }
    let integer_columns: BTreeMap<(String, Vec<String>), Vec<bool>> = whole
        .into_iter()
        .map(|((m, n), w)| ((m.to_string(), n.to_vec()), w))
        .collect();
    let mut last_header: Option<(String, Vec<String>)> = None;
    let mut widths: Vec<usize> = Vec::new();
    let mut integer: Vec<bool> = Vec::new();
    for Line {
        measure,
        names,
        a,
        b,
        values,
    } in rows
    {
        let same = last_header
            .as_ref()
            .is_some_and(|(m, n)| *m == measure && *n == names);
        if !same {
            if last_header.as_ref().is_none_or(|(m, _)| *m != measure) {
                let _ = writeln!(out, "\n{measure}");
            }
            widths = names.iter().map(|n| n.chars().count().max(10)).collect();
            integer = integer_columns
                .get(&(measure.clone(), names.clone()))
                .cloned()
                .unwrap_or_default();
            let header: Vec<String> = names
                .iter()
                .zip(&widths)
                .map(|(n, w)| format!(" {n:>w$}"))
                .collect();
            let _ = writeln!(out, "{:<pair_width$}{}", "pair", header.join(""));
            last_header = Some((measure, names));
        }
        let pair = terminal_safe(&label(&a, &b)).into_owned();
        let cells: Vec<String> = values
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(k, (v, w))| {
                let text = if integer.get(k).copied().unwrap_or(false) && !v.is_nan() {
                    format!("{v:.0}")
                } else {
                    fmt_value(*v)
                };
                format!(" {text:>w$}")
            })
            .collect();
        let _ = writeln!(out, "{pair:<pair_width$}{}", cells.join(""));
    }
    out
}

fn fmt_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e5) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sesame_core::analysis::Row;

    fn row(a: &str, parameter: &str, value: f64) -> Row {
        Row {
            recording: "r".into(),
            channel_a: a.into(),
            channel_b: "Cz".into(),
            measure: "ses-bumps".into(),
            parameter: parameter.into(),
            value,
            unit: String::new(),
            n_events: None,
            certified: None,
        }
    }

    #[test]
    fn counts_print_as_integers() {
        let results = Results {
            rows: vec![
                row("Fz", "certified", 1.0),
                row("Fz", "n_events", 87.0),
                row("Fz", "rho", 0.5),
                row("Pz", "certified", 0.0),
                row("Pz", "n_events", 97.0),
                row("Pz", "rho", 1.0),
            ],
        };
        let t = table(&results);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[1], "ses-bumps");
        let fz: Vec<&str> = lines[3].split_whitespace().collect();
        assert_eq!(fz, ["Fz–Cz", "1.0000", "87", "0.5000"], "{t}");
        let pz: Vec<&str> = lines[4].split_whitespace().collect();
        assert_eq!(pz, ["Pz–Cz", "0.0000", "97", "1.0000"], "{t}");
        // a count column with a non-whole value (a mean over pairs) keeps its decimals
        let mut results = results;
        results.rows[4].value = 97.5;
        let t = table(&results);
        assert!(t.contains("87.0000") && t.contains("97.5000"), "{t}");
    }
}
