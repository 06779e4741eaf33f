//! Writing results: tidy CSV/TSV and JSON with provenance, always through a temporary
//! file renamed into place, so an interrupted run never leaves a half-written output.

use super::provenance::Provenance;
use super::results::{Results, Row};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Creating, writing, syncing or renaming the file failed. The message ends with
    /// the I/O error (not also the `source`, so that a chain prints it once).
    #[error("{}: {error}", crate::recording::terminal_safe_path(path))]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The output extension is not `.csv`, `.tsv` or `.json`, or the results could not be
    /// serialised.
    #[error("{}: {reason}", path.display())]
    Format {
        /// The output file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// Writes `bytes` to `path` atomically ([`crate::atomic::write_atomic`]: a temporary
/// file in the same folder, flushed and synced, then renamed over `path`).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    crate::atomic::write_atomic(path, bytes).map_err(|error| ExportError::Io {
        path: path.to_path_buf(),
        error,
    })
}

/// Output format, from a file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Comma-separated values, with a JSON provenance sidecar.
    Csv,
    /// Tab-separated values, with a JSON provenance sidecar.
    Tsv,
    /// One JSON document holding the provenance and the rows.
    Json,
}

impl TableFormat {
    /// `.csv`, `.tsv` or `.json`.
    pub fn from_path(path: &Path) -> Result<Self, ExportError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => Ok(TableFormat::Csv),
            Some("tsv") => Ok(TableFormat::Tsv),
            Some("json") => Ok(TableFormat::Json),
            other => Err(ExportError::Format {
                path: path.to_path_buf(),
                reason: format!(
                    "unknown output extension {:?}: use .csv, .tsv or .json",
                    other.unwrap_or("")
                ),
            }),
        }
    }
}

/// The rows as delimited text (header row first; `NaN` for missing numbers).
pub fn to_delimited(rows: &[Row], delimiter: u8) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    if rows.is_empty() {
        w.write_record([
            "recording",
            "channel_a",
            "channel_b",
            "measure",
            "parameter",
            "value",
            "unit",
            "n_events",
            "certified",
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    provenance: &'a Provenance,
    rows: &'a [Row],
}

/// Writes `results` to `path` (format from the extension). CSV/TSV get a sidecar
/// `<path>.provenance.json`; JSON embeds the provenance.
pub fn write_results(
    path: &Path,
    results: &Results,
    provenance: &Provenance,
) -> Result<(), ExportError> {
    let fmt_err = |reason: String| ExportError::Format {
        path: path.to_path_buf(),
        reason,
    };
    match TableFormat::from_path(path)? {
        TableFormat::Json => {
            let doc = JsonDoc {
                provenance,
                rows: &results.rows,
            };
            let bytes = serde_json::to_vec_pretty(&doc).map_err(|e| fmt_err(e.to_string()))?;
            write_atomic(path, &bytes)
        }
        f => {
            let delim = if f == TableFormat::Tsv { b'\t' } else { b',' };
            let bytes = to_delimited(&results.rows, delim).map_err(|e| fmt_err(e.to_string()))?;
            let side = sidecar_path(path);
            let prov = serde_json::to_vec_pretty(provenance).map_err(|e| fmt_err(e.to_string()))?;
            write_atomic(&side, &prov)?;
            write_atomic(path, &bytes)
        }
    }
}

/// `results.csv` → `results.csv.provenance.json`.
pub fn sidecar_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".provenance.json");
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(v: f64) -> Row {
        Row {
            recording: "r".into(),
            channel_a: "Fp1".into(),
            channel_b: "Fp2".into(),
            measure: "ses-bumps".into(),
            parameter: "rho".into(),
            value: v,
            unit: String::new(),
            n_events: Some(12),
            certified: Some(true),
        }
    }

    #[test]
    fn csv_round_trip_and_provenance_sidecar() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let results = Results {
            rows: vec![row(0.25), row(f64::NAN)],
        };
        let prov = Provenance::new(None, "[analysis]\n").unwrap();
        write_results(&path, &results, &prov).unwrap();
        let mut rd = csv::Reader::from_path(&path).unwrap();
        let back: Vec<Row> = rd.deserialize().collect::<Result<_, _>>().unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0], results.rows[0]);
        assert!(back[1].value.is_nan());
        let side: Provenance =
            serde_json::from_slice(&std::fs::read(sidecar_path(&path)).unwrap()).unwrap();
        assert_eq!(side, prov);
        // No temporary files left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn json_embeds_provenance() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        let prov = Provenance::new(None, "x = 1\n").unwrap();
        write_results(
            &path,
            &Results {
                rows: vec![row(0.5)],
            },
            &prov,
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(v["provenance"]["config"], "x = 1\n");
        assert_eq!(v["rows"][0]["value"], 0.5);
    }

    #[test]
    fn unknown_extension_is_an_error() {
        let e = TableFormat::from_path(Path::new("x.xlsx")).unwrap_err();
        assert!(e.to_string().contains("use .csv, .tsv or .json"), "{e}");
    }
}
