//! Candidate clusters (§4.3): every singleton plus every set with at most one event per
//! signal whose shifted times span at most the window `W`, enumerated by sorting the
//! shifted times and growing clusters left to right (depth first). The events are split
//! into independent components wherever consecutive shifted times are more than `W`
//! apart: no candidate crosses such a gap, so each component is its own programme. These
//! components are the "overlapping windows whose boundaries cannot cut a cluster".

use rayon::prelude::*;

use super::cost::CostModel;
use super::MultiError;

/// One independent block of the set-partitioning programme.
#[derive(Debug, Clone)]
pub struct Component {
    /// Input event indices of the block, in order of the sort key.
    pub events: Vec<usize>,
    /// Candidate clusters as input event indices (singletons included, first).
    pub columns: Vec<Vec<usize>>,
    /// Cost `κ_N + g(C)` of every column.
    pub costs: Vec<f64>,
}

impl Component {
    /// True when the only candidates are singletons (nothing to solve).
    pub fn trivial(&self) -> bool {
        self.columns.len() == self.events.len()
    }
}

/// All components at the current parameters.
#[derive(Debug, Clone)]
pub struct CandidateSet {
    /// Components in time order.
    pub components: Vec<Component>,
}

impl CandidateSet {
    /// Enumerates the candidates at the model's parameters with window `window`
    /// (shifted/normalised time units).
    pub(crate) fn build(model: &CostModel, window: f64, limit: usize) -> Result<Self, MultiError> {
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
        let components = blocks
            .par_iter()
            .map(|b| enumerate_block(model, b, &keys, window, kw, limit))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CandidateSet { components })
    }

    /// Total number of candidate columns.
    pub fn n_columns(&self) -> usize {
        self.components.iter().map(|c| c.columns.len()).sum()
    }
}

struct Dfs<'m, 'a> {
    model: &'m CostModel<'a>,
    block: &'m [usize],
    keys: &'m [f64],
    window: f64,
    kw: f64,
    limit: usize,
    visited: usize,
    columns: Vec<Vec<usize>>,
    costs: Vec<f64>,
    used: Vec<bool>,
}

impl Dfs<'_, '_> {
    /// Extends `members` (last added at block position `last`) by later events of unused
    /// signals within the key window of the first member.
    fn grow(
        &mut self,
        members: &mut Vec<usize>,
        first: usize,
        last: usize,
    ) -> Result<(), MultiError> {
        let k0 = self.keys[self.block[first]];
        for q in (last + 1)..self.block.len() {
            let e = self.block[q];
            if self.keys[e] - k0 > self.kw {
                break;
            }
            let sig = self.model.prep.evs[e].signal;
            if self.used[sig] {
                continue;
            }
            self.visited += 1;
            if self.visited > self.limit {
                return Err(MultiError::TooManyCandidates {
                    events: self.block.len(),
                    candidates: self.visited,
                    limit: self.limit,
                    start: self.model.prep.evs[self.block[0]].x[0],
                    window: self.window,
                });
            }
            members.push(e);
            self.used[sig] = true;
            let within = !self.model.normalised() || self.model.span0(members) <= self.window;
            if within {
                let g = self.model.g(members);
                if self.model.undominated(members, g) {
                    let mut c = members.clone();
                    c.sort_unstable();
                    self.columns.push(c);
                    self.costs.push(self.model.kappa + g);
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

fn enumerate_block(
    model: &CostModel,
    block: &[usize],
    keys: &[f64],
    window: f64,
    kw: f64,
    limit: usize,
) -> Result<Component, MultiError> {
    let n_sig = model.delta[0].len();
    let mut dfs = Dfs {
        model,
        block,
        keys,
        window,
        kw,
        limit,
        visited: 0,
        columns: block.iter().map(|&e| vec![e]).collect(),
        costs: vec![model.kappa; block.len()],
        used: vec![false; n_sig],
    };
    if block.len() > 1 {
        let mut members = Vec::with_capacity(n_sig);
        for p in 0..block.len() {
            let e = block[p];
            let sig = model.prep.evs[e].signal;
            members.push(e);
            dfs.used[sig] = true;
            dfs.grow(&mut members, p, p)?;
            dfs.used[sig] = false;
            members.pop();
        }
    }
    Ok(Component {
        events: block.to_vec(),
        columns: dfs.columns,
        costs: dfs.costs,
    })
}
