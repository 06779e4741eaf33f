//! One channel or many: map, greedy fit, pruning, conversion to [`Bump`]s (docs/model.md §5.7).

use super::blockwise::{extract_blockwise, needs_blocks};
use super::{
    fit_map, prune, Bump, BumpError, BumpFit, BumpOptions, Patience, StopReason, Window,
    WindowGeometry,
};
use crate::tf::{self, MorletPlan, TfError, TfMap};
use rayon::prelude::*;

/// The bumps of one channel with the map they were fitted on and the fit diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct BumpSet {
    /// Kept bumps in fitting order (seconds on the signal's time axis, Hz).
    pub bumps: Vec<Bump>,
    /// Diagnostics of the kept bumps, aligned with `bumps`.
    pub fits: Vec<BumpFit>,
    /// Number of bumps fitted before pruning.
    pub n_fitted: usize,
    /// The normalised map (absent for a flat channel or when `keep_map` is false).
    pub map: Option<TfMap>,
    /// Initial energy of the greedy loop (`Σ Z²` of the map rows its windows reach; 0 for
    /// a flat channel).
    pub initial_energy: f64,
    /// Final residual energy of the greedy loop (same units; 0 for a flat channel).
    pub residual_energy: f64,
    /// Why the greedy loop stopped (`None` for a flat channel).
    pub stop: Option<StopReason>,
    /// Non-fatal problems (e.g. a flat channel).
    pub warnings: Vec<String>,
    /// Time span analysed after border removal, s: `[start, end)`.
    pub span: (f64, f64),
}

impl BumpSet {
    /// Bumps per second of analysed map.
    pub fn rate(&self) -> f64 {
        let d = self.span.1 - self.span.0;
        if d > 0.0 {
            self.bumps.len() as f64 / d
        } else {
            0.0
        }
    }

    /// Mean normalised amplitude of the bumps (`None` without bumps).
    pub fn mean_amplitude(&self) -> Option<f64> {
        (!self.bumps.is_empty())
            .then(|| self.bumps.iter().map(|b| b.amplitude).sum::<f64>() / self.bumps.len() as f64)
    }
}

/// The window geometry of a map computed with `opts` (`bydn` rows added below the band).
pub(super) fn geometry(
    map: &TfMap,
    opts: &BumpOptions,
    bydn: usize,
) -> Result<WindowGeometry, BumpError> {
    let windows: Vec<Window> = map
        .frequencies
        .iter()
        .map(|&f| Window::at(f, map.rate, opts.f_step, opts.f_over_sigma_f, opts.cote()))
        .collect();
    let n_band = opts.band_tf().frequencies().len();
    let band_rows = (bydn, (bydn + n_band - 1).min(map.n_rows() - 1));
    let widest = windows[band_rows.0..=band_rows.1]
        .iter()
        .map(|w| w.width)
        .max()
        .unwrap_or(1);
    if map.n_cols() < widest {
        return Err(BumpError::TooShort {
            cols: map.n_cols(),
            reason: format!(
                "the widest fitting window ({} columns = {} periods of {} Hz) does not fit; \
                 analyse a longer signal",
                widest,
                opts.cote(),
                opts.f_min
            ),
        });
    }
    Ok(WindowGeometry { windows, band_rows })
}

pub(super) fn flat_set(t0: f64, n: usize, fs: f64) -> BumpSet {
    BumpSet {
        bumps: Vec::new(),
        fits: Vec::new(),
        n_fitted: 0,
        map: None,
        initial_energy: 0.0,
        residual_energy: 0.0,
        stop: None,
        warnings: vec!["flat signal: no variation at any analysed frequency, no bumps".into()],
        span: (t0, t0 + n as f64 / fs),
    }
}

fn run(
    plan: &MorletPlan,
    signal: &[f32],
    fs: f64,
    t0: f64,
    opts: &BumpOptions,
    bydn: usize,
) -> Result<BumpSet, BumpError> {
    let map = match tf::normalised_map_with_plan(plan, signal, t0, &opts.norm(fs)) {
        Ok(m) => m,
        Err(TfError::Flat) => return Ok(flat_set(t0, signal.len(), fs)),
        Err(e) => return Err(e.into()),
    };
    fit_normalised_map(map, opts, bydn)
}

/// Bump-models a normalised map computed with `opts` (for instance the average of the
/// maps of a scalp region's electrodes, docs/model.md §6.2 rule (a)): greedy fit, pruning,
/// conversion to bumps. The map must have the layout `extract_bumps` produces for `opts`
/// at sample rate `fs` (rows of the computed band, columns at the map rate).
pub fn bumps_from_map(map: TfMap, fs: f64, opts: &BumpOptions) -> Result<BumpSet, BumpError> {
    opts.validate(fs)?;
    let (_, bydn) = opts.computed_tf(fs);
    if map.values.iter().all(|&v| v == 0.0) {
        let n = (map.duration() * fs).round() as usize;
        return Ok(flat_set(map.t_start, n, fs));
    }
    fit_normalised_map(map, opts, bydn)
}

fn fit_normalised_map(map: TfMap, opts: &BumpOptions, bydn: usize) -> Result<BumpSet, BumpError> {
    let geo = geometry(&map, opts, bydn)?;
    let cap = opts.cap(map.duration());
    let outcome = fit_map(
        &map,
        &geo,
        opts.energy_limit,
        cap,
        opts.max_iterations,
        opts.tolerance,
        Some(Patience {
            min_height: opts.min_amplitude,
            run: opts.prune_patience,
        }),
    );
    let kept = prune(&outcome.fits, outcome.initial_energy, opts);
    let (n_rows, n_cols) = map.values.dim();
    let bumps = kept
        .iter()
        .map(|&i| {
            let s = outcome.fits[i].shape;
            let r = (s.row.round().max(0.0) as usize).min(n_rows - 1);
            let c = (s.col.round().max(0.0) as usize).min(n_cols - 1);
            Bump {
                t: map.time_of(s.col),
                f: map.frequency_of(s.row),
                dt: s.a / map.rate,
                df: s.b * map.f_step,
                amplitude: s.height,
                peak: map.values[(r, c)] as f64,
            }
        })
        .collect();
    let mut warnings = Vec::new();
    if outcome.stop == StopReason::Cap {
        warnings.push(format!(
            "bump cap of {cap} reached before the energy limit {} (residual energy {:.3} of the initial)",
            opts.energy_limit,
            outcome.residual_energy / outcome.initial_energy
        ));
    }
    let span = (map.t_start, map.t_start + map.duration());
    Ok(BumpSet {
        bumps,
        fits: kept.iter().map(|&i| outcome.fits[i]).collect(),
        n_fitted: outcome.fits.len(),
        map: opts.keep_map.then_some(map),
        initial_energy: outcome.initial_energy,
        residual_energy: outcome.residual_energy,
        stop: Some(outcome.stop),
        warnings,
        span,
    })
}

fn plan(n: usize, fs: f64, opts: &BumpOptions) -> Result<(MorletPlan, usize), BumpError> {
    opts.validate(fs)?;
    let (grid, bydn) = opts.computed_tf(fs);
    let plan = MorletPlan::new(n, fs, &grid, Some(opts.map_rate(fs)))?;
    Ok((plan, bydn))
}

/// Extracts the bumps of one channel: `signal` sampled at `fs` Hz, its first sample at
/// `t0` s. A flat channel gives no bumps and a warning; NaN/infinite samples, too short
/// signals and invalid options are errors. A signal whose map would exceed
/// [`BumpOptions::max_map_mb`] is computed block by block (see [`super::blockwise`]).
pub fn extract_bumps(
    signal: &[f32],
    fs: f64,
    t0: f64,
    opts: &BumpOptions,
) -> Result<BumpSet, BumpError> {
    opts.validate(fs)?;
    if needs_blocks(signal.len(), fs, opts) {
        let (_, bydn) = opts.computed_tf(fs);
        return extract_blockwise(signal, fs, t0, opts, bydn);
    }
    let (plan, bydn) = plan(signal.len(), fs, opts)?;
    run(&plan, signal, fs, t0, opts, bydn)
}

/// [`extract_bumps`] for many channels sampled at `fs` Hz, in parallel across channels
/// (rayon); results in the order of `signals`, identical whatever the thread count.
/// Channels of one length share one transform plan.
pub fn extract_channels(
    signals: &[&[f32]],
    fs: f64,
    t0: f64,
    opts: &BumpOptions,
) -> Vec<Result<BumpSet, BumpError>> {
    let shared = match signals.first() {
        Some(first)
            if signals.iter().all(|s| s.len() == first.len())
                && !needs_blocks(first.len(), fs, opts) =>
        {
            Some(plan(first.len(), fs, opts))
        }
        _ => None,
    };
    signals
        .par_iter()
        .map(|s| match &shared {
            Some(Ok((p, bydn))) => run(p, s, fs, t0, opts, *bydn),
            Some(Err(e)) => Err(e.clone()),
            None => extract_bumps(s, fs, t0, opts),
        })
        .collect()
}
