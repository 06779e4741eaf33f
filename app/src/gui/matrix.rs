//! Channel × channel (or region × region) heatmap of one measure/parameter of a
//! [`Results`], with a colour bar and the value of the cell under the pointer.

use crate::plot::split_test;
use egui::{Color32, Pos2, Rect, Sense, Stroke, Vec2};
use sesame_core::analysis::Results;
use sesame_core::measures::Direction;

/// Which measure/parameter the matrix and scalp views show, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct MapState {
    /// `(measure, parameter)`; `None` = the first one available.
    pub selection: Option<(String, String)>,
    /// Scalp map: pairs whose value is at least this are drawn (at most this when
    /// `smaller_is_stronger`).
    pub threshold: f64,
    /// Scalp map: for measures where a smaller value means more synchrony (ρ, distances).
    pub smaller_is_stronger: bool,
    /// Significance level: pairs whose test value (see `test`) is at most this are
    /// marked.
    pub alpha: f64,
    /// Hide the pairs not significant at `alpha` (when the output has a test).
    pub hide_not_significant: bool,
    /// Which test marks the pairs, by the suffix of its output (`q`, `p`, `p_fwer` of
    /// the surrogate test); `None`: the first there is (`q`, the Benjamini–Hochberg
    /// adjusted p-value, when the analysis ran with surrogates).
    pub test: Option<String>,
    /// Scalp map: draw at most this many of the strongest pairs (0: all that pass).
    pub top_k: usize,
    /// Matrix: channels in 10-20 order (front to back, left to right) and regions in
    /// the region table's order, instead of the order of the rows.
    pub anatomical: bool,
    /// Where the matrix grid was drawn last frame (points), with its side in cells.
    pub grid: Option<(Rect, usize)>,
    /// The selection the direction (`smaller_is_stronger`) was last set for.
    pub direction_for: Option<(String, String)>,
}

impl Default for MapState {
    fn default() -> Self {
        MapState {
            selection: None,
            threshold: 0.0,
            smaller_is_stronger: false,
            alpha: 0.05,
            hide_not_significant: false,
            test: None,
            top_k: 0,
            anatomical: true,
            grid: None,
            direction_for: None,
        }
    }
}

/// Whether a smaller value of output `name` of `measure` means more synchrony, as the
/// measure declares it (`OutputSpec::direction`, the convention of `sesame plot`): ρ,
/// distances and divergences, and the surrogate test's p-values; `sync`, coherence
/// and outputs with no direction read the other way.
pub fn smaller_is_stronger(measure: &str, name: &str) -> bool {
    crate::plot::output_direction(measure, name) == Some(Direction::Lower)
}

/// The outputs that say how synchronous an SES pair is, in the order the matrix's
/// hover text lists them.
pub const READING: [&str; 4] = ["sync", "rho", "rho_null", "p"];

/// The registered description of output `parameter` of `measure` — the sentence
/// `sesame measures` prints — made drawable with the bundled fonts; `None` for an
/// unknown measure or output.
pub fn output_doc(measure: &str, parameter: &str) -> Option<String> {
    if let Some((o, suffix)) = split_test(parameter) {
        return Some(test_doc(o, suffix));
    }
    let m = sesame_core::measures::find(measure)?;
    m.outputs()
        .iter()
        .find(|o| o.name == parameter)
        .map(|o| super::glyphs::displayable(o.doc).into_owned())
}

/// What the surrogate-test output `o.suffix` is.
pub fn test_doc(o: &str, suffix: &str) -> String {
    match suffix {
        "p" => format!(
            "Surrogate p-value of {o} for this pair: (1 + surrogates at least as \
             synchronous)/(K + 1), not corrected for the number of pairs."
        ),
        "q" => format!(
            "Benjamini-Hochberg adjusted p-value of {o} over the pairs of this measure \
             (false-discovery rate)."
        ),
        "p_fwer" => format!(
            "Family-wise p-value of {o} over the pairs (max statistic over the \
             surrogates)."
        ),
        "null_mean" => format!("Mean of {o} over the surrogates (its chance level)."),
        "null_sd" => format!("Standard deviation of {o} over the surrogates."),
        other => format!("{other} of {o}"),
    }
}

/// Which way output `name` of `measure` reads, from the direction the measure
/// declares for it (none for outputs with no direction).
pub fn direction_note(measure: &str, name: &str) -> Option<&'static str> {
    if crate::plot::is_test_p(name) {
        return Some("Smaller = stronger evidence of synchrony beyond chance.");
    }
    match crate::plot::output_direction(measure, name)? {
        Direction::Higher => Some("Larger = more synchronous."),
        Direction::Lower => Some("Smaller = more synchronous."),
        Direction::TwoSided => Some("Larger in size (either sign) = more synchronous."),
        Direction::Neither => None,
    }
}

/// The registered description of `measure`/`parameter` followed by the way it reads
/// (empty when neither is known).
pub fn describe(measure: &str, parameter: &str) -> String {
    let mut text = output_doc(measure, parameter).unwrap_or_default();
    if let Some(note) = direction_note(measure, parameter) {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(note);
    }
    text
}

/// The value of `measure`/`parameter` for the pair `a`–`b` (either order), if a row has
/// it.
pub fn pair_value(
    results: &Results,
    measure: &str,
    parameter: &str,
    a: &str,
    b: &str,
) -> Option<f64> {
    results
        .rows
        .iter()
        .find(|r| {
            r.measure == measure
                && r.parameter == parameter
                && ((r.channel_a == a && r.channel_b == b)
                    || (r.channel_a == b && r.channel_b == a))
        })
        .map(|r| r.value)
}

/// The output shown first for these choices: the chance-corrected `sync` when there is
/// one, else the first in sorted order.
pub fn default_choice(all: &[(String, String)]) -> Option<(String, String)> {
    all.iter()
        .find(|(_, p)| p == "sync")
        .or_else(|| all.first())
        .cloned()
}

/// Whether `measure` has pair values of output `parameter`.
fn has_pairs(results: &Results, measure: &str, parameter: &str) -> bool {
    results
        .rows
        .iter()
        .any(|r| r.measure == measure && r.parameter == parameter && !r.channel_b.is_empty())
}

/// A test that can mark the pairs of an output: the output holding its p-values and
/// the short name the views give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Test {
    /// The output with the p-values (`coh.q`, or SES's own `p`).
    pub parameter: String,
    /// `q`, `p` or `p_fwer`.
    pub name: String,
}

/// The tests of output `output` of `measure`, preferred first: the surrogate test's
/// Benjamini–Hochberg `q`, its per-pair `p` and its family-wise `p_fwer` (an analysis
/// with `[significance] surrogates > 0`), else the measure's own `p` output (SES's
/// chance comparison).
pub fn tests_of(results: &Results, measure: &str, output: &str) -> Vec<Test> {
    let mut out: Vec<Test> = ["q", "p", "p_fwer"]
        .iter()
        .map(|s| Test {
            parameter: format!("{output}.{s}"),
            name: s.to_string(),
        })
        .filter(|t| has_pairs(results, measure, &t.parameter))
        .collect();
    if out.is_empty() && has_pairs(results, measure, "p") {
        out.push(Test {
            parameter: "p".into(),
            name: "p".into(),
        });
    }
    out
}

/// The test that marks the pairs of `output` of `measure`: the one chosen in `state`
/// when the output has it, else the first of [`tests_of`].
pub fn chosen_test(
    results: &Results,
    measure: &str,
    output: &str,
    state: &MapState,
) -> (Vec<Test>, Option<Test>) {
    let tests = tests_of(results, measure, output);
    let t = tests
        .iter()
        .find(|t| state.test.as_deref() == Some(t.name.as_str()))
        .or(tests.first())
        .cloned();
    (tests, t)
}

/// What each test is, for the test picker's hover text.
fn test_about(t: &Test) -> &'static str {
    match (t.name.as_str(), t.parameter.contains('.')) {
        ("q", _) => "Benjamini-Hochberg adjusted p-value over the pairs (false-discovery rate)",
        ("p_fwer", _) => "Family-wise p-value over the pairs (max statistic)",
        (_, true) => "Per-pair surrogate p-value, not corrected for the number of pairs",
        _ => "The measure's one-sided surrogate p-value, not corrected for the number of pairs",
    }
}

/// The p-values of `test` of `measure` over `labels` (small is significant), when
/// there is a test.
pub fn test_values(
    results: &Results,
    measure: &str,
    test: Option<&Test>,
    labels: &[String],
) -> Option<Vec<Vec<f64>>> {
    test.map(|t| results.matrix(measure, &t.parameter, labels))
}

/// Whether a cell of value `v` and p-value `q` is marked as significant at `alpha`.
pub fn is_marked(v: f64, q: f64, alpha: f64) -> bool {
    v.is_finite() && q <= alpha
}

/// Pairs (each counted once, `i < j`) of `m` marked as significant by `p` at `alpha`.
pub fn marked_pairs(m: &[Vec<f64>], p: &[Vec<f64>], alpha: f64) -> usize {
    m.iter()
        .zip(p)
        .enumerate()
        .map(|(i, (row, prow))| {
            row.iter()
                .zip(prow)
                .skip(i + 1)
                .filter(|(&v, &q)| is_marked(v, q, alpha))
                .count()
        })
        .sum()
}

/// `m` with the cells whose p-value is not below `alpha` (or missing) set to NaN.
pub fn keep_significant(m: &[Vec<f64>], p: &[Vec<f64>], alpha: f64) -> Vec<Vec<f64>> {
    m.iter()
        .zip(p)
        .map(|(row, prow)| {
            row.iter()
                .zip(prow)
                .map(|(&v, &q)| if q <= alpha { v } else { f64::NAN })
                .collect()
        })
        .collect()
}

/// Place of a channel or region in anatomical order: 10-20/10-10 electrodes front to
/// back and left to right (old names T3–T6 at the places of T7, T8, P7, P8), then the
/// regions of the default region table in its order, then anything else.
fn anatomical_rank(label: &str) -> usize {
    use sesame_core::recording::labels::{canonical_name, STANDARD_NAMES};
    let regions = sesame_core::ses::regions::RegionTable::default();
    if let Some(k) = regions
        .regions
        .iter()
        .position(|r| r.name.eq_ignore_ascii_case(label))
    {
        return STANDARD_NAMES.len() + k;
    }
    let Some(name) = canonical_name(label) else {
        return usize::MAX;
    };
    let name = match name.as_str() {
        "T3" => "T7",
        "T4" => "T8",
        "T5" => "P7",
        "T6" => "P8",
        other => other,
    };
    STANDARD_NAMES
        .iter()
        .position(|s| s.eq_ignore_ascii_case(name))
        .unwrap_or(usize::MAX)
}

/// `labels` in anatomical order (stable: labels of the same rank keep their order).
pub fn anatomical_order(labels: &[String]) -> Vec<String> {
    let mut v = labels.to_vec();
    v.sort_by_key(|l| anatomical_rank(l));
    v
}

/// Distinct `(measure, parameter)` with pair values (both channels named), sorted;
/// the surrogate test's outputs (`o.p`, `o.q`…) are not offered: they mark the pairs
/// of `o` instead.
pub fn choices(results: &Results) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = results
        .rows
        .iter()
        .filter(|r| {
            !r.channel_b.is_empty() && r.channel_a != "*" && split_test(&r.parameter).is_none()
        })
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

/// What the matrix and the scalp map show: an output of a measure, and the test that
/// marks its significant pairs (when it has one).
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub measure: String,
    pub parameter: String,
    pub test: Option<Test>,
}

/// The measure/parameter picker shared by the matrix and the scalp map, with the
/// significance controls (test, level, hide) when the output has a test; returns what
/// to show (`None` when the results have no pair values).
pub fn picker(ui: &mut egui::Ui, results: &Results, state: &mut MapState) -> Option<Shown> {
    let all = choices(results);
    if all.is_empty() {
        ui.weak("No pair values yet: run an analysis in the Analysis view.");
        return None;
    }
    let current = match &state.selection {
        Some(s) if all.contains(s) => s.clone(),
        _ => default_choice(&all)?,
    };
    let mut chosen = current.clone();
    let mut test = None;
    ui.horizontal_wrapped(|ui| {
        egui::ComboBox::from_label("Measure / output")
            .selected_text(format!("{} / {}", current.0, current.1))
            .show_ui(ui, |ui| {
                for c in &all {
                    let r =
                        ui.selectable_value(&mut chosen, c.clone(), format!("{} / {}", c.0, c.1));
                    let about = describe(&c.0, &c.1);
                    if !about.is_empty() {
                        r.on_hover_text(about);
                    }
                }
            });
        let (tests, Some(mut t)) = chosen_test(results, &chosen.0, &chosen.1, state) else {
            return;
        };
        ui.separator();
        if tests.len() > 1 {
            egui::ComboBox::from_label("Test")
                .selected_text(t.name.clone())
                .show_ui(ui, |ui| {
                    for c in &tests {
                        if ui
                            .selectable_label(c == &t, c.name.clone())
                            .on_hover_text(test_about(c))
                            .clicked()
                        {
                            t = c.clone();
                            state.test = Some(c.name.clone());
                        }
                    }
                })
                .response
                .on_hover_text(test_about(&t));
        }
        let a = ui.label("α");
        ui.add(
            egui::DragValue::new(&mut state.alpha)
                .range(0.0..=1.0)
                .speed(0.001)
                .max_decimals(4),
        )
        .labelled_by(a.id)
        .on_hover_text(format!(
            "Significance level: pairs with {} ≤ α are marked ({})",
            t.name,
            test_about(&t)
        ));
        ui.checkbox(
            &mut state.hide_not_significant,
            format!("Hide {} > α", t.name),
        )
        .on_hover_text(format!(
            "Leave out the pairs whose {} is above α; the legend counts the pairs that remain",
            t.name
        ));
        test = Some(t);
    });
    // A newly chosen output starts with its declared direction (ρ, distances:
    // smaller is stronger); the checkbox can still change it.
    if state.direction_for.as_ref() != Some(&chosen) {
        if state.direction_for.is_some() || state.selection.is_none() {
            state.smaller_is_stronger = smaller_is_stronger(&chosen.0, &chosen.1);
        }
        state.direction_for = Some(chosen.clone());
    }
    state.selection = Some(chosen.clone());
    let about = describe(&chosen.0, &chosen.1);
    if !about.is_empty() {
        ui.weak(format!("{}: {about}", chosen.1));
    }
    Some(Shown {
        measure: chosen.0,
        parameter: chosen.1,
        test,
    })
}

/// The values of `m` to show: all of them, or with `hide` only the cells whose test
/// value is at most `alpha`.
pub fn shown_values(
    m: &[Vec<f64>],
    p: Option<&Vec<Vec<f64>>>,
    alpha: f64,
    hide: bool,
) -> Vec<Vec<f64>> {
    match (p, hide) {
        (Some(p), true) => keep_significant(m, p, alpha),
        _ => m.to_vec(),
    }
}

/// Draws the heatmap view; returns the area of the figure (points).
pub fn show(ui: &mut egui::Ui, results: &Results, state: &mut MapState) -> Option<Rect> {
    let Shown {
        measure,
        parameter,
        test,
    } = picker(ui, results, state)?;
    let mut labels = labels(results, &measure, &parameter);
    ui.horizontal(|ui| {
        ui.label("Order");
        ui.radio_value(&mut state.anatomical, true, "anatomical (10-20)")
            .on_hover_text("Front to back, left to right; regions in the region table's order");
        ui.radio_value(&mut state.anatomical, false, "as analysed");
    });
    if state.anatomical {
        labels = anatomical_order(&labels);
    }
    let m = results.matrix(&measure, &parameter, &labels);
    let p = test_values(results, &measure, test.as_ref(), &labels);
    let shown = shown_values(&m, p.as_ref(), state.alpha, state.hide_not_significant);
    let marks = p.as_ref().zip(test.as_ref()).map(|(p, t)| Marks {
        p: p.as_slice(),
        alpha: state.alpha,
        name: t.name.as_str(),
        hidden: state.hide_not_significant,
    });
    // The hover text of a cell: for SES, each reading output of the pair with its
    // registered sentence; then the surrogate test of the output shown.
    let reading = |i: usize, j: usize| -> Vec<String> {
        let (a, b) = (&labels[i], &labels[j]);
        let tested = ["p", "q", "p_fwer"].map(|s| format!("{parameter}.{s}"));
        READING
            .iter()
            .map(|n| n.to_string())
            .chain(tested)
            .filter_map(|name| {
                let v = pair_value(results, &measure, &name, a, b)?;
                let about = describe(&measure, &name);
                Some(if about.is_empty() {
                    format!("{name} = {v:.4}")
                } else {
                    format!("{name} = {v:.4}: {about}")
                })
            })
            .collect()
    };
    let (rect, grid) = heatmap(ui, &labels, &shown, marks, &parameter, &measure, &reading)?;
    state.grid = Some((grid, labels.len()));
    Some(rect)
}

/// The significance marks of a heatmap: the test's p-values over the grid, the level,
/// the test's name, and whether the other pairs are hidden.
#[derive(Debug, Clone, Copy)]
pub struct Marks<'a> {
    pub p: &'a [Vec<f64>],
    pub alpha: f64,
    pub name: &'a str,
    pub hidden: bool,
}

impl Marks<'_> {
    /// The legend: how many pairs pass the test (marked, or remaining when the others
    /// are hidden).
    pub fn legend(&self, m: &[Vec<f64>]) -> String {
        let n = m.len();
        let total = n * n.saturating_sub(1) / 2;
        format!(
            "{} ≤ {}: {} of {total} pairs {}",
            self.name,
            self.alpha,
            marked_pairs(m, self.p, self.alpha),
            if self.hidden { "remain" } else { "marked" }
        )
    }
}

/// Radius of the dot marking a significant cell `side` points wide.
fn mark_radius(side: f32) -> f32 {
    (side * 0.18).clamp(2.0, 5.0)
}

/// Draws the mark of a significant cell: a white dot ringed in black, readable on every
/// colour of the ramp.
fn draw_mark(painter: &egui::Painter, centre: Pos2, radius: f32) {
    painter.circle(
        centre,
        radius,
        Color32::WHITE,
        Stroke::new(1.0, Color32::BLACK),
    );
}

/// Draws `m` (rows and columns named by `labels`, values of output `parameter` of
/// `measure`) with a colour bar, over the whole width left; with `marks` a dot marks
/// each cell whose test value is at most the level, and the legend says how many pairs
/// pass. Hovering a cell shows its pair and value, then the lines `more(i, j)` gives.
/// Returns the figure's area and the grid's.
pub fn heatmap(
    ui: &mut egui::Ui,
    labels: &[String],
    m: &[Vec<f64>],
    marks: Option<Marks<'_>>,
    parameter: &str,
    measure: &str,
    more: &dyn Fn(usize, usize) -> Vec<String>,
) -> Option<(Rect, Rect)> {
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
        if let Some(note) = direction_note(measure, parameter) {
            ui.weak(note);
        }
        if let Some(marks) = marks {
            ui.separator();
            let (r, painter) = ui.allocate_painter(Vec2::splat(14.0), Sense::hover());
            draw_mark(&painter, r.rect.center(), mark_radius(22.0));
            ui.label(marks.legend(m));
        }
    });
    let fg = ui.visuals().text_color();
    let avail = ui.available_size();
    let n_f = n.max(1) as f32;
    // Label margins wide enough for the longest label at the font the cells allow.
    let cell_guess = ((avail.y - 60.0) / n_f).max(4.0);
    let font = egui::FontId::proportional((cell_guess * 0.6).clamp(7.0, 13.0));
    let widest = labels
        .iter()
        .map(|l| {
            ui.painter()
                .layout_no_wrap(l.clone(), font.clone(), fg)
                .size()
                .x
        })
        .fold(0.0f32, f32::max);
    let left = widest + 8.0;
    let topm = font.size + 8.0;
    let size = Vec2::new(avail.x.max(left + 60.0), avail.y.max(topm + 60.0));
    let (resp, painter) = ui.allocate_painter(size, Sense::hover());
    let grid = Rect::from_min_max(
        resp.rect.min + Vec2::new(left, topm),
        resp.rect.max - Vec2::new(4.0, 4.0),
    );
    let (cw, ch) = (grid.width() / n_f, grid.height() / n_f);
    for (i, row) in m.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let r = Rect::from_min_size(
                grid.min + Vec2::new(j as f32 * cw, i as f32 * ch),
                Vec2::new(cw, ch),
            );
            painter.rect_filled(r, 0.0, colour(*v, lo, hi));
            let significant = marks
                .and_then(|mk| {
                    mk.p.get(i)
                        .and_then(|row| row.get(j))
                        .map(|&q| is_marked(*v, q, mk.alpha))
                })
                .unwrap_or(false);
            if significant {
                draw_mark(&painter, r.center(), mark_radius(cw.min(ch)));
            }
        }
    }
    painter.rect_stroke(grid, 0.0, Stroke::new(1.0, fg), egui::StrokeKind::Outside);
    if ch >= 6.0 {
        for (k, l) in labels.iter().enumerate() {
            painter.text(
                Pos2::new(grid.left() - 4.0, grid.top() + (k as f32 + 0.5) * ch),
                egui::Align2::RIGHT_CENTER,
                l,
                font.clone(),
                fg,
            );
        }
    }
    if cw >= 6.0 {
        for (k, l) in labels.iter().enumerate() {
            let x = grid.left() + (k as f32 + 0.5) * cw;
            let galley = painter.layout_no_wrap(l.clone(), font.clone(), fg);
            // Column labels that do not fit their column are left out rather than
            // drawn over each other; the row labels name every channel.
            if galley.size().x <= cw + 2.0 || n <= 12 {
                painter.galley(
                    Pos2::new(
                        x - galley.size().x / 2.0,
                        grid.top() - 3.0 - galley.size().y,
                    ),
                    galley,
                    fg,
                );
            }
        }
    }
    if let Some((i, j)) = resp.hover_pos().and_then(|p| cell_at(grid, n, p)) {
        let v = m
            .get(i)
            .and_then(|row| row.get(j))
            .copied()
            .unwrap_or(f64::NAN);
        let head = if v.is_finite() {
            format!("{} – {}: {v:.6} ({parameter})", labels[i], labels[j])
        } else {
            format!("{} – {}: no value", labels[i], labels[j])
        };
        let mut lines = if i == j { Vec::new() } else { more(i, j) };
        if lines.is_empty() {
            // Without reading outputs, the test value alone (when there is one).
            if let Some(mk) = marks {
                if let Some(q) = mk.p.get(i).and_then(|r| r.get(j)).filter(|q| q.is_finite()) {
                    lines.push(format!("{} = {q:.4}", mk.name));
                }
            }
        }
        resp.clone().on_hover_ui_at_pointer(|ui| {
            ui.set_max_width(420.0);
            ui.label(head);
            for l in lines {
                ui.label(l);
            }
        });
    }
    Some((Rect::from_min_max(top, resp.rect.max), grid))
}
