//! Scalp map: the 10-20/10-10 electrodes of the analysed channels seen from above
//! (azimuthal projection of `recording::positions`), with the pairs whose value is at
//! least a threshold drawn as lines, thicker for stronger pairs.

use super::matrix::{self, MapState};
use egui::{Color32, Pos2, Sense, Stroke, Vec2};
use sesame_core::analysis::Results;
use sesame_core::recording::positions::{electrode_position, project_2d};

/// Pairs `(i, j, value)` with `i < j` and `value ≥ threshold` (`value ≤ threshold`
/// when `smaller_is_stronger`), strongest first (ties by index). NaN values are never
/// drawn.
pub fn strong_pairs(
    m: &[Vec<f64>],
    threshold: f64,
    smaller_is_stronger: bool,
) -> Vec<(usize, usize, f64)> {
    let mut out = Vec::new();
    for (i, row) in m.iter().enumerate() {
        for (j, &v) in row.iter().enumerate().skip(i + 1) {
            let strong = if smaller_is_stronger {
                v <= threshold
            } else {
                v >= threshold
            };
            if v.is_finite() && strong {
                out.push((i, j, v));
            }
        }
    }
    out.sort_by(|a, b| {
        let o = b.2.total_cmp(&a.2);
        let o = if smaller_is_stronger { o.reverse() } else { o };
        o.then((a.0, a.1).cmp(&(b.0, b.1)))
    });
    out
}

/// Projected position (unit disc, y towards the nose) of each label, `None` for a
/// label that names no standard electrode.
pub fn layout(labels: &[String]) -> Vec<Option<[f64; 2]>> {
    labels
        .iter()
        .map(|l| electrode_position(l).map(project_2d))
        .collect()
}

/// Draws the scalp view; returns the area of the figure (points).
pub fn show(ui: &mut egui::Ui, results: &Results, state: &mut MapState) -> Option<egui::Rect> {
    let (measure, parameter) = matrix::picker(ui, results, state)?;
    let labels = matrix::labels(results, &measure, &parameter);
    let m = results.matrix(&measure, &parameter, &labels);
    let Some((lo, hi)) = matrix::value_range(&m) else {
        ui.weak("No finite values.");
        return None;
    };
    let top = ui.cursor().min;
    if !(lo..=hi).contains(&state.threshold) {
        state.threshold = lo + 0.75 * (hi - lo);
    }
    ui.horizontal(|ui| {
        ui.add(egui::Slider::new(&mut state.threshold, lo..=hi).text("Threshold"));
        ui.checkbox(&mut state.smaller_is_stronger, "Smaller is stronger")
            .on_hover_text("For ρ and distances: draw the pairs at or below the threshold");
    });
    let inv = state.smaller_is_stronger;
    let pairs = strong_pairs(&m, state.threshold, inv);
    let pos = layout(&labels);
    let total = labels.len() * labels.len().saturating_sub(1) / 2;
    let rel = if inv { "≤" } else { "≥" };
    ui.label(format!(
        "{} of {} pairs {rel} {:.4}",
        pairs.len(),
        total,
        state.threshold
    ));
    let unplaced: Vec<&str> = labels
        .iter()
        .zip(&pos)
        .filter(|(_, p)| p.is_none())
        .map(|(l, _)| l.as_str())
        .collect();
    if !unplaced.is_empty() {
        ui.weak(format!(
            "Not on the scalp (no standard position): {}",
            unplaced.join(", ")
        ));
    }
    let avail = ui.available_size();
    let side = avail.x.min(avail.y).max(120.0);
    let (resp, painter) = ui.allocate_painter(Vec2::splat(side), Sense::hover());
    let c = resp.rect.center();
    let radius = side * 0.42;
    // The equator of the projection is at radius 1; the head outline at the 10 % circle.
    let head = radius;
    let to_screen = |p: [f64; 2]| Pos2::new(c.x + p[0] as f32 * radius, c.y - p[1] as f32 * radius);
    let fg = ui.visuals().text_color();
    painter.circle_stroke(c, head * 0.8, Stroke::new(1.5, fg));
    let nose = [
        Pos2::new(c.x - 0.08 * head, c.y - 0.79 * head),
        Pos2::new(c.x, c.y - 0.9 * head),
        Pos2::new(c.x + 0.08 * head, c.y - 0.79 * head),
    ];
    painter.add(egui::Shape::line(nose.to_vec(), Stroke::new(1.5, fg)));
    for &(i, j, v) in &pairs {
        if let (Some(a), Some(b)) = (pos[i], pos[j]) {
            let s = if hi > lo {
                ((v - lo) / (hi - lo)) as f32
            } else {
                1.0
            };
            let s = if inv { 1.0 - s } else { s };
            painter.line_segment(
                [to_screen(a), to_screen(b)],
                Stroke::new(1.0 + 3.0 * s, matrix::colour(v, lo, hi)),
            );
        }
    }
    let font = egui::FontId::proportional(11.0);
    for (l, p) in labels.iter().zip(&pos) {
        if let Some(p) = p {
            let q = to_screen(*p);
            painter.circle_filled(q, 4.0, Color32::from_gray(90));
            painter.text(
                q + Vec2::new(0.0, -5.0),
                egui::Align2::CENTER_BOTTOM,
                l,
                font.clone(),
                fg,
            );
        }
    }
    if let Some(h) = resp.hover_pos() {
        let near = labels
            .iter()
            .zip(&pos)
            .filter_map(|(l, p)| p.map(|p| (l, to_screen(p).distance(h))))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((l, d)) = near {
            if d < 12.0 {
                let i = labels.iter().position(|x| x == l).unwrap_or(0);
                let text: Vec<String> = pairs
                    .iter()
                    .filter(|p| p.0 == i || p.1 == i)
                    .map(|&(a, b, v)| format!("{} – {}: {v:.4}", labels[a], labels[b]))
                    .collect();
                resp.clone()
                    .on_hover_text(format!("{l}\n{}", text.join("\n")));
            }
        }
    }
    Some(egui::Rect::from_min_max(top, resp.rect.max))
}
