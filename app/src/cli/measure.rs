//! `sesame measure`: runs one registered measure on one pair (or one set) of channels
//! given in a file. Point-process measures read a CSV of events (`--events`, rows
//! `signal,time`); continuous measures read signals (`--signals FILE`, CSV/TSV with a
//! `# fs=` line or EDF/BDF; repeat it to give one file per epoch, or cut with
//! `--epoch`).
//!
//! The flow is: find the measure, parse its parameters, load the data for the
//! measure's input kind ([`load_pair`] — one branch per input kind), compute, print.

use anyhow::{anyhow, bail, Context, Result};
use ndarray::{Array2, Array3, Axis};
use serde_json::json;
use sesame_core::events::{read_event_csv, within, EventTable};
use sesame_core::measures::signals_csv::CsvSignals;
use sesame_core::measures::{
    find, registry, InputKind, Measure, PairInput, ParamValues, SetInput, Target, Value,
};
use sesame_core::recording::{terminal_safe, ReadOptions, Recording};
use std::path::{Path, PathBuf};

use super::measures::input_name;
use super::values::{self, ChannelSelection, TimeWindow};
use sesame_core::analysis::config::ContinuousConfig;
use sesame_core::measures::ParamValue;
use sesame_core::recording::ChannelKind;

/// Run one synchrony measure on two given signals or event lists.
#[derive(Debug, clap::Args)]
pub struct MeasureArgs {
    /// CSV of events, one per row: `signal,time` (time in s); optional header
    /// `signal,time`, `#` comment lines. For point-process measures.
    #[arg(long, value_name = "EVENTS.csv")]
    pub events: Option<PathBuf>,
    /// Signals for continuous measures: CSV/TSV (a `# fs=<Hz>` comment line, a header
    /// row of labels, one row per sample) or EDF/BDF. Repeat it to give one file per
    /// epoch (same channels, rate and length in every file).
    #[arg(long, value_name = "FILE", conflicts_with = "events")]
    pub signals: Vec<PathBuf>,
    /// Measure id (see `sesame measures`).
    #[arg(long, value_name = "ID")]
    pub measure: String,
    /// A parameter of the measure, `name=value` (repeatable); the others take their
    /// defaults.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Observation window START:END in s; an empty side is the start or the end of the
    /// data (`:60`, `30:`). Events: those outside it are left out (an empty start: 0, or
    /// the first event if earlier; an empty end: the last event of the file). Signals: the
    /// samples with START ≤ t < END of every file (default: all).
    #[arg(long, value_name = "START:END", value_parser = values::parse_window)]
    pub window: Option<TimeWindow>,
    /// The two signals to compare, `A,B`; needed when the file holds more than two.
    #[arg(long, value_name = "A,B")]
    pub pair: Option<String>,
    /// Continuous measures: run on a set of channels (`A,B,C` or `all`) instead of a
    /// pair; every pair of the set (both directions for directed measures), or one
    /// value for the set (omega complexity, GFS, S-estimator).
    #[arg(long, value_name = "all|eeg|A,B,…", conflicts_with = "pair", value_parser = values::parse_channels)]
    pub channels: Option<ChannelSelection>,
    /// Signals: cut every file into consecutive epochs of this length in s, the remainder
    /// dropped, as `sesame analyze` does (`continuous.epoch`). Default: one file is cut
    /// into epochs of 2 s, the default of `analyze`; several files are one epoch each.
    #[arg(long, value_name = "SECONDS")]
    pub epoch: Option<f64>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The data of one pair, owned, for the measure's input kind.
enum LoadedPair {
    PointProcess {
        x: Vec<f64>,
        y: Vec<f64>,
        window: (f64, f64),
    },
    /// `data`: 2 × epochs × samples.
    Continuous { signals: Signals },
}

impl LoadedPair {
    fn as_input(&self) -> PairInput<'_> {
        match self {
            LoadedPair::PointProcess { x, y, window } => PairInput::PointProcess {
                x,
                y,
                window: *window,
            },
            LoadedPair::Continuous { signals } => PairInput::Continuous {
                x: signals.data.index_axis(Axis(0), 0),
                y: signals.data.index_axis(Axis(0), 1),
                fs: signals.fs,
            },
        }
    }
}

/// What was loaded, for the report.
struct Loaded {
    names: (String, String),
    pair: LoadedPair,
}

/// Signals read from one or more files, as channels × epochs × samples.
struct Signals {
    labels: Vec<String>,
    /// Sample rate, Hz.
    fs: f64,
    data: Array3<f64>,
    files: Vec<String>,
}

impl Signals {
    fn summary_json(&self) -> serde_json::Value {
        let (_, n_ep, n_samp) = self.data.dim();
        json!({
            "files": self.files,
            "fs": self.fs,
            "epochs": n_ep,
            "samples_per_epoch": n_samp,
        })
    }

    fn summary_text(&self) -> String {
        let (_, n_ep, n_samp) = self.data.dim();
        format!(
            "signals  {}: {} epoch(s) of {} samples at {} Hz ({} s each)\n",
            self.files.join(", "),
            n_ep,
            n_samp,
            self.fs,
            n_samp as f64 / self.fs
        )
    }
}

/// Which channels of a signal file are used.
enum Selection {
    Pair(String, String),
    Set(ChannelSelection),
}

pub fn run(args: MeasureArgs) -> Result<()> {
    let measure = find(&args.measure).ok_or_else(|| {
        let known: Vec<&str> = registry().iter().map(|m| m.id()).collect();
        anyhow!(
            "unknown measure `{}` (known: {})",
            args.measure,
            known.join(", ")
        )
    })?;
    let given = args
        .params
        .iter()
        .map(|p| {
            p.split_once('=')
                .ok_or_else(|| anyhow!("--param `{p}`: expected NAME=VALUE"))
        })
        .collect::<Result<Vec<_>>>()?;
    let params = ParamValues::parse(measure.params(), given)
        .with_context(|| format!("measure `{}`", measure.id()))?;
    if measure.input() == InputKind::Continuous && args.channels.is_some() {
        return run_set(measure, &params, &args);
    }
    let loaded = load_pair(measure, &args)?;
    if let LoadedPair::Continuous { signals } = &loaded.pair {
        refuse_single_epoch(measure, &params, signals)?;
    }
    let values = measure
        .compute(&loaded.pair.as_input(), &params)
        .with_context(|| format!("measure `{}`", measure.id()))?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report_json(measure, &params, &loaded, &values))?
        );
    } else {
        print!("{}", report_text(measure, &params, &loaded, &values));
    }
    Ok(())
}

/// `--channels`: the measure on a set of channels.
fn run_set(measure: &dyn Measure, params: &ParamValues, args: &MeasureArgs) -> Result<()> {
    let selection = args.channels.clone().unwrap_or(ChannelSelection::All);
    let signals = load_signals(measure, args, Selection::Set(selection))?;
    refuse_single_epoch(measure, params, &signals)?;
    let out = measure
        .compute_set(
            &SetInput::Continuous {
                data: signals.data.view(),
                fs: signals.fs,
            },
            params,
        )
        .with_context(|| format!("measure `{}`", measure.id()))?;
    let sep = if measure.directed() { "->" } else { "-" };
    let target = |t: &Target| match *t {
        Target::Pair(i, j) => format!("{}{sep}{}", signals.labels[i], signals.labels[j]),
        Target::Channel(i) => signals.labels[i].clone(),
        Target::Set => "set".to_string(),
    };
    if args.json {
        let results: Vec<serde_json::Value> = out
            .iter()
            .map(|(t, vals)| {
                json!({
                    "target": target(t),
                    "values": values_json(vals),
                })
            })
            .collect();
        let j = json!({
            "measure": measure.id(),
            "title": measure.title(),
            "channels": signals.labels,
            "params": params.0,
            "signals": signals.summary_json(),
            "results": results,
        });
        println!("{}", serde_json::to_string_pretty(&j)?);
    } else {
        let mut text = format!("measure  {} ({})\n", measure.id(), measure.title());
        text.push_str(&signals.summary_text());
        text.push_str(&format!(
            "channels {}\n",
            terminal_safe(&signals.labels.join(", "))
        ));
        text.push_str(&params_text(params));
        for (t, vals) in &out {
            let v: Vec<String> = vals
                .iter()
                .map(|v| format!("{} = {}", v.name, v.value))
                .collect();
            text.push_str(&format!(
                "{}  {}\n",
                terminal_safe(&target(t)),
                v.join("  ")
            ));
        }
        print!("{text}");
    }
    Ok(())
}

/// Refuses an estimate across epochs (`estimate=epochs`: coherence, PLV, wPLI, …) from a
/// single epoch: with one epoch every such value is 1 (or undefined) whatever the signals.
fn refuse_single_epoch(
    measure: &dyn Measure,
    params: &ParamValues,
    signals: &Signals,
) -> Result<()> {
    let (_, n_ep, n_samp) = signals.data.dim();
    let across = matches!(params.0.get("estimate"), Some(ParamValue::Text(e)) if e == "epochs");
    if across && n_ep < 2 {
        bail!(
            "measure `{}` estimates across epochs (estimate=epochs), which needs at least two \
             epochs, and the signals give one ({} s): with a single epoch the estimate is 1 for \
             any pair and band. Cut them into shorter epochs with --epoch SECONDS, give one \
             --signals file per epoch, or estimate over time with --param estimate=time",
            measure.id(),
            n_samp as f64 / signals.fs
        );
    }
    Ok(())
}

/// Loads the pair from the file that matches the measure's input kind.
fn load_pair(measure: &dyn Measure, args: &MeasureArgs) -> Result<Loaded> {
    match measure.input() {
        InputKind::PointProcess => {
            let path = args.events.as_ref().ok_or_else(|| {
                anyhow!(
                    "measure `{}` reads event times: give them with --events EVENTS.csv",
                    measure.id()
                )
            })?;
            if args.channels.is_some() || args.epoch.is_some() {
                bail!("--channels and --epoch apply to --signals (continuous measures) only");
            }
            load_events(path, args.pair.as_deref(), args.window)
        }
        InputKind::Continuous => {
            let sel = match args.pair.as_deref() {
                Some(p) => {
                    let (a, b) = p
                        .split_once(',')
                        .ok_or_else(|| anyhow!("--pair `{p}`: expected A,B"))?;
                    Selection::Pair(a.trim().to_string(), b.trim().to_string())
                }
                None => Selection::Pair(String::new(), String::new()),
            };
            let signals = load_signals(measure, args, sel)?;
            Ok(Loaded {
                names: (signals.labels[0].clone(), signals.labels[1].clone()),
                pair: LoadedPair::Continuous { signals },
            })
        }
        other => bail!(
            "measure `{}` reads {} input, which `sesame measure` cannot load from a file; \
             run it with `sesame analyze`",
            measure.id(),
            input_name(other)
        ),
    }
}

/// Index of `name` among `labels`: exact match first, then case-insensitive, then the
/// canonical 10-20 names (`Fp1` for `EEG Fp1-REF`) when the file gives them.
fn label_index(
    labels: &[String],
    canonical: &[Option<String>],
    name: &str,
    origin: &str,
) -> Result<usize> {
    labels
        .iter()
        .position(|l| l == name)
        .or_else(|| labels.iter().position(|l| l.eq_ignore_ascii_case(name)))
        .or_else(|| {
            canonical
                .iter()
                .position(|c| c.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(name)))
        })
        .ok_or_else(|| {
            anyhow!(
                "no channel `{name}` in {origin} (channels: {})",
                labels.join(", ")
            )
        })
}

/// The channels of one file (labels, sample rate, channels × samples), restricted to
/// the selection.
fn read_signal_file(path: &Path, sel: &Selection) -> Result<(Vec<String>, f64, Array2<f64>)> {
    let origin = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    // labels of the whole file, then the indices the selection asks for
    let pick = |labels: &[String],
                canonical: &[Option<String>],
                eeg: Option<&[bool]>|
     -> Result<Vec<usize>> {
        match sel {
            Selection::Pair(a, b) if a.is_empty() && b.is_empty() => {
                if labels.len() == 2 {
                    Ok(vec![0, 1])
                } else {
                    bail!(
                        "{origin} holds {} channel(s) ({}); a pair measure needs two: choose them \
                         with --pair A,B (or a set with --channels A,B,…|all)",
                        labels.len(),
                        labels.join(", ")
                    )
                }
            }
            Selection::Pair(a, b) => Ok(vec![
                label_index(labels, canonical, a, &origin)?,
                label_index(labels, canonical, b, &origin)?,
            ]),
            Selection::Set(ChannelSelection::All) => Ok((0..labels.len()).collect()),
            Selection::Set(ChannelSelection::Eeg) => match eeg {
                Some(eeg) if eeg.iter().any(|&e| e) => {
                    Ok((0..labels.len()).filter(|&i| eeg[i]).collect())
                }
                Some(_) => bail!(
                    "--channels eeg: no channel of {origin} is EEG; it has {}: type \
                     `--channels all` or a list of these labels",
                    labels.join(", ")
                ),
                // a CSV/TSV file says nothing of kinds: every column is a signal
                None => Ok((0..labels.len()).collect()),
            },
            Selection::Set(ChannelSelection::List(names)) => names
                .iter()
                .map(|n| label_index(labels, canonical, n, &origin))
                .collect(),
        }
    };
    if matches!(ext.as_str(), "csv" | "tsv" | "txt") {
        let s = CsvSignals::read(path)?;
        let idx = pick(&s.labels, &[], None)?;
        let labels = idx.iter().map(|&i| s.labels[i].clone()).collect();
        let data = s.data.select(Axis(0), &idx);
        return Ok((labels, s.fs, data));
    }
    let rec = Recording::open(path, &ReadOptions::default())?;
    let all: Vec<String> = rec
        .signals()
        .iter()
        .map(|s| s.label.trim().to_string())
        .collect();
    let canonical: Vec<Option<String>> =
        rec.signals().iter().map(|s| s.canonical.clone()).collect();
    let eeg: Vec<bool> = rec
        .signals()
        .iter()
        .map(|s| s.kind == ChannelKind::Eeg)
        .collect();
    let idx = pick(&all, &canonical, Some(&eeg))?;
    let fs = rec.signals()[idx[0]].sample_rate;
    let raw = rec
        .read_window(&idx, 0.0, rec.duration())
        .with_context(|| format!("reading {origin}"))?;
    let labels = idx.iter().map(|&i| all[i].clone()).collect();
    Ok((labels, fs, raw.mapv(f64::from)))
}

/// Reads every `--signals` file, applies `--window`, cuts `--epoch`s and checks that
/// the files agree.
fn load_signals(measure: &dyn Measure, args: &MeasureArgs, sel: Selection) -> Result<Signals> {
    if args.signals.is_empty() {
        bail!(
            "measure `{}` reads continuous signals: give them with --signals FILE \
             (CSV/TSV with a `# fs=` line, or EDF/BDF){}",
            measure.id(),
            if args.events.is_some() {
                "; --events is for point-process measures"
            } else {
                ""
            }
        );
    }
    let window = args
        .window
        .map(|w| (w.start.unwrap_or(0.0), w.end.unwrap_or(f64::INFINITY)));
    if let Some(e) = args.epoch {
        if !(e.is_finite() && e > 0.0) {
            bail!("--epoch {e}: expected a positive length in seconds");
        }
    }
    let mut labels: Option<Vec<String>> = None;
    let mut fs = 0.0;
    let mut epochs: Vec<Array2<f64>> = Vec::new();
    for path in &args.signals {
        let origin = path.display().to_string();
        let (l, f, mut d) = read_signal_file(path, &sel)?;
        match &labels {
            None => {
                labels = Some(l);
                fs = f;
            }
            Some(first) => {
                if *first != l {
                    bail!(
                        "{origin}: channels {} differ from the first file's {}",
                        l.join(", "),
                        first.join(", ")
                    );
                }
                if (f - fs).abs() > 1e-9 * fs {
                    bail!("{origin}: sample rate {f} Hz differs from the first file's {fs} Hz");
                }
            }
        }
        if let Some((t0, t1)) = window {
            let n = d.ncols();
            let a = ((t0 * f - 1e-9).ceil().max(0.0) as usize).min(n);
            let b = ((t1 * f - 1e-9).ceil().max(0.0) as usize).min(n);
            if b <= a {
                bail!(
                    "{origin}: --window {} s holds no sample (the file lasts {} s)",
                    args.window.map(|w| w.to_string()).unwrap_or_default(),
                    n as f64 / f
                );
            }
            d = d.slice(ndarray::s![.., a..b]).to_owned();
        }
        // One file is cut like `analyze` cuts its window; several files are the epochs.
        let epoch = match args.epoch {
            None if args.signals.len() == 1 => {
                let e = ContinuousConfig::default().epoch;
                if (d.ncols() as f64) < (e * f).round() {
                    bail!(
                        "{origin}: the signals last {} s, less than one epoch of {e} s (the \
                         default epoch length of `sesame analyze`): give a shorter --epoch \
                         SECONDS",
                        d.ncols() as f64 / f
                    );
                }
                Some(e)
            }
            other => other,
        };
        match epoch {
            None => epochs.push(d),
            Some(e) => {
                let len = (e * f).round() as usize;
                let n_ep = d.ncols().checked_div(len).unwrap_or(0);
                if n_ep == 0 {
                    bail!(
                        "{origin}: --epoch {e} s is {len} samples at {f} Hz; the signal has only {}",
                        d.ncols()
                    );
                }
                for k in 0..n_ep {
                    epochs.push(d.slice(ndarray::s![.., k * len..(k + 1) * len]).to_owned());
                }
            }
        }
    }
    let labels = labels.unwrap_or_default();
    let n_samp = epochs[0].ncols();
    if let Some((k, e)) = epochs.iter().enumerate().find(|(_, e)| e.ncols() != n_samp) {
        bail!(
            "epoch {} has {} samples, epoch 1 has {n_samp}: every --signals file must have the \
             same length (or cut them with --epoch)",
            k + 1,
            e.ncols()
        );
    }
    let views: Vec<_> = epochs
        .iter()
        .map(|e| e.view().insert_axis(Axis(1)))
        .collect();
    let data = ndarray::concatenate(Axis(1), &views).context("stacking the epochs")?;
    Ok(Signals {
        labels,
        fs,
        data,
        files: args
            .signals
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
    })
}

/// The two signals of the pair: `--pair A,B`, or the only two of the file.
fn choose_pair<'t>(
    table: &'t EventTable,
    pair: Option<&str>,
    origin: &str,
) -> Result<(&'t str, &'t str)> {
    let names = table.names();
    let lookup = |name: &str| -> Result<&'t str> {
        table
            .signals
            .iter()
            .find(|(n, _)| n == name.trim())
            .or_else(|| {
                table
                    .signals
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
            })
            .map(|(n, _)| n.as_str())
            .ok_or_else(|| {
                anyhow!(
                    "--pair: no signal `{}` in {origin} (signals: {})",
                    name.trim(),
                    names.join(", ")
                )
            })
    };
    match pair {
        Some(p) => {
            let (a, b) = p.split_once(',').ok_or_else(|| anyhow!("--pair `{p}`: expected A,B"))?;
            Ok((lookup(a)?, lookup(b)?))
        }
        None if names.len() == 2 => Ok((names[0], names[1])),
        None => bail!(
            "{origin} holds {} signal(s) ({}); a measure needs exactly two: choose them with --pair A,B",
            names.len(),
            names.join(", ")
        ),
    }
}

fn load_events(
    path: &std::path::Path,
    pair: Option<&str>,
    window: Option<TimeWindow>,
) -> Result<Loaded> {
    let origin = path.display().to_string();
    let table = read_event_csv(path)?;
    let (a, b) = choose_pair(&table, pair, &origin)?;
    let given = window.unwrap_or(TimeWindow {
        start: None,
        end: None,
    });
    let window = match (given.start, given.end) {
        (Some(t0), Some(t1)) => (t0, t1),
        (start, end) => {
            let (lo, hi) = table.span().ok_or_else(|| {
                anyhow!("{origin} holds no events; give the window with --window START:END")
            })?;
            let t0 = start.unwrap_or(lo.min(0.0));
            let t1 = end.unwrap_or(hi);
            if t1 <= t0 {
                bail!(
                    "{origin}: cannot infer a window from events ending at {hi} s; give it \
                     with --window START:END"
                );
            }
            (t0, t1)
        }
    };
    let pick = |name: &str| -> Vec<f64> {
        within(table.get(name).unwrap_or(&[]), window.0, window.1).to_vec()
    };
    Ok(Loaded {
        names: (a.to_string(), b.to_string()),
        pair: LoadedPair::PointProcess {
            x: pick(a),
            y: pick(b),
            window,
        },
    })
}

fn report_json(
    measure: &dyn Measure,
    params: &ParamValues,
    loaded: &Loaded,
    values: &[Value],
) -> serde_json::Value {
    let mut j = json!({
        "measure": measure.id(),
        "title": measure.title(),
        "pair": [loaded.names.0, loaded.names.1],
        "params": params.0,
        "values": values_json(values),
    });
    match &loaded.pair {
        LoadedPair::PointProcess { x, y, window } => {
            j["window"] = json!([window.0, window.1]);
            j["events"] = json!([x.len(), y.len()]);
        }
        LoadedPair::Continuous { signals } => {
            j["signals"] = signals.summary_json();
        }
    }
    j
}

fn values_json(values: &[Value]) -> serde_json::Value {
    serde_json::Value::Object(
        values
            .iter()
            .map(|v| (v.name.clone(), json!(v.value)))
            .collect(),
    )
}

fn params_text(params: &ParamValues) -> String {
    if params.0.is_empty() {
        return String::new();
    }
    let p: Vec<String> = params.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("params   {}\n", p.join(" "))
}

fn report_text(
    measure: &dyn Measure,
    params: &ParamValues,
    loaded: &Loaded,
    values: &[Value],
) -> String {
    let mut out = format!("measure  {} ({})\n", measure.id(), measure.title());
    match &loaded.pair {
        LoadedPair::PointProcess { x, y, window } => {
            out.push_str(&format!(
                "pair     {} ({} events), {} ({} events)\nwindow   [{}, {}] s\n",
                loaded.names.0,
                x.len(),
                loaded.names.1,
                y.len(),
                window.0,
                window.1
            ));
        }
        LoadedPair::Continuous { signals } => {
            out.push_str(&format!(
                "pair     {}, {}\n",
                loaded.names.0, loaded.names.1
            ));
            out.push_str(&signals.summary_text());
        }
    }
    out.push_str(&params_text(params));
    for v in values {
        out.push_str(&format!("{} = {}\n", v.name, v.value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_choice() {
        let t = sesame_core::events::parse_event_csv("a,1\nb,2\nc,3\n", "f.csv").unwrap();
        let e = choose_pair(&t, None, "f.csv").unwrap_err().to_string();
        assert!(e.contains("3 signal(s)") && e.contains("--pair"), "{e}");
        assert_eq!(choose_pair(&t, Some("C, a"), "f.csv").unwrap(), ("c", "a"));
        assert!(choose_pair(&t, Some("a,z"), "f.csv")
            .unwrap_err()
            .to_string()
            .contains("no signal `z`"));
    }
}
