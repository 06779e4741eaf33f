//! The values the commands share, each with the one parser every command uses for it
//! (`#[arg(value_parser = …)]`), so that `--window`, `--band`, `--channels` and the bump
//! `--threshold` mean the same thing whichever command reads them.
//!
//! | value | typed | rule |
//! |---|---|---|
//! | [`TimeWindow`] | `START:END` (or `START,END`) | seconds from the start of the data; `0 ≤ START < END`; an empty side is the start (`:40`) or the end (`10:`) of the data |
//! | [`Band`] | `LOW-HIGH` | Hz; `0 < LOW < HIGH` (0 Hz is refused: a wavelet map has no 0 Hz row) |
//! | [`ChannelSelection`] | `all`, `eeg` or `A,B,…` | every channel, every EEG channel, or these labels / 10-20 names |
//! | [`BumpThreshold`] | a number | fraction of the map maximum in `[0, 1)` |
//!
//! Errors repeat what was typed and say what to type.

use std::fmt;

/// An interval of time in seconds from the start of the data; `None` on a side: the start
/// (0 s) or the end of the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeWindow {
    /// Start, s (`None`: 0 s).
    pub start: Option<f64>,
    /// End, s (`None`: the end of the data).
    pub end: Option<f64>,
}

impl TimeWindow {
    /// Start and end in seconds, the end capped at `duration` (s).
    pub fn within(&self, duration: f64) -> (f64, f64) {
        (
            self.start.unwrap_or(0.0),
            self.end.map_or(duration, |e| e.min(duration)),
        )
    }

    /// The `[start, end]` of an analysis configuration (`input.window`); an open end is
    /// infinite there, which the analysis caps at the recording's duration.
    pub fn to_config(self) -> [f64; 2] {
        [self.start.unwrap_or(0.0), self.end.unwrap_or(f64::INFINITY)]
    }
}

impl fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        write!(f, "{}:{}", side(self.start), side(self.end))
    }
}

const WINDOW_HINT: &str = "type START:END in seconds, e.g. 10:40, :40 (from the start) or \
                           10: (to the end)";

/// The clap value parser of every time window (`--window`, `--view`).
pub fn parse_window(text: &str) -> Result<TimeWindow, String> {
    let (a, b) = text
        .split_once(':')
        .or_else(|| text.split_once(','))
        .ok_or_else(|| format!("`{text}` has no `:`; {WINDOW_HINT}"))?;
    let side = |s: &str| -> Result<Option<f64>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(format!(
                "`{s}` in `{text}` is not a number of seconds; {WINDOW_HINT}"
            )),
        }
    };
    let w = TimeWindow {
        start: side(a)?,
        end: side(b)?,
    };
    if w.start.is_some_and(|s| s < 0.0) || w.end.is_some_and(|e| e <= 0.0) {
        return Err(format!(
            "`{text}`: times count from the start of the data and are ≥ 0; {WINDOW_HINT}"
        ));
    }
    if let (Some(s), Some(e)) = (w.start, w.end) {
        if e <= s {
            return Err(format!(
                "`{text}`: the start must be before the end; {WINDOW_HINT}"
            ));
        }
    }
    Ok(w)
}

/// A frequency band in Hz, `0 < low < high`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Lower edge, Hz.
    pub low: f64,
    /// Upper edge, Hz.
    pub high: f64,
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.low, self.high)
    }
}

const BAND_HINT: &str = "type LOW-HIGH in Hz with 0 < LOW < HIGH, e.g. 4-30";

/// The clap value parser of every frequency band (`--band`).
pub fn parse_band(text: &str) -> Result<Band, String> {
    let (a, b) = text
        .split_once('-')
        .ok_or_else(|| format!("`{text}` has no `-`; {BAND_HINT}"))?;
    let edge = |s: &str| -> Result<f64, String> {
        match s.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(format!(
                "`{}` in `{text}` is not a frequency in Hz; {BAND_HINT}",
                s.trim()
            )),
        }
    };
    let band = Band {
        low: edge(a)?,
        high: edge(b)?,
    };
    if band.low <= 0.0 {
        return Err(format!(
            "`{text}`: the band must start above 0 Hz (a time-frequency map has no 0 Hz row); \
             {BAND_HINT}"
        ));
    }
    if band.high <= band.low {
        return Err(format!("`{text}`: LOW must be below HIGH; {BAND_HINT}"));
    }
    Ok(band)
}

/// Which channels of a recording a command uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelSelection {
    /// Every signal of the file.
    All,
    /// Every EEG channel, whatever its label.
    Eeg,
    /// These channels, by label or 10-20 name, in this order.
    List(Vec<String>),
}

impl ChannelSelection {
    /// The analysis configuration's `input.channels` for this selection: the keyword
    /// `all` or `eeg` alone, or the labels.
    pub fn to_config(&self) -> Vec<String> {
        match self {
            ChannelSelection::All => vec!["all".into()],
            ChannelSelection::Eeg => vec!["eeg".into()],
            ChannelSelection::List(names) => names.clone(),
        }
    }
}

impl fmt::Display for ChannelSelection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChannelSelection::All => f.write_str("all"),
            ChannelSelection::Eeg => f.write_str("eeg"),
            ChannelSelection::List(names) => f.write_str(&names.join(",")),
        }
    }
}

/// The clap value parser of every channel selection (`--channels`).
pub fn parse_channels(text: &str) -> Result<ChannelSelection, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("all") {
        return Ok(ChannelSelection::All);
    }
    if t.eq_ignore_ascii_case("eeg") {
        return Ok(ChannelSelection::Eeg);
    }
    let names: Vec<String> = t.split(',').map(|s| s.trim().to_string()).collect();
    if names.iter().any(String::is_empty) {
        return Err(format!(
            "`{text}` has an empty channel name; type `all`, `eeg` or labels separated by \
             commas, e.g. Fz,Cz,Pz"
        ));
    }
    Ok(ChannelSelection::List(names))
}

/// The bump pruning threshold: bumps below this fraction of the map maximum are dropped
/// (`bumps.min_amplitude`; dimensionless, in `[0, 1)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BumpThreshold(pub f64);

/// The clap value parser of every bump threshold (`--threshold` of `analyze`, `batch`,
/// `bumps`, `tfmap`, `plot tfmap|aligned`).
pub fn parse_threshold(text: &str) -> Result<BumpThreshold, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..1.0).contains(&v) => Ok(BumpThreshold(v)),
        _ => Err(format!(
            "`{text}` is not a fraction of the map maximum; type a number in [0, 1), \
             e.g. 0.4 (0 keeps every bump)"
        )),
    }
}

/// `--max-map-mb`: the memory above which a channel's map and bump fit are computed
/// block by block, a finite number of MB ≥ 0 (0: always block by block).
pub fn parse_megabytes(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "`{text}` is not a memory size; type a number of MB ≥ 0, e.g. 512 (0 computes \
             every map block by block)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn megabytes_are_finite_and_not_negative() {
        assert_eq!(parse_megabytes("512"), Ok(512.0));
        assert_eq!(parse_megabytes(" 0 "), Ok(0.0));
        for bad in ["-1", "inf", "NaN", "lots", ""] {
            assert!(parse_megabytes(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn windows_one_rule_for_open_ends() {
        let w = |s| parse_window(s).unwrap();
        assert_eq!(w("10:40").within(100.0), (10.0, 40.0));
        assert_eq!(w("10,40").within(100.0), (10.0, 40.0));
        // `:10` (refused by `analyze` before) and `5:` (refused by `measure`) are the
        // start and the end of the data everywhere.
        assert_eq!(w(":10").within(100.0), (0.0, 10.0));
        assert_eq!(w("5:").within(100.0), (5.0, 100.0));
        assert_eq!(w(":").within(100.0), (0.0, 100.0));
        assert_eq!(w("0:500").within(100.0), (0.0, 100.0));
        assert_eq!(w("5:").to_config(), [5.0, f64::INFINITY]);
        assert_eq!(w(" 0 : 2.5 ").to_config(), [0.0, 2.5]);
        for bad in ["10:5", "5:5", "abc", "a:1", "-1:3", "1:inf", "nan:2", "10"] {
            let e = parse_window(bad).unwrap_err();
            assert!(e.contains(bad.trim()) || e.contains('`'), "{bad}: {e}");
            assert!(e.contains("START:END"), "{bad}: {e}");
        }
    }

    #[test]
    fn bands_refuse_zero_hertz_everywhere() {
        assert_eq!(
            parse_band("8-13").unwrap(),
            Band {
                low: 8.0,
                high: 13.0
            }
        );
        assert_eq!(parse_band(" 4 - 30 ").unwrap().to_string(), "4-30");
        // `parse_range` accepted 0 Hz, `parse_band` refused it: refused now.
        let e = parse_band("0-30").unwrap_err();
        assert!(e.contains("0-30") && e.contains("above 0 Hz"), "{e}");
        for bad in ["13-8", "8-8", "8", "a-13", "8-inf"] {
            let e = parse_band(bad).unwrap_err();
            assert!(e.contains("LOW-HIGH"), "{bad}: {e}");
        }
    }

    #[test]
    fn channel_selections() {
        assert_eq!(parse_channels("all").unwrap(), ChannelSelection::All);
        assert_eq!(parse_channels("ALL").unwrap(), ChannelSelection::All);
        assert_eq!(parse_channels("eeg").unwrap(), ChannelSelection::Eeg);
        assert_eq!(
            parse_channels("Fz, Cz").unwrap(),
            ChannelSelection::List(vec!["Fz".into(), "Cz".into()])
        );
        assert_eq!(parse_channels("E1").unwrap().to_config(), vec!["E1"]);
        assert_eq!(parse_channels("all").unwrap().to_config(), vec!["all"]);
        let e = parse_channels("Fz,,Cz").unwrap_err();
        assert!(e.contains("Fz,,Cz") && e.contains("`all`"), "{e}");
    }

    #[test]
    fn one_range_for_the_bump_threshold() {
        assert_eq!(parse_threshold("0").unwrap(), BumpThreshold(0.0));
        assert_eq!(parse_threshold("0.4").unwrap(), BumpThreshold(0.4));
        // `bumps` and `tfmap` took any number before, `analyze` [0, 1).
        for bad in ["1", "1.5", "-0.1", "nan", "x"] {
            let e = parse_threshold(bad).unwrap_err();
            assert!(e.contains(bad) && e.contains("[0, 1)"), "{bad}: {e}");
        }
    }
}
