//! Reading a tidy results table for figures: the CSV/TSV/JSON that `sesame analyze
//! --out` writes, or a cohort table with the same columns plus others (`subject`,
//! `session`, `group`…), which are kept by name.

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// One row of a results table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub recording: String,
    pub channel_a: String,
    pub channel_b: String,
    pub measure: String,
    pub parameter: String,
    /// The value (NaN when the table says so or the cell is empty).
    pub value: f64,
    /// Unit of `value`, empty when dimensionless or absent.
    pub unit: String,
    /// Every column of the row by header name (including the ones above).
    pub fields: BTreeMap<String, String>,
}

impl TableRow {
    /// The cell of column `name`, if the table has it.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// A results table: its column names and rows.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<TableRow>,
}

const REQUIRED: [&str; 5] = ["channel_a", "channel_b", "measure", "parameter", "value"];

impl Table {
    /// Reads `path`: `.tsv` (tab), `.csv` (comma) or `.json` (`{"rows": […]}` or a list
    /// of rows).
    pub fn read(path: &Path) -> Result<Self> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let table = match ext.as_str() {
            "tsv" | "txt" => Self::from_delimited(&text, b'\t'),
            "csv" => Self::from_delimited(&text, b','),
            "json" => Self::from_json(&text),
            _ => bail!("unknown table extension {ext:?}: use .tsv, .csv or .json"),
        }
        .with_context(|| format!("{}", path.display()))?;
        if table.rows.is_empty() {
            bail!("{}: the table has no rows", path.display());
        }
        Ok(table)
    }

    /// Parses delimited text with a header row.
    pub fn from_delimited(text: &str, delimiter: u8) -> Result<Self> {
        let mut r = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(false)
            .from_reader(text.as_bytes());
        let columns: Vec<String> = r
            .headers()
            .context("cannot read the header row")?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        for c in REQUIRED {
            if !columns.iter().any(|h| h == c) {
                bail!(
                    "missing column `{c}` (the table has: {})",
                    columns.join(", ")
                );
            }
        }
        let mut rows = Vec::new();
        for (k, rec) in r.records().enumerate() {
            let rec = rec.with_context(|| format!("line {}", k + 2))?;
            let fields: BTreeMap<String, String> = columns
                .iter()
                .cloned()
                .zip(rec.iter().map(|s| s.trim().to_string()))
                .collect();
            rows.push(Self::row(fields, k + 2)?);
        }
        Ok(Table { columns, rows })
    }

    /// Parses the JSON that `sesame analyze --out x.json` writes.
    pub fn from_json(text: &str) -> Result<Self> {
        let doc: serde_json::Value = serde_json::from_str(text).context("invalid JSON")?;
        let list = match &doc {
            serde_json::Value::Array(a) => a,
            serde_json::Value::Object(o) => match o.get("rows") {
                Some(serde_json::Value::Array(a)) => a,
                _ => bail!("no `rows` list in the JSON document"),
            },
            _ => bail!("expected a JSON object with `rows`"),
        };
        let mut columns: Vec<String> = Vec::new();
        let mut rows = Vec::new();
        for (k, item) in list.iter().enumerate() {
            let serde_json::Value::Object(o) = item else {
                bail!("row {} is not an object", k + 1);
            };
            let fields: BTreeMap<String, String> = o
                .iter()
                .map(|(key, v)| {
                    let s = match v {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (key.clone(), s)
                })
                .collect();
            for key in fields.keys() {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
            for c in REQUIRED {
                if !fields.contains_key(c) {
                    bail!("row {}: missing field `{c}`", k + 1);
                }
            }
            rows.push(Self::row(fields, k + 1)?);
        }
        Ok(Table { columns, rows })
    }

    fn row(fields: BTreeMap<String, String>, line: usize) -> Result<TableRow> {
        let get = |c: &str| fields.get(c).cloned().unwrap_or_default();
        let raw = get("value");
        let value = if raw.is_empty() || raw.eq_ignore_ascii_case("nan") || raw == "null" {
            f64::NAN
        } else {
            raw.parse::<f64>()
                .with_context(|| format!("line {line}: value {raw:?} is not a number"))?
        };
        Ok(TableRow {
            recording: get("recording"),
            channel_a: get("channel_a"),
            channel_b: get("channel_b"),
            measure: get("measure"),
            parameter: get("parameter"),
            value,
            unit: get("unit"),
            fields,
        })
    }

    /// Whether the table has column `name`.
    pub fn has_column(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c == name)
    }

    /// Pairwise rows (both channels named) of `measure`/`parameter`, optionally of one
    /// recording; an error lists what the table holds when nothing matches.
    pub fn select(
        &self,
        measure: &str,
        parameter: &str,
        recording: Option<&str>,
    ) -> Result<Vec<&TableRow>> {
        let of_measure: Vec<&TableRow> = self
            .rows
            .iter()
            .filter(|r| r.measure.eq_ignore_ascii_case(measure))
            .collect();
        if of_measure.is_empty() {
            bail!(
                "no rows of measure `{measure}` (the table has: {})",
                distinct(self.rows.iter().map(|r| r.measure.as_str()))
            );
        }
        let of_param: Vec<&TableRow> = of_measure
            .iter()
            .copied()
            .filter(|r| r.parameter.eq_ignore_ascii_case(parameter))
            .collect();
        if of_param.is_empty() {
            bail!(
                "measure `{measure}` has no parameter `{parameter}` (it has: {})",
                distinct(of_measure.iter().map(|r| r.parameter.as_str()))
            );
        }
        let of_rec: Vec<&TableRow> = match recording {
            Some(rec) => of_param
                .iter()
                .copied()
                .filter(|r| r.recording == rec)
                .collect(),
            None => of_param.clone(),
        };
        if of_rec.is_empty() {
            bail!(
                "no rows of recording `{}` (the table has: {})",
                recording.unwrap_or_default(),
                distinct(of_param.iter().map(|r| r.recording.as_str()))
            );
        }
        let pairs: Vec<&TableRow> = of_rec
            .into_iter()
            .filter(|r| !r.channel_b.is_empty() && r.channel_a != "*")
            .collect();
        if pairs.is_empty() {
            bail!("`{measure}`/`{parameter}` has no pairwise values (only per-channel or set-level rows)");
        }
        Ok(pairs)
    }
}

/// Distinct values, sorted, comma-separated (at most 30 shown).
pub fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let set: std::collections::BTreeSet<&str> = values.collect();
    let n = set.len();
    let mut shown: Vec<&str> = set.into_iter().take(30).collect();
    if n > 30 {
        shown.push("…");
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TSV: &str = "recording\tchannel_a\tchannel_b\tmeasure\tparameter\tvalue\tunit\tn_events\tcertified\tgroup\n\
        r1\tC3\tC4\tses-bumps\trho\t0.25\t\t40\ttrue\tA\n\
        r1\tC3\tC4\tses-bumps\tst\tNaN\t\t40\ttrue\tA\n\
        r1\t*\t\tomega\tomega\t3\t\t\t\tA\n";

    #[test]
    fn reads_tidy_rows_and_extra_columns() {
        let t = Table::from_delimited(TSV, b'\t').unwrap();
        assert_eq!(t.rows.len(), 3);
        assert!(t.has_column("group"));
        assert_eq!(t.rows[0].field("group"), Some("A"));
        assert_eq!(t.rows[0].value, 0.25);
        assert!(t.rows[1].value.is_nan());
        let sel = t.select("ses-bumps", "rho", None).unwrap();
        assert_eq!(sel.len(), 1);
        let e = t.select("ses-bumps", "xx", None).unwrap_err().to_string();
        assert!(e.contains("rho, st"), "{e}");
        let e = t.select("nope", "rho", None).unwrap_err().to_string();
        assert!(e.contains("omega, ses-bumps"), "{e}");
        assert!(t.select("omega", "omega", None).is_err());
        assert!(t.select("ses-bumps", "rho", Some("r2")).is_err());
    }

    #[test]
    fn missing_column_is_named() {
        let e = Table::from_delimited("recording\tchannel_a\tmeasure\n", b'\t')
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing column `channel_b`"), "{e}");
    }

    #[test]
    fn reads_json_rows() {
        let j = r#"{"provenance":{},"rows":[{"recording":"r","channel_a":"A","channel_b":"B",
            "measure":"m","parameter":"p","value":1.5,"unit":"s","n_events":null,"certified":null}]}"#;
        let t = Table::from_json(j).unwrap();
        assert_eq!(t.rows[0].value, 1.5);
        assert_eq!(t.rows[0].unit, "s");
    }
}
