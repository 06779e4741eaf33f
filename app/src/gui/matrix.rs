//! Channel × channel (or region × region) heatmap of one measure/parameter of a
//! [`Results`], with a colour bar and the value of the cell under the pointer.

use egui::{Color32, Pos2, Rect, Sense, Stroke, Vec2};
use sesame_core::analysis::Results;

/// Which measure/parameter the matrix and scalp views show, and the scalp threshold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapState {
    /// `(measure, parameter)`; `None` = the first one available.
    pub selection: Option<(String, String)>,
    /// Scalp map: pairs whose value is at least this are drawn (at most this when
    /// `smaller_is_stronger`).
    pub threshold: f64,
    /// Scalp map: for measures where a smaller value means more synchrony (ρ, distances).
    pub smaller_is_stronger: bool,
}

/// Distinct `(measure, parameter)` with pair values (both channels named), sorted.
pub fn choices(results: &Results) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = results
        .rows
        .iter()
        .filter(|r| !r.channel_b.is_empty() && r.channel_a != "*")
        .map(|r| (r.measure.clone(), r.parameter.clone()))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Channels (or regions) of `measure`/`parameter`, in order of first appearance.
pub fn labels(results: &Results, measure: &str, parameter: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in results
        .rows
        .iter()
        .filter(|r| r.measure == measure && r.parameter == parameter)
    {
        for c in [&r.channel_a, &r.channel_b] {
            if !c.is_empty() && c != "*" && !out.contains(c) {
                out.push(c.clone());
            }
        }
    }
    out
}

/// Smallest and largest finite value of the matrix (`None` when there is none).
pub fn value_range(m: &[Vec<f64>]) -> Option<(f64, f64)> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in m.iter().flatten().filter(|v| v.is_finite()) {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    (lo <= hi).then_some((lo, hi))
}

/// Colour of `v` on a dark-blue → teal → yellow ramp over `[lo, hi]` (grey for NaN).
pub fn colour(v: f64, lo: f64, hi: f64) -> Color32 {
    if !v.is_finite() {
        return Color32::from_gray(128);
    }
    let s = if hi > lo {
        ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        0.5
    } as f32;
    // Three anchors of viridis.
    let stops = [
        (68.0, 1.0, 84.0),
        (33.0, 145.0, 140.0),
        (253.0, 231.0, 37.0),
    ];
    let (a, b, u) = if s < 0.5 {
        (stops[0], stops[1], s * 2.0)
    } else {
        (stops[1], stops[2], s * 2.0 - 1.0)
    };
    let mix = |x: f32, y: f32| (x + (y - x) * u).round() as u8;
    Color32::from_rgb(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Cell `(row, column)` of an `n × n` grid filling `rect` under `pos`.
pub fn cell_at(rect: Rect, n: usize, pos: Pos2) -> Option<(usize, usize)> {
    if n == 0 || !rect.contains(pos) {
        return None;
    }
    let c = (((pos.x - rect.left()) / rect.width()) * n as f32) as usize;
    let r = (((pos.y - rect.top()) / rect.height()) * n as f32) as usize;
    Some((r.min(n - 1), c.min(n - 1)))
}

/// The measure/parameter picker shared by the matrix and the scalp map; returns the
/// selection (`None` when the results have no pair values).
pub fn picker(
    ui: &mut egui::Ui,
    results: &Results,
    state: &mut MapState,
) -> Option<(String, String)> {
    let all = choices(results);
    if all.is_empty() {
        ui.weak("No pair values yet: run an analysis in the Analysis view.");
        return None;
    }
    let current = match &state.selection {
        Some(s) if all.contains(s) => s.clone(),
        _ => all[0].clone(),
    };
    let mut chosen = current.clone();
    egui::ComboBox::from_label("Measure / output")
        .selected_text(format!("{} / {}", current.0, current.1))
        .show_ui(ui, |ui| {
            for c in &all {
                ui.selectable_value(&mut chosen, c.clone(), format!("{} / {}", c.0, c.1));
            }
        });
    state.selection = Some(chosen.clone());
    Some(chosen)
}

/// Draws the heatmap view; returns the area of the figure (points).
pub fn show(ui: &mut egui::Ui, results: &Results, state: &mut MapState) -> Option<Rect> {
    let (measure, parameter) = picker(ui, results, state)?;
    let labels = labels(results, &measure, &parameter);
    let m = results.matrix(&measure, &parameter, &labels);
    heatmap(ui, &labels, &m)
}

/// Draws `m` (rows and columns named by `labels`) with a colour bar.
pub fn heatmap(ui: &mut egui::Ui, labels: &[String], m: &[Vec<f64>]) -> Option<Rect> {
    let n = labels.len();
    let Some((lo, hi)) = value_range(m) else {
        ui.weak("No finite values.");
        return None;
    };
    let top = ui.cursor().min;
    ui.horizontal(|ui| {
        ui.label(format!("min {lo:.4}"));
        let (r, p) = ui.allocate_painter(Vec2::new(160.0, 14.0), Sense::hover());
        let steps = 32;
        for k in 0..steps {
            let x0 = r.rect.left() + r.rect.width() * k as f32 / steps as f32;
            let x1 = r.rect.left() + r.rect.width() * (k + 1) as f32 / steps as f32;
            let v = lo + (hi - lo) * (k as f64 + 0.5) / steps as f64;
            p.rect_filled(
                Rect::from_x_y_ranges(x0..=x1, r.rect.y_range()),
                0.0,
                colour(v, lo, hi),
            );
        }
        ui.label(format!("max {hi:.4}"));
    });
    let margin = 48.0;
    let avail = ui.available_size();
    let side = (avail.x.min(avail.y) - margin).max(60.0);
    let (resp, painter) = ui.allocate_painter(Vec2::splat(side + margin), Sense::hover());
    let grid = Rect::from_min_size(resp.rect.min + Vec2::splat(margin), Vec2::splat(side));
    let cell = side / n as f32;
    let fg = ui.visuals().text_color();
    let font = egui::FontId::proportional((cell * 0.6).clamp(6.0, 12.0));
    for (i, row) in m.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let r = Rect::from_min_size(
                grid.min + Vec2::new(j as f32 * cell, i as f32 * cell),
                Vec2::splat(cell),
            );
            painter.rect_filled(r, 0.0, colour(*v, lo, hi));
        }
    }
    painter.rect_stroke(grid, 0.0, Stroke::new(1.0, fg), egui::StrokeKind::Outside);
    if cell >= 6.0 {
        for (k, l) in labels.iter().enumerate() {
            let c = (k as f32 + 0.5) * cell;
            painter.text(
                Pos2::new(grid.left() - 3.0, grid.top() + c),
                egui::Align2::RIGHT_CENTER,
                l,
                font.clone(),
                fg,
            );
            painter.text(
                Pos2::new(grid.left() + c, grid.top() - 3.0),
                egui::Align2::CENTER_BOTTOM,
                l,
                font.clone(),
                fg,
            );
        }
    }
    if let Some((i, j)) = resp.hover_pos().and_then(|p| cell_at(grid, n, p)) {
        let v = m[i][j];
        let text = if v.is_finite() {
            format!("{v:.6}")
        } else {
            "no value".into()
        };
        resp.clone()
            .on_hover_text(format!("{} – {}: {text}", labels[i], labels[j]));
    }
    Some(Rect::from_min_max(top, resp.rect.max))
}
