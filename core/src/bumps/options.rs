//! Every option of bump extraction, with the spec's defaults and units.

use super::{BumpError, Window};
use crate::tf::{NormOptions, TfOptions, ZScoreReference};
use serde::{Deserialize, Serialize};

/// The bump toolbox's amplitude threshold of the `ab` pruning rule (docs/model.md §5.6), normalised
/// map units. Set [`BumpOptions::min_amplitude`] to it to keep every bump of the
/// toolbox's decomposition.
pub const TOOLBOX_MIN_AMPLITUDE: f64 = 0.05;

/// Options of [`super::extract_bumps`] (docs/model.md §5.2–§5.6).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BumpOptions {
    /// Lowest frequency of the analysis band, Hz (default 4: the SES band 4–30 Hz).
    pub f_min: f64,
    /// Highest frequency of the analysis band, Hz (default 30).
    pub f_max: f64,
    /// Frequency step of the map, Hz (default 1).
    pub f_step: f64,
    /// Morlet wavelet ratio `f/σ_f` (default 7).
    pub f_over_sigma_f: f64,
    /// Offset added to the z-score (default +1, bursts; −1 for desynchronisation).
    pub offset: f64,
    /// Reference period of the z-score (default: the signal).
    pub reference: ZScoreReference,
    /// Border removed at each end, periods of the lowest computed frequency (default 3.5).
    pub border_periods: f64,
    /// Column rate of the map, Hz (default `None`: `2·f_max`, capped at the sampling rate).
    pub output_rate: Option<f64>,
    /// Window width in periods (`cote`); `None`: 4 for bursts (offset ≥ 0), 2 for
    /// desynchronisation (offset < 0).
    pub window_periods: Option<f64>,
    /// Extend the computed frequency range by half a window height (+1 row) on each side so
    /// that windows at the band edges fit (docs/model.md §5.2, `bydn`/`byup`; default true). Bump
    /// centres stay inside the band.
    pub extend_band: bool,
    /// Stop when the residual energy `Σ R²` falls below this fraction of the initial energy
    /// (toolbox `limit`, default 0.2).
    pub energy_limit: f64,
    /// Bump cap (toolbox `maxi`, default 300) per `cap_period` seconds of map.
    pub max_bumps: usize,
    /// Map duration, s, that `max_bumps` applies to (default 20 s, the segment length of
    /// the SES studies); longer maps get a proportionally larger cap,
    /// `ceil(max_bumps · max(1, duration/cap_period))`. `f64::INFINITY`: a fixed cap.
    pub cap_period: f64,
    /// Levenberg–Marquardt iteration cap per bump (default 100).
    pub max_iterations: usize,
    /// Levenberg–Marquardt relative cost-decrease tolerance (default 1e−10).
    pub tolerance: f64,
    /// Pruning `ab`: remove bumps of normalised amplitude (fraction of the map maximum,
    /// docs/model.md §5.6) below this. Default 0.4, not the toolbox's 0.05
    /// ([`TOOLBOX_MIN_AMPLITUDE`]): the greedy fit runs until 80 % of the map energy is
    /// explained, so at 0.05 it keeps the decomposition of the background too. Measured on
    /// planted Gaussian bursts in pink noise (4 × 14 bursts, amplitude 4 × the noise s.d.;
    /// a bump is spurious when farther than a blob width from every burst): 0.05 finds
    /// 56/56 bursts with 590/777 bumps spurious; 0.3 56/56 with 43/154 spurious; **0.4**
    /// 55/56 with 3/71 spurious, the lowest threshold with at most 10 % spurious bumps and
    /// at least 90 % recovered; 0.5 54/56 with 0/58. The unit is relative to the map's
    /// strongest event, so the threshold's meaning in z-score units varies between maps.
    pub min_amplitude: f64,
    /// Early stop of the greedy loop (count, default 1000; 0: off): stop after this many
    /// consecutive fits whose height is below `min_amplitude`, i.e. that pruning removes
    /// anyway. The loop takes windows in decreasing residual energy, so the kept bumps come
    /// first and the loop then spends most of its time modelling the background to reach
    /// the energy limit: on `Subject00_1.edf` (19 channels, 182 s) every kept bump is among
    /// the first 490 fits of its channel (of about 1,150), with at most 159 pruned fits
    /// between two kept ones; on a 20-minute simulation among the first 102 of about 8,000.
    /// The kept bumps are then those of the full loop unless a kept bump would come after
    /// a run this long; `n_fitted`, the residual energy and the stop reason
    /// ([`super::StopReason::Patience`]) describe the shorter loop. Set 0 to run the
    /// toolbox's loop to the energy limit (e.g. to study the residual).
    pub prune_patience: usize,
    /// Pruning `th`: walking bumps in fitting order, stop after 3 consecutive bumps whose
    /// decrease of residual energy (fraction of the initial energy) is below this
    /// (default `None`: off).
    pub min_energy_decrease: Option<f64>,
    /// Pruning `lm`: keep the first N bumps in fitting order (default `None`: all).
    pub keep_first: Option<usize>,
    /// Pruning `or`: keep the first A bumps in time order (default `None`: all).
    pub keep_first_in_time: Option<usize>,
    /// Keep the normalised map in the result (default true; false saves memory on long
    /// recordings).
    pub keep_map: bool,
    /// Memory above which a channel's map and fit are computed block by block, MB
    /// (default 512): the whole-recording chain holds about
    /// [`super::blockwise::BYTES_PER_PIXEL`] bytes per map pixel (docs/bumps.md, "Long
    /// recordings").
    pub max_map_mb: f64,
    /// Length of a block of the block-wise computation, s (default 600).
    pub block_seconds: f64,
}

impl Default for BumpOptions {
    fn default() -> Self {
        BumpOptions {
            f_min: 4.0,
            f_max: 30.0,
            f_step: 1.0,
            f_over_sigma_f: 7.0,
            offset: 1.0,
            reference: ZScoreReference::Signal,
            border_periods: 3.5,
            output_rate: None,
            window_periods: None,
            extend_band: true,
            energy_limit: 0.2,
            max_bumps: 300,
            cap_period: 20.0,
            max_iterations: 100,
            tolerance: 1e-10,
            min_amplitude: 0.4,
            prune_patience: 1000,
            min_energy_decrease: None,
            keep_first: None,
            keep_first_in_time: None,
            keep_map: true,
            max_map_mb: 512.0,
            block_seconds: 600.0,
        }
    }
}

impl BumpOptions {
    /// Window width in periods.
    pub fn cote(&self) -> f64 {
        self.window_periods
            .unwrap_or(if self.offset >= 0.0 { 4.0 } else { 2.0 })
    }

    /// Column rate of the map for a signal sampled at `fs` Hz.
    pub fn map_rate(&self, fs: f64) -> f64 {
        self.output_rate.unwrap_or(2.0 * self.f_max).min(fs)
    }

    /// Checks the options for a signal sampled at `fs` Hz.
    pub fn validate(&self, fs: f64) -> Result<(), BumpError> {
        let bad = |field, value: f64, reason: &str| {
            Err(BumpError::InvalidOption {
                field,
                value,
                reason: reason.to_string(),
            })
        };
        self.band_tf().validate(fs)?;
        if !(self.energy_limit.is_finite() && (0.0..1.0).contains(&self.energy_limit)) {
            return bad("energy_limit", self.energy_limit, "must be in [0, 1)");
        }
        if !(self.cote().is_finite() && self.cote() > 0.0) {
            return bad(
                "window_periods",
                self.cote(),
                "must be a positive number of periods",
            );
        }
        if self.cap_period.is_nan() || self.cap_period <= 0.0 {
            return bad(
                "cap_period",
                self.cap_period,
                "must be a positive number of seconds",
            );
        }
        if self.max_iterations == 0 {
            return bad("max_iterations", 0.0, "must be at least 1");
        }
        if !(self.tolerance.is_finite() && self.tolerance >= 0.0) {
            return bad("tolerance", self.tolerance, "must be non-negative");
        }
        if !(self.min_amplitude.is_finite() && self.min_amplitude >= 0.0) {
            return bad("min_amplitude", self.min_amplitude, "must be non-negative");
        }
        if !(self.max_map_mb.is_finite() && self.max_map_mb >= 0.0) {
            return bad(
                "max_map_mb",
                self.max_map_mb,
                "must be a non-negative number of MB",
            );
        }
        if !(self.block_seconds.is_finite() && self.block_seconds > 0.0) {
            return bad(
                "block_seconds",
                self.block_seconds,
                "must be a positive number of seconds",
            );
        }
        if let Some(e) = self.min_energy_decrease {
            if !(e.is_finite() && e >= 0.0) {
                return bad("min_energy_decrease", e, "must be non-negative");
            }
        }
        Ok(())
    }

    /// The analysis band as a frequency grid (without extension).
    pub fn band_tf(&self) -> TfOptions {
        TfOptions {
            f_min: self.f_min,
            f_max: self.f_max,
            f_step: self.f_step,
            f_over_sigma_f: self.f_over_sigma_f,
        }
    }

    /// The computed grid: the band extended by `bydn` rows below and `byup` rows above
    /// (`ceil(height/2) + 1` of the windows at `f_min` and `f_max`, docs/model.md §5.3), kept above
    /// 0 Hz and below `min(fs/2, map rate·7/6)` so the wavelet stays resolvable. Returns the
    /// grid and the number of rows added below.
    pub fn computed_tf(&self, fs: f64) -> (TfOptions, usize) {
        let band = self.band_tf();
        if !self.extend_band {
            return (band, 0);
        }
        let rate = self.map_rate(fs);
        let freqs = band.frequencies();
        let f_top = *freqs.last().unwrap_or(&self.f_max);
        let win = |f| Window::at(f, rate, self.f_step, self.f_over_sigma_f, self.cote());
        let mut bydn = win(self.f_min).height.div_ceil(2) + 1;
        let mut byup = win(f_top).height.div_ceil(2) + 1;
        while bydn > 0 && self.f_min - bydn as f64 * self.f_step <= 0.0 {
            bydn -= 1;
        }
        // Highest frequency: below Nyquist and with 3σ_f inside half the map rate.
        let ceiling = (fs / 2.0).min(rate / 2.0 * self.f_over_sigma_f / 3.0);
        while byup > 0 && f_top + byup as f64 * self.f_step >= ceiling {
            byup -= 1;
        }
        (
            TfOptions {
                f_min: self.f_min - bydn as f64 * self.f_step,
                f_max: f_top + byup as f64 * self.f_step,
                ..band
            },
            bydn,
        )
    }

    /// The normalisation options of the map.
    pub fn norm(&self, fs: f64) -> NormOptions {
        NormOptions {
            offset: self.offset,
            reference: self.reference,
            border_periods: self.border_periods,
            output_rate: Some(self.map_rate(fs)),
        }
    }

    /// The bump cap for a map of `duration` seconds.
    pub fn cap(&self, duration: f64) -> usize {
        let factor = (duration / self.cap_period).max(1.0);
        if factor.is_finite() {
            (self.max_bumps as f64 * factor).ceil() as usize
        } else {
            self.max_bumps
        }
    }
}
