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
    fit_map, prune, Bump, BumpError, BumpFit, BumpOptions, BumpSet, Patience, StopReason,
};
use crate::tf::{MorletPlan, TfError, TfMap};
use ndarray::{s, Array2, ArrayView2, Axis};
use std::collections::BTreeMap;

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

    /// Merges the moments of `values` (Chan et al.'s parallel update).
    fn add_moments(&mut self, values: impl Iterator<Item = f32> + Clone) {
        let n = values.clone().count() as f64;
        if n == 0.0 {
            return;
        }
        let mean = values.clone().map(|v| v as f64).sum::<f64>() / n;
        let m2 = values.map(|v| (v as f64 - mean).powi(2)).sum::<f64>();
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

/// Transform plans by segment length (a few distinct lengths: first, inner, last blocks).
struct Plans<'a> {
    fs: f64,
    opts: &'a BumpOptions,
    plans: BTreeMap<usize, MorletPlan>,
}

impl Plans<'_> {
    /// The modulus of `signal[a..b]`, with its first column's index in the whole signal.
    fn modulus(
        &mut self,
        signal: &[f32],
        (a, b): (usize, usize),
    ) -> Result<Array2<f32>, BumpError> {
        let n = b - a;
        let plan = match self.plans.entry(n) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let (grid, _) = self.opts.computed_tf(self.fs);
                e.insert(MorletPlan::new(
                    n,
                    self.fs,
                    &grid,
                    Some(self.opts.map_rate(self.fs)),
                )?)
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
    let mut plans = Plans {
        fs,
        opts,
        plans: BTreeMap::new(),
    };
    let (kept_lo, kept_hi) = layout.kept();
    let t_start = t0 + border as f64 / rate;

    // Reference columns (modulus columns of the whole signal).
    let (ref_lo, ref_hi) = {
        let (a, b) =
            crate::tf::reference_columns(norm.reference, t_start, rate, kept_hi - kept_lo)?;
        (kept_lo + a, kept_lo + b)
    };

    // Pass 1: statistics of the whole recording.
    let mut stats = vec![RowStats::EMPTY; n_rows];
    for k in 0..layout.n_blocks() {
        let (own_lo, own_hi) = layout.own(k);
        if own_lo >= own_hi {
            continue;
        }
        let (seg, _) = layout.segment(k, layout.wave);
        let m = plans.modulus(signal, seg)?;
        let c0 = layout.col(seg.0);
        let (r_lo, r_hi) = (own_lo.max(ref_lo), own_hi.min(ref_hi));
        for (row, st) in m.axis_iter(Axis(0)).zip(stats.iter_mut()) {
            let own = row.slice(s![own_lo - c0..own_hi - c0]);
            st.add_extremes(own.iter().copied());
            if r_lo < r_hi {
                st.add_moments(row.slice(s![r_lo - c0..r_hi - c0]).iter().copied());
            }
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

    // Pass 2: fit every block with the whole recording's statistics.
    let whole_cols = kept_hi - kept_lo;
    let whole_duration = whole_cols as f64 / rate;
    let mut merged: Vec<(BumpFit, f32)> = Vec::new();
    let mut initial = 0.0f64;
    // Highest window energy at which a block stopped before exhausting its map.
    let mut complete_above = f64::NEG_INFINITY;
    let mut block_stop = StopReason::Exhausted;
    for k in 0..layout.n_blocks() {
        let (own_lo, own_hi) = layout.own(k);
        if own_lo >= own_hi {
            continue;
        }
        let (seg, (valid_lo, valid_hi)) = layout.segment(k, layout.wave + layout.fit);
        let m = plans.modulus(signal, seg)?;
        let c0 = layout.col(seg.0);
        let view = m.slice(s![.., valid_lo - c0..valid_hi - c0]);
        let values = normalise(view, &row_mean, &row_std, norm.offset, inv_scale);
        drop(m);
        let map = TfMap {
            frequencies: frequencies.clone(),
            f_step: grid.f_step,
            t_start: t0 + valid_lo as f64 / rate,
            rate,
            values,
            scale,
            offset: norm.offset,
            row_mean: row_mean.clone(),
            row_std: row_std.clone(),
        };
        let geo = geometry(&map, opts, bydn)?;
        let reach = reach_rows(&geo, n_rows);
        let (own_a, own_b) = (own_lo - valid_lo, own_hi - valid_lo);
        initial += (reach.0..=reach.1)
            .map(|r| {
                map.values
                    .slice(s![r, own_a..own_b])
                    .iter()
                    .map(|&v| (v as f64) * (v as f64))
                    .sum::<f64>()
            })
            .sum::<f64>();
        let outcome = fit_map(
            &map,
            &geo,
            opts.energy_limit,
            opts.cap(map.duration()),
            opts.max_iterations,
            opts.tolerance,
            Some(Patience {
                min_height: opts.min_amplitude,
                run: opts.prune_patience,
            }),
        );
        if outcome.stop != StopReason::Exhausted {
            if let Some(last) = outcome.fits.last() {
                if last.window_energy > complete_above {
                    complete_above = last.window_energy;
                    block_stop = outcome.stop;
                }
            }
        }
        let shift = (valid_lo - kept_lo) as f64;
        let shift_col = valid_lo - kept_lo;
        let (n_r, n_c) = map.values.dim();
        for f in outcome.fits {
            let c = f.shape.col;
            if !(c >= own_a as f64 && c < own_b as f64) {
                continue;
            }
            let r = (f.shape.row.round().max(0.0) as usize).min(n_r - 1);
            let pc = (c.round().max(0.0) as usize).min(n_c - 1);
            let peak = map.values[(r, pc)];
            let mut g = f;
            g.shape.col += shift;
            g.window_col += shift_col;
            merged.push((g, peak));
        }
    }

    // Merge: the order of the whole-recording loop, then its stopping rules.
    merged.sort_by(|(a, _), (b, _)| {
        b.window_energy
            .total_cmp(&a.window_energy)
            .then(a.window_row.cmp(&b.window_row))
            .then(a.window_col.cmp(&b.window_col))
    });
    let cap = opts.cap(whole_duration);
    let patience = opts.prune_patience;
    let mut residual = initial;
    let mut below_run = 0usize;
    let mut fits = Vec::new();
    let mut peaks = Vec::new();
    let mut warnings = Vec::new();
    let mut stop = StopReason::Exhausted;
    for (f, peak) in merged {
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
            stop = block_stop;
            warnings.push(format!(
                "block-wise fit: a block stopped ({block_stop:?}) before the whole recording's \
                 stopping rules were reached; fits below window energy {complete_above:.4} \
                 are left out"
            ));
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
