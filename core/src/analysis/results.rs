//! Tidy results: one row per (recording, pair, measure, parameter, value).

use serde::{Deserialize, Serialize};

/// One tidy result row.
///
/// `channel_a`/`channel_b` name the pair (channels or regions); for a directed measure
/// the direction is from `a` to `b`. Set-level values (omega complexity) have
/// `channel_a = "*"` and an empty `channel_b`; per-channel values have an empty
/// `channel_b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Recording identifier (file stem, or the BIDS entity string in a batch).
    pub recording: String,
    /// First channel or region of the pair (source of a directed measure; `*` for a
    /// set-level value).
    pub channel_a: String,
    /// Second channel or region of the pair (target of a directed measure; empty for
    /// set-level and per-channel values).
    pub channel_b: String,
    /// Measure id from the registry (`ses-bumps`, `victor-purpura`…).
    pub measure: String,
    /// Output name of the measure (`rho`, `st`, `distance`…).
    pub parameter: String,
    /// The value of output `parameter` of `measure` for this pair, in `unit`.
    pub value: f64,
    /// Unit of `value`, empty when dimensionless.
    pub unit: String,
    /// Number of events (both sides) that entered the value, when the measure reads events.
    pub n_events: Option<u64>,
    /// For SES alignments: whether the alignment is certified optimal.
    pub certified: Option<bool>,
}

/// The order of every results table: (recording, measure, channel_a, channel_b,
/// parameter).
pub type SortKey<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

impl Row {
    /// This row's place in a sorted table.
    pub fn sort_key(&self) -> SortKey<'_> {
        (
            &self.recording,
            &self.measure,
            &self.channel_a,
            &self.channel_b,
            &self.parameter,
        )
    }
}

/// The rows of an analysis, in a deterministic order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// The rows; sorted by [`Results::sort`].
    pub rows: Vec<Row>,
}

impl Results {
    /// Sorts rows by (recording, measure, channel_a, channel_b, parameter) so that the
    /// same analysis always produces the same table, whatever the thread count.
    pub fn sort(&mut self) {
        self.rows.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }

    /// Values of one measure/parameter as a symmetric matrix over `labels`
    /// (NaN where no row exists; directed measures fill `[a][b]` only).
    pub fn matrix(&self, measure: &str, parameter: &str, labels: &[String]) -> Vec<Vec<f64>> {
        let n = labels.len();
        let mut m = vec![vec![f64::NAN; n]; n];
        let idx = |name: &str| labels.iter().position(|l| l == name);
        for r in self
            .rows
            .iter()
            .filter(|r| r.measure == measure && r.parameter == parameter)
        {
            if let (Some(i), Some(j)) = (idx(&r.channel_a), idx(&r.channel_b)) {
                m[i][j] = r.value;
                if m[j][i].is_nan() {
                    m[j][i] = r.value;
                }
            }
        }
        m
    }
}
