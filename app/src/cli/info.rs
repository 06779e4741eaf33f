//! `sesame info FILE [--json] [--lenient]`: the header, signals, annotations, gaps and
//! warnings of a recording file.
//!
//! The table shows every text read from the file through
//! [`terminal_safe`](sesame_core::recording::terminal_safe) (control characters as
//! `\u{1b}`-style escapes); `--json` keeps the exact text (JSON escapes controls).

use anyhow::Result;
use serde::Serialize;
use sesame_core::recording::{
    terminal_safe, Annotation, Format, Gap, ReadOptions, Recording, SignalInfo,
};
use std::path::PathBuf;

/// Arguments of `sesame info`.
#[derive(clap::Args, Debug)]
pub struct InfoArgs {
    /// The recording (EDF, EDF+, BDF, BDF+, CSV/TSV).
    pub file: PathBuf,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Read what can be read from files with repairable header faults, with a warning
    /// for every repair.
    #[arg(long)]
    pub lenient: bool,
    /// Sample rate, Hz, of a CSV/TSV file without a `# fs=` line.
    #[arg(long, value_name = "HZ")]
    pub fs: Option<f64>,
}

#[derive(Serialize)]
struct SignalOut<'a> {
    #[serde(flatten)]
    info: &'a SignalInfo,
    samples_per_record: Option<usize>,
}

#[derive(Serialize)]
struct InfoOut<'a> {
    file: String,
    format: &'static str,
    version: Option<&'a str>,
    patient: Option<&'a str>,
    recording: Option<&'a str>,
    start: Option<String>,
    start_subsecond: Option<f64>,
    duration_s: f64,
    n_records: Option<usize>,
    record_duration_s: Option<f64>,
    n_signals: usize,
    signals: Vec<SignalOut<'a>>,
    annotations: &'a [Annotation],
    gaps: &'a [Gap],
    warnings: &'a [String],
}

/// Human name of a format.
pub fn format_name(f: Format) -> &'static str {
    match f {
        Format::Edf => "EDF",
        Format::EdfPlusC => "EDF+C",
        Format::EdfPlusD => "EDF+D",
        Format::Bdf => "BDF",
        Format::BdfPlusC => "BDF+C",
        Format::BdfPlusD => "BDF+D",
        Format::Csv => "CSV",
        Format::Memory => "memory",
    }
}

fn build(rec: &Recording) -> InfoOut<'_> {
    let h = rec.header.as_ref();
    let sprs: Vec<usize> = h
        .map(|h| {
            h.signals
                .iter()
                .filter(|s| !s.is_annotation_channel())
                .map(|s| s.samples_per_record)
                .collect()
        })
        .unwrap_or_default();
    InfoOut {
        file: rec
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        format: format_name(rec.format),
        version: h.map(|h| h.version.as_str()),
        patient: h.map(|h| h.patient.as_str()),
        recording: h.map(|h| h.recording_id.as_str()),
        start: rec.start.map(|s| s.to_string()),
        start_subsecond: rec.start.map(|s| s.subsecond),
        duration_s: rec.duration(),
        n_records: rec.n_records(),
        record_duration_s: rec.record_duration(),
        n_signals: rec.signals().len(),
        signals: rec
            .signals()
            .iter()
            .enumerate()
            .map(|(i, s)| SignalOut {
                info: s,
                samples_per_record: sprs.get(i).copied(),
            })
            .collect(),
        annotations: rec.annotations(),
        gaps: rec.gaps(),
        warnings: &rec.warnings,
    }
}

/// A number with up to 7 decimals (100 ns for times), trailing zeros removed.
fn num(v: f64) -> String {
    let s = format!("{v:.7}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn table(o: &InfoOut<'_>) -> String {
    use std::fmt::Write;
    let mut t = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(t, "File:              {}", terminal_safe(&o.file));
    let _ = writeln!(
        t,
        "Format:            {}{}",
        o.format,
        o.version
            .map(|v| format!(" (version field '{}')", terminal_safe(v)))
            .unwrap_or_default()
    );
    if let Some(p) = o.patient {
        let _ = writeln!(t, "Patient:           {}", terminal_safe(p));
    }
    if let Some(r) = o.recording {
        let _ = writeln!(t, "Recording:         {}", terminal_safe(r));
    }
    if let Some(s) = &o.start {
        let _ = writeln!(t, "Start:             {s}");
    }
    let _ = writeln!(t, "Duration:          {} s", num(o.duration_s));
    if let (Some(n), Some(d)) = (o.n_records, o.record_duration_s) {
        let _ = writeln!(t, "Data records:      {n} x {} s", num(d));
    }
    let _ = writeln!(t, "Signals:           {}", o.n_signals);
    let _ = writeln!(t);
    let heads = [
        "#",
        "Label",
        "Name",
        "Type",
        "Unit",
        "Rate (Hz)",
        "Samples",
        "Phys min",
        "Phys max",
        "Dig min",
        "Dig max",
        "Prefilter",
    ];
    let rows: Vec<Vec<String>> = o
        .signals
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let s = s.info;
            vec![
                (i + 1).to_string(),
                terminal_safe(&s.label).into_owned(),
                s.canonical.clone().unwrap_or_else(|| "-".into()),
                format!("{:?}", s.kind).to_uppercase(),
                terminal_safe(&s.unit).into_owned(),
                num(s.sample_rate),
                s.n_samples.to_string(),
                num(s.physical_min),
                num(s.physical_max),
                s.digital_min.to_string(),
                s.digital_max.to_string(),
                terminal_safe(&s.prefilter).into_owned(),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = heads.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut l = String::new();
        for (k, (c, w)) in cells.iter().zip(&widths).enumerate() {
            let pad = w - c.chars().count();
            if k + 1 == cells.len() {
                l.push_str(c);
            } else {
                l.push_str(c);
                l.push_str(&" ".repeat(pad + 2));
            }
        }
        l.trim_end().to_string()
    };
    let _ = writeln!(
        t,
        "{}",
        line(&heads.iter().map(|h| h.to_string()).collect::<Vec<_>>())
    );
    for r in &rows {
        let _ = writeln!(t, "{}", line(r));
    }
    let _ = writeln!(t);
    let _ = writeln!(t, "Annotations:       {}", o.annotations.len());
    for a in o.annotations {
        let d = a
            .duration
            .map(|d| format!("{} s", num(d)))
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            t,
            "  {:>12} s  {:>10}  {}",
            num(a.onset),
            d,
            terminal_safe(&a.text)
        );
    }
    if !o.gaps.is_empty() {
        let _ = writeln!(t, "Gaps:              {}", o.gaps.len());
        for g in o.gaps {
            let _ = writeln!(
                t,
                "  after record {:>5}: {} s to {} s ({} s)",
                g.after_record + 1,
                num(g.start),
                num(g.start + g.duration),
                num(g.duration)
            );
        }
    }
    if !o.warnings.is_empty() {
        let _ = writeln!(t, "Warnings:          {}", o.warnings.len());
        for w in o.warnings {
            let _ = writeln!(t, "  warning: {}", terminal_safe(w));
        }
    }
    t
}

/// Runs `sesame info`.
pub fn run(args: InfoArgs) -> Result<()> {
    let opts = ReadOptions {
        lenient: args.lenient,
        csv_sample_rate: args.fs,
    };
    let rec = Recording::open(&args.file, &opts)?;
    let out = build(&rec);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!("{}", table(&out));
    }
    Ok(())
}
