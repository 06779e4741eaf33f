//! The time model every view shares: recorded (sample) time, wall-clock time and the
//! gaps between them.
//!
//! The browser pages through the samples as the reader returns them, record after
//! record: *sample time*, with no hole. An EDF+D/BDF+D file can stop recording and go
//! on later; its annotations, and the times a user reads off a clock, are *wall
//! time* (seconds since the start of the recording, gaps included). A [`Timeline`]
//! converts between the two with the reader's [`Gap`]s, and writes wall time either as
//! elapsed time (`2:05.0`) or as clock time (`14:02:05.0`) from the recording's start.

use sesame_core::recording::{Gap, Recording};

/// Seconds in a day.
const DAY: f64 = 86_400.0;

/// One gap: where it falls in sample time, where it starts in wall time, how long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeGap {
    /// Sample time at which the recording resumes after the gap, s.
    pub sample_time: f64,
    /// Wall time at which the gap begins, s.
    pub start: f64,
    /// Length, s.
    pub duration: f64,
}

/// Sample time ↔ wall time ↔ clock time for one recording.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    /// Gaps in time order.
    pub gaps: Vec<TimeGap>,
    /// Start of the recording as seconds since midnight, when the file gives it.
    pub start_of_day: Option<f64>,
    /// Start date and time as written (`2020-01-24T04:05:56`), when known.
    pub start_text: Option<String>,
}

impl Timeline {
    /// The timeline of `rec`: its gaps and its start time.
    pub fn of(rec: &Recording) -> Timeline {
        Self::new(
            rec.gaps(),
            rec.start.as_ref().map(|s| {
                f64::from(s.hour) * 3600.0
                    + f64::from(s.minute) * 60.0
                    + f64::from(s.second)
                    + s.subsecond
            }),
            rec.start.as_ref().map(|s| s.to_string()),
        )
    }

    /// A timeline from gaps (any order) and the start as seconds since midnight.
    pub fn new(gaps: &[Gap], start_of_day: Option<f64>, start_text: Option<String>) -> Timeline {
        let mut gaps: Vec<TimeGap> = gaps
            .iter()
            .filter(|g| g.duration > 0.0 && g.duration.is_finite())
            .map(|g| TimeGap {
                sample_time: g.sample_time,
                start: g.start,
                duration: g.duration,
            })
            .collect();
        gaps.sort_by(|a, b| a.sample_time.total_cmp(&b.sample_time));
        Timeline {
            gaps,
            start_of_day,
            start_text,
        }
    }

    /// Whether clock time can be shown (the file gives a start time).
    pub fn has_clock(&self) -> bool {
        self.start_of_day.is_some()
    }

    /// Wall time of sample time `t`, s (the gaps before `t` added).
    pub fn wall(&self, t: f64) -> f64 {
        t + self
            .gaps
            .iter()
            .take_while(|g| g.sample_time <= t)
            .map(|g| g.duration)
            .sum::<f64>()
    }

    /// Sample time of wall time `w`, s; a time inside a gap maps to where the
    /// recording resumes.
    pub fn sample(&self, w: f64) -> f64 {
        let mut skipped = 0.0;
        for g in &self.gaps {
            if w < g.start {
                break;
            }
            if w < g.start + g.duration {
                return g.sample_time;
            }
            skipped += g.duration;
        }
        w - skipped
    }

    /// The gaps whose break falls within sample times `[t0, t1]`.
    pub fn gaps_in(&self, t0: f64, t1: f64) -> impl Iterator<Item = &TimeGap> {
        self.gaps
            .iter()
            .filter(move |g| g.sample_time >= t0 && g.sample_time <= t1)
    }

    /// Clock time of wall time `w`, as `hh:mm:ss.s` (the day wraps at midnight);
    /// `None` without a start time.
    pub fn clock(&self, w: f64) -> Option<String> {
        let s = self.start_of_day? + w;
        Some(clock_text(s.rem_euclid(DAY)))
    }

    /// Sample time `t` written for an axis or a list: clock time when `clock` is asked
    /// and known, else elapsed wall time.
    pub fn label(&self, t: f64, clock: bool) -> String {
        let w = self.wall(t);
        match (clock, self.clock(w)) {
            (true, Some(c)) => c,
            _ => format_time(w),
        }
    }

    /// Wall time `w` written as clock time (when known) and elapsed time:
    /// `14:02:05.0 (+2:05.0)`.
    pub fn both(&self, w: f64) -> String {
        match self.clock(w) {
            Some(c) => format!("{c} (+{})", format_time(w)),
            None => format_time(w),
        }
    }

    /// A typed time as sample time. With `clock` (and a start time) the text is a
    /// clock time (`14:02:05`, on the day of the start or the next); a leading `+`
    /// makes it elapsed time in either mode (`+125.5`, `+2:05.5`).
    pub fn parse(&self, text: &str, clock: bool) -> Result<f64, String> {
        let t = text.trim();
        let (elapsed, body) = match t.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (!clock, t),
        };
        let v = parse_time(body)?;
        let wall = match (elapsed, self.start_of_day) {
            (false, Some(start)) => {
                if v >= DAY {
                    return Err(format!("`{text}` is not a clock time (00:00:00–23:59:59)"));
                }
                (v - start).rem_euclid(DAY)
            }
            _ => v,
        };
        Ok(self.sample(wall))
    }
}

/// Seconds since midnight as `hh:mm:ss.s`.
pub fn clock_text(s: f64) -> String {
    let tenths = (s * 10.0).round() as i64;
    let (h, rest) = (tenths / 36_000, tenths % 36_000);
    let (m, rest) = (rest / 600, rest % 600);
    format!("{:02}:{m:02}:{:02}.{}", h % 24, rest / 10, rest % 10)
}

/// Parses a typed time: seconds (`125.5`), `mm:ss` or `hh:mm:ss` (fractions of a
/// second allowed in the last field).
pub fn parse_time(text: &str) -> Result<f64, String> {
    let t = text.trim().trim_end_matches('s').trim();
    if t.is_empty() {
        return Err("type a time: seconds (125.5), mm:ss or hh:mm:ss".into());
    }
    let parts: Vec<&str> = t.split(':').collect();
    if parts.len() > 3 {
        return Err(format!(
            "`{text}` is not a time (use seconds, mm:ss or hh:mm:ss)"
        ));
    }
    let mut total = 0.0;
    for (k, p) in parts.iter().enumerate() {
        let last = k + 1 == parts.len();
        let v: f64 = p
            .trim()
            .parse()
            .map_err(|_| format!("`{text}` is not a time (use seconds, mm:ss or hh:mm:ss)"))?;
        if !v.is_finite() || v < 0.0 || (!last && v.fract() != 0.0) || (k > 0 && v >= 60.0) {
            return Err(format!(
                "`{text}` is not a time (use seconds, mm:ss or hh:mm:ss)"
            ));
        }
        total = total * 60.0 + v;
    }
    Ok(total)
}

/// Formats seconds as `h:mm:ss.s` (or `m:ss.s` under an hour).
pub fn format_time(t: f64) -> String {
    let neg = t < 0.0;
    let t = t.abs();
    let h = (t / 3600.0).floor();
    let m = ((t - h * 3600.0) / 60.0).floor();
    let s = t - h * 3600.0 - m * 60.0;
    let sign = if neg { "-" } else { "" };
    if h > 0.0 {
        format!("{sign}{h}:{m:02}:{s:04.1}")
    } else {
        format!("{sign}{m}:{s:04.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(sample_time: f64, start: f64, duration: f64) -> Gap {
        Gap {
            start,
            duration,
            after_record: 0,
            sample_time,
        }
    }

    #[test]
    fn wall_and_sample_time_invert_around_gaps() {
        // Recorded 0–10 s, gap 5 s, 10–20 s, gap 30 s, 20–… s of samples.
        let tl = Timeline::new(
            &[gap(20.0, 35.0, 30.0), gap(10.0, 10.0, 5.0)],
            Some(3600.0),
            None,
        );
        assert_eq!(tl.wall(5.0), 5.0);
        assert_eq!(tl.wall(10.0), 15.0);
        assert_eq!(tl.wall(19.0), 24.0);
        assert_eq!(tl.wall(25.0), 60.0);
        for t in [0.0, 3.0, 10.0, 12.5, 20.0, 40.0] {
            assert!((tl.sample(tl.wall(t)) - t).abs() < 1e-12, "{t}");
        }
        assert_eq!(tl.sample(12.0), 10.0, "inside the first gap");
        assert_eq!(tl.sample(50.0), 20.0, "inside the second gap");
        assert_eq!(tl.gaps_in(0.0, 15.0).count(), 1);
    }

    #[test]
    fn clock_time_reads_and_writes() {
        let tl = Timeline::new(
            &[gap(10.0, 10.0, 5.0)],
            Some(23.0 * 3600.0 + 59.0 * 60.0),
            None,
        );
        assert_eq!(tl.clock(0.0).as_deref(), Some("23:59:00.0"));
        assert_eq!(
            tl.clock(90.0).as_deref(),
            Some("00:00:30.0"),
            "wraps at midnight"
        );
        assert_eq!(tl.label(12.0, true), "23:59:17.0", "gap added");
        assert_eq!(tl.label(12.0, false), "0:17.0");
        assert_eq!(tl.parse("23:59:17", true), Ok(12.0));
        assert_eq!(tl.parse("00:00:30", true), Ok(85.0), "the next day");
        assert_eq!(tl.parse("+17", true), Ok(12.0));
        assert_eq!(tl.parse("17", false), Ok(12.0));
        assert!(tl.parse("25:00:00", true).is_err());
        assert_eq!(tl.both(17.0), "23:59:17.0 (+0:17.0)");
        let none = Timeline::default();
        assert_eq!(none.label(3.0, true), "0:03.0", "no start time: elapsed");
    }
}
