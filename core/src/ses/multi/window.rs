//! Overlapping time windows for connected components too large for one programme.
//!
//! A connected component of the event–candidate graph (see [`super::candidates`]) is one
//! set-partitioning programme; it cannot be split exactly, because candidates chain its
//! events together. When it holds more than [`super::MultiOptions::max_programme_events`]
//! events (`L`), it is solved as a sequence of overlapping windows along the sort key
//! (shifted time), from left to right:
//!
//! 1. A window holds the next `L` events not yet committed, starting at the earliest
//!    one (`start`), extended if needed until it spans more than three key windows `K`
//!    (no candidate spans more than `K` on the sort key). Its programme has every
//!    candidate of the component whose members are all uncommitted events of the window
//!    (singletons included, so it is feasible), and is solved exactly like any model (LP
//!    relaxation, then MILP if it is fractional).
//! 2. **Commit line.** With `e_end` the first event after the window and `span` the key
//!    distance from `start` to `e_end`, the line is `key(e_end) − max(K, span/2)`; the
//!    last window of the component has no line. A cluster of the window's optimum is
//!    **committed** — kept in the final clustering — only if all its members lie before the
//!    line (the window's interior). The rest of the window (the overlap: its second half,
//!    and at least one key window) is solved again by the next window, which starts at the
//!    earliest uncommitted event.
//! 3. Every window makes progress: the cluster holding `start` ends by `key(start) + K`,
//!    and the line lies at `key(start) + span/2 > key(start) + 1.5 K`. (A safety net
//!    commits that cluster should rounding ever leave the interior empty; such windows
//!    are counted as `forced_windows` and are not expected.)
//!
//! **What is guaranteed.**
//! * *No window boundary cuts a cluster.* Every committed cluster is a candidate of the
//!   component, taken whole from one window's solution; every event is committed exactly
//!   once, so the result is a partition of the component into candidate clusters.
//! * *Committed clusters saw all their competitors.* A committed cluster `C` (line
//!   `≤ key(e_end) − K`) has all its members more than `K` before `e_end`, so every
//!   candidate sharing an event with `C` lies before `e_end` as well: it is in the window's
//!   programme unless it uses an event committed by an earlier window.
//! * *Certified bound.* For any row prices `y`,
//!   `L(y) = Σ_e y_e + Σ_C min(0, cost(C) − Σ_{e∈C} y_e)` over **all** candidates of the
//!   component is a lower bound on the component's optimum (Lagrangian relaxation of the
//!   partition constraints). The prices start from the LP row prices of each event in the
//!   window that committed it and are improved by subgradient ascent (every iterate is a
//!   valid bound; the best is kept). With `U` the cost of the windowed
//!   clustering, `U − L ≥ U − optimum ≥ 0`: the report's `window_gap` is
//!   `(U − L)/max(|U|, 1)`, and when it is ≤ [`CERTIFIED_GAP`] the windowed clustering is
//!   proven optimal.
//! * Deterministic: windows are solved in sequence, each exactly and single-threaded.
//!
//! The windowed clustering is not guaranteed to be optimal in general (a truncation at a
//! window's right edge can in principle change the optimum arbitrarily far to the left);
//! the bound says by how much it can at most miss.

use std::collections::HashMap;

use super::candidates::EventComponent;
use super::ilp::solve_with_deadline;
use super::types::{Deadline, MultiError};

/// Relative gap below which a windowed clustering counts as proven optimal.
pub const CERTIFIED_GAP: f64 = 1e-9;

/// Result of one windowed component.
#[derive(Debug, Clone)]
pub(crate) struct WindowedSolution {
    /// Committed clusters (sorted input event indices).
    pub clusters: Vec<Vec<usize>>,
    /// Their total cost `U`.
    pub objective: f64,
    /// Certified lower bound `L` on the component's optimum.
    pub lower_bound: f64,
    /// Window programmes solved.
    pub windows: usize,
    /// Windows whose LP relaxation was integral.
    pub lp_integral: usize,
    /// Windows that needed branch-and-bound.
    pub milp: usize,
    /// Largest MIP gap among the windows.
    pub max_gap: f64,
    /// Windows in which progress had to be forced (no interior cluster).
    pub forced: usize,
}

impl WindowedSolution {
    /// `(U − L)/max(|U|, 1)`, clamped at 0 (rounding).
    pub fn relative_gap(&self) -> f64 {
        ((self.objective - self.lower_bound) / self.objective.abs().max(1.0)).max(0.0)
    }
}

/// Solves `comp` in overlapping windows of `window_events` events (see the module
/// documentation). `key_window` is the largest span of a candidate on the sort key;
/// `hint` (clusters of a previous clustering whose first event is in the component) is
/// offered to each window as a starting partition, completed by singletons.
pub(crate) fn solve_windowed(
    comp: &EventComponent,
    key_window: f64,
    window_events: usize,
    hint: &[&[usize]],
    deadline: &Deadline,
) -> Result<WindowedSolution, MultiError> {
    let n = comp.events.len();
    let keys = &comp.keys;
    let pos_of: HashMap<usize, usize> = comp
        .events
        .iter()
        .enumerate()
        .map(|(p, &e)| (e, p))
        .collect();
    // Columns as ascending positions; grouped by their first position (CSR).
    let cols: Vec<Vec<usize>> = comp
        .columns
        .iter()
        .map(|c| {
            let mut v: Vec<usize> = c.iter().map(|e| pos_of[e]).collect();
            v.sort_unstable();
            v
        })
        .collect();
    let mut first = vec![0usize; n + 1];
    for c in &cols {
        first[c[0] + 1] += 1;
    }
    for p in 0..n {
        first[p + 1] += first[p];
    }
    let mut by_first = vec![0usize; cols.len()];
    let mut fill = first.clone();
    for (j, c) in cols.iter().enumerate() {
        by_first[fill[c[0]]] = j;
        fill[c[0]] += 1;
    }
    // Hint clusters that are candidates of the component, by column.
    let index: HashMap<&[usize], usize> = comp
        .columns
        .iter()
        .enumerate()
        .map(|(j, c)| (c.as_slice(), j))
        .collect();
    let hint_cols: Vec<usize> = hint.iter().filter_map(|c| index.get(c).copied()).collect();

    let window_events = window_events.max(1);
    let mut committed = vec![false; n];
    let mut price = vec![0.0; n];
    let mut out = WindowedSolution {
        clusters: Vec::new(),
        objective: 0.0,
        lower_bound: 0.0,
        windows: 0,
        lp_integral: 0,
        milp: 0,
        max_gap: 0.0,
        forced: 0,
    };
    let mut row_of = vec![usize::MAX; n];
    let mut in_window_col = vec![usize::MAX; cols.len()];
    let mut start = 0;
    while start < n {
        if committed[start] {
            start += 1;
            continue;
        }
        // The next `window_events` uncommitted events, and at least three key windows.
        let mut end = start;
        let mut rows: Vec<usize> = Vec::with_capacity(window_events);
        while end < n && (rows.len() < window_events || keys[end] - keys[start] <= 3.0 * key_window)
        {
            if !committed[end] {
                row_of[end] = rows.len();
                rows.push(end);
            }
            end += 1;
        }
        // The window's programme: candidates of uncommitted events inside [start, end).
        let mut w_cols: Vec<Vec<usize>> = Vec::new();
        let mut w_costs: Vec<f64> = Vec::new();
        let mut w_ids: Vec<usize> = Vec::new();
        for &p in &rows {
            for &j in &by_first[first[p]..first[p + 1]] {
                let c = &cols[j];
                if c[c.len() - 1] < end && c.iter().all(|&q| !committed[q]) {
                    in_window_col[j] = w_ids.len();
                    w_cols.push(c.iter().map(|&q| row_of[q]).collect());
                    w_costs.push(comp.costs[j]);
                    w_ids.push(j);
                }
            }
        }
        let start_partition = window_start(&hint_cols, &cols, &in_window_col, &w_cols, rows.len());
        let sol = solve_with_deadline(
            rows.len(),
            &w_cols,
            &w_costs,
            start_partition.as_deref(),
            deadline,
        )?;
        out.windows += 1;
        if sol.lp_integral {
            out.lp_integral += 1;
        } else {
            out.milp += 1;
            out.max_gap = out.max_gap.max(sol.gap);
        }
        let line = if end == n {
            f64::INFINITY
        } else {
            keys[end] - key_window.max(0.5 * (keys[end] - keys[start]))
        };
        let mut commit: Vec<usize> = sol
            .chosen
            .iter()
            .map(|&k| w_ids[k])
            .filter(|&j| keys[cols[j][cols[j].len() - 1]] < line)
            .collect();
        if commit.is_empty() {
            // Not reached: the cluster holding `start` ends by `key(start) + K`, below the
            // line `key(start) + span/2` with `span > 3K`. Kept as a safety net against
            // rounding: commit that cluster (it is whole) so the loop always progresses.
            out.forced += 1;
            commit.extend(
                sol.chosen
                    .iter()
                    .map(|&k| w_ids[k])
                    .filter(|&j| cols[j][0] == start),
            );
        }
        for &j in &commit {
            for &q in &cols[j] {
                committed[q] = true;
                price[q] = sol.duals[row_of[q]];
            }
            out.objective += comp.costs[j];
            out.clusters.push(comp.columns[j].clone());
        }
        for &p in &rows {
            row_of[p] = usize::MAX;
        }
        for &j in &w_ids {
            in_window_col[j] = usize::MAX;
        }
    }
    out.lower_bound = lagrangian_bound(&cols, &comp.costs, &mut price, out.objective);
    Ok(out)
}

/// Subgradient steps improving the windows' prices (see [`lagrangian_bound`]).
const SUBGRADIENT_STEPS: usize = 200;

/// `L(y) = Σ_e y_e + Σ_C min(0, c_C − Σ_{e∈C} y_e)`, a lower bound on the optimum of the
/// set-partitioning programme for **any** prices `y` (for a partition `x`,
/// `cost(x) = Σ_e y_e + Σ_C r_C x_C ≥ L(y)`). Starting from the windows' LP prices, which
/// disagree where windows meet, the bound is improved by projected subgradient ascent
/// (`L` is concave; a supergradient is `1 − #{C ∋ e : r_C < 0}`, Polyak steps towards the
/// known cost `upper`); the best bound seen is returned. Prices above the cheapest
/// singleton cost of their event are first lowered to it, which can only raise `L`: the
/// singleton's term and the price cancel, and every other column's reduced cost grows.
fn lagrangian_bound(cols: &[Vec<usize>], costs: &[f64], y: &mut [f64], upper: f64) -> f64 {
    let n = y.len();
    let mut single = vec![f64::INFINITY; n];
    for (c, &cost) in cols.iter().zip(costs) {
        if c.len() == 1 {
            single[c[0]] = single[c[0]].min(cost);
        }
    }
    for (v, &cap) in y.iter_mut().zip(&single) {
        *v = v.min(cap);
    }
    let mut best = f64::NEG_INFINITY;
    let mut grad = vec![0.0; n];
    let mut theta = 1.0;
    for step in 0..=SUBGRADIENT_STEPS {
        grad.iter_mut().for_each(|g| *g = 1.0);
        let mut bound: f64 = y.iter().sum();
        for (c, &cost) in cols.iter().zip(costs) {
            let r = cost - c.iter().map(|&q| y[q]).sum::<f64>();
            if r < 0.0 {
                bound += r;
                for &q in c {
                    grad[q] -= 1.0;
                }
            }
        }
        if bound > best {
            best = bound;
        } else {
            theta *= 0.95;
        }
        let norm2: f64 = grad.iter().map(|g| g * g).sum();
        if step == SUBGRADIENT_STEPS || norm2 == 0.0 || upper - best <= 1e-12 * upper.abs() {
            break;
        }
        let t = theta * (upper - bound).max(0.0) / norm2;
        for (v, g) in y.iter_mut().zip(&grad) {
            *v += t * g;
        }
    }
    best
}

/// A starting partition of a window (local column indices): the hint clusters that are
/// columns of the window, completed by the singletons of the rows they leave uncovered.
/// `None` when no hint cluster of size ≥ 2 is in the window.
fn window_start(
    hint_cols: &[usize],
    cols: &[Vec<usize>],
    in_window_col: &[usize],
    w_cols: &[Vec<usize>],
    n_rows: usize,
) -> Option<Vec<usize>> {
    let mut covered = vec![false; n_rows];
    let mut chosen: Vec<usize> = Vec::new();
    for &j in hint_cols {
        let k = in_window_col[j];
        if k == usize::MAX || cols[j].len() < 2 {
            continue;
        }
        // Hint clusters are disjoint, so their rows are not covered twice.
        for &r in &w_cols[k] {
            covered[r] = true;
        }
        chosen.push(k);
    }
    if chosen.is_empty() {
        return None;
    }
    for (k, c) in w_cols.iter().enumerate() {
        if c.len() == 1 && !covered[c[0]] {
            covered[c[0]] = true;
            chosen.push(k);
        }
    }
    chosen.sort_unstable();
    Some(chosen)
}
