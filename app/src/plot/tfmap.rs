//! One channel's normalised time-frequency map (viridis, maximum 1) with its bumps
//! outlined by the base ellipses of the half-ellipsoid bump model.

use super::{colour_bar, format_tick, viridis, Figure, FONT, LABEL_SIZE, TICK_SIZE, TITLE_SIZE};
use anyhow::{Context, Result};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use sesame_core::bumps::BumpSet;

/// Most columns drawn; longer maps are shown by the maximum over groups of columns.
const MAX_DRAWN_COLS: usize = 1600;

/// The map of one channel and its bumps.
pub struct TfMapFigure<'a> {
    /// Channel label, for the title.
    pub label: &'a str,
    /// Bumps and the kept map (`BumpSet::map` must be present).
    pub set: &'a BumpSet,
    /// Analysis band (Hz), marked by dashed lines: the map is computed on a wider band
    /// so that bumps at its edges are fitted whole.
    pub band: Option<(f64, f64)>,
}

impl Figure for TfMapFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let map = self
            .set
            .map
            .as_ref()
            .context("the channel is flat: there is no map to draw")?;
        root.fill(&WHITE)?;
        let (w, _) = root.dim_in_pixel();
        let (main, bar) = root.split_horizontally(w.saturating_sub(150));
        let (t0, t1) = (map.t_start, map.t_start + map.duration());
        let f_lo = map.frequency_of(-0.5);
        let f_hi = map.frequency_of(map.n_rows() as f64 - 0.5);
        let mut chart = ChartBuilder::on(&main)
            .caption(
                match self.band {
                    Some((lo, hi)) => format!(
                        "{}: normalised time-frequency map, {} bumps (band {}–{} Hz dashed)",
                        self.label,
                        self.set.bumps.len(),
                        format_tick(lo),
                        format_tick(hi)
                    ),
                    None => format!(
                        "{}: normalised time-frequency map, {} bumps",
                        self.label,
                        self.set.bumps.len()
                    ),
                },
                (FONT, TITLE_SIZE),
            )
            .margin(15)
            .x_label_area_size(65)
            .y_label_area_size(80)
            .build_cartesian_2d(t0..t1, f_lo..f_hi)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("time (s)")
            .y_desc("frequency (Hz)")
            .x_label_formatter(&|v| format_tick(*v))
            .y_label_formatter(&|v| format_tick(*v))
            .axis_desc_style((FONT, LABEL_SIZE))
            .label_style((FONT, TICK_SIZE))
            .draw()?;
        let n_cols = map.n_cols();
        let group = n_cols.div_ceil(MAX_DRAWN_COLS).max(1);
        let cell_t = group as f64 / map.rate;
        chart.draw_series((0..map.n_rows()).flat_map(|r| {
            (0..n_cols.div_ceil(group)).map(move |g| {
                let c0 = g * group;
                let c1 = (c0 + group).min(n_cols);
                let v = (c0..c1).map(|c| map.values[(r, c)]).fold(0.0f32, f32::max) as f64;
                let t = map.time_of(c0 as f64 - 0.5);
                let f = map.frequency_of(r as f64 - 0.5);
                Rectangle::new([(t, f), (t + cell_t, f + map.f_step)], viridis(v).filled())
            })
        }))?;
        for b in &self.set.bumps {
            chart.draw_series(std::iter::once(PathElement::new(
                ellipse(b.t, b.f, b.dt, b.df),
                WHITE.stroke_width(2),
            )))?;
        }
        if let Some((lo, hi)) = self.band {
            for f in [lo, hi] {
                chart.draw_series(std::iter::once(DashedPathElement::new(
                    vec![(t0, f), (t1, f)],
                    10,
                    6,
                    WHITE.mix(0.8).stroke_width(1),
                )))?;
            }
        }
        colour_bar(&bar, (0.0, 1.0), "map value (maximum = 1)", 55, 80, 1.0)?;
        Ok(())
    }
}

/// Closed outline of the ellipse centred at `(t, f)` with half-axes `dt` (s), `df` (Hz).
pub fn ellipse(t: f64, f: f64, dt: f64, df: f64) -> Vec<(f64, f64)> {
    (0..=64)
        .map(|k| {
            let th = k as f64 / 64.0 * std::f64::consts::TAU;
            (t + dt * th.cos(), f + df * th.sin())
        })
        .collect()
}
