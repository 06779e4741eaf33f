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
/// label that names no standard electrode nor region. A region (of the default region
/// table) is drawn at the centroid of its electrodes.
pub fn layout(labels: &[String]) -> Vec<Option<[f64; 2]>> {
    let regions = sesame_core::ses::regions::RegionTable::default();
    labels
        .iter()
        .map(|l| {
            electrode_position(l).map(project_2d).or_else(|| {
                let region = regions
                    .regions
                    .iter()
                    .find(|r| r.name.eq_ignore_ascii_case(l))?;
                let points: Vec<[f64; 2]> = region
                    .channels
                    .iter()
                    .filter_map(|c| electrode_position(c).map(project_2d))
                    .collect();
                (!points.is_empty()).then(|| {
                    let n = points.len() as f64;
                    [
                        points.iter().map(|p| p[0]).sum::<f64>() / n,
                        points.iter().map(|p| p[1]).sum::<f64>() / n,
                    ]
                })
            })
        })
        .collect()
}

/// Whether `label` names a region of the default region table.
fn is_region(label: &str) -> bool {
    sesame_core::ses::regions::RegionTable::default()
        .regions
        .iter()
        .any(|r| r.name.eq_ignore_ascii_case(label))
}

/// Draws the scalp view; returns the area of the figure (points).
pub fn show(ui: &mut egui::Ui, results: &Results, state: &mut MapState) -> Option<egui::Rect> {
    let matrix::Shown {
        measure,
        parameter,
        test,
    } = matrix::picker(ui, results, state)?;
    let labels = matrix::labels(results, &measure, &parameter);
    let full = results.matrix(&measure, &parameter, &labels);
    let p = matrix::test_values(results, &measure, test.as_ref(), &labels);
    let m = matrix::shown_values(&full, p.as_ref(), state.alpha, state.hide_not_significant);
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
            .on_hover_text(
                "Draw the pairs at or below the threshold (ticked for the outputs whose \
                 measure declares that smaller means more synchronous: ρ, distances)",
            );
        let k = ui.label("Strongest");
        ui.add(
            egui::DragValue::new(&mut state.top_k)
                .range(0..=10_000)
                .custom_formatter(|v, _| {
                    if v == 0.0 {
                        "all".into()
                    } else {
                        format!("{v}")
                    }
                }),
        )
        .labelled_by(k.id)
        .on_hover_text(
            "Draw at most this many of the strongest pairs that pass the threshold (0: all)",
        );
    });
    let inv = state.smaller_is_stronger;
    let mut pairs = strong_pairs(&m, state.threshold, inv);
    let passing = pairs.len();
    if state.top_k > 0 {
        pairs.truncate(state.top_k);
    }
    let significant = |i: usize, j: usize| {
        p.as_ref()
            .and_then(|p| p.get(i).and_then(|r| r.get(j)))
            .is_some_and(|&q| q <= state.alpha)
    };
    let pos = layout(&labels);
    let total = labels.len() * labels.len().saturating_sub(1) / 2;
    let rel = if inv { "≤" } else { "≥" };
    let mut line = format!("{passing} of {total} pairs {rel} {:.4}", state.threshold);
    if pairs.len() < passing {
        line.push_str(&format!(", the {} strongest drawn", pairs.len()));
    }
    if let (Some(p), Some(t)) = (&p, &test) {
        let marks = matrix::Marks {
            p,
            alpha: state.alpha,
            name: &t.name,
            hidden: state.hide_not_significant,
        };
        line.push_str(&format!("; outlined: {}", marks.legend(&m)));
    }
    ui.label(line);
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
            let width = 1.0 + 3.0 * s;
            if significant(i, j) {
                painter.line_segment([to_screen(a), to_screen(b)], Stroke::new(width + 3.0, fg));
            }
            painter.line_segment(
                [to_screen(a), to_screen(b)],
                Stroke::new(width, matrix::colour(v, lo, hi)),
            );
        }
    }
    let font = egui::FontId::proportional(11.0);
    for (l, p) in labels.iter().zip(&pos) {
        if let Some(p) = p {
            let q = to_screen(*p);
            let r = if is_region(l) { 7.0 } else { 4.0 };
            painter.circle_filled(q, r, Color32::from_gray(90));
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
                    .filter(|q| q.0 == i || q.1 == i)
                    .map(|&(a, b, v)| {
                        let pv = p
                            .as_ref()
                            .and_then(|p| p.get(a).and_then(|r| r.get(b)))
                            .filter(|q| q.is_finite())
                            .map(|q| {
                                let name = test.as_ref().map_or("p", |t| t.name.as_str());
                                format!(" ({name} = {q:.4})")
                            })
                            .unwrap_or_default();
                        format!("{} – {}: {v:.4}{pv}", labels[a], labels[b])
                    })
                    .collect();
                let tip = format!("{l}\n{}", text.join("\n"));
                resp.clone().on_hover_ui_at_pointer(|ui| {
                    ui.label(tip);
                });
            }
        }
    }
    Some(egui::Rect::from_min_max(top, resp.rect.max))
}
