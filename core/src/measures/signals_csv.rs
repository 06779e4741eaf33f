//! Signals from a CSV/TSV file: comment lines starting with `#` (one of them
//! `# fs=256`, the sample rate in Hz), a header row of channel labels, then one row per
//! sample with one column per channel (physical units, µV for EEG). The delimiter is a
//! tab when the header row holds one, else `;` when it holds one, else a comma.
//! Samples are kept in `f64` as written (no conversion to `f32`).

use ndarray::Array2;
use std::path::{Path, PathBuf};

/// Channels × samples read from a CSV file, with labels and sample rate.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvSignals {
    /// Channel labels, from the header row, in column order.
    pub labels: Vec<String>,
    /// Sample rate (Hz).
    pub fs: f64,
    /// channels × samples.
    pub data: Array2<f64>,
}

/// Why a signals CSV could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SignalsCsvError {
    /// The file could not be read.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// No `# fs=<Hz>` comment line gives the sample rate.
    #[error("{path}: no `# fs=<Hz>` comment line giving the sample rate")]
    NoSampleRate {
        /// The file.
        path: PathBuf,
    },
    /// A `# fs=` line whose value is not a finite positive number.
    #[error("{path}: line {line}: sample rate `{text}` is not a positive number")]
    BadSampleRate {
        /// The file.
        path: PathBuf,
        /// Line number (1-based) of the `# fs=` comment.
        line: usize,
        /// The value as written.
        text: String,
    },
    /// Nothing but comments and blank lines: no header row of labels.
    #[error("{path}: no header row of channel labels")]
    NoHeader {
        /// The file.
        path: PathBuf,
    },
    /// A data row with more or fewer cells than the header has labels.
    #[error("{path}: line {line}: {found} columns, the header has {expected}")]
    Columns {
        /// The file.
        path: PathBuf,
        /// Line number (1-based) of the row.
        line: usize,
        /// Number of cells in the row.
        found: usize,
        /// Number of labels in the header.
        expected: usize,
    },
    /// A cell that is not a finite number.
    #[error("{path}: line {line}, column `{label}`: `{text}` is not a finite number")]
    Value {
        /// The file.
        path: PathBuf,
        /// Line number (1-based) of the row.
        line: usize,
        /// Label of the cell's column.
        label: String,
        /// The cell as written.
        text: String,
    },
    /// A header row but no data rows.
    #[error("{path}: no samples after the header")]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

impl CsvSignals {
    /// Reads a file (see the module documentation for the format).
    pub fn read(path: impl AsRef<Path>) -> Result<Self, SignalsCsvError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| SignalsCsvError::Io {
            path: path.into(),
            error,
        })?;
        Self::parse(&text, path)
    }

    /// Parses the text of a file; `path` only names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, SignalsCsvError> {
        let p = || path.to_path_buf();
        let mut fs = None;
        let mut labels: Option<Vec<String>> = None;
        let mut rows: Vec<f64> = Vec::new();
        let mut n_rows = 0usize;
        let mut delimiter: Option<char> = None;
        for (k, raw) in text.lines().enumerate() {
            let line_no = k + 1;
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            if let Some(c) = line.strip_prefix('#') {
                let c = c.trim();
                if let Some(v) = c.strip_prefix("fs=").or_else(|| c.strip_prefix("fs =")) {
                    let v = v.trim().trim_end_matches("Hz").trim();
                    let f: f64 = v
                        .parse()
                        .ok()
                        .filter(|f: &f64| f.is_finite() && *f > 0.0)
                        .ok_or_else(|| SignalsCsvError::BadSampleRate {
                            path: p(),
                            line: line_no,
                            text: v.into(),
                        })?;
                    fs = Some(f);
                }
                continue;
            }
            let delim = *delimiter.get_or_insert_with(|| {
                if line.contains('\t') {
                    '\t'
                } else if line.contains(';') {
                    ';'
                } else {
                    ','
                }
            });
            let cells = line.split(delim).map(str::trim);
            match &labels {
                None => labels = Some(cells.map(String::from).collect()),
                Some(l) => {
                    let before = rows.len();
                    for (c, cell) in cells.enumerate() {
                        if c >= l.len() {
                            return Err(SignalsCsvError::Columns {
                                path: p(),
                                line: line_no,
                                found: line.split(delim).count(),
                                expected: l.len(),
                            });
                        }
                        let v: f64 = cell
                            .parse()
                            .ok()
                            .filter(|v: &f64| v.is_finite())
                            .ok_or_else(|| SignalsCsvError::Value {
                                path: p(),
                                line: line_no,
                                label: l[c].clone(),
                                text: cell.into(),
                            })?;
                        rows.push(v);
                    }
                    if rows.len() - before != l.len() {
                        return Err(SignalsCsvError::Columns {
                            path: p(),
                            line: line_no,
                            found: rows.len() - before,
                            expected: l.len(),
                        });
                    }
                    n_rows += 1;
                }
            }
        }
        let labels = labels.ok_or_else(|| SignalsCsvError::NoHeader { path: p() })?;
        let fs = fs.ok_or_else(|| SignalsCsvError::NoSampleRate { path: p() })?;
        if n_rows == 0 {
            return Err(SignalsCsvError::Empty { path: p() });
        }
        // rows are samples × channels; the shape is consistent by construction
        let data = Array2::from_shape_vec((n_rows, labels.len()), rows)
            .expect("row lengths were checked against the header")
            .reversed_axes()
            .as_standard_layout()
            .into_owned();
        Ok(CsvSignals { labels, fs, data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_oracle_format() {
        let s = CsvSignals::parse("# demo\n# fs=256\na,b\n1,2\n3,4\n5,6\n", Path::new("t.csv"))
            .unwrap();
        assert_eq!(s.labels, vec!["a", "b"]);
        assert_eq!(s.fs, 256.0);
        assert_eq!(s.data, ndarray::array![[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]);
    }

    #[test]
    fn reports_bad_cells_and_missing_rate() {
        let e = CsvSignals::parse("# fs=256\na,b\n1,x\n", Path::new("t.csv")).unwrap_err();
        assert!(e.to_string().contains("line 3, column `b`: `x`"), "{e}");
        let e = CsvSignals::parse("a,b\n1,2\n", Path::new("t.csv")).unwrap_err();
        assert!(e.to_string().contains("fs="), "{e}");
        let e = CsvSignals::parse("# fs=256\na,b\n1,2,3\n", Path::new("t.csv")).unwrap_err();
        assert!(e.to_string().contains("3 columns"), "{e}");
    }

    #[test]
    fn tab_and_semicolon_delimiters() {
        for text in ["# fs=100\na\tb\n1\t2\n3\t4\n", "# fs=100\na;b\n1;2\n3;4\n"] {
            let s = CsvSignals::parse(text, Path::new("t.tsv")).unwrap();
            assert_eq!(s.labels, vec!["a", "b"]);
            assert_eq!(s.data, ndarray::array![[1.0, 3.0], [2.0, 4.0]]);
        }
    }
}
