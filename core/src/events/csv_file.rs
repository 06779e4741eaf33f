//! Event times from a CSV file with one event per row: `signal,time`.

use super::EventError;
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

/// Reads a CSV file of events (see [`parse_event_csv`]).
pub fn read_event_csv(path: &Path) -> Result<EventTable, EventError> {
    let text = std::fs::read_to_string(path).map_err(|error| EventError::Io {
        path: path.display().to_string(),
        error,
    })?;
    parse_event_csv(&text, &path.display().to_string())
}

/// Parses CSV text with one event per row, `signal,time` (time in seconds). Blank lines
/// and lines starting with `#` are skipped; a first row `signal,time` is a header.
/// A signal name may be quoted (`"Fp1-F7",0.25`). Errors name `origin` (the file) and
/// the 1-based line: a row without exactly two fields, an empty signal name, a time that
/// is not a finite number.
pub fn parse_event_csv(text: &str, origin: &str) -> Result<EventTable, EventError> {
    let mut table = EventTable::default();
    let mut seen_data = false;
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
        let fields = split_row(row).map_err(err)?;
        if fields.len() != 2 {
            return Err(err(format!(
                "expected 2 fields `signal,time`, found {} in `{row}`",
                fields.len()
            )));
        }
        let (name, time) = (fields[0].trim(), fields[1].trim());
        if !seen_data && name.eq_ignore_ascii_case("signal") && time.eq_ignore_ascii_case("time") {
            seen_data = true; // header
            continue;
        }
        seen_data = true;
        if name.is_empty() {
            return Err(err("empty signal name".into()));
        }
        let t: f64 = time
            .parse()
            .map_err(|_| err(format!("time `{time}` is not a number (seconds expected)")))?;
        if !t.is_finite() {
            return Err(err(format!("time `{time}` is not a finite number")));
        }
        match table.signals.iter_mut().find(|(n, _)| n == name) {
            Some((_, times)) => times.push(t),
            None => table.signals.push((name.to_string(), vec![t])),
        }
    }
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
