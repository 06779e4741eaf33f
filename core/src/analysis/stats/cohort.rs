//! The permutation, network-based and bootstrap analyses of a batch table
//! (`sesame stats --permutations N [--nbs-threshold τ] [--bootstrap R]`).
//!
//! A family is one measure, parameter and unit compared between two groups; its pairs
//! are the rows with two channels (or regions). Independent groups: an observation is a
//! recording; a pair enters the family when every recording of the two groups has a
//! finite value for it. Paired (`paired_by`, e.g. `subject`, with the groups being
//! sessions): an observation is a subject with exactly one recording in each group, and
//! its value is the difference group 1 − group 2. Every pair of a family sees the same
//! relabellings, so the max-statistic correction and NBS run over the whole family.

use super::bootstrap::{bootstrap_ci, BootstrapCi, Interval};
use super::nbs::PairGraph;
use super::permutation::{
    permutation_test, Design, NbsOptions, PermutationOptions, Statistic, TailP,
};
use super::{student_t_two_sided_p, welch_t_test, StatsError};
use crate::batch::output::BatchRow;
use crate::measures::Direction;
use crate::surrogates::splitmix64;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Parameters that are counts or flags, not values to compare.
const NOT_COMPARED: [&str; 2] = ["n_events", "certified"];
/// Suffixes of the per-pair surrogate test rows of `sesame analyze --surrogates`.
const SURROGATE_SUFFIXES: [&str; 5] = [".p", ".q", ".null_mean", ".null_sd", ".p_fwer"];

/// Which component property NBS tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NbsBy {
    /// Number of edges.
    Size,
    /// Summed excess of the statistic over the threshold.
    Intensity,
}

/// The analyses to run and their settings.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortOptions {
    /// Column of the groups: `group`, `session` or `subject`.
    pub group_by: String,
    /// Column of the pairing key for a paired design (e.g. `subject`); `None`:
    /// independent groups.
    pub paired_by: Option<String>,
    /// Permutations `B` (0: no permutation test and no NBS).
    pub permutations: usize,
    /// Per-pair statistic of the permutation test and NBS (Welch/paired t or mean
    /// difference).
    pub statistic: Statistic,
    /// Base seed: each family's permutations and each pair's bootstrap draw from a seed
    /// derived from it and the item's name, so results do not depend on the order of
    /// families.
    pub seed: u64,
    /// NBS primary threshold on the statistic (needs `permutations ≥ 1`).
    pub nbs_threshold: Option<f64>,
    /// Component property whose family-wise p NBS reports (`p` of [`NbsEdge`]).
    pub nbs_by: NbsBy,
    /// Bootstrap resamples (0: no intervals).
    pub bootstrap: usize,
    /// Confidence level of the intervals.
    pub ci: f64,
}

/// One pair of one family: group means, the statistic, permutation p-values and the
/// bootstrap intervals (NaN where not computed).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PairTest {
    /// `pair`: one channel or region pair; `average`: each observation's mean over the
    /// family's pairs (one test, its own family).
    pub scope: String,
    /// Measure id from the registry.
    pub measure: String,
    /// First channel or region of the pair (empty for `average`).
    pub channel_a: String,
    /// Second channel or region of the pair (empty for `average`).
    pub channel_b: String,
    /// Output name of the measure (`rho`, `z`…).
    pub parameter: String,
    /// Unit of the values, means and intervals (empty: dimensionless).
    pub unit: String,
    /// The output's synchrony direction: `higher`, `lower`, `two-sided`, `none`,
    /// `unknown` (a measure this build does not know).
    pub sync_direction: String,
    /// Label of group 1 (the alphabetically first of the two).
    pub group_1: String,
    /// Label of group 2.
    pub group_2: String,
    /// `independent` or `paired`.
    pub design: String,
    /// Observations in group 1 (paired: subjects).
    pub n_1: usize,
    /// Observations in group 2 (paired: subjects, equal to `n_1`).
    pub n_2: usize,
    /// Mean of group 1's values, in `unit`.
    pub mean_1: f64,
    /// Mean of group 2's values, in `unit`.
    pub mean_2: f64,
    /// `mean_1 − mean_2`.
    pub difference: f64,
    /// `welch-t`, `mean-diff`, `paired-t` or `paired-mean-diff`.
    pub statistic: String,
    /// Observed value of `statistic` (t dimensionless, mean difference in `unit`); NaN
    /// without permutations.
    pub stat: f64,
    /// Two-sided parametric p of the t statistic (Welch or paired t); NaN when undefined.
    pub p_t: f64,
    /// Permutations `B` (0: no permutation test, the `p_perm*` and `p_fwer*` columns NaN).
    pub permutations: usize,
    /// Uncorrected two-sided permutation p, `(1 + #{|t_b| ≥ |t|})/(B + 1)`.
    pub p_perm: f64,
    /// Uncorrected permutation p of group 1 > group 2 (one-sided).
    pub p_perm_pos: f64,
    /// Uncorrected permutation p of group 1 < group 2 (one-sided).
    pub p_perm_neg: f64,
    /// Max-statistic family-wise two-sided p, `(1 + #{max_k |t_bk| ≥ |t|})/(B + 1)`.
    pub p_fwer: f64,
    /// Max-statistic family-wise p of group 1 > group 2 (one-sided).
    pub p_fwer_pos: f64,
    /// Max-statistic family-wise p of group 1 < group 2 (one-sided).
    pub p_fwer_neg: f64,
    /// Bootstrap resamples `R` (0: no intervals, the `*_low`/`*_high` columns NaN).
    pub bootstrap: usize,
    /// Confidence level `1 − α` of the intervals (e.g. 0.95); NaN without bootstrap.
    pub ci_level: f64,
    /// Lower percentile-bootstrap bound of `mean_1`.
    pub mean_1_low: f64,
    /// Upper percentile-bootstrap bound of `mean_1`.
    pub mean_1_high: f64,
    /// Lower percentile-bootstrap bound of `mean_2`.
    pub mean_2_low: f64,
    /// Upper percentile-bootstrap bound of `mean_2`.
    pub mean_2_high: f64,
    /// Lower percentile-bootstrap bound of `difference`.
    pub difference_low: f64,
    /// Upper percentile-bootstrap bound of `difference`.
    pub difference_high: f64,
}

/// One edge of one NBS component (tidy: the component's properties repeat on each of
/// its edges).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct NbsEdge {
    /// Measure id from the registry.
    pub measure: String,
    /// Output name of the measure.
    pub parameter: String,
    /// Unit of the values (empty: dimensionless).
    pub unit: String,
    /// The output's synchrony direction, as in [`PairTest::sync_direction`].
    pub sync_direction: String,
    /// Label of group 1.
    pub group_1: String,
    /// Label of group 2.
    pub group_2: String,
    /// `independent` or `paired`.
    pub design: String,
    /// `welch-t`, `mean-diff`, `paired-t` or `paired-mean-diff`.
    pub statistic: String,
    /// NBS primary threshold `τ` on the statistic (an edge passes when `±stat > τ`).
    pub threshold: f64,
    /// Permutations `B` behind the family-wise p-values.
    pub permutations: usize,
    /// `positive` (group 1 > group 2) or `negative`.
    pub tail: String,
    /// 1, 2, … within the family and tail, largest first.
    pub component: usize,
    /// Number of edges of the component.
    pub size: usize,
    /// Summed excess of the component's edges over the threshold, `Σ (±stat − τ)`.
    pub intensity: f64,
    /// `size` or `intensity`: the property `p` tests.
    pub by: String,
    /// Family-wise p against this tail's null.
    pub p: f64,
    /// Family-wise p against the larger of both tails' maxima (two-sided).
    pub p_both_tails: f64,
    /// First channel or region of the edge.
    pub channel_a: String,
    /// Second channel or region of the edge.
    pub channel_b: String,
    /// The edge's statistic.
    pub stat: f64,
}

/// The analyses' tables and what was left out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CohortResult {
    /// Per-pair tests (`scope` `pair`), each family and two groups followed by its `average`
    /// row.
    pub pairs: Vec<PairTest>,
    /// The edges of the NBS components (empty without an NBS threshold).
    pub nbs: Vec<NbsEdge>,
    /// Pairs, recordings or subjects left out, and why.
    pub notes: Vec<String>,
}

fn column<'a>(row: &'a BatchRow, name: &str) -> Result<&'a str, StatsError> {
    Ok(match name {
        "group" => &row.group,
        "session" => &row.session,
        "subject" => &row.subject,
        "recording" => &row.recording,
        other => {
            return Err(StatsError::Input(format!(
                "unknown column `{other}`: use group, session, subject or recording"
            )))
        }
    })
}

/// A seed for one named item: `seed` folded with the bytes of each part.
fn key_seed(seed: u64, parts: &[&str]) -> u64 {
    parts.iter().fold(splitmix64(seed), |h, p| {
        p.bytes().fold(splitmix64(h ^ p.len() as u64), |h, c| {
            splitmix64(h ^ u64::from(c))
        })
    })
}

fn direction_name(measure: &str, parameter: &str) -> &'static str {
    let Some(m) = crate::measures::find(measure) else {
        return "unknown";
    };
    match m.outputs().iter().find(|o| o.name == parameter) {
        None => "unknown",
        Some(o) => match o.direction {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
            Direction::TwoSided => "two-sided",
            Direction::Neither => "none",
        },
    }
}

type FamilyKey = (String, String, String); // measure, parameter, unit
type PairKey = (String, String); // channel_a, channel_b
/// pair → observation key (recording) → (group, pairing key, value)
type FamilyRows = BTreeMap<PairKey, BTreeMap<String, (String, String, f64)>>;

/// One family between two groups, ready to test: `x[j]`, `y[j]` the values of pair
/// `j` in each group (paired: aligned by subject).
struct Family {
    pairs: Vec<PairKey>,
    x: Vec<Vec<f64>>,
    y: Vec<Vec<f64>>,
}

/// The observations of `g1` and `g2` in a family and the pairs complete over them.
fn assemble(
    rows: &FamilyRows,
    g1: &str,
    g2: &str,
    paired: bool,
    notes: &mut Vec<String>,
    label: &str,
) -> Result<Family, StatsError> {
    // observation → (group, pairing key)
    let mut obs: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for by_rec in rows.values() {
        for (rec, (g, key, _)) in by_rec {
            if g == g1 || g == g2 {
                obs.insert(rec, (g, key));
            }
        }
    }
    // Observation lists of group 1 and group 2 (paired: aligned by pairing key).
    let (o1, o2): (Vec<&str>, Vec<&str>) = if paired {
        let mut by_key: BTreeMap<&str, [Option<&str>; 2]> = BTreeMap::new();
        for (&rec, &(g, key)) in &obs {
            let slot = &mut by_key.entry(key).or_default()[usize::from(g == g2)];
            if let Some(other) = slot {
                return Err(StatsError::Input(format!(
                    "{label}: `{key}` has two recordings in `{g}` ({other}, {rec}); a paired \
                     design needs one per group"
                )));
            }
            *slot = Some(rec);
        }
        let mut both = (Vec::new(), Vec::new());
        for (key, s) in by_key {
            match s {
                [Some(a), Some(b)] => {
                    both.0.push(a);
                    both.1.push(b);
                }
                _ => notes.push(format!(
                    "{label}: `{key}` has no recording in one group; left out"
                )),
            }
        }
        both
    } else {
        let pick = |grp: &str| {
            obs.iter()
                .filter(|(_, (g, _))| *g == grp)
                .map(|(r, _)| *r)
                .collect()
        };
        (pick(g1), pick(g2))
    };
    let mut fam = Family {
        pairs: Vec::new(),
        x: Vec::new(),
        y: Vec::new(),
    };
    if o1.is_empty() || o2.is_empty() {
        notes.push(format!(
            "{label}: no observation in one of the groups; left out"
        ));
        return Ok(fam);
    }
    let mut dropped = 0;
    for (pair, by_rec) in rows {
        let values = |o: &[&str]| -> Option<Vec<f64>> {
            o.iter().map(|r| by_rec.get(*r).map(|v| v.2)).collect()
        };
        match (values(&o1), values(&o2)) {
            (Some(x), Some(y)) => {
                fam.pairs.push(pair.clone());
                fam.x.push(x);
                fam.y.push(y);
            }
            _ => dropped += 1,
        }
    }
    if dropped > 0 {
        notes.push(format!(
            "{label}: {dropped} pair(s) lack a value in some of the {} observations; left out",
            o1.len() + o2.len()
        ));
    }
    Ok(fam)
}

/// Runs the requested analyses on every family and every two groups (see the module
/// doc).
pub fn analyze_cohort(rows: &[BatchRow], opts: &CohortOptions) -> Result<CohortResult, StatsError> {
    if opts.nbs_threshold.is_some() && opts.permutations == 0 {
        return Err(StatsError::Input(
            "NBS needs permutations: give --permutations N (e.g. 5000)".into(),
        ));
    }
    let paired = opts.paired_by.is_some();
    let mut families: BTreeMap<FamilyKey, FamilyRows> = BTreeMap::new();
    let mut groups = BTreeSet::new();
    for r in rows {
        let g = column(r, &opts.group_by)?;
        let key = match &opts.paired_by {
            Some(c) => column(r, c)?,
            None => "",
        };
        if g.is_empty()
            || r.channel_b.is_empty()
            || !r.value.is_finite()
            || NOT_COMPARED.contains(&r.parameter.as_str())
            || SURROGATE_SUFFIXES.iter().any(|s| r.parameter.ends_with(s))
        {
            continue;
        }
        if paired && key.is_empty() {
            return Err(StatsError::Input(format!(
                "recording {} has an empty pairing key",
                r.recording
            )));
        }
        groups.insert(g.to_string());
        let prev = families
            .entry((r.measure.clone(), r.parameter.clone(), r.unit.clone()))
            .or_default()
            .entry((r.channel_a.clone(), r.channel_b.clone()))
            .or_default()
            .insert(
                r.recording.clone(),
                (g.to_string(), key.to_string(), r.value),
            );
        if prev.is_some() {
            return Err(StatsError::Input(format!(
                "recording {} has two values of {} {} for {}–{}",
                r.recording, r.measure, r.parameter, r.channel_a, r.channel_b
            )));
        }
    }
    let groups: Vec<String> = groups.into_iter().collect();
    if groups.len() < 2 {
        return Err(StatsError::Input(format!(
            "grouping by `{}` gives {} group(s) ({}); a comparison needs two",
            opts.group_by,
            groups.len(),
            groups.join(", ")
        )));
    }
    let mut out = CohortResult::default();
    for i in 0..groups.len() {
        for j in i + 1..groups.len() {
            for (key, fam_rows) in &families {
                let label = format!("{} {} ({} vs {})", key.0, key.1, groups[i], groups[j]);
                let fam = assemble(
                    fam_rows,
                    &groups[i],
                    &groups[j],
                    paired,
                    &mut out.notes,
                    &label,
                )?;
                if fam.pairs.is_empty() {
                    continue;
                }
                let fail = |e: StatsError| StatsError::Input(format!("{label}: {e}"));
                run_family("pair", key, &groups[i], &groups[j], &fam, opts, &mut out)
                    .map_err(fail)?;
                run_family(
                    "average",
                    key,
                    &groups[i],
                    &groups[j],
                    &fam.average(),
                    opts,
                    &mut out,
                )
                .map_err(fail)?;
            }
        }
    }
    Ok(out)
}

fn nan_interval() -> Interval {
    Interval {
        estimate: f64::NAN,
        low: f64::NAN,
        high: f64::NAN,
    }
}

/// Two-sided p of the t statistic: Welch (independent) or paired t on `d = x − y`,
/// `t = d̄/(s_d/√n)` with `n − 1` degrees of freedom. NaN when undefined.
fn parametric_p(x: &[f64], y: &[f64], paired: bool) -> f64 {
    if !paired {
        return welch_t_test(x, y).map_or(f64::NAN, |r| r.p_value);
    }
    let d: Vec<f64> = x.iter().zip(y).map(|(a, b)| a - b).collect();
    let n = d.len() as f64;
    let (m, v) = super::mean_var(&d);
    if d.len() < 2 || v.is_nan() || v <= 0.0 {
        return f64::NAN;
    }
    student_t_two_sided_p(m / (v / n).sqrt(), n - 1.0)
}

impl Family {
    /// The family of one "pair" whose values are each observation's mean over the pairs
    /// (paired: each session's mean, aligned by subject as before).
    fn average(&self) -> Family {
        let mean = |cols: &[Vec<f64>]| -> Vec<f64> {
            let n = cols.first().map_or(0, Vec::len);
            (0..n)
                .map(|o| cols.iter().map(|c| c[o]).sum::<f64>() / cols.len() as f64)
                .collect()
        };
        Family {
            pairs: vec![(String::new(), String::new())],
            x: vec![mean(&self.x)],
            y: vec![mean(&self.y)],
        }
    }
}

fn run_family(
    scope: &str,
    key: &FamilyKey,
    g1: &str,
    g2: &str,
    fam: &Family,
    opts: &CohortOptions,
    out: &mut CohortResult,
) -> Result<(), StatsError> {
    let paired = opts.paired_by.is_some();
    let seed = key_seed(opts.seed, &[scope, &key.0, &key.1, &key.2, g1, g2]);
    let (design, columns): (Design, Vec<Vec<f64>>) = if paired {
        let d = fam
            .x
            .iter()
            .zip(&fam.y)
            .map(|(x, y)| x.iter().zip(y).map(|(a, b)| a - b).collect())
            .collect();
        (Design::Paired, d)
    } else {
        let c = fam
            .x
            .iter()
            .zip(&fam.y)
            .map(|(x, y)| x.iter().chain(y).copied().collect())
            .collect();
        (
            Design::Independent {
                n1: fam.x.first().map_or(0, Vec::len),
            },
            c,
        )
    };
    let stat_name = match (paired, opts.statistic) {
        (false, Statistic::T) => "welch-t",
        (false, Statistic::MeanDiff) => "mean-diff",
        (true, Statistic::T) => "paired-t",
        (true, Statistic::MeanDiff) => "paired-mean-diff",
    };
    let design_name = if paired { "paired" } else { "independent" };
    let direction = direction_name(&key.0, &key.1);
    let nbs = match opts.nbs_threshold {
        Some(threshold) if scope == "pair" => {
            let nodes: BTreeSet<&str> = fam
                .pairs
                .iter()
                .flat_map(|(a, b)| [a.as_str(), b.as_str()])
                .collect();
            let nodes: Vec<&str> = nodes.into_iter().collect();
            let index = |c: &str| nodes.binary_search(&c).unwrap_or(0);
            let edges = fam
                .pairs
                .iter()
                .map(|(a, b)| (index(a), index(b)))
                .collect();
            Some(NbsOptions {
                threshold,
                graph: PairGraph {
                    n_nodes: nodes.len(),
                    edges,
                },
            })
        }
        _ => None,
    };
    let perm = if opts.permutations > 0 {
        Some(permutation_test(
            design,
            &columns,
            &PermutationOptions {
                permutations: opts.permutations,
                seed,
                statistic: opts.statistic,
            },
            nbs.as_ref(),
        )?)
    } else {
        None
    };
    let cis: Vec<Option<BootstrapCi>> = (0..fam.pairs.len())
        .into_par_iter()
        .map(|j| {
            if opts.bootstrap == 0 {
                return Ok(None);
            }
            let (a, b) = &fam.pairs[j];
            let s = key_seed(seed, &[a, b]);
            bootstrap_ci(&fam.x[j], &fam.y[j], paired, opts.bootstrap, opts.ci, s).map(Some)
        })
        .collect::<Result<_, StatsError>>()?;
    let nan_p = TailP {
        both: f64::NAN,
        positive: f64::NAN,
        negative: f64::NAN,
    };
    for (j, (a, b)) in fam.pairs.iter().enumerate() {
        let (x, y) = (&fam.x[j], &fam.y[j]);
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (p, pf, stat) = match &perm {
            Some(r) => (r.p[j], r.p_fwer[j], r.observed[j]),
            None => (nan_p, nan_p, f64::NAN),
        };
        let ci = cis[j].unwrap_or(BootstrapCi {
            first: nan_interval(),
            second: nan_interval(),
            difference: nan_interval(),
        });
        out.pairs.push(PairTest {
            scope: scope.into(),
            measure: key.0.clone(),
            channel_a: a.clone(),
            channel_b: b.clone(),
            parameter: key.1.clone(),
            unit: key.2.clone(),
            sync_direction: direction.into(),
            group_1: g1.into(),
            group_2: g2.into(),
            design: design_name.into(),
            n_1: x.len(),
            n_2: y.len(),
            mean_1: mean(x),
            mean_2: mean(y),
            difference: mean(x) - mean(y),
            statistic: stat_name.into(),
            stat,
            p_t: parametric_p(x, y, paired),
            permutations: opts.permutations,
            p_perm: p.both,
            p_perm_pos: p.positive,
            p_perm_neg: p.negative,
            p_fwer: pf.both,
            p_fwer_pos: pf.positive,
            p_fwer_neg: pf.negative,
            bootstrap: opts.bootstrap,
            ci_level: if opts.bootstrap > 0 {
                opts.ci
            } else {
                f64::NAN
            },
            mean_1_low: ci.first.low,
            mean_1_high: ci.first.high,
            mean_2_low: ci.second.low,
            mean_2_high: ci.second.high,
            difference_low: ci.difference.low,
            difference_high: ci.difference.high,
        });
    }
    let (Some(r), Some(o)) = (&perm, &nbs) else {
        return Ok(());
    };
    let mut numbers = [0usize; 2];
    for c in &r.components {
        let k = usize::from(c.tail == super::nbs::NbsTail::Negative);
        numbers[k] += 1;
        let (p, p_both) = match opts.nbs_by {
            NbsBy::Size => (c.p_size, c.p_size_both),
            NbsBy::Intensity => (c.p_intensity, c.p_intensity_both),
        };
        for &e in &c.edges {
            out.nbs.push(NbsEdge {
                measure: key.0.clone(),
                parameter: key.1.clone(),
                unit: key.2.clone(),
                sync_direction: direction.into(),
                group_1: g1.into(),
                group_2: g2.into(),
                design: design_name.into(),
                statistic: stat_name.into(),
                threshold: o.threshold,
                permutations: opts.permutations,
                tail: c.tail.name().into(),
                component: numbers[k],
                size: c.size,
                intensity: c.intensity,
                by: match opts.nbs_by {
                    NbsBy::Size => "size".into(),
                    NbsBy::Intensity => "intensity".into(),
                },
                p,
                p_both_tails: p_both,
                channel_a: fam.pairs[e].0.clone(),
                channel_b: fam.pairs[e].1.clone(),
                stat: r.observed[e],
            });
        }
    }
    Ok(())
}

/// Rows as TSV bytes, header first (also when there are no rows).
pub fn to_tsv<T: Serialize + Default>(rows: &[T]) -> Result<Vec<u8>, StatsError> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .from_writer(Vec::new());
    let fail = |e: String| StatsError::Input(format!("writing the table: {e}"));
    let header_only = rows.is_empty();
    let dummy = [T::default()];
    for r in if header_only { &dummy[..] } else { rows } {
        w.serialize(r).map_err(|e| fail(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| fail(e.to_string()))?;
    if !header_only {
        return Ok(bytes);
    }
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    Ok(bytes[..end].to_vec())
}
