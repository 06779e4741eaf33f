//! The set-partitioning programme of §4.3, solved with HiGHS:
//!
//! ```text
//! minimise Σ_C cost(C)·z_C   subject to   Σ_{C ∋ e} z_C = 1 for every event e,  z_C ∈ {0,1}
//! ```
//!
//! The LP relaxation (`0 ≤ z ≤ 1`) is solved first; when its solution is integral it is
//! optimal (certificate: the LP bound equals its cost). Otherwise — set partitioning is
//! not totally unimodular for N ≥ 3 — branch-and-bound (MILP) is run and its relative gap
//! reported.

use super::types::{Deadline, MultiError};
use highs::{ColProblem, HighsModelStatus, Sense};

/// Solution of one set-partitioning programme.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionSolution {
    /// Indices of the chosen columns, ascending.
    pub chosen: Vec<usize>,
    /// Cost of the chosen columns.
    pub objective: f64,
    /// Optimal value of the LP relaxation (a lower bound).
    pub lp_bound: f64,
    /// True when the LP relaxation's solution was already integral.
    pub lp_integral: bool,
    /// Relative MIP gap reported by HiGHS (0 when the LP was integral).
    pub gap: f64,
    /// Row prices (duals) of the LP relaxation, one per row: for any prices `y`,
    /// `Σ_e y_e + Σ_C min(0, cost(C) − Σ_{e∈C} y_e)` is a lower bound on the optimum.
    pub duals: Vec<f64>,
}

const INTEGRALITY_TOL: f64 = 1e-6;

fn status_error(status: HighsModelStatus, deadline: &Deadline, what: &str) -> MultiError {
    match status {
        HighsModelStatus::ReachedTimeLimit => MultiError::TimeLimit {
            limit_s: deadline.limit_s(),
        },
        other => MultiError::Solver(format!("{what}: HiGHS status {other:?}")),
    }
}

/// Builds and solves one programme: the LP relaxation, or the MILP (`integer`).
fn build_and_solve(
    n_rows: usize,
    columns: &[Vec<usize>],
    costs: &[f64],
    integer: bool,
    deadline: &Deadline,
) -> Result<(Vec<f64>, Vec<f64>, f64, f64), MultiError> {
    let mut pb = ColProblem::default();
    let rows: Vec<_> = (0..n_rows).map(|_| pb.add_row(1.0..=1.0)).collect();
    for (col, &c) in columns.iter().zip(costs) {
        let factors = col.iter().map(|&r| (rows[r], 1.0));
        if integer {
            pb.add_integer_column(c, 0.0..=1.0, factors);
        } else {
            pb.add_column(c, 0.0..=1.0, factors);
        }
    }
    let mut model = pb
        .try_optimise(Sense::Minimise)
        .map_err(|e| MultiError::Solver(format!("HiGHS rejected the programme: {e:?}")))?;
    model.make_quiet();
    let remaining = deadline.remaining()?;
    let opt = |e| MultiError::Solver(format!("setting a HiGHS option failed: {e:?}"));
    model.try_set_option("time_limit", remaining).map_err(opt)?;
    model.try_set_option("threads", 1).map_err(opt)?;
    if integer {
        model.try_set_option("mip_rel_gap", 1e-9).map_err(opt)?;
        model.try_set_option("mip_abs_gap", 1e-9).map_err(opt)?;
        // The feasibility-jump primal heuristic costs much time on these programmes and
        // is not needed (the reduced-cost fixing above already used a good incumbent);
        // the search for the optimum and its proof (gap 1e-9) are unaffected. (A MIP start
        // through `Highs_setSolution` is deliberately not passed: with HiGHS 1.16 it made
        // the solver report a non-optimal start as optimal on small programmes.)
        model
            .try_set_option("mip_heuristic_run_feasibility_jump", false)
            .map_err(opt)?;
    }
    let what = if integer { "MILP" } else { "LP relaxation" };
    let solved = model
        .try_solve()
        .map_err(|e| MultiError::Solver(format!("{what}: HiGHS returned {e:?}")))?;
    let status = solved.status();
    if status != HighsModelStatus::Optimal {
        return Err(status_error(status, deadline, what));
    }
    let gap = if integer {
        solved.mip_gap().max(0.0)
    } else {
        0.0
    };
    let gap = if gap.is_finite() { gap } else { 0.0 };
    let sol = solved.get_solution();
    Ok((
        sol.columns().to_vec(),
        sol.dual_rows().to_vec(),
        solved.objective_value(),
        gap,
    ))
}

/// Chosen columns if `z` is integral and a valid partition of `n_rows` rows.
fn integral_partition(n_rows: usize, columns: &[Vec<usize>], z: &[f64]) -> Option<Vec<usize>> {
    let mut cover = vec![0u32; n_rows];
    let mut chosen = Vec::new();
    for (j, &v) in z.iter().enumerate() {
        if (v - v.round()).abs() > INTEGRALITY_TOL {
            return None;
        }
        if v > 0.5 {
            chosen.push(j);
            for &r in &columns[j] {
                cover[r] += 1;
            }
        }
    }
    cover.iter().all(|&c| c == 1).then_some(chosen)
}

/// Solves one set-partitioning programme with rows `0..n_rows` and the given columns
/// (each a set of row indices) and costs: LP relaxation first, MILP if it is fractional.
/// Feasibility is the caller's responsibility (include every singleton).
pub fn solve_set_partition(
    n_rows: usize,
    columns: &[Vec<usize>],
    costs: &[f64],
    time_limit_s: f64,
) -> Result<PartitionSolution, MultiError> {
    let deadline = Deadline::new(time_limit_s);
    solve_with_deadline(n_rows, columns, costs, None, &deadline)
}

/// [`solve_set_partition`] with a known partition `start` (column indices) as the first
/// incumbent: when the LP relaxation is fractional, the cheaper of `start` and the rounded
/// LP partition bounds the reduced-cost fixing, is accepted without branch-and-bound on
/// every connected part where its cost meets the LP lower bound (an optimality
/// certificate), and starts the MILP elsewhere. The optimum is the same as without a
/// start. `start` must be a partition of the rows (else it is an error).
pub fn solve_set_partition_from(
    n_rows: usize,
    columns: &[Vec<usize>],
    costs: &[f64],
    start: &[usize],
    time_limit_s: f64,
) -> Result<PartitionSolution, MultiError> {
    let mut cover = vec![0u32; n_rows];
    for &j in start {
        let col = columns
            .get(j)
            .ok_or_else(|| MultiError::Solver(format!("start column {j} does not exist")))?;
        for &r in col {
            if r < n_rows {
                cover[r] += 1;
            }
        }
    }
    if cover.iter().any(|&c| c != 1) {
        return Err(MultiError::Solver(
            "the start is not a partition of the rows".into(),
        ));
    }
    let deadline = Deadline::new(time_limit_s);
    solve_with_deadline(n_rows, columns, costs, Some(start), &deadline)
}

/// Relative tolerance of the optimality certificate `cost(incumbent) ≤ lower bound`
/// (the MILP's relative gap tolerance).
const CERT_TOL: f64 = 1e-9;

pub(crate) fn solve_with_deadline(
    n_rows: usize,
    columns: &[Vec<usize>],
    costs: &[f64],
    hint: Option<&[usize]>,
    deadline: &Deadline,
) -> Result<PartitionSolution, MultiError> {
    let (z, y, lp_bound, _) = build_and_solve(n_rows, columns, costs, false, deadline)?;
    if let Some(chosen) = integral_partition(n_rows, columns, &z) {
        let objective = chosen.iter().map(|&j| costs[j]).sum();
        return Ok(PartitionSolution {
            chosen,
            objective,
            lp_bound,
            lp_integral: true,
            gap: 0.0,
            duals: y,
        });
    }
    // Fractional LP: branch-and-bound, on a reduced programme (reduced-cost fixing).
    //
    // For any row prices `y`, the reduced costs `r_j = c_j − Σ_{e∈C_j} y_e` give, for
    // every partition `x`, `cost(x) = Σ_e y_e + Σ_j r_j x_j ≥ L + r_k` for each chosen
    // column `k` with `r_k ≥ 0`, where `L = Σ_e y_e + Σ_j min(r_j, 0)` (a valid lower
    // bound for any `y`; we take the LP duals, recomputing `r` ourselves so the identity
    // is exact). A column with `r_k > U − L`, `U` the cost of a known partition, is in
    // no partition cheaper than `U`: dropping it loses no optimum. The known partition
    // keeps its columns, so the reduced programme stays feasible. The rest is block-
    // diagonal over connected components; a component on which the LP solution is
    // integral is solved by it (the LP optimum decomposes over components), the others
    // go to HiGHS's MILP.
    let mut red_cost: Vec<f64> = Vec::with_capacity(columns.len());
    for (col, &c) in columns.iter().zip(costs) {
        red_cost.push(c - col.iter().map(|&r| y[r]).sum::<f64>());
    }
    let lower = y.iter().sum::<f64>() + red_cost.iter().map(|r| r.min(0.0)).sum::<f64>();
    // Incumbent: the rounded LP partition, or the given start when it is cheaper (in an
    // alternation, the previous clustering — often optimal or nearly so, which makes
    // `U − L` the true integrality gap and the fixing very effective).
    let rounded = round_up_partition(n_rows, columns, &z);
    let cost_of = |p: &[usize]| p.iter().map(|&j| costs[j]).sum::<f64>();
    let incumbent = match hint {
        Some(h) if cost_of(h) < cost_of(&rounded) => h.to_vec(),
        _ => rounded,
    };
    let upper: f64 = cost_of(&incumbent);
    let slack = upper - lower + 1e-9 * upper.abs().max(1.0);
    let mut keep = vec![false; columns.len()];
    for (j, &r) in red_cost.iter().enumerate() {
        keep[j] = r <= slack;
    }
    let mut in_incumbent = vec![false; columns.len()];
    for &j in &incumbent {
        keep[j] = true;
        in_incumbent[j] = true;
    }
    // Connected components of the reduced programme.
    let mut parent: Vec<usize> = (0..n_rows).collect();
    for (j, col) in columns.iter().enumerate() {
        if !keep[j] {
            continue;
        }
        let mut r0 = find(&mut parent, col[0]);
        for &r in &col[1..] {
            let r1 = find(&mut parent, r);
            if r1 != r0 {
                let (lo, hi) = if r1 < r0 { (r1, r0) } else { (r0, r1) };
                parent[hi] = lo;
                r0 = lo;
            }
        }
    }
    let root: Vec<usize> = (0..n_rows).map(|r| find(&mut parent, r)).collect();
    let mut comp_cols: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (j, col) in columns.iter().enumerate() {
        if keep[j] {
            comp_cols.entry(root[col[0]]).or_default().push(j);
        }
    }
    let mut chosen = Vec::new();
    let mut gap: f64 = 0.0;
    for cols in comp_cols.values() {
        let fractional = cols
            .iter()
            .any(|&j| (z[j] - z[j].round()).abs() > INTEGRALITY_TOL);
        if !fractional {
            chosen.extend(cols.iter().copied().filter(|&j| z[j] > 0.5));
            continue;
        }
        // Certificate on this part: every partition of its rows by its columns costs at
        // least `L_k = Σ_{e∈k} y_e + Σ_{j∈k} min(r_j, 0)`; the incumbent's columns inside
        // the part partition its rows, so if they cost no more than `L_k` they are optimal.
        let inc_cols: Vec<usize> = cols.iter().copied().filter(|&j| in_incumbent[j]).collect();
        let inc_cost: f64 = inc_cols.iter().map(|&j| costs[j]).sum();
        let mut part_rows: Vec<usize> = cols
            .iter()
            .flat_map(|&j| columns[j].iter().copied())
            .collect();
        part_rows.sort_unstable();
        part_rows.dedup();
        let part_lower = part_rows.iter().map(|&r| y[r]).sum::<f64>()
            + cols.iter().map(|&j| red_cost[j].min(0.0)).sum::<f64>();
        if inc_cost <= part_lower + CERT_TOL * inc_cost.abs().max(1.0) {
            chosen.extend(inc_cols);
            continue;
        }
        let mut rows: Vec<usize> = cols
            .iter()
            .flat_map(|&j| columns[j].iter().copied())
            .collect();
        rows.sort_unstable();
        rows.dedup();
        let local: std::collections::HashMap<usize, usize> =
            rows.iter().enumerate().map(|(i, &r)| (r, i)).collect();
        let sub_cols: Vec<Vec<usize>> = cols
            .iter()
            .map(|&j| columns[j].iter().map(|r| local[r]).collect())
            .collect();
        let sub_costs: Vec<f64> = cols.iter().map(|&j| costs[j]).collect();
        let (zi, _, _, g) = build_and_solve(rows.len(), &sub_cols, &sub_costs, true, deadline)?;
        let sub = integral_partition(rows.len(), &sub_cols, &zi).ok_or_else(|| {
            MultiError::Solver("MILP returned a solution that is not a partition".into())
        })?;
        chosen.extend(sub.into_iter().map(|k| cols[k]));
        gap = gap.max(g);
    }
    chosen.sort_unstable();
    let mut cover = vec![0u32; n_rows];
    for &j in &chosen {
        for &r in &columns[j] {
            cover[r] += 1;
        }
    }
    if cover.iter().any(|&c| c != 1) {
        return Err(MultiError::Solver(
            "the integer solution is not a partition of the events".into(),
        ));
    }
    let objective = chosen.iter().map(|&j| costs[j]).sum();
    Ok(PartitionSolution {
        chosen,
        objective,
        lp_bound,
        lp_integral: false,
        gap,
        duals: y,
    })
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// A partition built from the LP solution: its columns in decreasing value, each taken
/// when it does not overlap those already taken,
/// completed by singletons (every row has a singleton column — the caller's feasibility
/// guarantee). Returns the chosen column indices.
fn round_up_partition(n_rows: usize, columns: &[Vec<usize>], z: &[f64]) -> Vec<usize> {
    let mut covered = vec![false; n_rows];
    let mut chosen = Vec::new();
    // Columns in decreasing LP value (ties by index: deterministic), greedily.
    let mut support: Vec<usize> = (0..columns.len())
        .filter(|&j| z[j] > INTEGRALITY_TOL)
        .collect();
    support.sort_by(|&a, &b| z[b].total_cmp(&z[a]).then(a.cmp(&b)));
    for j in support {
        let col = &columns[j];
        if col.iter().all(|&r| !covered[r]) {
            col.iter().for_each(|&r| covered[r] = true);
            chosen.push(j);
        }
    }
    let mut single = vec![usize::MAX; n_rows];
    for (j, col) in columns.iter().enumerate() {
        if col.len() == 1 && single[col[0]] == usize::MAX {
            single[col[0]] = j;
        }
    }
    for r in 0..n_rows {
        if !covered[r] && single[r] != usize::MAX {
            chosen.push(single[r]);
        }
    }
    chosen
}
