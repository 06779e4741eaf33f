//! EDF+ time-stamped annotation lists (TALs), as stored in an `EDF Annotations` (or
//! `BDF Annotations`) channel.
//!
//! A TAL is `+onset[\x15duration]\x14text\x14text\x14…\x14\0`: an onset in seconds
//! (relative to the header's start time), an optional duration, then any number of
//! texts that share that onset. The first TAL of every data record carries the record's
//! onset and an empty first text (the time-keeping TAL); its further texts, if any, are
//! annotations at that onset. Unused bytes after the last TAL are zero.

use super::Annotation;

/// What one data record's annotation bytes hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordTals {
    /// Onset of the data record, s from the header's start time (from the
    /// time-keeping TAL), when present.
    pub record_onset: Option<f64>,
    /// The annotations, onsets in s from the header's start time.
    pub annotations: Vec<Annotation>,
    /// Texts that were not valid UTF-8 (decoded with replacement characters).
    pub invalid_utf8: usize,
    /// Time-keeping TALs found without their closing NUL, whose next TAL was recovered
    /// from the text that followed (see [`parse_record`]).
    pub recovered: usize,
}

/// Parses a signed decimal number of seconds as TALs write it: `[+-]digits[.digits]`.
fn parse_seconds(s: &[u8], signed: bool) -> Option<f64> {
    let (sign, rest) = match s.first() {
        Some(b'+') if signed => (1.0, &s[1..]),
        Some(b'-') if signed => (-1.0, &s[1..]),
        _ if signed => return None,
        _ => (1.0, s),
    };
    if rest.is_empty() || rest[0] == b'.' && rest.len() == 1 {
        return None;
    }
    let mut dots = 0;
    for &c in rest {
        match c {
            b'0'..=b'9' => {}
            b'.' => dots += 1,
            _ => return None,
        }
    }
    if dots > 1 {
        return None;
    }
    // Only ASCII digits and one dot: valid UTF-8 and a valid f64 literal.
    let text = std::str::from_utf8(rest).ok()?;
    let text = if text.starts_with('.') {
        format!("0{text}")
    } else {
        text.to_string()
    };
    text.parse::<f64>().ok().map(|v| sign * v)
}

fn shown(b: &[u8]) -> String {
    let s: String = String::from_utf8_lossy(b)
        .chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .take(60)
        .collect();
    s
}

/// Onset and optional duration of a TAL's time part, `+onset[\x15duration]`; `None`
/// when it is not well formed.
fn parse_time(time: &[u8]) -> Option<(f64, Option<f64>)> {
    let (onset_b, dur_b) = match time.iter().position(|&b| b == 0x15) {
        Some(d) => (&time[..d], Some(&time[d + 1..])),
        None => (time, None),
    };
    let onset = parse_seconds(onset_b, true)?;
    let duration = match dur_b {
        Some(d) => Some(parse_seconds(d, false)?),
        None => None,
    };
    Some((onset, duration))
}

/// Parses the annotation bytes of one data record.
///
/// `Err` describes the first malformed TAL (the caller names the file, record and
/// channel).
///
/// Recovery of a time-keeping TAL written without its closing NUL (some clinical
/// exporters do this): when the first text after the time-keeping TAL's empty text is
/// itself a well-formed onset (`+1.14`, or `+1.14\x150.5` with a duration), it is read
/// as the start of a new TAL whose texts are the ones that follow, so
/// `+1\x14\x14+1.14\x14A1+A2 OFF\x14\0` gives the record onset 1 s and the annotation
/// `A1+A2 OFF` at 1.14 s. Each such recovery is counted in [`RecordTals::recovered`].
pub fn parse_record(bytes: &[u8]) -> Result<RecordTals, String> {
    let mut out = RecordTals::default();
    let mut pos = 0;
    let mut first = true;
    while pos < bytes.len() {
        if bytes[pos] == 0 {
            pos += 1;
            continue;
        }
        let end = bytes[pos..]
            .iter()
            .position(|&b| b == 0)
            .map_or(bytes.len(), |e| pos + e);
        let tal = &bytes[pos..end];
        pos = end + 1;
        // Onset and optional duration, up to the first 0x14.
        let Some(t1) = tal.iter().position(|&b| b == 0x14) else {
            return Err(format!("TAL '{}' has no 0x14 after its onset", shown(tal)));
        };
        let time = &tal[..t1];
        let (onset_b, dur_b) = match time.iter().position(|&b| b == 0x15) {
            Some(d) => (&time[..d], Some(&time[d + 1..])),
            None => (time, None),
        };
        let mut onset = parse_seconds(onset_b, true).ok_or_else(|| {
            format!(
                "TAL onset '{}' is not a signed number of seconds",
                shown(onset_b)
            )
        })?;
        let mut duration = match dur_b {
            Some(d) => Some(parse_seconds(d, false).ok_or_else(|| {
                format!("TAL duration '{}' is not a number of seconds", shown(d))
            })?),
            None => None,
        };
        let texts_part = &tal[t1 + 1..];
        if texts_part.last().is_some_and(|&b| b != 0x14) {
            return Err(format!("TAL '{}' does not end with 0x14", shown(tal)));
        }
        let body = texts_part.strip_suffix(&[0x14u8]).unwrap_or(texts_part);
        let mut texts: Vec<&[u8]> = if texts_part.is_empty() {
            Vec::new()
        } else {
            body.split(|&b| b == 0x14).collect()
        };
        if first {
            first = false;
            if texts.first().is_some_and(|t| t.is_empty()) {
                out.record_onset = Some(onset);
                texts.remove(0);
                // The time-keeping TAL without its closing NUL: the next TAL runs on.
                if let Some(time) = texts.first().and_then(|t| parse_time(t)) {
                    (onset, duration) = time;
                    texts.remove(0);
                    out.recovered += 1;
                }
            }
        }
        for t in texts {
            if t.is_empty() {
                continue;
            }
            let text = match std::str::from_utf8(t) {
                Ok(s) => s.to_string(),
                Err(_) => {
                    out.invalid_utf8 += 1;
                    String::from_utf8_lossy(t).into_owned()
                }
            };
            out.annotations.push(Annotation {
                onset,
                duration,
                text,
            });
        }
    }
    Ok(out)
}

/// Writes one TAL: `+onset[\x15duration]\x14text…\x14\0`, onset and duration with up
/// to 7 decimals (100 ns, EDFlib's resolution), trailing zeros removed.
pub fn encode_tal(onset: f64, duration: Option<f64>, texts: &[&str]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(fmt_seconds(onset, true).as_bytes());
    if let Some(d) = duration {
        v.push(0x15);
        v.extend_from_slice(fmt_seconds(d.max(0.0), false).as_bytes());
    }
    v.push(0x14);
    for t in texts {
        v.extend_from_slice(t.as_bytes());
        v.push(0x14);
    }
    v.push(0);
    v
}

fn fmt_seconds(x: f64, signed: bool) -> String {
    let s = format!("{:.7}", x.abs());
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let s = if s.is_empty() { "0" } else { s };
    let sign = if x < 0.0 && s != "0" {
        "-"
    } else if signed {
        "+"
    } else {
        ""
    };
    format!("{sign}{s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_keeping_tal_and_several_texts_per_tal() {
        let b = b"+1\x14\x14\x00+0\x14A1+A2 OFF\x14\x00+0.5\x152.25\x14one\x14two\x14\x00\x00\x00";
        let r = parse_record(b).unwrap();
        assert_eq!(r.record_onset, Some(1.0));
        let t: Vec<(&str, f64, Option<f64>)> = r
            .annotations
            .iter()
            .map(|a| (a.text.as_str(), a.onset, a.duration))
            .collect();
        assert_eq!(
            t,
            vec![
                ("A1+A2 OFF", 0.0, None),
                ("one", 0.5, Some(2.25)),
                ("two", 0.5, Some(2.25))
            ]
        );
    }

    #[test]
    fn a_time_keeping_tal_without_its_nul_is_recovered() {
        // Two data records as a clinical exporter wrote them: the time-keeping TAL lacks
        // its closing NUL, so the next TAL runs on inside it.
        let r0 = b"+0.000000\x14\x14+0.000000\x14Segment: 1\x14\x00\x00\x00";
        let r1 = b"+1.000000\x14\x14+1.140000\x14A1+A2 OFF\x14\x00\x00";
        let a = parse_record(r0).unwrap();
        let b = parse_record(r1).unwrap();
        assert_eq!((a.record_onset, b.record_onset), (Some(0.0), Some(1.0)));
        assert_eq!((a.recovered, b.recovered), (1, 1));
        let got: Vec<(f64, Option<f64>, &str)> = a
            .annotations
            .iter()
            .chain(&b.annotations)
            .map(|x| (x.onset, x.duration, x.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![(0.0, None, "Segment: 1"), (1.14, None, "A1+A2 OFF")]
        );
        // With a duration, and followed by a well-formed TAL.
        let r = parse_record(b"+2\x14\x14+2.5\x150.25\x14x\x14y\x14\x00+3\x14z\x14\x00").unwrap();
        let got: Vec<(f64, Option<f64>, &str)> = r
            .annotations
            .iter()
            .map(|x| (x.onset, x.duration, x.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2.5, Some(0.25), "x"),
                (2.5, Some(0.25), "y"),
                (3.0, None, "z")
            ]
        );
        // Texts that merely contain numbers are not onsets.
        for text in ["1.14", "+1.14 s", "+", "+1.2.3"] {
            let mut bytes = b"+0\x14\x14".to_vec();
            bytes.extend_from_slice(text.as_bytes());
            bytes.extend_from_slice(b"\x14\x00");
            let r = parse_record(&bytes).unwrap();
            assert_eq!(r.recovered, 0, "{text}");
            assert_eq!(r.annotations[0].text, text);
        }
    }

    #[test]
    fn texts_in_the_time_keeping_tal_are_annotations() {
        let r = parse_record(b"+0\x14\x14Start\x14\x00").unwrap();
        assert_eq!(r.record_onset, Some(0.0));
        assert_eq!(r.annotations.len(), 1);
        assert_eq!(r.annotations[0].text, "Start");
    }

    #[test]
    fn utf8_and_malformed() {
        let r = parse_record("+3.5\x14\x14\x00+120\x14中文\x14\x00".as_bytes()).unwrap();
        assert_eq!(r.annotations[0].text, "中文");
        assert!(parse_record(b"+x\x14\x14\x00").is_err());
        assert!(parse_record(b"+1\x14\x14abc\x00").is_err());
        assert!(parse_record(b"12\x14\x14\x00").is_err());
        assert_eq!(parse_record(b"\x00\x00").unwrap(), RecordTals::default());
    }

    #[test]
    fn encode_then_parse() {
        let mut b = encode_tal(0.25, None, &[""]);
        b.extend(encode_tal(1.0000001, Some(30.0), &["Sleep stage W", "x"]));
        let r = parse_record(&b).unwrap();
        assert_eq!(r.record_onset, Some(0.25));
        assert_eq!(r.annotations.len(), 2);
        assert_eq!(r.annotations[0].onset, 1.0000001);
        assert_eq!(r.annotations[1].duration, Some(30.0));
        assert_eq!(fmt_seconds(-0.5, true), "-0.5");
        assert_eq!(fmt_seconds(600.0, true), "+600");
    }
}
