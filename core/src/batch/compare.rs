//! Group comparison of a batch's long table: per pair (or region pair) and parameter, and
//! for the pair-averaged value of each recording (the SES papers' region-averaged
//! summary), with Benjamini–Hochberg correction within each family.

use super::output::BatchRow;
use super::BatchError;
use crate::analysis::stats::{benjamini_hochberg, compare_groups, GroupTest};
use serde::Serialize;
use std::collections::BTreeMap;

/// Parameters that are counts or flags, not synchrony values: not compared.
const NOT_COMPARED: [&str; 2] = ["n_events", "certified"];

/// One line of the comparison table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupComparison {
    /// `pair`: one channel or region pair; `average`: each recording's mean over every
    /// pair.
    pub scope: String,
    /// Measure id (as in `sesame measures`).
    pub measure: String,
    /// First channel or region of the pair (empty for `average`).
    pub channel_a: String,
    /// Second channel or region of the pair (empty for `average`).
    pub channel_b: String,
    /// Output parameter of the measure (e.g. `rho`, `coh`).
    pub parameter: String,
    /// Unit of the means and SDs (empty: dimensionless).
    pub unit: String,
    /// Label of the first group.
    pub group_1: String,
    /// Label of the second group.
    pub group_2: String,
    /// Recordings of group 1 with a finite value.
    pub n_1: usize,
    /// Recordings of group 2 with a finite value.
    pub n_2: usize,
    /// Mean of group 1, in `unit`.
    pub mean_1: f64,
    /// Sample standard deviation (n − 1).
    pub sd_1: f64,
    /// Mean of group 2, in `unit`.
    pub mean_2: f64,
    /// Sample standard deviation of group 2 (n − 1).
    pub sd_2: f64,
    /// `mann-whitney` or `welch-t`.
    pub test: String,
    /// U of group 1 (Mann–Whitney) or Welch's t.
    pub statistic: f64,
    /// Two-sided p-value (NaN when a group has too few values for the test).
    pub p: f64,
    /// Benjamini–Hochberg adjusted p within the family (scope × group pair).
    pub q: f64,
    /// `rank-biserial` or `hedges-g`.
    pub effect: String,
    /// Value of the effect size named by `effect` (dimensionless).
    pub effect_size: f64,
}

fn group_of<'a>(row: &'a BatchRow, column: &str) -> Result<&'a str, BatchError> {
    Ok(match column {
        "group" => &row.group,
        "session" => &row.session,
        "subject" => &row.subject,
        other => {
            return Err(BatchError::Input(format!(
                "cannot group by `{other}`: use group, session or subject"
            )))
        }
    })
}

type Key = (String, String, String, String, String); // measure, a, b, parameter, unit
/// group → recording → (sum of values, count).
type RecordingSums = BTreeMap<String, BTreeMap<String, (f64, usize)>>;

/// Compares every pair of groups (by `column`: `group`, `session` or `subject`) on
/// every measure, pair and parameter of `rows`, and on each recording's pair average.
/// Rows with an empty group or a non-finite value are left out.
pub fn compare(
    rows: &[BatchRow],
    column: &str,
    test: GroupTest,
) -> Result<Vec<GroupComparison>, BatchError> {
    let mut pair: BTreeMap<Key, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
    // (measure, parameter, unit) → group → recording → (sum, count)
    let mut avg: BTreeMap<(String, String, String), RecordingSums> = BTreeMap::new();
    let mut groups = std::collections::BTreeSet::new();
    for r in rows {
        let g = group_of(r, column)?;
        if g.is_empty() || !r.value.is_finite() || NOT_COMPARED.contains(&r.parameter.as_str()) {
            continue;
        }
        groups.insert(g.to_string());
        pair.entry((
            r.measure.clone(),
            r.channel_a.clone(),
            r.channel_b.clone(),
            r.parameter.clone(),
            r.unit.clone(),
        ))
        .or_default()
        .entry(g.to_string())
        .or_default()
        .push(r.value);
        if !r.channel_b.is_empty() {
            let e = avg
                .entry((r.measure.clone(), r.parameter.clone(), r.unit.clone()))
                .or_default()
                .entry(g.to_string())
                .or_default()
                .entry(r.recording.clone())
                .or_insert((0.0, 0));
            e.0 += r.value;
            e.1 += 1;
        }
    }
    let groups: Vec<String> = groups.into_iter().collect();
    if groups.len() < 2 {
        return Err(BatchError::Input(format!(
            "grouping by `{column}` gives {} group(s) ({}); a comparison needs two",
            groups.len(),
            groups.join(", ")
        )));
    }
    let mut out = Vec::new();
    for i in 0..groups.len() {
        for j in i + 1..groups.len() {
            let (g1, g2) = (&groups[i], &groups[j]);
            let mut family = Vec::new();
            for ((measure, a, b, parameter, unit), by_group) in &pair {
                let empty = Vec::new();
                let x = by_group.get(g1).unwrap_or(&empty);
                let y = by_group.get(g2).unwrap_or(&empty);
                family.push(one(
                    "pair", measure, a, b, parameter, unit, g1, g2, x, y, test,
                ));
            }
            adjust(&mut family)?;
            out.extend(family);
            let mut family = Vec::new();
            for ((measure, parameter, unit), by_group) in &avg {
                let means = |g: &String| -> Vec<f64> {
                    by_group
                        .get(g)
                        .map(|recs| recs.values().map(|(s, n)| s / *n as f64).collect())
                        .unwrap_or_default()
                };
                let (x, y) = (means(g1), means(g2));
                family.push(one(
                    "average", measure, "", "", parameter, unit, g1, g2, &x, &y, test,
                ));
            }
            adjust(&mut family)?;
            out.extend(family);
        }
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn one(
    scope: &str,
    measure: &str,
    a: &str,
    b: &str,
    parameter: &str,
    unit: &str,
    g1: &str,
    g2: &str,
    x: &[f64],
    y: &[f64],
    test: GroupTest,
) -> GroupComparison {
    let mean_sd = |v: &[f64]| match crate::analysis::stats::describe(v) {
        Ok(s) => (s.mean, s.sd),
        Err(_) => (f64::NAN, f64::NAN),
    };
    let (mean_1, sd_1) = mean_sd(x);
    let (mean_2, sd_2) = mean_sd(y);
    let (test_name, effect) = match test {
        GroupTest::MannWhitney => ("mann-whitney", "rank-biserial"),
        GroupTest::WelchT => ("welch-t", "hedges-g"),
    };
    let (statistic, p, effect_size) = match compare_groups(x, y, test) {
        Ok(c) => (c.statistic, c.p_value, c.effect_size),
        Err(_) => (f64::NAN, f64::NAN, f64::NAN),
    };
    GroupComparison {
        scope: scope.into(),
        measure: measure.into(),
        channel_a: a.into(),
        channel_b: b.into(),
        parameter: parameter.into(),
        unit: unit.into(),
        group_1: g1.into(),
        group_2: g2.into(),
        n_1: x.len(),
        n_2: y.len(),
        mean_1,
        sd_1,
        mean_2,
        sd_2,
        test: test_name.into(),
        statistic,
        p,
        q: f64::NAN,
        effect: effect.into(),
        effect_size,
    }
}

/// Fills `q` by Benjamini–Hochberg over the finite p-values of a family.
fn adjust(family: &mut [GroupComparison]) -> Result<(), BatchError> {
    let idx: Vec<usize> = (0..family.len())
        .filter(|&i| family[i].p.is_finite())
        .collect();
    let p: Vec<f64> = idx.iter().map(|&i| family[i].p).collect();
    let q = benjamini_hochberg(&p).map_err(|e| BatchError::Format(e.to_string()))?;
    for (k, &i) in idx.iter().enumerate() {
        family[i].q = q[k];
    }
    Ok(())
}

/// The comparison as TSV, header first.
pub fn to_tsv(rows: &[GroupComparison]) -> Result<Vec<u8>, BatchError> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .from_writer(Vec::new());
    for r in rows {
        w.serialize(r)
            .map_err(|e| BatchError::Format(e.to_string()))?;
    }
    w.into_inner()
        .map_err(|e| BatchError::Format(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(rec: &str, group: &str, a: &str, b: &str, v: f64) -> BatchRow {
        BatchRow {
            recording: rec.into(),
            subject: rec.into(),
            session: String::new(),
            group: group.into(),
            channel_a: a.into(),
            channel_b: b.into(),
            measure: "ses-bumps".into(),
            parameter: "rho".into(),
            value: v,
            unit: String::new(),
            n_events: None,
            certified: None,
        }
    }

    #[test]
    fn pair_and_average_rows_with_hand_checked_numbers() {
        // Group c: pair F3-F4 values 1, 2, 3; group p: 4, 5, 6. Second pair F3-Fz: c 0,0,0
        // and p 2,2,2, so the per-recording averages are c 0.5, 1, 1.5 and p 3, 3.5, 4.
        let mut rows = Vec::new();
        for (k, (v, w)) in [(1.0, 0.0), (2.0, 0.0), (3.0, 0.0)].iter().enumerate() {
            rows.push(row(&format!("c{k}"), "c", "F3", "F4", *v));
            rows.push(row(&format!("c{k}"), "c", "F3", "Fz", *w));
        }
        for (k, v) in [4.0, 5.0, 6.0].iter().enumerate() {
            rows.push(row(&format!("p{k}"), "p", "F3", "F4", *v));
            rows.push(row(&format!("p{k}"), "p", "F3", "Fz", 2.0));
        }
        let c = compare(&rows, "group", GroupTest::WelchT).unwrap();
        assert_eq!(c.len(), 3);
        let f4 = c.iter().find(|r| r.channel_b == "F4").unwrap();
        assert_eq!((f4.mean_1, f4.sd_1, f4.mean_2), (2.0, 1.0, 5.0));
        // Welch t = (2 − 5)/sqrt(1/3 + 1/3) = −3.674…; df = 4.
        assert!((f4.statistic + 3.0 / (2.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert!(f4.p < 0.05 && f4.p > 0.01, "{}", f4.p);
        // The F3–Fz pair has zero variance in both groups: no finite p, q stays NaN.
        let fz = c.iter().find(|r| r.channel_b == "Fz").unwrap();
        assert!(fz.q.is_nan() || fz.p.is_finite());
        let avg = c.iter().find(|r| r.scope == "average").unwrap();
        assert_eq!((avg.mean_1, avg.mean_2), (1.0, 3.5));
        assert_eq!((avg.n_1, avg.n_2), (3, 3));
        // A single-member family: q = p.
        assert_eq!(avg.q, avg.p);
    }

    #[test]
    fn one_group_is_an_error() {
        let rows = vec![row("a", "c", "F3", "F4", 1.0)];
        let e = compare(&rows, "group", GroupTest::MannWhitney).unwrap_err();
        assert!(e.to_string().contains("1 group(s)"), "{e}");
        assert!(compare(&rows, "colour", GroupTest::MannWhitney).is_err());
    }
}
