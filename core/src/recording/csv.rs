//! Plain CSV/TSV files of samples: one column per channel, a header row of labels,
//! one row per sample.
//!
//! ```text
//! # fs=256
//! # unit=uV
//! Fp1,Fp2,Cz
//! 1.5,-0.25,3
//! …
//! ```
//! Lines starting with `#` are comments; `# fs=<Hz>` gives the sample rate and
//! `# unit=<unit>` the physical unit (µV when absent). The delimiter is a tab when the
//! header row holds one (or the file is `.tsv`), else `;` when the header holds one,
//! else a comma. A first column named `time`, `t` or `time (s)` is dropped. When no
//! `# fs=` line is present the rate comes from [`ReadOptions::csv_sample_rate`]; a
//! rate given in both places must agree.

use super::{labels, Format, ReadOptions, Recording, RecordingError, SignalInfo};
use std::path::Path;

fn bad(path: &Path, reason: String) -> RecordingError {
    RecordingError::Malformed {
        path: path.to_path_buf(),
        reason,
    }
}

/// Reads a CSV/TSV file into memory.
///
/// Anything but a regular file is refused before it is opened
/// ([`check_regular_file`](super::check_regular_file)).
pub fn read(path: &Path, options: &ReadOptions) -> Result<Recording, RecordingError> {
    super::check_regular_file(path)?;
    let text = std::fs::read(path).map_err(|e| RecordingError::Io {
        path: path.to_path_buf(),
        error: e,
    })?;
    let text = String::from_utf8(text).map_err(|e| {
        bad(
            path,
            format!(
                "not UTF-8 text (byte {} is invalid)",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    parse(&text, path, options)
}

/// Parses CSV/TSV text; `path` names the source in messages.
pub fn parse(text: &str, path: &Path, options: &ReadOptions) -> Result<Recording, RecordingError> {
    let mut fs: Option<f64> = None;
    let mut unit = "uV".to_string();
    let mut body_lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(c) = t.strip_prefix('#') {
            let c = c.trim();
            if let Some((k, v)) = c.split_once('=') {
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
                if k == "fs" || k == "sample_rate" || k == "srate" {
                    let num = v.trim_end_matches("Hz").trim();
                    let f: f64 = num.parse().map_err(|_| {
                        bad(
                            path,
                            format!("line {}: sample rate '{v}' is not a number", i + 1),
                        )
                    })?;
                    if !(f.is_finite() && f > 0.0) {
                        return Err(bad(
                            path,
                            format!("line {}: sample rate {f} Hz must be positive", i + 1),
                        ));
                    }
                    fs = Some(f);
                } else if k == "unit" {
                    unit = v.to_string();
                }
            }
            continue;
        }
        if t.is_empty() {
            continue;
        }
        body_lines.push((i + 1, line));
    }
    let fs = match (fs, options.csv_sample_rate) {
        (Some(a), Some(b)) if (a - b).abs() > 1e-9 * a => {
            return Err(bad(path, format!("the file says fs={a} Hz but {b} Hz was given")))
        }
        (Some(a), _) => a,
        (None, Some(b)) if b.is_finite() && b > 0.0 => b,
        (None, Some(b)) => return Err(bad(path, format!("sample rate {b} Hz must be positive"))),
        (None, None) => {
            return Err(bad(
                path,
                "no sample rate: add a line '# fs=<Hz>' at the top of the file or give it on the command line (--fs <Hz>)"
                    .into(),
            ))
        }
    };
    let Some(&(_, header)) = body_lines.first() else {
        return Err(bad(path, "no header row of channel labels".into()));
    };
    let tsv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    let delim = if header.contains('\t') || tsv {
        '\t'
    } else if header.contains(';') {
        ';'
    } else {
        ','
    };
    let mut labels_v: Vec<String> = header
        .split(delim)
        .map(|s| s.trim().trim_matches('"').to_string())
        .collect();
    let drop_time = labels_v.first().is_some_and(|l| {
        matches!(
            l.to_ascii_lowercase().as_str(),
            "time" | "t" | "time (s)" | "time_s" | "time[s]"
        )
    });
    if drop_time {
        labels_v.remove(0);
    }
    if labels_v.is_empty() || labels_v.iter().any(String::is_empty) {
        return Err(bad(
            path,
            format!("header row '{header}' has an empty channel label"),
        ));
    }
    let nc = labels_v.len();
    let mut data: Vec<Vec<f32>> = vec![Vec::new(); nc];
    for &(lineno, line) in &body_lines[1..] {
        let mut fields = line.split(delim);
        if drop_time {
            fields.next();
        }
        let mut k = 0;
        for f in fields {
            if k >= nc {
                return Err(bad(
                    path,
                    format!("line {lineno}: more than the {nc} columns of the header"),
                ));
            }
            let f = f.trim().trim_matches('"');
            let v: f64 = if f.eq_ignore_ascii_case("nan") {
                f64::NAN
            } else {
                f.parse().map_err(|_| {
                    bad(
                        path,
                        format!(
                            "line {lineno}, column {} ('{}'): '{f}' is not a number",
                            k + 1,
                            labels_v[k]
                        ),
                    )
                })?
            };
            data[k].push(v as f32);
            k += 1;
        }
        if k != nc {
            return Err(bad(
                path,
                format!("line {lineno}: {k} values for {nc} columns"),
            ));
        }
    }
    let signals = labels_v
        .into_iter()
        .zip(&data)
        .map(|(label, d)| {
            let (lo, hi) = d
                .iter()
                .filter(|v| v.is_finite())
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            let kind = labels::channel_kind(&label, &unit);
            SignalInfo {
                canonical: labels::canonical_name(&label),
                kind,
                label,
                unit: unit.clone(),
                sample_rate: fs,
                n_samples: d.len(),
                physical_min: if lo.is_finite() { lo as f64 } else { -1.0 },
                physical_max: if hi.is_finite() { hi as f64 } else { 1.0 },
                digital_min: -32768,
                digital_max: 32767,
                prefilter: String::new(),
                transducer: String::new(),
            }
        })
        .collect();
    Recording::from_signal_vectors(signals, data, Format::Csv, Some(path.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_comments_header_and_time_column() {
        let t = "# fs=250\n# unit=uV\ntime,Fp1,EEG Cz-Ref\n0,1.5,2\n0.004,-1,3e1\n";
        let r = parse(t, Path::new("x.csv"), &ReadOptions::default()).unwrap();
        assert_eq!(r.signals().len(), 2);
        assert_eq!(r.signals()[1].canonical.as_deref(), Some("Cz"));
        assert_eq!(r.signals()[0].sample_rate, 250.0);
        assert_eq!(r.read_signal(1, 0.0, 1.0).unwrap(), vec![2.0, 30.0]);
        assert_eq!(r.format, Format::Csv);
    }

    #[test]
    fn tsv_and_missing_rate() {
        let t = "Fp1\tFp2\n1\t2\n3\t4\n";
        let e = parse(t, Path::new("x.tsv"), &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("# fs="), "{e}");
        let o = ReadOptions {
            csv_sample_rate: Some(100.0),
            ..Default::default()
        };
        let r = parse(t, Path::new("x.tsv"), &o).unwrap();
        assert_eq!(r.read_signal(1, 0.0, 1.0).unwrap(), vec![2.0, 4.0]);
        let e = parse("a,b\n1,x\n", Path::new("x.csv"), &o)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 2, column 2 ('b'): 'x' is not a number"),
            "{e}"
        );
        let e = parse("a,b\n1\n", Path::new("x.csv"), &o)
            .unwrap_err()
            .to_string();
        assert!(e.contains("1 values for 2 columns"), "{e}");
    }
}
