//! Adaptive fitting windows (docs/model.md §5.3).

use serde::{Deserialize, Serialize};

/// Size of the fitting window at one frequency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Width in map columns: `max(round(cote·rate/f), 1)` (= `cote` periods of `f`).
    pub width: usize,
    /// Height in frequency rows: `max(round(width·(2σ_f/f_step)/(2σ_t·rate)), 1)`, the
    /// aspect ratio of the wavelet's resolution cell (≈ `cote·2π·f/49` Hz for f/σ_f = 7).
    pub height: usize,
}

impl Window {
    /// The window at frequency `f` (Hz) for a map with columns at `rate` Hz, rows every
    /// `f_step` Hz, a wavelet ratio `f/σ_f`, and a window of `cote` periods.
    pub fn at(f: f64, rate: f64, f_step: f64, f_over_sigma_f: f64, cote: f64) -> Window {
        let width = ((cote * rate / f).round() as usize).max(1);
        let sigma_f = f / f_over_sigma_f;
        let sigma_t = 1.0 / (2.0 * std::f64::consts::PI * sigma_f);
        let height = ((width as f64 * (2.0 * sigma_f / f_step) / (2.0 * sigma_t * rate)).round()
            as usize)
            .max(1);
        Window { width, height }
    }

    /// First offset of the window relative to its centre pixel (`−(n−1)/2`, integer).
    pub fn lo_offset(n: usize) -> usize {
        (n - 1) / 2
    }
}

/// Windows of every row of a map, and the rows that may hold a window centre (the band).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowGeometry {
    /// One window per map row.
    pub windows: Vec<Window>,
    /// Map rows `[first, last]` (inclusive) where windows are centred: the analysis band.
    pub band_rows: (usize, usize),
}

impl WindowGeometry {
    /// Inclusive row range of the window centred on `row`, clipped to `n_rows`.
    pub fn row_span(&self, row: usize, n_rows: usize) -> (usize, usize) {
        let h = self.windows[row].height;
        let lo = row.saturating_sub(Window::lo_offset(h));
        let hi = (row + h - 1 - Window::lo_offset(h)).min(n_rows - 1);
        (lo, hi)
    }

    /// Inclusive column range of the window of `row` centred on column `col`, clipped to
    /// `n_cols`.
    pub fn col_span(&self, row: usize, col: usize, n_cols: usize) -> (usize, usize) {
        let w = self.windows[row].width;
        let lo = col.saturating_sub(Window::lo_offset(w));
        let hi = (col + w - 1 - Window::lo_offset(w)).min(n_cols - 1);
        (lo, hi)
    }
}
