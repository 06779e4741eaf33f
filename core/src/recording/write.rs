//! Writes a [`Recording`] as EDF+C (16-bit) or BDF+C (24-bit), signals and
//! annotations.
//!
//! Each signal gets its own scaling from its data range: the physical minimum and
//! maximum are the smallest and largest sample (rounded outwards to fit the 8-character
//! header fields; a constant signal gets ±1 around its value) and the digital range is
//! the full 16- or 24-bit range, so one quantisation step is
//! `(pmax − pmin)/(dmax − dmin)` and every sample is stored within half a step.
//! The record duration is the recording's own when it came from an EDF/BDF file,
//! otherwise the first of 1, 0.5, 0.25, 0.2, 0.1, … s that holds a whole number of
//! samples of every signal and divides every signal's length; when none divides the
//! lengths, the last record is padded with the signal's last value (the file is then
//! longer by less than one record).
//!
//! The file is written to a temporary file in the same folder and renamed over the
//! target when complete, so a failure never leaves a half-written file.

use super::annotations::encode_tal;
use super::header::SampleWidth;
use super::{Recording, RecordingError, StartTime};
use std::path::Path;

/// Sample resolution of the written file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// EDF+C, 16-bit samples.
    Edf16,
    /// BDF+C, 24-bit samples.
    Bdf24,
}

const RECORD_DURATIONS: [f64; 14] = [
    1.0, 0.5, 0.25, 0.2, 0.1, 0.05, 0.04, 0.02, 0.01, 2.0, 4.0, 5.0, 10.0, 0.001,
];

fn invalid(msg: String) -> RecordingError {
    RecordingError::InvalidInput(msg)
}

#[derive(Clone, Copy)]
enum Round {
    Down,
    Up,
    Exact,
}

/// Formats `v` in at most 8 characters, rounded in the given direction (or exactly).
fn fmt8(v: f64, dir: Round) -> Option<String> {
    for d in (0..=7usize).rev() {
        let scale = 10f64.powi(d as i32);
        let r = match dir {
            Round::Down => (v * scale).floor() / scale,
            Round::Up => (v * scale).ceil() / scale,
            Round::Exact => v,
        };
        let mut s = format!("{r:.d$}");
        if s.contains('.') {
            s = s.trim_end_matches('0').trim_end_matches('.').to_string();
        }
        if s == "-0" {
            s = "0".into();
        }
        if s.len() > 8 {
            continue;
        }
        let back: f64 = s.parse().ok()?;
        let ok = match dir {
            Round::Down => back <= v,
            Round::Up => back >= v,
            Round::Exact => back == v,
        };
        if ok {
            return Some(s);
        }
    }
    None
}

fn ascii_text(text: &str, width: usize, what: &str) -> Result<String, RecordingError> {
    let t: String = text.trim().replace(['µ', 'μ'], "u");
    if let Some(c) = t.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(invalid(format!("{what} '{text}' has the character '{c}', which EDF cannot store (printable ASCII only)")));
    }
    if t.len() > width {
        return Err(invalid(format!(
            "{what} '{text}' is longer than the {width} characters EDF allows"
        )));
    }
    Ok(t)
}

fn put(buf: &mut Vec<u8>, text: &str, width: usize) {
    let b = text.as_bytes();
    let n = b.len().min(width);
    buf.extend_from_slice(&b[..n]);
    buf.extend(std::iter::repeat_n(b' ', width - n));
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// Writes `rec` to `path` as EDF+C or BDF+C. See the module documentation.
pub fn write_edf(
    path: &Path,
    rec: &Recording,
    resolution: Resolution,
) -> Result<(), RecordingError> {
    let bytes = encode(rec, resolution)?;
    if path.file_name().is_none() {
        return Err(invalid(format!("{} is not a file path", path.display())));
    }
    crate::atomic::write_atomic(path, &bytes).map_err(|error| RecordingError::Io {
        path: path.to_path_buf(),
        error,
    })
}

/// The bytes of the EDF+C/BDF+C file [`write_edf`] writes.
pub fn encode(rec: &Recording, resolution: Resolution) -> Result<Vec<u8>, RecordingError> {
    let width = match resolution {
        Resolution::Edf16 => SampleWidth::Edf16,
        Resolution::Bdf24 => SampleWidth::Bdf24,
    };
    if !rec.gaps().is_empty() {
        return Err(invalid(format!(
            "the recording has {} gaps between data records; EDF+C/BDF+C cannot store them",
            rec.gaps().len()
        )));
    }
    let w = width.bytes();
    let (dlo, dhi) = width.digital_limits();
    let signals = rec.signals();
    let data: Vec<Vec<f32>> = (0..signals.len())
        .map(|i| {
            rec.read_signal(
                i,
                0.0,
                signals[i].n_samples as f64 / signals[i].sample_rate + 1.0,
            )
        })
        .collect::<Result<_, _>>()?;

    // Record duration and samples per record.
    let spr_for = |d: f64| -> Option<Vec<usize>> {
        signals
            .iter()
            .map(|s| {
                let x = s.sample_rate * d;
                let r = x.round();
                ((x - r).abs() < 1e-6 && r >= 1.0).then_some(r as usize)
            })
            .collect()
    };
    let divides = |spr: &[usize]| {
        let nrec: Vec<usize> = data.iter().zip(spr).map(|(d, &s)| d.len() / s).collect();
        data.iter().zip(spr).all(|(d, &s)| d.len() % s == 0)
            && nrec.windows(2).all(|p| p[0] == p[1])
    };
    let mut choice: Option<(f64, Vec<usize>)> = None;
    if let Some(d) = rec.record_duration().filter(|&d| d > 0.0) {
        if let Some(spr) = spr_for(d) {
            if divides(&spr) {
                choice = Some((d, spr));
            }
        }
    }
    if choice.is_none() {
        choice = RECORD_DURATIONS
            .iter()
            .find_map(|&d| spr_for(d).filter(|s| divides(s)).map(|s| (d, s)));
    }
    if choice.is_none() {
        choice = RECORD_DURATIONS
            .iter()
            .find_map(|&d| spr_for(d).map(|s| (d, s)));
    }
    let (record_duration, spr) = if signals.is_empty() {
        (0.0, Vec::new())
    } else {
        choice.ok_or_else(|| {
            invalid(
                "the sample rates cannot all be stored as whole numbers of samples per data record"
                    .into(),
            )
        })?
    };
    let dur_text = fmt8(record_duration, Round::Exact).ok_or_else(|| {
        invalid(format!(
            "record duration {record_duration} s does not fit the header"
        ))
    })?;
    let n_records = if signals.is_empty() {
        1
    } else {
        data.iter()
            .zip(&spr)
            .map(|(d, &s)| d.len().div_ceil(s))
            .max()
            .unwrap_or(0)
            .max(1)
    };

    // Scaling per signal.
    struct Scale {
        pmin: String,
        pmax: String,
        bitvalue: f64,
        offset: f64,
    }
    let mut scales = Vec::with_capacity(signals.len());
    for (s, d) in signals.iter().zip(&data) {
        if let Some(k) = d.iter().position(|v| !v.is_finite()) {
            return Err(invalid(format!(
                "signal '{}' has a non-finite sample at index {k}; EDF cannot store it",
                s.label
            )));
        }
        let (mut lo, mut hi) = d
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v as f64), b.max(v as f64))
            });
        if !lo.is_finite() {
            (lo, hi) = (-1.0, 1.0);
        }
        if hi - lo <= (lo.abs().max(hi.abs())) * 1e-9 {
            lo -= 1.0;
            hi += 1.0;
        }
        let pmin = fmt8(lo, Round::Down).ok_or_else(|| {
            invalid(format!(
                "signal '{}': minimum {lo} does not fit the 8-character header field",
                s.label
            ))
        })?;
        let pmax = fmt8(hi, Round::Up).ok_or_else(|| {
            invalid(format!(
                "signal '{}': maximum {hi} does not fit the 8-character header field",
                s.label
            ))
        })?;
        let (pminv, pmaxv): (f64, f64) = (pmin.parse().unwrap_or(lo), pmax.parse().unwrap_or(hi));
        let bitvalue = (pmaxv - pminv) / (dhi as f64 - dlo as f64);
        let offset = pmaxv / bitvalue - dhi as f64;
        scales.push(Scale {
            pmin,
            pmax,
            bitvalue,
            offset,
        });
    }

    // Annotations: one TAL list per record.
    let start = rec.start.unwrap_or_else(StartTime::unknown);
    let sub = start.subsecond;
    let mut per_record: Vec<Vec<u8>> = (0..n_records)
        .map(|r| encode_tal(sub + r as f64 * record_duration, None, &[""]))
        .collect();
    for a in rec.annotations() {
        let r = if record_duration > 0.0 {
            ((a.onset / record_duration).floor().max(0.0) as usize).min(n_records - 1)
        } else {
            0
        };
        per_record[r].extend(encode_tal(a.onset + sub, a.duration, &[a.text.as_str()]));
    }
    let annot_bytes = per_record.iter().map(Vec::len).max().unwrap_or(0);
    let annot_spr = annot_bytes.div_ceil(w).max(1);

    // Header.
    let ns = signals.len() + 1;
    let mut h = Vec::with_capacity(256 * (ns + 1));
    match width {
        SampleWidth::Edf16 => put(&mut h, "0", 8),
        SampleWidth::Bdf24 => {
            h.push(0xFF);
            put(&mut h, "BIOSEMI", 7);
        }
    }
    let (patient, recording_id) = match &rec.header {
        Some(hd) if hd.recording_id.starts_with("Startdate") => {
            (hd.patient.clone(), hd.recording_id.clone())
        }
        _ => {
            let date = if rec.start.is_some() {
                format!(
                    "{:02}-{}-{:04}",
                    start.day,
                    MONTHS[(start.month.clamp(1, 12) - 1) as usize],
                    start.year
                )
            } else {
                "X".into()
            };
            ("X X X X".to_string(), format!("Startdate {date} X X X"))
        }
    };
    put(
        &mut h,
        &ascii_text(&patient, 80, "patient identification")?,
        80,
    );
    put(
        &mut h,
        &ascii_text(&recording_id, 80, "recording identification")?,
        80,
    );
    if !(1985..=2084).contains(&start.year) {
        return Err(invalid(format!(
            "start year {} cannot be written in an EDF header (1985-2084)",
            start.year
        )));
    }
    put(
        &mut h,
        &format!(
            "{:02}.{:02}.{:02}",
            start.day,
            start.month,
            start.year % 100
        ),
        8,
    );
    put(
        &mut h,
        &format!("{:02}.{:02}.{:02}", start.hour, start.minute, start.second),
        8,
    );
    put(&mut h, &(256 * (ns + 1)).to_string(), 8);
    put(
        &mut h,
        if width == SampleWidth::Bdf24 {
            "BDF+C"
        } else {
            "EDF+C"
        },
        44,
    );
    put(&mut h, &n_records.to_string(), 8);
    put(&mut h, &dur_text, 8);
    put(&mut h, &ns.to_string(), 4);
    let annot_label = if width == SampleWidth::Bdf24 {
        "BDF Annotations"
    } else {
        "EDF Annotations"
    };
    let mut labels = Vec::new();
    for s in signals {
        labels.push(ascii_text(&s.label, 16, "label")?);
    }
    labels.push(annot_label.into());
    for l in &labels {
        put(&mut h, l, 16);
    }
    for s in signals {
        put(&mut h, &ascii_text(&s.transducer, 80, "transducer")?, 80);
    }
    put(&mut h, "", 80);
    for s in signals {
        put(&mut h, &ascii_text(&s.unit, 8, "unit")?, 8);
    }
    put(&mut h, "", 8);
    for sc in &scales {
        put(&mut h, &sc.pmin, 8);
    }
    put(&mut h, "-1", 8);
    for sc in &scales {
        put(&mut h, &sc.pmax, 8);
    }
    put(&mut h, "1", 8);
    for _ in signals {
        put(&mut h, &dlo.to_string(), 8);
    }
    put(&mut h, &dlo.to_string(), 8);
    for _ in signals {
        put(&mut h, &dhi.to_string(), 8);
    }
    put(&mut h, &dhi.to_string(), 8);
    for s in signals {
        put(&mut h, &ascii_text(&s.prefilter, 80, "prefilter")?, 80);
    }
    put(&mut h, "", 80);
    for &n in &spr {
        put(&mut h, &n.to_string(), 8);
    }
    put(&mut h, &annot_spr.to_string(), 8);
    for _ in 0..ns {
        put(&mut h, "", 32);
    }
    debug_assert_eq!(h.len(), 256 * (ns + 1));

    // Data records.
    let record_bytes = (spr.iter().sum::<usize>() + annot_spr) * w;
    let mut out = h;
    out.reserve(record_bytes * n_records);
    for (r, tal) in per_record.iter().enumerate() {
        for ((d, &n), sc) in data.iter().zip(&spr).zip(&scales) {
            for k in 0..n {
                let i = r * n + k;
                let v = if d.is_empty() {
                    0.0
                } else {
                    d[i.min(d.len() - 1)] as f64
                };
                let dig = (v / sc.bitvalue - sc.offset)
                    .round()
                    .clamp(dlo as f64, dhi as f64) as i32;
                out.extend_from_slice(&dig.to_le_bytes()[..w]);
            }
        }
        out.extend_from_slice(tal);
        out.extend(std::iter::repeat_n(0u8, annot_spr * w - tal.len()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_character_numbers_round_outwards() {
        assert_eq!(fmt8(-8711.0, Round::Down).unwrap(), "-8711");
        assert_eq!(fmt8(1.234567891, Round::Up).unwrap(), "1.234568");
        assert_eq!(fmt8(-1.234567891, Round::Down).unwrap(), "-1.23457");
        assert_eq!(fmt8(123456.789, Round::Down).unwrap(), "123456.7");
        assert_eq!(fmt8(0.5, Round::Exact).unwrap(), "0.5");
        assert!(fmt8(1e9, Round::Up).is_none());
    }
}
