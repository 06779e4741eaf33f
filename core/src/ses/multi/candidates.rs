//! Candidate clusters (§4.3): every singleton plus every set with at most one event per
//! signal that can appear in an optimal clustering, enumerated by sorting the events on
//! their shifted time and growing clusters left to right (depth first).
//!
//! **Pruning.** With the lossless window rule and a fixed-scale cost (times, or bumps
//! without width normalisation) an event is only added when it is compatible with every
//! current member (`CostModel::pair_compatible`: `Σ_d (a_id − a_jd)²/(8 s_d) ≤ K'`,
//! a necessary condition for two events to share an optimal cluster). The test is
//! pairwise, hence hereditary, so the search never loses an optimal cluster; in the time
//! dimension it bounds the span by `W = 2·sqrt(2 s K')`, which stops the forward scan.
//! Every enumerated set must also be undominated (splitting off a member must not lower
//! its cost), a lossless filter for any cost.
//!
//! **Splitting the time axis.** Three nested splits keep the programmes small, none of
//! which can cut a cluster of the optimum:
//!
//! 1. *Gaps*: wherever consecutive sort keys are more than the key window apart no
//!    candidate can straddle the gap, so the events on either side form separate blocks.
//! 2. *Overlapping enumeration windows*: inside a block the candidate search is run in
//!    windows of [`STARTS_PER_WINDOW`] consecutive first members. A window owns the
//!    candidates whose earliest member lies in it, and its search reads on past its end
//!    by one key window (the overlap), so every candidate is generated exactly once, by
//!    one window, in full. Windows run in parallel; their outputs are concatenated in
//!    time order (deterministic).
//! 3. *Connected components*: events are linked when they share a candidate; the
//!    set-partitioning programme is block-diagonal over the connected components of
//!    this graph, so each component is solved on its own. This split is exact even when
//!    the events are dense (no gap wider than the window anywhere).
//!
//! The limit on candidates applies per enumeration window and is an error, not a hang.

use rayon::prelude::*;

use super::cost::CostModel;
use super::types::MultiError;

/// One independent block of the set-partitioning programme.
#[derive(Debug, Clone)]
pub struct EventComponent {
    /// Input event indices of the block, in order of the sort key.
    pub events: Vec<usize>,
    /// Sort key (shifted time, or raw time for width-normalised bumps) of every event, in
    /// the order of `events` (non-decreasing).
    pub keys: Vec<f64>,
    /// Candidate clusters as input event indices (singletons included, first).
    pub columns: Vec<Vec<usize>>,
    /// Cost `κ_N + g(C)` of every column.
    pub costs: Vec<f64>,
}

impl EventComponent {
    /// True when the only candidates are singletons (nothing to solve).
    pub fn trivial(&self) -> bool {
        self.columns.len() == self.events.len()
    }
}

/// All components at the current parameters.
#[derive(Debug, Clone)]
pub struct CandidateSet {
    /// Components in time order.
    pub components: Vec<EventComponent>,
    /// Key window: no candidate spans more than this on the sort key.
    pub key_window: f64,
}

impl CandidateSet {
    /// Enumerates the candidates at the model's parameters with window `window`
    /// (shifted/normalised time units). `pair_bound = Some(K')` enables the lossless
    /// pairwise test (fixed-scale costs with the lossless window rule only).
    pub(crate) fn build(
        model: &CostModel,
        window: f64,
        pair_bound: Option<f64>,
        limit: usize,
    ) -> Result<Self, MultiError> {
        let n_ev = model.prep.evs.len();
        let keys: Vec<f64> = (0..n_ev).map(|e| model.key(e)).collect();
        let mut order: Vec<usize> = (0..n_ev).collect();
        order.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]).then(a.cmp(&b)));
        let kw = model.key_window(window);
        let mut blocks: Vec<&[usize]> = Vec::new();
        let mut start = 0;
        for i in 1..=order.len() {
            if i == order.len() || keys[order[i]] - keys[order[i - 1]] > kw {
                blocks.push(&order[start..i]);
                start = i;
            }
        }
        // Enumeration windows: (block, first start position, end start position).
        let tasks: Vec<(usize, usize, usize)> = blocks
            .iter()
            .enumerate()
            .flat_map(|(b, blk)| {
                (0..blk.len())
                    .step_by(STARTS_PER_WINDOW)
                    .map(move |p| (b, p, (p + STARTS_PER_WINDOW).min(blk.len())))
            })
            .collect();
        let ctx = Ctx {
            model,
            keys: &keys,
            window,
            kw,
            pair_bound,
            limit,
        };
        let found = tasks
            .par_iter()
            .map(|&(b, p0, p1)| enumerate_window(&ctx, blocks[b], p0, p1))
            .collect::<Result<Vec<_>, _>>()?;
        // Position of every event inside its block.
        let mut pos = vec![0usize; n_ev];
        for blk in &blocks {
            for (p, &e) in blk.iter().enumerate() {
                pos[e] = p;
            }
        }
        let mut per_block: Vec<(Vec<Vec<usize>>, Vec<f64>)> =
            blocks.iter().map(|_| (Vec::new(), Vec::new())).collect();
        for (&(b, _, _), (cols, costs)) in tasks.iter().zip(found) {
            per_block[b].0.extend(cols);
            per_block[b].1.extend(costs);
        }
        let components = blocks
            .par_iter()
            .zip(per_block)
            .map(|(blk, (cols, costs))| split_connected(model, &keys, blk, &pos, cols, costs))
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect();
        Ok(CandidateSet {
            components,
            key_window: kw,
        })
    }

    /// Total number of candidate columns.
    pub fn n_columns(&self) -> usize {
        self.components.iter().map(|c| c.columns.len()).sum()
    }
}

/// First members per enumeration window (see the module documentation).
pub const STARTS_PER_WINDOW: usize = 256;

/// Shared read-only state of the enumeration.
struct Ctx<'m, 'a> {
    model: &'m CostModel<'a>,
    keys: &'m [f64],
    window: f64,
    kw: f64,
    pair_bound: Option<f64>,
    limit: usize,
}

struct Dfs<'c, 'm, 'a> {
    ctx: &'c Ctx<'m, 'a>,
    block: &'c [usize],
    visited: usize,
    columns: Vec<Vec<usize>>,
    costs: Vec<f64>,
    used: Vec<bool>,
}

impl Dfs<'_, '_, '_> {
    /// Extends `members` (last added at block position `last`) by later events of unused
    /// signals within the key window of the first member.
    fn grow(
        &mut self,
        members: &mut Vec<usize>,
        first: usize,
        last: usize,
    ) -> Result<(), MultiError> {
        let ctx = self.ctx;
        let model = ctx.model;
        let k0 = ctx.keys[self.block[first]];
        for q in (last + 1)..self.block.len() {
            let e = self.block[q];
            if ctx.keys[e] - k0 > ctx.kw {
                break;
            }
            let sig = model.prep.evs[e].signal;
            if self.used[sig] {
                continue;
            }
            if let Some(kp) = ctx.pair_bound {
                if !members.iter().all(|&m| model.pair_compatible(m, e, kp)) {
                    continue;
                }
            }
            self.visited += 1;
            if self.visited > ctx.limit {
                return Err(MultiError::TooManyCandidates {
                    events: self.block.len(),
                    candidates: self.visited,
                    limit: ctx.limit,
                    start: model.prep.evs[self.block[first]].x[0],
                    window: ctx.window,
                });
            }
            members.push(e);
            self.used[sig] = true;
            let within = !model.normalised() || model.span0(members) <= ctx.window;
            if within {
                let g = model.g(members);
                if model.undominated(members, g) {
                    let mut c = members.clone();
                    c.sort_unstable();
                    self.columns.push(c);
                    self.costs.push(model.kappa + g);
                }
            }
            // Supersets may still be inside the window even when this set is not
            // (normalised case) or is dominated, so keep growing.
            self.grow(members, first, q)?;
            members.pop();
            self.used[sig] = false;
        }
        Ok(())
    }
}

/// Candidates of size ≥ 2 whose earliest member sits at block positions `p0..p1`; the
/// search reads on past `p1` by one key window (the overlap of the windows).
#[allow(clippy::type_complexity)]
fn enumerate_window(
    ctx: &Ctx,
    block: &[usize],
    p0: usize,
    p1: usize,
) -> Result<(Vec<Vec<usize>>, Vec<f64>), MultiError> {
    let n_sig = ctx.model.delta[0].len();
    let mut dfs = Dfs {
        ctx,
        block,
        visited: 0,
        columns: Vec::new(),
        costs: Vec::new(),
        used: vec![false; n_sig],
    };
    let mut members = Vec::with_capacity(n_sig);
    for (p, &e) in block.iter().enumerate().take(p1).skip(p0) {
        let sig = ctx.model.prep.evs[e].signal;
        members.push(e);
        dfs.used[sig] = true;
        dfs.grow(&mut members, p, p)?;
        dfs.used[sig] = false;
        members.pop();
    }
    Ok((dfs.columns, dfs.costs))
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Splits one block into the connected components of its event–candidate graph. Each
/// component lists its events in key order and its singletons first.
fn split_connected(
    model: &CostModel,
    keys: &[f64],
    block: &[usize],
    pos: &[usize],
    columns: Vec<Vec<usize>>,
    costs: Vec<f64>,
) -> Vec<EventComponent> {
    let mut parent: Vec<usize> = (0..block.len()).collect();
    for c in &columns {
        let mut r0 = find(&mut parent, pos[c[0]]);
        for &e in &c[1..] {
            let r = find(&mut parent, pos[e]);
            if r != r0 {
                // Union towards the smaller position keeps roots deterministic.
                let (lo, hi) = if r < r0 { (r, r0) } else { (r0, r) };
                parent[hi] = lo;
                r0 = lo;
            }
        }
    }
    // Component id per root, numbered in order of the earliest event.
    let mut comp_of_root = vec![usize::MAX; block.len()];
    let mut comps: Vec<EventComponent> = Vec::new();
    let mut comp_of_pos = vec![0usize; block.len()];
    for p in 0..block.len() {
        let r = find(&mut parent, p);
        if comp_of_root[r] == usize::MAX {
            comp_of_root[r] = comps.len();
            comps.push(EventComponent {
                events: Vec::new(),
                keys: Vec::new(),
                columns: Vec::new(),
                costs: Vec::new(),
            });
        }
        let k = comp_of_root[r];
        comp_of_pos[p] = k;
        comps[k].events.push(block[p]);
        comps[k].keys.push(keys[block[p]]);
        comps[k].columns.push(vec![block[p]]);
        comps[k].costs.push(model.kappa);
    }
    for (c, cost) in columns.into_iter().zip(costs) {
        let k = comp_of_pos[pos[c[0]]];
        comps[k].columns.push(c);
        comps[k].costs.push(cost);
    }
    comps
}
