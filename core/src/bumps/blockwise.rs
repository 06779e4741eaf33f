//! Maps and bumps of long signals computed block by block, in memory bounded by the block
//! rather than the recording (docs/bumps.md, "Long recordings").
//!
//! The whole-recording chain ([`super::extract_bumps`]) holds the map of the whole
//! channel and the greedy fit's state over it, about [`BYTES_PER_PIXEL`] bytes per map
//! pixel: some 6 GB for a day at 256 Hz. When that estimate exceeds
//! [`BumpOptions::max_map_mb`], the same computation runs on blocks of
//! [`BumpOptions::block_seconds`]:
//!
//! 1. **Statistics pass.** Each block's wavelet modulus is computed on the block widened
//!    by a wavelet margin on each side (so no column of the block's own span feels the
//!    block's edges), and the per-frequency count, mean and sum of squared deviations of
//!    its own columns are merged into those of the whole recording (Chan et al.'s
//!    parallel update, in block order), together with each row's extremes. This gives the
//!    z-score statistics and the normalisation scale (the maximum of the offset z-score
//!    map) of the whole recording.
//! 2. **Fitting pass.** Each block's map is computed again on the block widened by the
//!    wavelet margin plus a fitting margin, normalised with the whole recording's
//!    statistics and scale, and fitted greedily; only the fits whose bump centre lies in
//!    the block's own span are kept, so a bump at a block edge is found once, by the
//!    block that owns its centre, with the context of the neighbouring block around it.
//! 3. **Merge.** The whole-recording greedy loop takes windows in decreasing residual
//!    energy, and window energies only decrease as bumps are subtracted, so its fits come
//!    in non-increasing window energy; fits far apart do not interact. The kept fits of all
//!    blocks are therefore merged by window energy (ties: lower band row, then lower
//!    column, as the whole loop breaks them), and the global stopping rules — energy limit
//!    against the whole recording's initial energy, bump cap for the whole duration,
//!    patience counted in merged order — are applied to the merged sequence, followed by
//!    the usual pruning.
//!
//! Why the result is equal to the whole-recording one only up to a tolerance:
//! - the block's FFT has another length than the whole signal's, so single-precision
//!   rounding of the modulus differs (about 1e−6 relative), and the statistics are merged
//!   in another order (about 1e−15 relative); a near tie between two windows may then be
//!   broken the other way, and the fits' parameters differ by that rounding;
//! - each block runs its own loop with the stopping rules applied to the block, so a
//!   block may stop before the merged sequence reaches the global stop. The merged
//!   sequence is complete only down to the highest window energy at which a block stopped
//!   early; when the global rules have not stopped by then, the merge stops there and the
//!   result says so in a warning. With the default rules the patience stop of the merged
//!   sequence comes first (each block needs its own run of `prune_patience` fits below
//!   the threshold, the merged sequence a run across all blocks);
//! - a chain of overlapping bumps longer than the fitting margin could be fitted in
//!   another order near a block edge.
//!
//! The test `blockwise_bumps_equal_the_whole_recording_bumps` states the tolerance.

use super::{
    extract::{flat_set, geometry},
    fit_map_with, prune, Bump, BumpError, BumpFit, BumpOptions, BumpSet, Patience, StopReason,
    StopRules,
};
use crate::tf::{MorletPlan, TfError, TfMap};
use ndarray::{s, Array2, ArrayView2, Axis};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Bytes the whole-recording chain holds per map pixel: modulus and map (f32), residual
/// (f64) and its fixed-point squares (i64). Band rows add [`BYTES_PER_BAND_PIXEL`].
pub const BYTES_PER_PIXEL: usize = 24;
/// Bytes per band pixel of the greedy fit's window energies (i64) and blocked flags.
pub const BYTES_PER_BAND_PIXEL: usize = 9;

/// Wavelet margin in envelope standard deviations `σ_t` of the lowest computed frequency:
/// beyond it the envelope is below `exp(−32)`.
const MARGIN_SIGMAS: f64 = 8.0;
/// Fitting margin in widths of the widest fitting window (`cote` periods of `f_min`).
const FIT_MARGIN_WINDOWS: f64 = 8.0;

/// Estimated memory of the whole-recording map and fit for a signal of `n` samples at
/// `fs` Hz with options `opts`, bytes.
pub fn whole_map_bytes(n: usize, fs: f64, opts: &BumpOptions) -> f64 {
    let (grid, _) = opts.computed_tf(fs);
    let rows = grid.frequencies().len() as f64;
    let band = opts.band_tf().frequencies().len() as f64;
    let cols = n as f64 * opts.map_rate(fs) / fs;
    cols * (rows * BYTES_PER_PIXEL as f64 + band * BYTES_PER_BAND_PIXEL as f64)
}

/// True when `extract_bumps` computes a signal of `n` samples at `fs` Hz block by block.
pub fn needs_blocks(n: usize, fs: f64, opts: &BumpOptions) -> bool {
    whole_map_bytes(n, fs, opts) > opts.max_map_mb * 1024.0 * 1024.0
        && (opts.block_seconds * fs) < n as f64
}

/// Per-row running statistics of the modulus.
#[derive(Debug, Clone, Copy)]
struct RowStats {
    count: f64,
    mean: f64,
    m2: f64,
    min: f32,
    max: f32,
}

impl RowStats {
    const EMPTY: RowStats = RowStats {
        count: 0.0,
        mean: 0.0,
        m2: 0.0,
        min: f32::INFINITY,
        max: f32::NEG_INFINITY,
    };

    /// The count, mean and sum of squared deviations of `values` (no extremes).
    fn moments(values: impl Iterator<Item = f32> + Clone) -> RowStats {
        let n = values.clone().count() as f64;
        if n == 0.0 {
            return RowStats::EMPTY;
        }
        let mean = values.clone().map(|v| v as f64).sum::<f64>() / n;
        let m2 = values.map(|v| (v as f64 - mean).powi(2)).sum::<f64>();
        RowStats {
            count: n,
            mean,
            m2,
            ..RowStats::EMPTY
        }
    }

    /// Merges the moments and extremes of `other` (Chan et al.'s parallel update for the
    /// moments).
    fn merge(&mut self, other: &RowStats) {
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        if other.count == 0.0 {
            return;
        }
        let (n, mean, m2) = (other.count, other.mean, other.m2);
        let total = self.count + n;
        let delta = mean - self.mean;
        self.mean += delta * n / total;
        self.m2 += m2 + delta * delta * self.count * n / total;
        self.count = total;
    }

    fn add_extremes(&mut self, values: impl Iterator<Item = f32>) {
        for v in values {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
    }
}

/// Column layout shared by both passes, in modulus columns of the whole signal (column
/// `k` at sample `k·q/p`).
struct Layout {
    n: usize,
    p: usize,
    q: usize,
    /// Border columns removed at each end (as the whole-recording map does).
    border: usize,
    /// Modulus columns of the whole signal.
    n_cols: usize,
    /// Block length, samples (a multiple of `q`).
    block: usize,
    /// Wavelet margin, samples (a multiple of `q`).
    wave: usize,
    /// Fitting margin, samples (a multiple of `q`).
    fit: usize,
}

impl Layout {
    fn col(&self, sample: usize) -> usize {
        sample / self.q * self.p
    }

    fn n_blocks(&self) -> usize {
        self.n.div_ceil(self.block)
    }

    /// Kept modulus columns `[lo, hi)` of the whole map.
    fn kept(&self) -> (usize, usize) {
        (self.border, self.n_cols - self.border)
    }

    /// Own modulus columns of block `k`, inside the kept columns.
    fn own(&self, k: usize) -> (usize, usize) {
        let (lo, hi) = self.kept();
        let a = self.col(k * self.block).max(lo);
        let b = if (k + 1) * self.block >= self.n {
            hi
        } else {
            self.col((k + 1) * self.block).min(hi)
        };
        (a, b.max(a))
    }

    /// Samples `[a, b)` of block `k` widened by `margin` samples, and the modulus columns
    /// of that segment not affected by its edges (kept columns at the recording's ends).
    fn segment(&self, k: usize, margin: usize) -> ((usize, usize), (usize, usize)) {
        let a = (k * self.block).saturating_sub(margin);
        let b = ((k + 1) * self.block + margin).min(self.n);
        let (lo, hi) = self.kept();
        let valid_lo = if a == 0 {
            lo
        } else {
            self.col(a) + self.col(self.wave)
        };
        let valid_hi = if b == self.n {
            hi
        } else {
            // Columns up to sample b − wave.
            self.col(b - self.wave)
        };
        ((a, b), (valid_lo.max(lo), valid_hi.min(hi)))
    }
}

/// Transform plans by segment length (a few distinct lengths: first, inner, last blocks),
/// made on first use and shared by the threads that map blocks.
struct Plans<'a> {
    fs: f64,
    opts: &'a BumpOptions,
    plans: Mutex<BTreeMap<usize, Arc<MorletPlan>>>,
}

impl Plans<'_> {
    /// The modulus of `signal[a..b]`.
    fn modulus(&self, signal: &[f32], (a, b): (usize, usize)) -> Result<Array2<f32>, BumpError> {
        let n = b - a;
        let plan = {
            // a poisoned lock only means another block's thread panicked while making a
            // plan; the map itself is still consistent
            let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
            match plans.get(&n) {
                Some(p) => Arc::clone(p),
                None => {
                    let (grid, _) = self.opts.computed_tf(self.fs);
                    let p = Arc::new(MorletPlan::new(
                        n,
                        self.fs,
                        &grid,
                        Some(self.opts.map_rate(self.fs)),
                    )?);
                    plans.insert(n, Arc::clone(&p));
                    p
                }
            }
        };
        Ok(plan.modulus(&signal[a..b])?.values)
    }
}

/// [`super::extract_bumps`] block by block (see the module documentation); called by it
/// when [`needs_blocks`] holds. `bydn` is the number of rows added below the band.
pub(crate) fn extract_blockwise(
    signal: &[f32],
    fs: f64,
    t0: f64,
    opts: &BumpOptions,
    bydn: usize,
) -> Result<BumpSet, BumpError> {
    extract_blockwise_from(signal, fs, t0, opts, bydn, None)
}

/// [`extract_blockwise`] with the blocks' first patience given (`None`:
/// [`first_patience`]); the result does not depend on it.
pub(crate) fn extract_blockwise_from(
    signal: &[f32],
    fs: f64,
    t0: f64,
    opts: &BumpOptions,
    bydn: usize,
    first: Option<usize>,
) -> Result<BumpSet, BumpError> {
    let n = signal.len();
    let (grid, _) = opts.computed_tf(fs);
    let rate_wanted = opts.map_rate(fs);
    let norm = opts.norm(fs);
    check_norm(&norm)?;
    if !(opts.block_seconds.is_finite() && opts.block_seconds > 0.0) {
        return Err(BumpError::InvalidOption {
            field: "block_seconds",
            value: opts.block_seconds,
            reason: "must be a positive number of seconds".into(),
        });
    }
    // A small plan gives the column ratio p/q (the same for every length).
    let probe = MorletPlan::new(n.min(4096), fs, &grid, Some(rate_wanted))?;
    let (p, q) = probe.ratio();
    let rate = probe.rate();
    let frequencies = probe.frequencies().to_vec();
    let f_low = frequencies[0];
    let n_rows = frequencies.len();
    let border_samples = (norm.border_periods * fs / f_low).round();
    let border = (border_samples * rate / fs).ceil() as usize;
    let n_cols = (n * p).div_ceil(q);
    if n_cols <= 2 * border + 1 {
        return Err(TfError::TooShort {
            samples: n,
            seconds: n as f64 / fs,
            reason: "the borders removed at each end leave no map".into(),
        }
        .into());
    }
    let to_q = |samples: f64| (samples.ceil().max(1.0) as usize).div_ceil(q) * q;
    let wave = to_q(MARGIN_SIGMAS * grid.sigma_t(f_low) * fs);
    let fit = to_q(FIT_MARGIN_WINDOWS * opts.cote() / opts.f_min * fs);
    let block = to_q(opts.block_seconds * fs).max(wave + fit);
    let layout = Layout {
        n,
        p,
        q,
        border,
        n_cols,
        block,
        wave,
        fit,
    };
    let plans = Plans {
        fs,
        opts,
        plans: Mutex::new(BTreeMap::new()),
    };
    let (kept_lo, kept_hi) = layout.kept();
    let t_start = t0 + border as f64 / rate;

    // Reference columns (modulus columns of the whole signal).
    let (ref_lo, ref_hi) = {
        let (a, b) =
            crate::tf::reference_columns(norm.reference, t_start, rate, kept_hi - kept_lo)?;
        (kept_lo + a, kept_lo + b)
    };

    // Pass 1: statistics of the whole recording, blocks in parallel, merged in block
    // order (so the result does not depend on the number of threads).
    let own_blocks: Vec<usize> = (0..layout.n_blocks())
        .filter(|&k| {
            let (lo, hi) = layout.own(k);
            lo < hi
        })
        .collect();
    let block_stats = own_blocks
        .par_iter()
        .map(|&k| -> Result<Vec<RowStats>, BumpError> {
            let (own_lo, own_hi) = layout.own(k);
            let (seg, _) = layout.segment(k, layout.wave);
            let m = plans.modulus(signal, seg)?;
            let c0 = layout.col(seg.0);
            let (r_lo, r_hi) = (own_lo.max(ref_lo), own_hi.min(ref_hi));
            Ok(m.axis_iter(Axis(0))
                .map(|row| {
                    let mut st = if r_lo < r_hi {
                        RowStats::moments(row.slice(s![r_lo - c0..r_hi - c0]).iter().copied())
                    } else {
                        RowStats::EMPTY
                    };
                    st.add_extremes(row.slice(s![own_lo - c0..own_hi - c0]).iter().copied());
                    st
                })
                .collect())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut stats = vec![RowStats::EMPTY; n_rows];
    for block in &block_stats {
        for (st, b) in stats.iter_mut().zip(block) {
            st.merge(b);
        }
    }
    let mean = signal.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
    let spread = signal
        .iter()
        .fold(0.0f64, |a, &v| a.max((v as f64 - mean).abs()));
    let mut row_mean = Vec::with_capacity(n_rows);
    let mut row_std = Vec::with_capacity(n_rows);
    let mut scale = 0.0f32;
    for st in &stats {
        let m = st.mean;
        let sd = (st.m2 / st.count).sqrt();
        let flat = sd.is_nan() || sd <= 1e-5 * m.abs() + 1e-6 * spread + f64::MIN_POSITIVE;
        row_mean.push(m);
        row_std.push(if flat { 0.0 } else { sd });
        if !flat {
            let off = norm.offset;
            let v = if off >= 0.0 {
                ((st.max as f64 - m) * (1.0 / sd) + off).max(0.0)
            } else {
                (-((st.min as f64 - m) * (1.0 / sd) + off)).max(0.0)
            };
            scale = scale.max(v as f32);
        }
    }
    if row_std.iter().all(|&s| s == 0.0) || scale <= 0.0 {
        return Ok(flat_set(t0, n, fs));
    }
    let scale = scale as f64;
    let inv_scale = (1.0 / scale) as f32;

    // Pass 2: fit every block with the whole recording's statistics, each with a
    // patience of its own, lengthened where the merge needs it (see `first_patience`).
    let whole_cols = kept_hi - kept_lo;
    let whole_duration = whole_cols as f64 / rate;
    let fitter = BlockFitter {
        signal,
        layout: &layout,
        frequencies: &frequencies,
        f_step: grid.f_step,
        t0,
        rate,
        offset: norm.offset,
        row_mean: &row_mean,
        row_std: &row_std,
        scale,
        inv_scale,
        opts,
        bydn,
    };
    let full = opts.prune_patience;
    let first = first.unwrap_or_else(|| first_patience(full, layout.n_blocks()));
    let mut blocks = own_blocks
        .par_iter()
        .map(|&k| fitter.fit(&plans, k, first, f64::NEG_INFINITY))
        .collect::<Result<Vec<_>, _>>()?;
    // Block order, as the whole map's energy is a sum over its columns.
    let initial = blocks.iter().fold(0.0f64, |sum, b| sum + b.initial);
    let cap = opts.cap(whole_duration);
    let mut rounds = 1;
    let walk = loop {
        // each round looks twice as far ahead as the last
        let walk = merge(&blocks, initial, cap, opts, 1 << (rounds - 1).min(20));
        let Some(target) = walk.needs_below else {
            break walk;
        };
        // Fit again, down to the target, every block that stopped early above it; a
        // block's first fits do not depend on where it stops, so the merge only gains
        // the fits it was missing.
        let short: Vec<usize> = (0..blocks.len())
            .filter(|&i| blocks[i].extendable(full) && blocks[i].complete_above > target)
            .collect();
        if short.is_empty() || rounds >= MAX_ROUNDS {
            break walk;
        }
        rounds += 1;
        let refits = short
            .par_iter()
            .map(|&i| fitter.fit(&plans, blocks[i].k, full, target))
            .collect::<Result<Vec<_>, _>>()?;
        for (i, b) in short.into_iter().zip(refits) {
            blocks[i] = b;
        }
    };
    let Merged {
        fits,
        peaks,
        residual,
        stop,
        mut warnings,
        ..
    } = walk;
    let kept = prune(&fits, initial, opts);
    let bumps = kept
        .iter()
        .map(|&i| {
            let s = fits[i].shape;
            Bump {
                t: t_start + s.col / rate,
                f: frequencies[0] + s.row * grid.f_step,
                dt: s.a / rate,
                df: s.b * grid.f_step,
                amplitude: s.height,
                peak: peaks[i] as f64,
            }
        })
        .collect();
    if stop == StopReason::Cap {
        warnings.push(format!(
            "bump cap of {cap} reached before the energy limit {} (residual energy {:.3} of the initial)",
            opts.energy_limit,
            residual / initial
        ));
    }
    if opts.keep_map {
        warnings.push(format!(
            "the map ({:.0} MB) is not kept: it was computed block by block",
            whole_map_bytes(n, fs, opts) / 1048576.0
        ));
    }
    Ok(BumpSet {
        bumps,
        fits: kept.iter().map(|&i| fits[i]).collect(),
        n_fitted: fits.len(),
        map: None,
        initial_energy: initial,
        residual_energy: residual,
        stop: Some(stop),
        warnings,
        span: (t_start, t_start + whole_duration),
    })
}

/// Smallest patience a block starts with.
const MIN_BLOCK_PATIENCE: usize = 64;
/// Most rounds of block fits (each round after the first lowers the energy floor of the
/// blocks the merge is waiting for; in practice one or two rounds).
const MAX_ROUNDS: usize = 32;

/// The patience a block's greedy loop starts with, for a whole-recording patience of
/// `full` fits over `n_blocks` blocks.
///
/// The merged sequence stops after `full` consecutive low fits counted over all blocks
/// together, so each block needs to be complete only down to the window energy of that
/// stop, which its loop usually passes after far fewer than `full` low fits of its own:
/// on a simulated day at 256 Hz (144 blocks of 600 s) the merge of a typical channel
/// stopped after 5,346 fits in all, some 37 per block, while each block with the full
/// patience ran to about 1,025 fits. A block therefore starts with twice its share of
/// `full` (at least [`MIN_BLOCK_PATIENCE`]). When the merge reaches the last fit of a
/// block that stopped early before the whole recording's rules stop it, it estimates
/// how far down it needs to go (the window energy `2·(full − run)` merged fits further,
/// `run` the current run of low fits, twice as far in each further round), and the
/// blocks that stopped above that energy are fitted again with the full patience down to
/// it (an energy floor), until the merge completes. A block's fits above a window energy do not depend on where its loop
/// stops, so the result is the one every block running the full patience would give.
fn first_patience(full: usize, n_blocks: usize) -> usize {
    if full == 0 {
        return 0;
    }
    full.min(MIN_BLOCK_PATIENCE.max((2 * full).div_ceil(n_blocks.max(1))))
}

/// What pass 2 needs to fit one block: the signal, the layout and the whole
/// recording's normalisation.
struct BlockFitter<'a> {
    signal: &'a [f32],
    layout: &'a Layout,
    frequencies: &'a [f64],
    f_step: f64,
    t0: f64,
    rate: f64,
    offset: f64,
    row_mean: &'a [f64],
    row_std: &'a [f64],
    scale: f64,
    inv_scale: f32,
    opts: &'a BumpOptions,
    bydn: usize,
}

/// One block's greedy loop: its fits centred in its own span (whole-map columns) with
/// the normalised map value under each centre, and how the loop ended.
struct BlockFit {
    /// Block index.
    k: usize,
    /// Patience the loop ran with.
    patience: usize,
    fits: Vec<(BumpFit, f32)>,
    /// Energy of the block's own columns in the rows windows reach.
    initial: f64,
    stop: StopReason,
    /// The block's sequence holds every fit of window energy above this (−∞: the whole
    /// sequence): the last fit's energy after an early stop, the floor after a stop there.
    complete_above: f64,
    /// The loop stopped at its energy floor.
    at_floor: bool,
}

impl BlockFit {
    /// Whether fitting the block again could add fits: it stopped at its floor or on a
    /// patience shorter than `full`.
    fn extendable(&self, full: usize) -> bool {
        self.at_floor || (self.stop == StopReason::Patience && self.patience < full)
    }
}

impl BlockFitter<'_> {
    /// Maps block `k` (widened by the wavelet and fitting margins), normalises it with
    /// the whole recording's statistics and runs the greedy loop with `patience`, down to
    /// the window energy `floor`.
    fn fit(
        &self,
        plans: &Plans,
        k: usize,
        patience: usize,
        floor: f64,
    ) -> Result<BlockFit, BumpError> {
        let layout = self.layout;
        let opts = self.opts;
        let (own_lo, own_hi) = layout.own(k);
        let (kept_lo, _) = layout.kept();
        let (seg, (valid_lo, valid_hi)) = layout.segment(k, layout.wave + layout.fit);
        let m = plans.modulus(self.signal, seg)?;
        let c0 = layout.col(seg.0);
        let view = m.slice(s![.., valid_lo - c0..valid_hi - c0]);
        let values = normalise(
            view,
            self.row_mean,
            self.row_std,
            self.offset,
            self.inv_scale,
        );
        drop(m);
        let map = TfMap {
            frequencies: self.frequencies.to_vec(),
            f_step: self.f_step,
            t_start: self.t0 + valid_lo as f64 / self.rate,
            rate: self.rate,
            values,
            scale: self.scale,
            offset: self.offset,
            row_mean: self.row_mean.to_vec(),
            row_std: self.row_std.to_vec(),
        };
        let geo = geometry(&map, opts, self.bydn)?;
        let reach = reach_rows(&geo, self.frequencies.len());
        let (own_a, own_b) = (own_lo - valid_lo, own_hi - valid_lo);
        let initial = (reach.0..=reach.1)
            .map(|r| {
                map.values
                    .slice(s![r, own_a..own_b])
                    .iter()
                    .map(|&v| (v as f64) * (v as f64))
                    .sum::<f64>()
            })
            .sum::<f64>();
        let rules = StopRules {
            energy_limit: opts.energy_limit,
            cap: opts.cap(map.duration()),
            patience: Some(Patience {
                min_height: opts.min_amplitude,
                run: patience,
            }),
            floor,
        };
        let (outcome, at_floor) =
            fit_map_with(&map, &geo, &rules, opts.max_iterations, opts.tolerance);
        let complete_above = if at_floor {
            floor
        } else if outcome.stop == StopReason::Exhausted {
            f64::NEG_INFINITY
        } else {
            outcome
                .fits
                .last()
                .map_or(f64::NEG_INFINITY, |f| f.window_energy)
        };
        let shift = (valid_lo - kept_lo) as f64;
        let shift_col = valid_lo - kept_lo;
        let (n_r, n_c) = map.values.dim();
        let fits = outcome
            .fits
            .into_iter()
            .filter(|f| f.shape.col >= own_a as f64 && f.shape.col < own_b as f64)
            .map(|f| {
                let r = (f.shape.row.round().max(0.0) as usize).min(n_r - 1);
                let pc = (f.shape.col.round().max(0.0) as usize).min(n_c - 1);
                let peak = map.values[(r, pc)];
                let mut g = f;
                g.shape.col += shift;
                g.window_col += shift_col;
                (g, peak)
            })
            .collect();
        Ok(BlockFit {
            k,
            patience,
            fits,
            initial,
            stop: outcome.stop,
            complete_above,
            at_floor,
        })
    }
}

/// The merged sequence after the whole recording's stopping rules.
struct Merged {
    fits: Vec<BumpFit>,
    peaks: Vec<f32>,
    residual: f64,
    stop: StopReason,
    warnings: Vec<String>,
    /// Set when the merge ran out of complete fits before the whole recording's rules
    /// stopped it: the window energy down to which the blocks should be complete for it
    /// to go on (−∞: all the way).
    needs_below: Option<f64>,
}

/// Merges the blocks' fits in the order of the whole-recording loop (decreasing window
/// energy; ties: lower band row, then lower column, as the whole loop breaks them) and
/// applies its stopping rules: energy limit against `initial`, bump `cap`, patience
/// counted in merged order.
///
/// When it runs out of complete fits, it asks for the blocks down to the window energy
/// `2·ahead·(patience − run)` merged fits further (`run` the current run of low fits).
fn merge(
    blocks: &[BlockFit],
    initial: f64,
    cap: usize,
    opts: &BumpOptions,
    ahead: usize,
) -> Merged {
    // Highest window energy at which a block stopped before exhausting its map.
    let mut complete_above = f64::NEG_INFINITY;
    let mut block_stop = StopReason::Exhausted;
    for b in blocks {
        if b.complete_above > complete_above {
            complete_above = b.complete_above;
            block_stop = b.stop;
        }
    }
    let mut merged: Vec<&(BumpFit, f32)> = blocks.iter().flat_map(|b| &b.fits).collect();
    merged.sort_by(|(a, _), (b, _)| {
        b.window_energy
            .total_cmp(&a.window_energy)
            .then(a.window_row.cmp(&b.window_row))
            .then(a.window_col.cmp(&b.window_col))
    });
    let patience = opts.prune_patience;
    let mut residual = initial;
    let mut below_run = 0usize;
    let mut fits = Vec::new();
    let mut peaks = Vec::new();
    let mut warnings = Vec::new();
    let mut stop = StopReason::Exhausted;
    let mut needs_below = None;
    let ahead_of = |run: usize| {
        patience
            .saturating_sub(run)
            .saturating_mul(2)
            .saturating_mul(ahead)
    };
    for (i, &&(f, peak)) in merged.iter().enumerate() {
        if patience > 0 && below_run >= patience {
            stop = StopReason::Patience;
            break;
        }
        if residual <= opts.energy_limit * initial || initial <= 0.0 {
            stop = StopReason::EnergyLimit;
            break;
        }
        if fits.len() >= cap {
            stop = StopReason::Cap;
            break;
        }
        if f.window_energy < complete_above {
            // the patience rule needs `patience − run` more low fits
            let ahead = ahead_of(below_run);
            needs_below = Some(if patience > 0 {
                energy_at(&merged, i + ahead)
            } else {
                f64::NEG_INFINITY
            });
            break;
        }
        residual = (residual - f.energy_decrease).max(0.0);
        if patience > 0 && f.shape.height < opts.min_amplitude {
            below_run += 1;
        } else {
            below_run = 0;
        }
        let mut g = f;
        g.residual_energy = residual;
        fits.push(g);
        peaks.push(peak);
    }
    // Out of fits, or at a block's last one, before the whole recording's rules stopped
    // the sequence: a block that stopped early may hold more fits below.
    if stop == StopReason::Exhausted && complete_above > f64::NEG_INFINITY {
        stop = block_stop;
        let end = merged.len().saturating_sub(1);
        needs_below.get_or_insert(if patience > 0 {
            energy_at(&merged, end.saturating_add(ahead_of(below_run)))
        } else {
            f64::NEG_INFINITY
        });
        warnings.push(format!(
            "block-wise fit: a block stopped ({block_stop:?}) before the whole recording's \
             stopping rules were reached; fits below window energy {complete_above:.4} \
             are left out"
        ));
    }
    Merged {
        fits,
        peaks,
        residual,
        stop,
        warnings,
        needs_below,
    }
}

/// The window energy of the merged fit at `index`; past the end of the list, extrapolated
/// linearly in the number of fits from as many fits before the last (−∞ when that gives
/// no energy below the last fit's).
fn energy_at(merged: &[&(BumpFit, f32)], index: usize) -> f64 {
    if let Some((g, _)) = merged.get(index) {
        return g.window_energy;
    }
    let len = merged.len();
    let beyond = index + 1 - len;
    let back = beyond.min(len.saturating_sub(1));
    if back == 0 {
        return f64::NEG_INFINITY;
    }
    let last = merged[len - 1].0.window_energy;
    let slope = (merged[len - 1 - back].0.window_energy - last) / back as f64;
    let target = last - slope * beyond as f64;
    if target > 0.0 && target < last {
        target
    } else {
        f64::NEG_INFINITY
    }
}

/// Rows that some window reaches (the rows whose energy the budget counts).
fn reach_rows(geo: &super::WindowGeometry, n_rows: usize) -> (usize, usize) {
    let band = geo.band_rows.0..=geo.band_rows.1;
    (
        band.clone()
            .map(|r| geo.row_span(r, n_rows).0)
            .min()
            .unwrap_or(0),
        band.map(|r| geo.row_span(r, n_rows).1).max().unwrap_or(0),
    )
}

/// The normalisation of `crate::tf::normalised_map_with_plan` with given statistics and
/// scale: the same operations in the same order, so equal moduli give equal values.
fn normalise(
    modulus: ArrayView2<f32>,
    row_mean: &[f64],
    row_std: &[f64],
    off: f64,
    inv_scale: f32,
) -> Array2<f32> {
    let mut values = Array2::<f32>::zeros(modulus.raw_dim());
    for ((row, mut out), (&m, &sd)) in modulus
        .axis_iter(Axis(0))
        .zip(values.axis_iter_mut(Axis(0)))
        .zip(row_mean.iter().zip(row_std))
    {
        if sd == 0.0 {
            continue;
        }
        let inv = 1.0 / sd;
        for (o, &v) in out.iter_mut().zip(row.iter()) {
            *o = (crate::tf::rectified_z(v, m, inv, off) as f32) * inv_scale;
        }
    }
    values
}

fn check_norm(norm: &crate::tf::NormOptions) -> Result<(), BumpError> {
    if !norm.offset.is_finite() {
        return Err(TfError::InvalidOption {
            field: "offset",
            value: norm.offset,
            reason: "must be finite".into(),
        }
        .into());
    }
    if !(norm.border_periods.is_finite() && norm.border_periods >= 0.0) {
        return Err(TfError::InvalidOption {
            field: "border_periods",
            value: norm.border_periods,
            reason: "must be a non-negative number of periods".into(),
        }
        .into());
    }
    Ok(())
}
