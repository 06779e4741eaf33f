//! The aligned bumps of a pair on one time-frequency plane: each side in its colour,
//! matched bumps filled and joined by a line, non-coincident bumps dashed, and the SES
//! parameters of the pair above the plane.

use super::tfmap::ellipse;
use super::{
    format_tick, format_value, Figure, BLUE, FONT, LABEL_SIZE, TICK_SIZE, TITLE_SIZE, VERMILION,
};
use anyhow::{bail, Result};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use sesame_core::bumps::Bump;
use sesame_core::ses::bumps::BumpResult;

/// The aligned pair.
pub struct AlignedFigure<'a> {
    /// Labels of the two sides (channels or regions).
    pub labels: [&'a str; 2],
    /// Bumps of each side, in the order the alignment indexes them.
    pub bumps: [&'a [Bump]; 2],
    pub result: &'a BumpResult,
    /// Analysis window (s) the SES parameters come from.
    pub window: (f64, f64),
    /// Time range drawn (s).
    pub view: (f64, f64),
    /// Frequency range drawn (Hz).
    pub band: (f64, f64),
}

impl AlignedFigure<'_> {
    /// The line of SES parameters (ρ, δt, st, δf, sf, counts).
    pub fn parameter_line(&self) -> String {
        let p = &self.result.params;
        let opt = |v: Option<f64>| v.map(format_value).unwrap_or_else(|| "–".into());
        let a = &self.result.alignment;
        format!(
            "ρ = {}   δt = {}   st = {}   δf = {}   sf = {}   pairs = {}   non-coincident = {}{}",
            format_value(p.rho),
            opt(p.delay_t),
            format_value(p.jitter_var_t),
            opt(p.delay_f),
            format_value(p.jitter_var_f),
            p.n_pairs,
            a.unmatched_x.len() + a.unmatched_y.len(),
            if p.certified {
                "   (certified optimal)"
            } else {
                "   (not certified)"
            },
        )
    }
}

/// One legend entry's symbol.
enum Key {
    Filled(RGBColor),
    Dashed(RGBColor),
    Line,
}

impl AlignedFigure<'_> {
    /// Draws the legend on one line centred at height `y` of `area`.
    fn legend<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, y: i32) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let al = &self.result.alignment;
        let entries = [
            (
                Key::Filled(BLUE),
                format!("{} matched ({})", self.labels[0], al.pairs.len()),
            ),
            (
                Key::Dashed(BLUE),
                format!(
                    "{} non-coincident ({})",
                    self.labels[0],
                    al.unmatched_x.len()
                ),
            ),
            (
                Key::Filled(VERMILION),
                format!("{} matched ({})", self.labels[1], al.pairs.len()),
            ),
            (
                Key::Dashed(VERMILION),
                format!(
                    "{} non-coincident ({})",
                    self.labels[1],
                    al.unmatched_y.len()
                ),
            ),
            (Key::Line, "matched pair".to_string()),
        ];
        let font = (FONT, TICK_SIZE).into_font();
        let style = TextStyle::from(font).pos(Pos::new(HPos::Left, VPos::Center));
        let (sym, gap, pad) = (28, 8, 30);
        let widths: Vec<i32> = entries
            .iter()
            .map(|(_, t)| {
                area.estimate_text_size(t, &style)
                    .map(|(w, _)| w as i32)
                    .unwrap_or(8 * t.len() as i32)
            })
            .collect();
        let total: i32 = widths.iter().map(|w| sym + gap + w).sum::<i32>() + pad * 4;
        let (w, _) = area.dim_in_pixel();
        let mut x = (w as i32 - total).max(0) / 2;
        for ((key, text), tw) in entries.iter().zip(&widths) {
            match key {
                Key::Filled(c) => {
                    area.draw(&Rectangle::new(
                        [(x, y - 8), (x + sym, y + 8)],
                        c.mix(0.3).filled(),
                    ))?;
                    area.draw(&Rectangle::new(
                        [(x, y - 8), (x + sym, y + 8)],
                        c.stroke_width(2),
                    ))?;
                }
                Key::Dashed(c) => {
                    area.draw(&DashedPathElement::new(
                        vec![
                            (x, y - 7),
                            (x + sym, y - 7),
                            (x + sym, y + 7),
                            (x, y + 7),
                            (x, y - 7),
                        ],
                        6,
                        4,
                        c.stroke_width(2),
                    ))?;
                }
                Key::Line => {
                    area.draw(&PathElement::new(
                        vec![(x, y), (x + sym, y)],
                        BLACK.stroke_width(2),
                    ))?;
                }
            }
            area.draw_text(text, &style, (x + sym + gap, y))?;
            x += sym + gap + tw + pad;
        }
        Ok(())
    }
}

impl Figure for AlignedFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (v0, v1) = self.view;
        let (f0, f1) = self.band;
        if !(v1 > v0 && f1 > f0) {
            bail!("empty time or frequency range to draw");
        }
        root.fill(&WHITE)?;
        let (header, body) = root.split_vertically(140);
        let shown = if (v0, v1) == self.window {
            format!("{}–{} s", format_tick(v0), format_tick(v1))
        } else {
            format!(
                "{}–{} s shown of {}–{} s analysed",
                format_tick(v0),
                format_tick(v1),
                format_tick(self.window.0),
                format_tick(self.window.1)
            )
        };
        let (w, _) = header.dim_in_pixel();
        let centre =
            |size| TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
        header.draw_text(
            &format!(
                "{} and {}: aligned bumps ({shown})",
                self.labels[0], self.labels[1]
            ),
            &centre(TITLE_SIZE),
            (w as i32 / 2, 14),
        )?;
        header.draw_text(
            &self.parameter_line(),
            &centre(LABEL_SIZE),
            (w as i32 / 2, 58),
        )?;
        let mut chart = ChartBuilder::on(&body)
            .margin(15)
            .margin_top(5)
            .x_label_area_size(65)
            .y_label_area_size(80)
            .build_cartesian_2d(v0..v1, f0..f1)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .bold_line_style(RGBColor(230, 230, 230))
            .x_desc("time (s)")
            .y_desc("frequency (Hz)")
            .x_label_formatter(&|v| format_tick(*v))
            .y_label_formatter(&|v| format_tick(*v))
            .axis_desc_style((FONT, LABEL_SIZE))
            .label_style((FONT, TICK_SIZE))
            .draw()?;
        let al = &self.result.alignment;
        let visible = |b: &Bump| b.t + b.dt >= v0 && b.t - b.dt <= v1;
        let colours = [BLUE, VERMILION];
        let matched: [Vec<usize>; 2] = [
            al.pairs.iter().map(|p| p.0).collect(),
            al.pairs.iter().map(|p| p.1).collect(),
        ];
        let unmatched = [&al.unmatched_x, &al.unmatched_y];
        for side in 0..2 {
            let c = colours[side];
            let bumps = self.bumps[side];
            let m: Vec<&Bump> = matched[side]
                .iter()
                .filter_map(|&i| bumps.get(i))
                .filter(|b| visible(b))
                .collect();
            chart.draw_series(
                m.iter()
                    .map(|b| Polygon::new(ellipse(b.t, b.f, b.dt, b.df), c.mix(0.22).filled())),
            )?;
            chart.draw_series(
                m.iter()
                    .map(|b| PathElement::new(ellipse(b.t, b.f, b.dt, b.df), c.stroke_width(2))),
            )?;
            let u: Vec<&Bump> = unmatched[side]
                .iter()
                .filter_map(|&i| bumps.get(i))
                .filter(|b| visible(b))
                .collect();
            chart.draw_series(u.iter().map(|b| {
                DashedPathElement::new(ellipse(b.t, b.f, b.dt, b.df), 7, 5, c.stroke_width(2))
            }))?;
        }
        chart.draw_series(al.pairs.iter().filter_map(|&(i, j)| {
            let (a, b) = (self.bumps[0].get(i)?, self.bumps[1].get(j)?);
            (visible(a) || visible(b))
                .then(|| PathElement::new(vec![(a.t, a.f), (b.t, b.f)], BLACK.stroke_width(2)))
        }))?;
        self.legend(&header, 112)?;
        Ok(())
    }
}
