//! `sesame bumps`: bump extraction per channel, written as one row per bump.

use super::values::{self, Band, BumpThreshold, ChannelSelection, TimeWindow};
use anyhow::{bail, Context, Result};
use serde::Serialize;
use sesame_core::bumps::{extract_bumps, extract_channels, BumpOptions, BumpSet};
use sesame_core::recording::{terminal_safe, ChannelKind, ReadOptions, Recording};
use std::path::{Path, PathBuf};

/// Extract bumps (oscillatory events) from the time-frequency map of each channel.
#[derive(Debug, Clone, clap::Args)]
pub struct BumpsArgs {
    /// Recording file (EDF, EDF+, BDF, CSV).
    pub file: PathBuf,
    /// Channels: `all`, `eeg` or labels, comma-separated (default: every EEG channel, or
    /// every signal when none is EEG).
    #[arg(long, value_name = "all|eeg|A,B,…", value_parser = values::parse_channels)]
    pub channels: Option<ChannelSelection>,
    /// Time window START:END in seconds; an empty side is the start or the end of the
    /// recording (`:60`, `30:`).
    #[arg(long, value_name = "START:END", value_parser = values::parse_window)]
    pub window: Option<TimeWindow>,
    /// Frequency band LOW-HIGH in Hz, 0 < LOW.
    #[arg(long, value_name = "LOW-HIGH", default_value = "4-30", value_parser = values::parse_band)]
    pub band: Band,
    /// Prune bumps below this fraction of the map maximum, in [0, 1) (default 0.4, the
    /// toolbox's is 0.05).
    #[arg(long, value_name = "FRACTION", value_parser = values::parse_threshold)]
    pub threshold: Option<BumpThreshold>,
    /// Stop when the residual energy falls below this fraction (default 0.2).
    #[arg(long)]
    pub limit: Option<f64>,
    /// Memory above which a channel's map and bump fit are computed block by block, MB
    /// (default 512).
    #[arg(long, value_name = "MB", allow_negative_numbers = true, value_parser = values::parse_megabytes)]
    pub max_map_mb: Option<f64>,
    /// Output file: .csv or .json (one row per bump).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// One output row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BumpRow {
    pub channel: String,
    /// Centre time, s.
    pub t: f64,
    /// Centre frequency, Hz.
    pub f: f64,
    /// Time semi-axis, s.
    pub dt: f64,
    /// Frequency semi-axis, Hz.
    pub df: f64,
    /// Normalised amplitude.
    pub amplitude: f64,
    /// Normalised map value under the centre.
    pub peak: f64,
}

/// The bumps of one channel.
#[derive(Debug, Clone)]
pub struct ExtractedChannel {
    pub channel: String,
    pub set: BumpSet,
}

/// Indices of the channels of a selection (`None`: the EEG channels, or every signal
/// when none is EEG). A selection that matches no channel is refused with the labels of
/// the recording.
pub fn select_channels(
    rec: &Recording,
    selection: Option<&ChannelSelection>,
) -> Result<Vec<usize>> {
    let labels = || -> String {
        rec.signals()
            .iter()
            .map(|s| terminal_safe(&s.label).into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let eeg: Vec<usize> = (0..rec.signals().len())
        .filter(|&i| rec.signals()[i].kind == ChannelKind::Eeg)
        .collect();
    match selection {
        Some(ChannelSelection::List(names)) => names
            .iter()
            .map(|n| {
                rec.channel_index(n).with_context(|| {
                    format!(
                        "--channels: no channel named {n:?}; the recording has {}: type \
                         `--channels all` or a list of these labels",
                        labels()
                    )
                })
            })
            .collect(),
        Some(ChannelSelection::All) => Ok((0..rec.signals().len()).collect()),
        Some(ChannelSelection::Eeg) if eeg.is_empty() => bail!(
            "--channels eeg: no channel of the recording is EEG; it has {}: type \
             `--channels all` or a list of these labels",
            labels()
        ),
        Some(ChannelSelection::Eeg) => Ok(eeg),
        None if eeg.is_empty() => Ok((0..rec.signals().len()).collect()),
        None => Ok(eeg),
    }
}

/// Bump options from the command-line arguments (`limit`: fraction of the map energy).
pub fn options(
    band: Band,
    threshold: Option<BumpThreshold>,
    limit: Option<f64>,
) -> Result<BumpOptions> {
    let mut o = BumpOptions {
        f_min: band.low,
        f_max: band.high,
        keep_map: false,
        ..BumpOptions::default()
    };
    if let Some(BumpThreshold(t)) = threshold {
        o.min_amplitude = t;
    }
    if let Some(l) = limit {
        o.energy_limit = l;
    }
    Ok(o)
}

/// Runs the extraction on a recording (the testable core of the subcommand).
pub fn analyse(
    rec: &Recording,
    args: &BumpsArgs,
    opts: &BumpOptions,
) -> Result<Vec<ExtractedChannel>> {
    let channels = select_channels(rec, args.channels.as_ref())?;
    if channels.is_empty() {
        bail!("the recording has no signals");
    }
    let (start, end) = args
        .window
        .map_or((0.0, rec.duration()), |w| w.within(rec.duration()));
    if end <= start {
        bail!(
            "--window {}: the recording lasts {:.3} s",
            args.window.map(|w| w.to_string()).unwrap_or_default(),
            rec.duration()
        );
    }
    let signals: Vec<Vec<f32>> = channels
        .iter()
        .map(|&c| rec.read_signal(c, start, end))
        .collect::<Result<_, _>>()?;
    let rates: Vec<f64> = channels
        .iter()
        .map(|&c| rec.signals()[c].sample_rate)
        .collect();
    let labels: Vec<String> = channels
        .iter()
        .map(|&c| rec.signals()[c].label.clone())
        .collect();
    let results = if rates.iter().all(|&r| r == rates[0]) {
        let slices: Vec<&[f32]> = signals.iter().map(Vec::as_slice).collect();
        extract_channels(&slices, rates[0], start, opts)
    } else {
        signals
            .iter()
            .zip(&rates)
            .map(|(s, &fs)| extract_bumps(s, fs, start, opts))
            .collect()
    };
    labels
        .into_iter()
        .zip(results)
        .map(|(channel, r)| {
            let set = r.with_context(|| format!("channel {channel}"))?;
            Ok(ExtractedChannel { channel, set })
        })
        .collect()
}

/// One row per bump, channels in order, bumps in fitting order.
pub fn rows(result: &[ExtractedChannel]) -> Vec<BumpRow> {
    result
        .iter()
        .flat_map(|c| {
            c.set.bumps.iter().map(move |b| BumpRow {
                channel: c.channel.clone(),
                t: b.t,
                f: b.f,
                dt: b.dt,
                df: b.df,
                amplitude: b.amplitude,
                peak: b.peak,
            })
        })
        .collect()
}

/// The per-channel summary lines printed on stdout.
pub fn summary(result: &[ExtractedChannel]) -> Vec<String> {
    let mut lines = vec![format!(
        "{:<10} {:>7} {:>10} {:>15}",
        "channel", "bumps", "bumps/s", "mean amplitude"
    )];
    for c in result {
        lines.push(format!(
            "{:<10} {:>7} {:>10.3} {:>15}",
            terminal_safe(&c.channel),
            c.set.bumps.len(),
            c.set.rate(),
            c.set
                .mean_amplitude()
                .map_or_else(|| "-".to_string(), |a| format!("{a:.4}"))
        ));
    }
    lines
}

/// Writes the rows as CSV or JSON (by the extension of `path`).
pub fn write_rows(path: &Path, rows: &[BumpRow], opts: &BumpOptions, source: &str) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let bytes = match ext.as_str() {
        "csv" => {
            let mut w = csv::Writer::from_writer(Vec::new());
            for r in rows {
                w.serialize(r)?;
            }
            w.into_inner()
                .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.error()))?
        }
        "json" => {
            #[derive(Serialize)]
            struct Doc<'a> {
                program: String,
                source: &'a str,
                options: &'a BumpOptions,
                bumps: &'a [BumpRow],
            }
            let doc = Doc {
                program: format!("sesame {}", sesame_core::VERSION),
                source,
                options: opts,
                bumps: rows,
            };
            serde_json::to_vec_pretty(&doc)?
        }
        _ => bail!(
            "--out {}: the extension must be .csv or .json",
            path.display()
        ),
    };
    sesame_core::analysis::write_atomic(path, &bytes)?;
    Ok(())
}

pub fn run(args: BumpsArgs) -> Result<()> {
    let rec = Recording::open(&args.file, &ReadOptions::default())
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let mut opts = options(args.band, args.threshold, args.limit)?;
    if let Some(mb) = args.max_map_mb {
        opts.max_map_mb = mb;
    }
    let result = analyse(&rec, &args, &opts)?;
    for c in &result {
        for w in &c.set.warnings {
            eprintln!(
                "sesame: warning: channel {}: {}",
                terminal_safe(&c.channel),
                terminal_safe(w)
            );
        }
    }
    for line in summary(&result) {
        println!("{line}");
    }
    if let Some(out) = &args.out {
        write_rows(out, &rows(&result), &opts, &args.file.display().to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use std::f64::consts::PI;

    /// Two channels with a 10 Hz burst at 6 s and 18 Hz burst at 12 s over weak
    /// deterministic broadband "noise" (a sum of incommensurate sines).
    fn recording() -> Recording {
        let fs = 200.0;
        let n = (fs * 20.0) as usize;
        let mut data = Array2::<f32>::zeros((2, n));
        for ch in 0..2 {
            for i in 0..n {
                let t = i as f64 / fs;
                let mut v = 0.0;
                for k in 1..40 {
                    let f = 3.0 + 0.731 * k as f64;
                    v += 0.3 / (k as f64).sqrt() * (2.0 * PI * f * t + (k * (ch + 1)) as f64).sin();
                }
                v += 20.0 * (-(t - 6.0).powi(2) / (2.0 * 0.09)).exp() * (2.0 * PI * 10.0 * t).cos();
                v +=
                    15.0 * (-(t - 12.0).powi(2) / (2.0 * 0.04)).exp() * (2.0 * PI * 18.0 * t).cos();
                data[(ch, i)] = v as f32;
            }
        }
        Recording::from_samples(vec!["Fp1".into(), "Cz".into()], fs, "uV", data).unwrap()
    }

    fn args(channels: Option<&str>, window: Option<&str>) -> BumpsArgs {
        BumpsArgs {
            file: PathBuf::from("memory"),
            channels: channels.map(|c| values::parse_channels(c).unwrap()),
            window: window.map(|w| values::parse_window(w).unwrap()),
            band: values::parse_band("4-30").unwrap(),
            threshold: None,
            limit: None,
            max_map_mb: None,
            out: None,
        }
    }

    #[test]
    fn finds_the_bursts_and_writes_csv_and_json() {
        let rec = recording();
        let opts = options(values::parse_band("4-30").unwrap(), None, None).unwrap();
        let res = analyse(&rec, &args(Some("cz"), None), &opts).unwrap();
        assert_eq!(res.len(), 1);
        assert_eq!(res[0].channel, "Cz");
        let rows = rows(&res);
        let found = |t: f64, f: f64| {
            rows.iter()
                .any(|r| (r.t - t).abs() < 0.3 && (r.f - f).abs() < 2.0)
        };
        assert!(found(6.0, 10.0) && found(12.0, 18.0), "{rows:?}");
        let s = summary(&res);
        assert!(s[1].starts_with("Cz") && s.len() == 2);
        let dir = tempfile::tempdir().unwrap();
        let csv_path = dir.path().join("b.csv");
        write_rows(&csv_path, &rows, &opts, "memory").unwrap();
        let text = std::fs::read_to_string(&csv_path).unwrap();
        assert!(text.starts_with("channel,t,f,dt,df,amplitude,peak\n"));
        assert_eq!(text.lines().count(), rows.len() + 1);
        let json_path = dir.path().join("b.json");
        write_rows(&json_path, &rows, &opts, "memory").unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
        assert_eq!(v["bumps"].as_array().unwrap().len(), rows.len());
        assert!(write_rows(&dir.path().join("b.txt"), &rows, &opts, "memory").is_err());
        // No temporary files left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn window_and_channel_selection() {
        let rec = recording();
        let opts = options(values::parse_band("4-30").unwrap(), None, None).unwrap();
        let res = analyse(&rec, &args(None, Some("8:")), &opts).unwrap();
        assert_eq!(res.len(), 2);
        for c in &res {
            assert!(c.set.span.0 >= 8.0);
            assert!(c.set.bumps.iter().all(|b| b.t > 8.0));
            assert!(c.set.bumps.iter().any(|b| (b.t - 12.0).abs() < 0.3));
        }
        let e = analyse(&rec, &args(Some("O9"), None), &opts)
            .unwrap_err()
            .to_string();
        assert!(e.contains("Fp1, Cz") && e.contains("--channels all"), "{e}");
        assert_eq!(
            analyse(&rec, &args(Some("all"), None), &opts)
                .unwrap()
                .len(),
            2
        );
        let e = analyse(&rec, &args(None, Some("30:")), &opts)
            .unwrap_err()
            .to_string();
        assert!(e.contains("lasts"), "{e}");
    }
}
