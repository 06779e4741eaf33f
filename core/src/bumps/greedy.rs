//! Greedy, matching-pursuit-like extraction of half-ellipsoids from a normalised map
//! (docs/model.md §5.5).
//!
//! Loop: pick the window (adaptive size per frequency, §5.3, centred on a band row and any
//! column) holding the most residual energy `Σ R²`; fit one half-ellipsoid to the window's
//! residual by Levenberg–Marquardt ([`super::lm`]); subtract it with clipping at 0; stop
//! when the residual energy falls below `energy_limit × initial energy` or the cap is
//! reached. Window energies are kept per (band row, column) and updated only where a bump
//! changed the residual; the maximum is found with a segment tree over blocks of columns,
//! so one iteration costs about the bump's footprint, not the map's size.

use super::lm::{self, Bounds, Grid};
use super::{HalfEllipsoid, Window, WindowGeometry};
use crate::tf::TfMap;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// Columns per leaf of the maximum tree.
const BLOCK: usize = 64;

/// Fixed-point scale of squared residuals in the window energies: `⌊R²·2³² + ½⌋`.
/// Integer sums are exact, so window energies can be updated by sliding sums and still not
/// depend on the order of updates.
const SCALE: f64 = 4_294_967_296.0;

/// A squared residual in fixed point, clamped to `2⁴` (a normalised map's values are at
/// most 1) so that a window of up to `2²⁶` pixels sums in an `i64`.
#[inline]
fn fixed_sq(v: f64) -> i64 {
    ((v * v).min(16.0) * SCALE + 0.5) as i64
}

/// Why the greedy loop stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// The residual energy fell below `energy_limit × initial energy`.
    EnergyLimit,
    /// The bump cap was reached.
    Cap,
    /// No window holds residual energy that a bump could remove.
    Exhausted,
    /// The last [`Patience::run`] fits all had a height below [`Patience::min_height`]:
    /// the loop has reached the background, which amplitude pruning removes.
    Patience,
}

/// Early stop of the greedy loop: stop after `run` consecutive fitted bumps of height
/// below `min_height` (normalised map units).
///
/// Windows are taken in decreasing residual energy, so the bumps that amplitude pruning
/// keeps come first: on the real recordings and simulations measured (see
/// [`super::BumpOptions::prune_patience`]) every kept bump is fitted within the first
/// few hundred fits, and the longest run of pruned fits between two kept ones is 159,
/// while the loop goes on for thousands of background fits to reach the energy limit.
/// Stopping there leaves the kept bumps as they are unless a kept bump would have come
/// after `run` pruned ones; `run = 0` turns the rule off.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Patience {
    /// Height below which a fit counts as pruned (the `ab` threshold).
    pub min_height: f64,
    /// Consecutive pruned fits that stop the loop (0: never).
    pub run: usize,
}

/// Diagnostics of one fitted bump, in fitting order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BumpFit {
    /// The fitted half-ellipsoid, map pixel coordinates.
    pub shape: HalfEllipsoid,
    /// Map row (frequency index) of the window centre.
    pub window_row: usize,
    /// Map column (time index) of the window centre.
    pub window_col: usize,
    /// Residual energy `Σ R²` inside the window before the fit.
    pub window_energy: f64,
    /// Fit error `Σ (ξ − R)²` over the window.
    pub fit_error: f64,
    /// Levenberg–Marquardt iterations.
    pub iterations: usize,
    /// Decrease of the residual energy caused by subtracting the bump.
    pub energy_decrease: f64,
    /// Residual energy of the whole map after the bump.
    pub residual_energy: f64,
}

/// Everything the greedy loop produced.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOutcome {
    /// Fitted bumps in fitting order.
    pub fits: Vec<BumpFit>,
    /// Initial energy `Σ Z²` of the rows windows reach.
    pub initial_energy: f64,
    /// Final residual energy.
    pub residual_energy: f64,
    /// Why the loop stopped.
    pub stop: StopReason,
}

/// Maximum tree over `(value, index)` leaves; ties go to the lower index.
struct MaxTree {
    size: usize,
    val: Vec<i64>,
    idx: Vec<usize>,
}

impl MaxTree {
    fn new(n: usize) -> MaxTree {
        let size = n.next_power_of_two().max(1);
        MaxTree {
            size,
            val: vec![i64::MIN; 2 * size],
            idx: vec![usize::MAX; 2 * size],
        }
    }

    fn pull(&mut self, mut i: usize) {
        while i > 1 {
            i /= 2;
            let (l, r) = (2 * i, 2 * i + 1);
            let pick = if self.val[r] > self.val[l] { r } else { l };
            self.val[i] = self.val[pick];
            self.idx[i] = self.idx[pick];
        }
    }

    fn set(&mut self, leaf: usize, value: i64, index: usize) {
        let i = self.size + leaf;
        self.val[i] = value;
        self.idx[i] = index;
        self.pull(i);
    }

    /// Index held by leaf `leaf` (`usize::MAX` when empty).
    fn leaf(&self, leaf: usize) -> usize {
        self.idx[self.size + leaf]
    }

    fn top(&self) -> (i64, usize) {
        (self.val[1], self.idx[1])
    }
}

/// Residual map, window energies and their maximum tree.
struct State<'g> {
    geo: &'g WindowGeometry,
    res: Array2<f64>,
    /// `fixed_sq` of every residual pixel, row-major.
    sq: Vec<i64>,
    n_rows: usize,
    n_cols: usize,
    /// Band rows, in order; window energies (fixed point) are `energy[bi·n_cols + col]`.
    band: Vec<usize>,
    energy: Vec<i64>,
    blocked: Vec<bool>,
    n_blocks: usize,
    tree: MaxTree,
    colsum: Vec<i64>,
    /// Change of `sq` over the last subtracted bump's bounding box, row-major.
    dsq: Vec<i64>,
    /// Prefix sums of column sums of `dsq` (scratch).
    prefix: Vec<i64>,
}

impl<'g> State<'g> {
    fn new(map: &TfMap, geo: &'g WindowGeometry) -> State<'g> {
        let res = map.values.mapv(|v| v as f64);
        let sq: Vec<i64> = res.iter().map(|&v| fixed_sq(v)).collect();
        let (n_rows, n_cols) = res.dim();
        let band: Vec<usize> = (geo.band_rows.0..=geo.band_rows.1).collect();
        let n_blocks = n_cols.div_ceil(BLOCK);
        let mut st = State {
            geo,
            res,
            sq,
            n_rows,
            n_cols,
            energy: vec![0; band.len() * n_cols],
            blocked: vec![false; band.len() * n_cols],
            tree: MaxTree::new(band.len() * n_blocks),
            band,
            n_blocks,
            colsum: vec![0; n_cols],
            dsq: Vec::new(),
            prefix: Vec::new(),
        };
        for bi in 0..st.band.len() {
            st.recompute(bi, 0, n_cols - 1);
        }
        st
    }

    /// Recomputes the window energies of band row `bi` for centre columns `[c_from, c_to]`
    /// and refreshes the tree leaves covering them.
    fn recompute(&mut self, bi: usize, c_from: usize, c_to: usize) {
        let row = self.band[bi];
        let (r_lo, r_hi) = self.geo.row_span(row, self.n_rows);
        let w = self.geo.windows[row].width;
        let lo_off = Window::lo_offset(w);
        let hi_off = w - 1 - lo_off;
        let a = c_from.saturating_sub(lo_off);
        let b = (c_to + hi_off).min(self.n_cols - 1);
        let n = self.n_cols;
        let colsum = &mut self.colsum[a..=b];
        colsum.fill(0);
        let sq = &self.sq;
        for r in r_lo..=r_hi {
            for (s, &v) in colsum.iter_mut().zip(&sq[r * n + a..=r * n + b]) {
                *s += v;
            }
        }
        // Sliding window sums: exact in integers.
        let base = bi * self.n_cols;
        let mut e: i64 = self.colsum
            [c_from.saturating_sub(lo_off)..=(c_from + hi_off).min(self.n_cols - 1)]
            .iter()
            .sum();
        self.energy[base + c_from] = e;
        for c in c_from + 1..=c_to {
            if c + hi_off < self.n_cols {
                e += self.colsum[c + hi_off];
            }
            if c > lo_off {
                e -= self.colsum[c - 1 - lo_off];
            }
            self.energy[base + c] = e;
        }
        self.rescan(bi, c_from, c_to);
    }

    /// Refreshes the tree leaves of band row `bi` covering centre columns `[c_from, c_to]`.
    fn rescan(&mut self, bi: usize, c_from: usize, c_to: usize) {
        self.rescan_where(bi, c_from, c_to, false);
    }

    /// [`Self::rescan`] after window energies in `[c_from, c_to]` decreased or were
    /// blocked (never increased): a block whose maximum lies outside that range keeps it
    /// (every other entry only went down, so it is still the first maximum) and is not
    /// scanned again.
    fn rescan_decreased(&mut self, bi: usize, c_from: usize, c_to: usize) {
        self.rescan_where(bi, c_from, c_to, true);
    }

    fn rescan_where(&mut self, bi: usize, c_from: usize, c_to: usize, decreased: bool) {
        let base = bi * self.n_cols;
        for blk in c_from / BLOCK..=c_to / BLOCK {
            if decreased {
                let top = self.tree.leaf(bi * self.n_blocks + blk);
                if top != usize::MAX && !(base + c_from..=base + c_to).contains(&top) {
                    continue;
                }
            }
            let (s, e) = (blk * BLOCK, ((blk + 1) * BLOCK).min(self.n_cols));
            let mut best = (i64::MIN, usize::MAX);
            for c in s..e {
                let i = base + c;
                if !self.blocked[i] && self.energy[i] > best.0 {
                    best = (self.energy[i], i);
                }
            }
            self.tree.set(bi * self.n_blocks + blk, best.0, best.1);
        }
    }

    /// Subtracts `bump` from the residual (clipping at 0) over its support and updates the
    /// window energies by the exact (fixed-point) change of the pixels it touched, on its
    /// bounding box only. Returns the decrease of `Σ R²` over rows `reach`.
    fn subtract(&mut self, bump: &HalfEllipsoid, reach: (usize, usize)) -> f64 {
        let Some(((sr0, sr1), (sc0, sc1))) = bump.support(self.n_rows, self.n_cols) else {
            return 0.0;
        };
        let n_c = sc1 - sc0 + 1;
        self.dsq.clear();
        self.dsq.resize((sr1 - sr0 + 1) * n_c, 0);
        let mut decrease = 0.0;
        for r in sr0..=sr1 {
            for c in sc0..=sc1 {
                let x = bump.value(r as f64, c as f64);
                if x > 0.0 {
                    let old = self.res[(r, c)];
                    let new = (old - x).max(0.0);
                    self.res[(r, c)] = new;
                    let i = r * self.n_cols + c;
                    let sq = fixed_sq(new);
                    self.dsq[(r - sr0) * n_c + c - sc0] = sq - self.sq[i];
                    self.sq[i] = sq;
                    if (reach.0..=reach.1).contains(&r) {
                        decrease += old * old - new * new;
                    }
                }
            }
        }
        for bi in 0..self.band.len() {
            let row = self.band[bi];
            let (lo, hi) = self.geo.row_span(row, self.n_rows);
            let (r0, r1) = (lo.max(sr0), hi.min(sr1));
            if r0 > r1 {
                continue;
            }
            // prefix[k] = Σ over columns sc0..sc0+k of the rows' change.
            self.prefix.clear();
            self.prefix.resize(n_c + 1, 0);
            for r in r0..=r1 {
                let d = &self.dsq[(r - sr0) * n_c..(r - sr0 + 1) * n_c];
                for (k, &v) in d.iter().enumerate() {
                    self.prefix[k + 1] += v;
                }
            }
            let mut acc = 0;
            for v in self.prefix.iter_mut() {
                acc += *v;
                *v = acc;
            }
            let w = self.geo.windows[row].width;
            let lo_off = Window::lo_offset(w);
            let hi_off = w - 1 - lo_off;
            let from = sc0.saturating_sub(hi_off);
            let to = (sc1 + lo_off).min(self.n_cols - 1);
            let base = bi * self.n_cols;
            for c in from..=to {
                // Window of centre c: columns [c − lo_off, c + hi_off] ∩ [sc0, sc1].
                let a = c.saturating_sub(lo_off).max(sc0) - sc0;
                let b = (c + hi_off).min(sc1) - sc0;
                if a <= b {
                    self.energy[base + c] += self.prefix[b + 1] - self.prefix[a];
                }
            }
            self.rescan_decreased(bi, from, to);
        }
        decrease
    }
}

/// Runs the greedy extraction on `map` with the window geometry `geo`, stopping at the
/// energy limit, the cap, or (with `patience`) after a run of fits below a height.
pub fn fit_map(
    map: &TfMap,
    geo: &WindowGeometry,
    energy_limit: f64,
    cap: usize,
    max_iterations: usize,
    tolerance: f64,
    patience: Option<Patience>,
) -> FitOutcome {
    let rules = StopRules {
        energy_limit,
        cap,
        patience,
        floor: f64::NEG_INFINITY,
    };
    fit_map_with(map, geo, &rules, max_iterations, tolerance).0
}

/// When the greedy loop of [`fit_map_with`] stops.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StopRules {
    /// Stop when the residual energy falls below this fraction of the initial energy.
    pub energy_limit: f64,
    /// Stop after this many fits.
    pub cap: usize,
    /// Stop after a run of low fits.
    pub patience: Option<Patience>,
    /// Stop when the largest residual window energy falls below this (map units²):
    /// the fits are then every fit the unbounded loop makes above it.
    pub floor: f64,
}

/// [`fit_map`] with an energy floor among its stopping rules; also says whether the loop
/// stopped at the floor (the outcome's `stop` is then [`StopReason::Exhausted`]: nothing
/// is left above the floor).
pub(crate) fn fit_map_with(
    map: &TfMap,
    geo: &WindowGeometry,
    rules: &StopRules,
    max_iterations: usize,
    tolerance: f64,
) -> (FitOutcome, bool) {
    let StopRules {
        energy_limit,
        cap,
        patience,
        floor,
    } = *rules;
    let (n_rows, n_cols) = map.values.dim();
    if n_rows == 0 || n_cols == 0 || geo.windows.len() != n_rows || geo.band_rows.1 >= n_rows {
        let empty = FitOutcome {
            fits: Vec::new(),
            initial_energy: 0.0,
            residual_energy: 0.0,
            stop: StopReason::Exhausted,
        };
        return (empty, false);
    }
    let mut st = State::new(map, geo);
    // Rows that some window reaches: the energy budget is counted there.
    let reach = (
        st.band
            .iter()
            .map(|&r| geo.row_span(r, n_rows).0)
            .min()
            .unwrap_or(0),
        st.band
            .iter()
            .map(|&r| geo.row_span(r, n_rows).1)
            .max()
            .unwrap_or(0),
    );
    let initial: f64 = (reach.0..=reach.1)
        .map(|r| st.res.row(r).iter().map(|v| v * v).sum::<f64>())
        .sum();
    let mut residual = initial;
    let mut fits = Vec::new();
    let (band_lo, band_hi) = geo.band_rows;
    let mut failures = 0usize;
    let mut below_run = 0usize;
    let patience = patience.filter(|p| p.run > 0);
    let mut window: Vec<f64> = Vec::new();
    let mut at_floor = false;
    let stop = loop {
        if patience.is_some_and(|p| below_run >= p.run) {
            break StopReason::Patience;
        }
        if residual <= energy_limit * initial || initial <= 0.0 {
            break StopReason::EnergyLimit;
        }
        if fits.len() >= cap {
            break StopReason::Cap;
        }
        let (best, index) = st.tree.top();
        if best <= 0 || index == usize::MAX || failures > 10 * cap + 1000 {
            break StopReason::Exhausted;
        }
        if (best as f64 / SCALE) < floor {
            at_floor = true;
            break StopReason::Exhausted;
        }
        let (bi, col) = (index / n_cols, index % n_cols);
        let row = st.band[bi];
        let (r_lo, r_hi) = geo.row_span(row, n_rows);
        let (c_lo, c_hi) = geo.col_span(row, col, n_cols);
        let win = geo.windows[row];
        // Pixels of the window and the start at its peak.
        window.clear();
        let mut peak = (0.0, row as f64, col as f64);
        let mut max_z = 0.0f64;
        for r in r_lo..=r_hi {
            for c in c_lo..=c_hi {
                let z = st.res[(r, c)];
                window.push(z);
                max_z = max_z.max(z);
                if z > peak.0 && (band_lo..=band_hi).contains(&r) {
                    peak = (z, r as f64, c as f64);
                }
            }
        }
        if peak.0 <= 0.0 {
            peak.0 = max_z;
        }
        let grid = Grid {
            z: &window,
            row0: r_lo,
            col0: c_lo,
            n_rows: r_hi - r_lo + 1,
            n_cols: c_hi - c_lo + 1,
        };
        let (wa, wb) = (win.width as f64, win.height as f64);
        let bounds = Bounds {
            lo: [
                0.0,
                c_lo as f64 - 0.5,
                r_lo.max(band_lo) as f64 - 0.5,
                1.0,
                1.0,
            ],
            hi: [
                4.0 * peak.0.max(1e-12),
                c_hi as f64 + 0.5,
                r_hi.min(band_hi) as f64 + 0.5,
                (0.75 * wa).max(1.5),
                (0.75 * wb).max(1.5),
            ],
        };
        let start = HalfEllipsoid {
            height: peak.0,
            col: peak.2,
            row: peak.1,
            a: (wa / 2.0).max(1.0),
            b: (wb / 2.0).max(1.0),
        };
        let fit = lm::fit(&grid, start, &bounds, max_iterations, tolerance);
        // Subtract with clipping at 0.
        let window_energy = best as f64 / SCALE;
        let decrease = st.subtract(&fit.bump, reach);
        residual = (residual - decrease).max(0.0);
        if decrease <= 1e-12 * initial {
            // Nothing removable here: exclude this window from further choices.
            failures += 1;
            st.blocked[index] = true;
            st.rescan_decreased(bi, col, col);
            continue;
        }
        match patience {
            Some(p) if fit.bump.height < p.min_height => below_run += 1,
            _ => below_run = 0,
        }
        fits.push(BumpFit {
            shape: fit.bump,
            window_row: row,
            window_col: col,
            window_energy,
            fit_error: fit.sse,
            iterations: fit.iterations,
            energy_decrease: decrease,
            residual_energy: residual,
        });
    };
    let outcome = FitOutcome {
        fits,
        initial_energy: initial,
        residual_energy: residual,
        stop,
    };
    (outcome, at_floor)
}
