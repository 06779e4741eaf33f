//! The clustering of all candidate components: small components packed into exact
//! set-partitioning programmes ([`super::ilp`]), large ones solved in overlapping time
//! windows ([`super::window`]), in parallel, with one solver report.
//!
//! This module sits above both solvers so that neither imports the other.

use rayon::prelude::*;

use super::candidates::{CandidateSet, EventComponent};
use super::ilp::solve_with_deadline;
use super::types::{Deadline, MultiError, SolverReport};

/// A packed model: consecutive non-trivial components sharing one HiGHS programme.
struct Batch {
    events: Vec<usize>,
    columns: Vec<Vec<usize>>,
    costs: Vec<f64>,
}

/// Solves the clustering over all components. Returns the clusters (sorted member lists,
/// sorted by first member) and the solver report.
///
/// Components with more than `max_programme_events` events are solved in overlapping
/// time windows ([`super::window`]); the others are packed into models of about
/// `columns_per_model` columns and solved exactly.
///
/// `hint` (the previous clustering of an alternation, sorted member lists) is used as the
/// first incumbent of every model whose events it partitions with current candidates
/// (see [`super::ilp::solve_set_partition_from`]); it never changes the optimum, only the work.
pub(crate) fn solve_clustering(
    cand: &CandidateSet,
    columns_per_model: usize,
    max_programme_events: usize,
    hint: Option<&[Vec<usize>]>,
    deadline: &Deadline,
) -> Result<(Vec<Vec<usize>>, SolverReport), MultiError> {
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    let mut report = SolverReport {
        components: cand.components.len(),
        largest_component: cand
            .components
            .iter()
            .map(|c| c.events.len())
            .max()
            .unwrap_or(0),
        candidates: cand.n_columns(),
        ..SolverReport::default()
    };
    let mut batches: Vec<Batch> = Vec::new();
    let mut windowed: Vec<&EventComponent> = Vec::new();
    let mut cur: Option<Batch> = None;
    for comp in &cand.components {
        if comp.trivial() {
            clusters.extend(comp.events.iter().map(|&e| vec![e]));
            report.lp_bound += comp.costs.iter().sum::<f64>();
            continue;
        }
        if comp.events.len() > max_programme_events.max(1) {
            windowed.push(comp);
            continue;
        }
        let b = cur.get_or_insert_with(|| Batch {
            events: Vec::new(),
            columns: Vec::new(),
            costs: Vec::new(),
        });
        b.events.extend_from_slice(&comp.events);
        b.columns.extend(comp.columns.iter().cloned());
        b.costs.extend_from_slice(&comp.costs);
        if b.columns.len() >= columns_per_model.max(1) {
            batches.extend(cur.take());
        }
    }
    batches.extend(cur.take());

    // Hint clusters grouped by the batch of their first event.
    let n_events = cand
        .components
        .iter()
        .flat_map(|c| c.events.iter().copied())
        .max()
        .map_or(0, |m| m + 1);
    let mut batch_of = vec![usize::MAX; n_events];
    for (k, b) in batches.iter().enumerate() {
        for &e in &b.events {
            batch_of[e] = k;
        }
    }
    // Windowed components are numbered after the batches.
    for (k, comp) in windowed.iter().enumerate() {
        for &e in &comp.events {
            batch_of[e] = batches.len() + k;
        }
    }
    let mut hint_of: Vec<Vec<&[usize]>> = vec![Vec::new(); batches.len() + windowed.len()];
    for c in hint.unwrap_or(&[]) {
        if let Some(&k) = c.first().and_then(|&e| batch_of.get(e)) {
            if k != usize::MAX {
                hint_of[k].push(c.as_slice());
            }
        }
    }

    /// What one unit of parallel work (a packed model or a windowed component) adds to
    /// the clustering and the report.
    #[derive(Default)]
    struct Piece {
        clusters: Vec<Vec<usize>>,
        models: usize,
        lp_integral: usize,
        milp: usize,
        max_gap: f64,
        lp_bound: f64,
        windowed: bool,
        windows: usize,
        forced: usize,
        window_gap: f64,
    }
    let tasks: Vec<(Option<&Batch>, Option<&EventComponent>)> = batches
        .iter()
        .map(|b| (Some(b), None))
        .chain(windowed.iter().map(|&c| (None, Some(c))))
        .collect();
    let pieces = tasks
        .par_iter()
        .zip(&hint_of)
        .map(|(task, h)| -> Result<Piece, MultiError> {
            if let (Some(b), _) = task {
                // Local row index of every event of the batch.
                let mut local = std::collections::HashMap::with_capacity(b.events.len());
                for (i, &e) in b.events.iter().enumerate() {
                    local.insert(e, i);
                }
                let cols: Vec<Vec<usize>> = b
                    .columns
                    .iter()
                    .map(|c| c.iter().map(|e| local[e]).collect())
                    .collect();
                let start = hint_columns(b, h);
                let sol = solve_with_deadline(
                    b.events.len(),
                    &cols,
                    &b.costs,
                    start.as_deref(),
                    deadline,
                )?;
                return Ok(Piece {
                    clusters: sol.chosen.iter().map(|&j| b.columns[j].clone()).collect(),
                    models: 1,
                    lp_integral: usize::from(sol.lp_integral),
                    milp: usize::from(!sol.lp_integral),
                    max_gap: if sol.lp_integral { 0.0 } else { sol.gap },
                    lp_bound: sol.lp_bound,
                    ..Piece::default()
                });
            }
            let Some(c) = task.1 else {
                return Ok(Piece::default());
            };
            let w = super::window::solve_windowed(
                c,
                cand.key_window,
                max_programme_events.max(1),
                h,
                deadline,
            )?;
            Ok(Piece {
                models: w.windows,
                lp_integral: w.lp_integral,
                milp: w.milp,
                max_gap: w.max_gap,
                lp_bound: w.lower_bound,
                windowed: true,
                windows: w.windows,
                forced: w.forced,
                window_gap: w.relative_gap(),
                clusters: w.clusters,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    for p in pieces {
        report.models += p.models;
        report.lp_integral += p.lp_integral;
        report.milp += p.milp;
        report.max_gap = report.max_gap.max(p.max_gap);
        report.lp_bound += p.lp_bound;
        if p.windowed {
            report.windowed_components += 1;
            report.windows += p.windows;
            report.forced_windows += p.forced;
            report.window_gap = report.window_gap.max(p.window_gap);
        }
        clusters.extend(p.clusters);
    }
    report.status = if report.window_gap <= super::window::CERTIFIED_GAP {
        "optimal".into()
    } else {
        "windowed".into()
    };
    clusters.sort();
    Ok((clusters, report))
}

/// Column indices of `b` forming the hint clusters `h`, when every hint cluster is a
/// current candidate of the batch and together they cover its events exactly once.
fn hint_columns(b: &Batch, h: &[&[usize]]) -> Option<Vec<usize>> {
    if h.is_empty() || h.iter().map(|c| c.len()).sum::<usize>() != b.events.len() {
        return None;
    }
    let index: std::collections::HashMap<&[usize], usize> = b
        .columns
        .iter()
        .enumerate()
        .map(|(j, c)| (c.as_slice(), j))
        .collect();
    // Hint clusters are disjoint (a clustering) and each is a column of this batch, so
    // equal total size means an exact cover of the batch's events.
    h.iter().map(|c| index.get(c).copied()).collect()
}
