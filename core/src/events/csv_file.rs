//! The one reader of event files (CSV), used by every command that reads events
//! (`sesame measure --events`, `sesame ses`, `sesame ses multi`).
//!
//! # Format
//!
//! UTF-8 text, one event per row, fields separated by commas; a field may be quoted
//! (`"Fp1, ref",0.25`, `""` inside quotes is a quote). Blank lines and lines starting with
//! `#` are skipped, a leading byte-order mark is ignored. Two kinds of file:
//!
//! * **event times** — `signal,time`: the signal's name and the event time in seconds;
//! * **bumps** — `signal,t,f,dt,df,amplitude`: centre time (s), centre frequency (Hz), time
//!   and frequency semi-axes (s, Hz) and amplitude (normalised, as `sesame bumps` writes).
//!
//! A header row names the columns (case-insensitive, in any order): the first row is one
//! when a field of it is `signal`. A bump file needs it; a file without a header is read as
//! `signal,time`. Every column of the header must be one of its kind's, and every one of
//! them must be there. Names are not empty; numbers are finite. Errors name the file and
//! the 1-based line. Rows keep the file's order; signals are numbered in the order they
//! first appear.

use super::EventError;
use crate::bumps::Bump;
use std::path::Path;

/// Event trains read from a file, one per signal, in the order signals first appear.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventTable {
    /// `(signal name, event times in s sorted ascending)`.
    pub signals: Vec<(String, Vec<f64>)>,
}

impl EventTable {
    /// The signal names in order of first appearance.
    pub fn names(&self) -> Vec<&str> {
        self.signals.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The event times of a signal (exact name first, then case-insensitive).
    pub fn get(&self, name: &str) -> Option<&[f64]> {
        let name = name.trim();
        self.signals
            .iter()
            .find(|(n, _)| n == name)
            .or_else(|| {
                self.signals
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
            })
            .map(|(_, t)| t.as_slice())
    }

    /// Earliest and latest event time over all signals, if any.
    pub fn span(&self) -> Option<(f64, f64)> {
        let mut it = self
            .signals
            .iter()
            .flat_map(|(_, t)| t.first().into_iter().chain(t.last()));
        let first = *it.next()?;
        Some(it.fold((first, first), |(lo, hi), &t| (lo.min(t), hi.max(t))))
    }
}

/// The columns of an event file.
pub const TIME_COLUMNS: [&str; 2] = ["signal", "time"];
/// The columns of a bump file.
pub const BUMP_COLUMNS: [&str; 6] = ["signal", "t", "f", "dt", "df", "amplitude"];

/// The events of a file, row by row in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum EventRows {
    /// `(signal index, time in s)`.
    Times(Vec<(usize, f64)>),
    /// `(signal index, bump)`; the bump's `peak` is its amplitude.
    Bumps(Vec<(usize, Bump)>),
}

/// An event file as read (see the [module documentation](self) for the format).
#[derive(Debug, Clone, PartialEq)]
pub struct EventFile {
    /// Signal names in the order they first appear; rows refer to them by index.
    pub names: Vec<String>,
    /// The rows, in file order.
    pub rows: EventRows,
}

impl EventFile {
    /// Whether the file holds bumps (`signal,t,f,dt,df,amplitude`).
    pub fn is_bumps(&self) -> bool {
        matches!(self.rows, EventRows::Bumps(_))
    }

    /// Per signal, the times of its rows in file order (bump files: the centre times).
    pub fn times_per_signal(&self) -> Vec<Vec<f64>> {
        let mut out = vec![Vec::new(); self.names.len()];
        match &self.rows {
            EventRows::Times(rows) => rows.iter().for_each(|&(s, t)| out[s].push(t)),
            EventRows::Bumps(rows) => rows.iter().for_each(|(s, b)| out[*s].push(b.t)),
        }
        out
    }

    /// Per signal, its bumps in file order (`None` for a file of event times).
    pub fn bumps_per_signal(&self) -> Option<Vec<Vec<Bump>>> {
        match &self.rows {
            EventRows::Times(_) => None,
            EventRows::Bumps(rows) => {
                let mut out = vec![Vec::new(); self.names.len()];
                rows.iter().for_each(|(s, b)| out[*s].push(*b));
                Some(out)
            }
        }
    }
}

/// Reads an event file (see the [module documentation](self) for the format).
pub fn read_events(path: &Path) -> Result<EventFile, EventError> {
    let text = std::fs::read_to_string(path).map_err(|error| EventError::Io {
        path: path.display().to_string(),
        error,
    })?;
    parse_events(&text, &path.display().to_string())
}

/// Parses the text of an event file; errors name `origin` (the file) and the line.
pub fn parse_events(text: &str, origin: &str) -> Result<EventFile, EventError> {
    // positions of the columns, in the order of TIME_COLUMNS or BUMP_COLUMNS
    let mut layout: Option<(bool, Vec<usize>)> = None;
    let mut names: Vec<String> = Vec::new();
    let mut times = Vec::new();
    let mut bumps = Vec::new();
    for (k, raw) in text.lines().enumerate() {
        let line = k + 1;
        let row = raw.trim().trim_start_matches('\u{feff}');
        if row.is_empty() || row.starts_with('#') {
            continue;
        }
        let err = |reason: String| EventError::Row {
            path: origin.to_string(),
            line,
            reason,
        };
        let fields: Vec<String> = split_row(row)
            .map_err(err)?
            .into_iter()
            .map(|f| f.trim().to_string())
            .collect();
        let Some((is_bumps, pos)) = &layout else {
            if fields.iter().any(|f| f.eq_ignore_ascii_case("signal")) {
                layout = Some(header_layout(&fields).map_err(err)?);
                continue;
            }
            layout = Some((false, vec![0, 1]));
            if fields.len() != 2 {
                return Err(err(format!(
                    "expected 2 fields `signal,time` (or a header row naming the columns), \
                     found {} in `{row}`",
                    fields.len()
                )));
            }
            let t = number(&fields[1], "time").map_err(err)?;
            push_time(&mut names, &mut times, &fields[0], t).map_err(err)?;
            continue;
        };
        let width = pos.iter().max().map_or(0, |m| m + 1);
        if fields.len() != width {
            return Err(err(format!(
                "expected {width} fields as in the header, found {} in `{row}`",
                fields.len()
            )));
        }
        let name = &fields[pos[0]];
        if *is_bumps {
            let v: Vec<f64> = BUMP_COLUMNS[1..]
                .iter()
                .zip(&pos[1..])
                .map(|(c, &p)| number(&fields[p], c))
                .collect::<Result<_, _>>()
                .map_err(err)?;
            let bump = Bump {
                t: v[0],
                f: v[1],
                dt: v[2],
                df: v[3],
                amplitude: v[4],
                peak: v[4],
            };
            let s = signal_index(&mut names, name).map_err(err)?;
            bumps.push((s, bump));
        } else {
            let t = number(&fields[pos[1]], "time").map_err(err)?;
            push_time(&mut names, &mut times, name, t).map_err(err)?;
        }
    }
    let rows = match layout {
        Some((true, _)) => EventRows::Bumps(bumps),
        _ => EventRows::Times(times),
    };
    Ok(EventFile { names, rows })
}

/// The kind and the column positions a header row gives.
fn header_layout(fields: &[String]) -> Result<(bool, Vec<usize>), String> {
    let lower: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
    let is_bumps = lower
        .iter()
        .any(|f| f != "signal" && BUMP_COLUMNS.contains(&f.as_str()));
    let columns: &[&str] = if is_bumps {
        &BUMP_COLUMNS
    } else {
        &TIME_COLUMNS
    };
    let kinds = "`signal,time` (event times) or `signal,t,f,dt,df,amplitude` (bumps)";
    if let Some(f) = lower.iter().find(|f| !columns.contains(&f.as_str())) {
        return Err(format!("unknown column `{f}`; the columns are {kinds}"));
    }
    columns
        .iter()
        .map(|c| {
            let mut at = lower.iter().enumerate().filter(|(_, f)| f == c);
            match (at.next(), at.next()) {
                (Some((i, _)), None) => Ok(i),
                (Some(_), Some(_)) => Err(format!("column `{c}` appears twice")),
                (None, _) => Err(format!("missing column `{c}`; the columns are {kinds}")),
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(|pos| (is_bumps, pos))
}

fn number(text: &str, column: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("{column} `{text}` is not a finite number")),
        Err(_) => Err(format!("{column} `{text}` is not a number")),
    }
}

fn signal_index(names: &mut Vec<String>, name: &str) -> Result<usize, String> {
    if name.is_empty() {
        return Err("empty signal name".into());
    }
    Ok(match names.iter().position(|n| n == name) {
        Some(i) => i,
        None => {
            names.push(name.to_string());
            names.len() - 1
        }
    })
}

fn push_time(
    names: &mut Vec<String>,
    times: &mut Vec<(usize, f64)>,
    name: &str,
    t: f64,
) -> Result<(), String> {
    let s = signal_index(names, name)?;
    times.push((s, t));
    Ok(())
}

/// Reads an event file as event trains (see [`parse_event_csv`]).
pub fn read_event_csv(path: &Path) -> Result<EventTable, EventError> {
    let text = std::fs::read_to_string(path).map_err(|error| EventError::Io {
        path: path.display().to_string(),
        error,
    })?;
    parse_event_csv(&text, &path.display().to_string())
}

/// Parses an event file of the `signal,time` kind into per-signal trains, times sorted
/// ascending (a bump file is refused: its events are not points).
pub fn parse_event_csv(text: &str, origin: &str) -> Result<EventTable, EventError> {
    let file = parse_events(text, origin)?;
    if file.is_bumps() {
        return Err(EventError::Invalid(format!(
            "{origin} holds bumps (`signal,t,f,dt,df,amplitude`); event times \
             (`signal,time`) are expected here"
        )));
    }
    let trains = file.times_per_signal();
    let mut table = EventTable {
        signals: file.names.into_iter().zip(trains).collect(),
    };
    for (_, times) in &mut table.signals {
        times.sort_by(f64::total_cmp);
    }
    Ok(table)
}

/// Splits one CSV row on commas, honouring double quotes (`""` inside quotes is a quote).
fn split_row(row: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = row.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    if quoted {
        return Err("unterminated quoted field".into());
    }
    fields.push(cur);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_in_order_and_sorts_times() {
        let text = "# events\nsignal,time\nx,0.5\ny,0.12\nx,0.1\n\n\"F p1, ref\",2\ny,1e-1\n";
        let t = parse_event_csv(text, "e.csv").unwrap();
        assert_eq!(t.names(), vec!["x", "y", "F p1, ref"]);
        assert_eq!(t.get("x").unwrap(), &[0.1, 0.5]);
        assert_eq!(t.get("Y").unwrap(), &[0.1, 0.12]);
        assert_eq!(t.get("F p1, ref").unwrap(), &[2.0]);
        assert_eq!(t.span(), Some((0.1, 2.0)));
        assert!(t.get("z").is_none());
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = parse_event_csv("signal,time\nx,0.5\nx,abc\n", "e.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("e.csv, line 3") && e.contains("abc"), "{e}");
        let e = parse_event_csv("x,0.5,1\n", "e.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1") && e.contains("2 fields"), "{e}");
        let e = parse_event_csv("x,inf\n", "e.csv").unwrap_err().to_string();
        assert!(e.contains("finite"), "{e}");
        let e = parse_event_csv(",1\n", "e.csv").unwrap_err().to_string();
        assert!(e.contains("empty signal"), "{e}");
        let e = parse_event_csv("\"x,1\n", "e.csv").unwrap_err().to_string();
        assert!(e.contains("quoted"), "{e}");
        assert!(parse_event_csv("", "e.csv").unwrap().signals.is_empty());
    }

    #[test]
    fn one_reader_for_times_and_bumps() {
        // headers in any order and case, `#` comments (refused by the `ses multi` reader
        // before), quotes (refused by the `ses` readers), rows in file order
        let f = parse_events("# x\nTime,Signal\n0.5,b\n0.1,\"a, 1\"\n0.2,b\n", "e.csv").unwrap();
        assert_eq!(f.names, vec!["b", "a, 1"]);
        assert_eq!(f.rows, EventRows::Times(vec![(0, 0.5), (1, 0.1), (0, 0.2)]));
        assert_eq!(f.times_per_signal(), vec![vec![0.5, 0.2], vec![0.1]]);
        assert!(f.bumps_per_signal().is_none());
        let f = parse_events(
            "signal,t,f,dt,df,amplitude\nx,1,10,0.1,1,0.5\ny,2,12,0.2,2,0.7\n",
            "b.csv",
        )
        .unwrap();
        assert!(f.is_bumps());
        let b = f.bumps_per_signal().unwrap();
        assert_eq!((b[1][0].t, b[1][0].f, b[1][0].peak), (2.0, 12.0, 0.7));
        // an extra column was ignored by the `ses multi` reader, refused by `ses`: refused
        let e = parse_events("signal,time,x\na,1,2\n", "e.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown column `x`"), "{e}");
        let e = parse_events("signal,t,f,dt,df\na,1,2,3,4\n", "e.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing column `amplitude`"), "{e}");
        let e = parse_events("signal,time\na,1,2\n", "e.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("2 fields"), "{e}");
        let e = parse_event_csv("signal,t,f,dt,df,amplitude\nx,1,10,0.1,1,0.5\n", "b.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("holds bumps"), "{e}");
    }

    #[test]
    fn reads_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ev.csv");
        std::fs::write(&p, "signal,time\na,1\nb,2\n").unwrap();
        assert_eq!(read_event_csv(&p).unwrap().names(), vec!["a", "b"]);
        let e = read_event_csv(&dir.path().join("missing.csv"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.csv"), "{e}");
    }
}
