//! The fixed-layout EDF/BDF header: 256 bytes for the file, then 256 bytes per signal,
//! stored field by field (all labels, then all transducers, …), as in the EDF (1992)
//! and EDF+ (2003) specifications and the BioSemi BDF variant.
//!
//! Every count is checked against the file size before anything is allocated from it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Bytes of the fixed part of the header.
pub const FIXED_HEADER_BYTES: usize = 256;
/// Bytes of the header per signal.
pub const SIGNAL_HEADER_BYTES: usize = 256;

/// Width, bytes, of each per-signal field, in file order.
const SIGNAL_FIELD_WIDTHS: [usize; 10] = [16, 80, 8, 8, 8, 8, 8, 80, 8, 32];

/// 16-bit EDF or 24-bit BDF samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SampleWidth {
    /// EDF: 16-bit two's complement, little endian.
    Edf16,
    /// BDF: 24-bit two's complement, little endian.
    Bdf24,
}

impl SampleWidth {
    /// Bytes per sample.
    pub fn bytes(self) -> usize {
        match self {
            SampleWidth::Edf16 => 2,
            SampleWidth::Bdf24 => 3,
        }
    }
    /// The digital range a sample can hold.
    pub fn digital_limits(self) -> (i32, i32) {
        match self {
            SampleWidth::Edf16 => (-32768, 32767),
            SampleWidth::Bdf24 => (-8_388_608, 8_388_607),
        }
    }
}

/// Start date and time of a recording as written in the header (`dd.mm.yy`,
/// `hh.mm.ss`), with the sub-second part that EDF+ stores in the first data record's
/// time-keeping annotation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StartTime {
    /// Four-digit year: `yy` 85–99 is 1985–1999, 00–84 is 2000–2084 (EDF+ rule).
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
    /// Hour, 0–23.
    pub hour: u32,
    /// Minute, 0–59.
    pub minute: u32,
    /// Whole seconds, 0–59.
    pub second: u32,
    /// Fraction of a second, in `[0, 1)` s.
    pub subsecond: f64,
}

impl StartTime {
    /// 1 January 1985, 00:00:00: the EDF+ stand-in for an unknown date.
    pub fn unknown() -> StartTime {
        StartTime {
            year: 1985,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            subsecond: 0.0,
        }
    }
}

impl fmt::Display for StartTime {
    /// ISO 8601, `2020-01-24T04:05:56.3945312` (the fraction only when non-zero, to
    /// 100 ns, trailing zeros removed).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        if self.subsecond > 0.0 {
            let s = format!("{:.7}", self.subsecond);
            let s = s.trim_end_matches('0');
            if let Some(frac) = s.strip_prefix("0.") {
                if !frac.is_empty() {
                    write!(f, ".{frac}")?;
                }
            }
        }
        Ok(())
    }
}

/// One signal's header, exactly as the file states it (annotation channels included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalHeader {
    /// Label (16-byte field, trailing blanks removed), e.g. `EEG Fp1-REF`.
    pub label: String,
    /// Transducer type (80-byte field), e.g. `AgAgCl electrode`.
    pub transducer: String,
    /// Physical dimension, e.g. `uV`.
    pub unit: String,
    /// Physical value of `digital_min`, in `unit`.
    pub physical_min: f64,
    /// Physical value of `digital_max`, in `unit`.
    pub physical_max: f64,
    /// Lowest digital sample value.
    pub digital_min: i32,
    /// Highest digital sample value.
    pub digital_max: i32,
    /// Prefiltering (80-byte field), e.g. `HP:0.1Hz LP:75Hz`.
    pub prefilter: String,
    /// Samples of this signal in each data record: its sample rate is
    /// `samples_per_record / record_duration` Hz.
    pub samples_per_record: usize,
    /// The signal's reserved field (32 bytes, normally blank).
    pub reserved: String,
}

impl SignalHeader {
    /// True for an EDF+/BDF+ annotation channel (`EDF Annotations` or `BDF Annotations`).
    pub fn is_annotation_channel(&self) -> bool {
        let l = self.label.trim();
        l == "EDF Annotations" || l == "BDF Annotations"
    }

    /// EDFlib's linear map from digital to physical values:
    /// `phys = bitvalue · (offset + digital)` with
    /// `bitvalue = (pmax − pmin) / (dmax − dmin)` and `offset = pmax / bitvalue − dmax`.
    /// Inverted physical ranges (`pmin > pmax`) give a negative `bitvalue`, as in EDFlib.
    pub fn scaling(&self) -> (f64, f64) {
        let bitvalue = (self.physical_max - self.physical_min)
            / (self.digital_max as f64 - self.digital_min as f64);
        let offset = self.physical_max / bitvalue - self.digital_max as f64;
        (bitvalue, offset)
    }
}

/// The whole header of an EDF/EDF+/BDF/BDF+ file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdfHeader {
    /// Sample width: 16-bit EDF or 24-bit BDF.
    pub width: SampleWidth,
    /// The version field (`0` for EDF, `BIOSEMI` for BDF, whose first byte is 0xFF).
    pub version: String,
    /// Local patient identification (EDF+: `code sex birthdate name`).
    pub patient: String,
    /// Local recording identification (EDF+: `Startdate dd-MMM-yyyy …`).
    pub recording_id: String,
    /// Start date and time (`subsecond` filled from the first data record in EDF+).
    pub start: StartTime,
    /// Bytes in the header as the file states it.
    pub header_bytes: usize,
    /// The reserved field (`EDF+C`, `EDF+D`, `BDF+C`, `BDF+D` or blank).
    pub reserved: String,
    /// Number of data records.
    pub n_records: usize,
    /// Duration of one data record, s.
    pub record_duration: f64,
    /// Every signal, annotation channels included, in file order.
    pub signals: Vec<SignalHeader>,
}

impl EdfHeader {
    /// Bytes of one data record.
    pub fn record_bytes(&self) -> usize {
        self.signals
            .iter()
            .map(|s| s.samples_per_record)
            .sum::<usize>()
            * self.width.bytes()
    }
    /// EDF+ patient code: the first subfield of the patient field (`X` read as
    /// unknown, `_` as a space); `None` when the field is not structured.
    pub fn patient_code(&self) -> Option<String> {
        subfield(&self.patient, 0)
    }
    /// EDF+ equipment: the fifth subfield of the recording field
    /// (`Startdate dd-MMM-yyyy admincode technician equipment`).
    pub fn equipment(&self) -> Option<String> {
        if !self.recording_id.starts_with("Startdate") {
            return None;
        }
        subfield(&self.recording_id, 4)
    }
    /// Header bytes implied by the number of signals.
    pub fn computed_header_bytes(&self) -> usize {
        FIXED_HEADER_BYTES + SIGNAL_HEADER_BYTES * self.signals.len()
    }
}

fn subfield(field: &str, k: usize) -> Option<String> {
    let v = field.split_whitespace().nth(k)?;
    Some(if v == "X" {
        String::new()
    } else {
        v.replace('_', " ")
    })
}

/// A header problem: which field, what value, why. Turned into a
/// [`RecordingError`](super::RecordingError) naming the file by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderProblem(pub String);

/// What parsing found: the header, and the repairs made in lenient mode.
#[derive(Debug)]
pub struct ParsedHeader {
    /// The parsed header.
    pub header: EdfHeader,
    /// One message per repair made in lenient mode (empty in strict mode).
    pub warnings: Vec<String>,
}

fn ascii_field(
    bytes: &[u8],
    field: &str,
    lenient: bool,
    warnings: &mut Vec<String>,
) -> Result<String, HeaderProblem> {
    if let Some(&b) = bytes.iter().find(|&&b| !(32..=126).contains(&b)) {
        let shown = String::from_utf8_lossy(bytes).trim_end().to_string();
        let msg =
            format!("{field} contains a byte 0x{b:02X} that is not printable ASCII ('{shown}')");
        if lenient {
            warnings.push(format!("{msg}; replaced by '?'"));
            let s: String = bytes
                .iter()
                .map(|&c| {
                    if (32..=126).contains(&c) {
                        c as char
                    } else {
                        '?'
                    }
                })
                .collect();
            return Ok(s.trim_end().to_string());
        }
        return Err(HeaderProblem(msg));
    }
    // Checked printable ASCII just above, so this is valid UTF-8.
    Ok(String::from_utf8_lossy(bytes).trim_end().to_string())
}

fn int_field(text: &str, field: &str) -> Result<i64, HeaderProblem> {
    let t = text.trim();
    if t.is_empty() {
        return Err(HeaderProblem(format!("{field} is blank")));
    }
    let t2 = t.strip_prefix('+').unwrap_or(t);
    t2.parse::<i64>()
        .map_err(|_| HeaderProblem(format!("{field} is '{t}', not a whole number")))
}

fn float_field(text: &str, field: &str) -> Result<f64, HeaderProblem> {
    let t = text.trim();
    if t.is_empty() {
        return Err(HeaderProblem(format!("{field} is blank")));
    }
    // Some writers use a decimal comma.
    let t2 = t.replace(',', ".");
    match t2.parse::<f64>() {
        Ok(v) if v.is_finite() && !t2.contains(['e', 'E', 'i', 'I', 'n', 'N']) => Ok(v),
        _ => Err(HeaderProblem(format!("{field} is '{t}', not a number"))),
    }
}

fn parse_date_time(date: &str, time: &str) -> Result<StartTime, HeaderProblem> {
    let bad = || {
        HeaderProblem(format!(
            "start date/time '{date} {time}' is not a valid dd.mm.yy hh.mm.ss"
        ))
    };
    let parts = |s: &str| -> Option<[u32; 3]> {
        let b = s.as_bytes();
        if b.len() != 8 || (b[2] != b'.' && b[2] != b':') || (b[5] != b'.' && b[5] != b':') {
            return None;
        }
        let num = |r: &[u8]| -> Option<u32> {
            if r.iter().all(u8::is_ascii_digit) {
                Some(((r[0] - b'0') * 10 + (r[1] - b'0')) as u32)
            } else {
                None
            }
        };
        Some([num(&b[0..2])?, num(&b[3..5])?, num(&b[6..8])?])
    };
    let [day, month, yy] = parts(date).ok_or_else(bad)?;
    let [hour, minute, second] = parts(time).ok_or_else(bad)?;
    let year = if yy >= 85 {
        1900 + yy as i32
    } else {
        2000 + yy as i32
    };
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 0,
    };
    if day == 0 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return Err(bad());
    }
    Ok(StartTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
        subsecond: 0.0,
    })
}

/// Recognises content that is not an EDF/BDF file and says what it is.
pub fn not_edf_reason(head: &[u8]) -> Option<String> {
    let start: Vec<u8> = head
        .iter()
        .take(64)
        .copied()
        .skip_while(|b| b.is_ascii_whitespace())
        .collect();
    let lower = String::from_utf8_lossy(&start).to_ascii_lowercase();
    if lower.starts_with("<!doctype") || lower.starts_with("<html") || lower.starts_with("<?xml") {
        return Some(
            "this is an HTML page, not an EDF file (a failed download saved under an EDF name?)"
                .into(),
        );
    }
    if head.len() >= 8 && (&head[..8] == b"0       " || &head[..8] == b"\xffBIOSEMI") {
        return None;
    }
    if head.is_empty() {
        return Some("the file is empty, not an EDF or BDF file".into());
    }
    let shown: String = head
        .iter()
        .take(8)
        .map(|&c| {
            if (32..=126).contains(&c) {
                c as char
            } else {
                '?'
            }
        })
        .collect();
    Some(format!(
        "not an EDF or BDF file: the version field (bytes 0-7) is '{shown}', expected '0' (EDF) or 0xFF 'BIOSEMI' (BDF)"
    ))
}

/// Parses the header from the first bytes of a file of `file_len` bytes.
///
/// `bytes` must hold at least the whole header (the caller reads
/// `256 · (1 + ns)` bytes once the fixed part has given `ns`, see
/// [`signal_count`]). Checks every field; in lenient mode repairs what EDFbrowser
/// repairs (bad date, wrong header-bytes field, non-ASCII text, record count
/// that disagrees with the file size) and reports each repair.
pub fn parse_header(
    bytes: &[u8],
    file_len: u64,
    lenient: bool,
) -> Result<ParsedHeader, HeaderProblem> {
    let mut warnings = Vec::new();
    if let Some(reason) = not_edf_reason(bytes) {
        return Err(HeaderProblem(reason));
    }
    if bytes.len() < FIXED_HEADER_BYTES {
        return Err(HeaderProblem(format!(
            "the file is {} bytes, shorter than the 256-byte fixed header",
            bytes.len()
        )));
    }
    let width = if bytes[0] == 0xFF {
        SampleWidth::Bdf24
    } else {
        SampleWidth::Edf16
    };
    let version = if width == SampleWidth::Bdf24 {
        "BIOSEMI".to_string()
    } else {
        "0".to_string()
    };
    let patient = ascii_field(
        &bytes[8..88],
        "patient identification (bytes 8-87)",
        lenient,
        &mut warnings,
    )?;
    let recording_id = ascii_field(
        &bytes[88..168],
        "recording identification (bytes 88-167)",
        lenient,
        &mut warnings,
    )?;
    let date = String::from_utf8_lossy(&bytes[168..176]).to_string();
    let time = String::from_utf8_lossy(&bytes[176..184]).to_string();
    let start = match parse_date_time(&date, &time) {
        Ok(s) => s,
        Err(p) if lenient => {
            warnings.push(format!("{}; the start is set to 01.01.85 00.00.00", p.0));
            StartTime::unknown()
        }
        Err(p) => return Err(p),
    };
    let hb_text = String::from_utf8_lossy(&bytes[184..192]).to_string();
    let reserved = ascii_field(
        &bytes[192..236],
        "reserved field (bytes 192-235)",
        lenient,
        &mut warnings,
    )?;
    let nrec_text = String::from_utf8_lossy(&bytes[236..244]).to_string();
    let dur_text = String::from_utf8_lossy(&bytes[244..252]).to_string();
    let ns = signal_count(bytes)?;
    let computed_hb = FIXED_HEADER_BYTES + SIGNAL_HEADER_BYTES * ns;
    if (file_len as usize) < computed_hb || bytes.len() < computed_hb {
        return Err(HeaderProblem(format!(
            "the file is {file_len} bytes, shorter than its header: {ns} signals need {computed_hb} header bytes"
        )));
    }
    let header_bytes = match int_field(&hb_text, "number of header bytes (bytes 184-191)") {
        Ok(v) if v == computed_hb as i64 => computed_hb,
        Ok(v) => {
            let msg = format!(
                "number of header bytes (bytes 184-191) is {v}, but {ns} signals make a {computed_hb}-byte header"
            );
            if !lenient {
                return Err(HeaderProblem(msg));
            }
            warnings.push(format!("{msg}; using {computed_hb}"));
            computed_hb
        }
        Err(p) => {
            if !lenient {
                return Err(p);
            }
            warnings.push(format!("{}; using {computed_hb}", p.0));
            computed_hb
        }
    };
    let record_duration = float_field(&dur_text, "duration of a data record (bytes 244-251)")?;
    if record_duration < 0.0 {
        return Err(HeaderProblem(format!(
            "duration of a data record (bytes 244-251) is {record_duration} s, negative"
        )));
    }

    // Per-signal fields.
    let mut fields: Vec<Vec<String>> = Vec::with_capacity(SIGNAL_FIELD_WIDTHS.len());
    let names = [
        "label",
        "transducer type",
        "physical dimension",
        "physical minimum",
        "physical maximum",
        "digital minimum",
        "digital maximum",
        "prefiltering",
        "number of samples per data record",
        "reserved field",
    ];
    let mut off = FIXED_HEADER_BYTES;
    for (w, name) in SIGNAL_FIELD_WIDTHS.iter().zip(names) {
        let mut col = Vec::with_capacity(ns);
        for i in 0..ns {
            let f = &bytes[off + i * w..off + (i + 1) * w];
            col.push(ascii_field(
                f,
                &format!("{name} of signal {}", i + 1),
                lenient,
                &mut warnings,
            )?);
        }
        fields.push(col);
        off += w * ns;
    }
    let (dlo, dhi) = width.digital_limits();
    let mut signals = Vec::with_capacity(ns);
    // One signal across the ten field columns.
    #[allow(clippy::needless_range_loop)]
    for i in 0..ns {
        let n = i + 1;
        let label = fields[0][i].clone();
        let who = format!("signal {n} ('{}')", label.trim());
        let spr = int_field(
            &fields[8][i],
            &format!("number of samples per data record of {who}"),
        )?;
        if spr <= 0 {
            return Err(HeaderProblem(format!(
                "number of samples per data record of {who} is {spr}; it must be at least 1"
            )));
        }
        // Bounded by the file size below; this only guards the multiplication.
        if spr as u64 > file_len {
            return Err(HeaderProblem(format!(
                "number of samples per data record of {who} is {spr}, more than the file's {file_len} bytes can hold"
            )));
        }
        let pmin = float_field(&fields[3][i], &format!("physical minimum of {who}"))?;
        let pmax = float_field(&fields[4][i], &format!("physical maximum of {who}"))?;
        let dmin = int_field(&fields[5][i], &format!("digital minimum of {who}"))?;
        let dmax = int_field(&fields[6][i], &format!("digital maximum of {who}"))?;
        for (v, what) in [(dmin, "digital minimum"), (dmax, "digital maximum")] {
            if v < dlo as i64 || v > dhi as i64 {
                return Err(HeaderProblem(format!(
                    "{what} of {who} is {v}, outside the {}-bit range {dlo}..{dhi}",
                    width.bytes() * 8
                )));
            }
        }
        let sh = SignalHeader {
            label,
            transducer: fields[1][i].clone(),
            unit: fields[2][i].clone(),
            physical_min: pmin,
            physical_max: pmax,
            digital_min: dmin as i32,
            digital_max: dmax as i32,
            prefilter: fields[7][i].clone(),
            samples_per_record: spr as usize,
            reserved: fields[9][i].clone(),
        };
        if !sh.is_annotation_channel() {
            if dmin >= dmax {
                return Err(HeaderProblem(format!(
                    "digital minimum of {who} is {dmin} and digital maximum is {dmax}; the minimum must be below the maximum"
                )));
            }
            if pmin == pmax {
                return Err(HeaderProblem(format!(
                    "physical minimum and maximum of {who} are both {pmin}; the range must not be empty"
                )));
            }
        }
        signals.push(sh);
    }
    let has_data = signals.iter().any(|s| !s.is_annotation_channel());
    if record_duration == 0.0 && has_data {
        return Err(HeaderProblem(
            "duration of a data record (bytes 244-251) is 0 s, but the file has data signals"
                .into(),
        ));
    }
    let record_bytes: u64 = signals
        .iter()
        .map(|s| s.samples_per_record as u64)
        .sum::<u64>()
        * width.bytes() as u64;
    let data_bytes = file_len - computed_hb as u64;
    let n_records = check_record_count(
        &nrec_text,
        record_bytes,
        data_bytes,
        file_len,
        lenient,
        &mut warnings,
    )?;

    let header = EdfHeader {
        width,
        version,
        patient,
        recording_id,
        start,
        header_bytes,
        reserved,
        n_records,
        record_duration,
        signals,
    };
    Ok(ParsedHeader { header, warnings })
}

fn check_record_count(
    text: &str,
    record_bytes: u64,
    data_bytes: u64,
    file_len: u64,
    lenient: bool,
    warnings: &mut Vec<String>,
) -> Result<usize, HeaderProblem> {
    let field = "number of data records (bytes 236-243)";
    let from_size = data_bytes / record_bytes.max(1);
    let claimed = match int_field(text, field) {
        Ok(v) if v >= 0 => v as u64,
        Ok(v) => {
            let msg = format!("{field} is {v}, negative (a recording that was never closed?)");
            if !lenient {
                return Err(HeaderProblem(msg));
            }
            warnings.push(format!(
                "{msg}; using the {from_size} whole records the file holds"
            ));
            return Ok(from_size as usize);
        }
        Err(p) => {
            if !lenient {
                return Err(p);
            }
            warnings.push(format!(
                "{}; using the {from_size} whole records the file holds",
                p.0
            ));
            return Ok(from_size as usize);
        }
    };
    let expected = claimed.saturating_mul(record_bytes);
    if expected == data_bytes {
        return Ok(claimed as usize);
    }
    let implied_len = (file_len - data_bytes).saturating_add(expected);
    if expected > data_bytes {
        let msg = format!(
            "the file is {file_len} bytes, shorter than the {implied_len} bytes its header implies ({claimed} data records of {record_bytes} bytes)"
        );
        if !lenient {
            return Err(HeaderProblem(msg));
        }
        warnings.push(format!(
            "{msg}; reading the {from_size} whole records present"
        ));
        Ok(from_size as usize)
    } else {
        let extra = data_bytes - expected;
        let msg = format!(
            "the file is {file_len} bytes, longer than the {implied_len} bytes its header implies ({claimed} data records of {record_bytes} bytes; {extra} bytes too many)"
        );
        if !lenient {
            return Err(HeaderProblem(msg));
        }
        warnings.push(format!("{msg}; the extra bytes are ignored"));
        Ok(claimed as usize)
    }
}

/// The number of signals from the fixed header (bytes 252-255), checked.
pub fn signal_count(bytes: &[u8]) -> Result<usize, HeaderProblem> {
    if bytes.len() < FIXED_HEADER_BYTES {
        return Err(HeaderProblem(format!(
            "the file is {} bytes, shorter than the 256-byte fixed header",
            bytes.len()
        )));
    }
    let text = String::from_utf8_lossy(&bytes[252..256]).to_string();
    let ns = int_field(&text, "number of signals (bytes 252-255)")?;
    if ns <= 0 {
        return Err(HeaderProblem(format!(
            "number of signals (bytes 252-255) is {ns}; a file needs at least one"
        )));
    }
    Ok(ns as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_edf_plus_century_rule() {
        let s = parse_date_time("24.04.89", "16.13.00").unwrap();
        assert_eq!((s.year, s.month, s.day, s.hour), (1989, 4, 24, 16));
        assert_eq!(parse_date_time("01.01.00", "00.00.00").unwrap().year, 2000);
        assert!(parse_date_time("32.13.99", "00.00.00").is_err());
        assert!(parse_date_time("29.02.01", "00.00.00").is_err());
        assert!(parse_date_time("29.02.04", "00.00.00").is_ok());
        assert!(parse_date_time("01.01.00", "24.00.00").is_err());
    }

    #[test]
    fn start_time_prints_the_subsecond() {
        let mut s = parse_date_time("24.01.20", "04.05.56").unwrap();
        assert_eq!(s.to_string(), "2020-01-24T04:05:56");
        s.subsecond = 0.3945312;
        assert_eq!(s.to_string(), "2020-01-24T04:05:56.3945312");
    }

    #[test]
    fn scaling_matches_edflib_with_an_inverted_range() {
        let s = SignalHeader {
            label: "Fp1".into(),
            transducer: String::new(),
            unit: "uV".into(),
            physical_min: 8711.0,
            physical_max: -8711.0,
            digital_min: -32768,
            digital_max: 32767,
            prefilter: String::new(),
            samples_per_record: 1,
            reserved: String::new(),
        };
        let (bv, off) = s.scaling();
        // dmin maps to pmin and dmax to pmax, whatever their order.
        assert!((bv * (off - 32768.0) - 8711.0).abs() < 1e-9);
        assert!((bv * (off + 32767.0) + 8711.0).abs() < 1e-9);
    }

    #[test]
    fn html_is_named() {
        let r = not_edf_reason(b"<!DOCTYPE html><html>").unwrap();
        assert!(r.contains("HTML page, not an EDF file"), "{r}");
        assert!(not_edf_reason(b"0       rest").is_none());
    }
}
