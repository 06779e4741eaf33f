//! Aligned bumps: the two bump sets of a channel pair on one time–frequency plane, the
//! pairs that bump SES matched joined by lines, the non-coincident bumps crossed out,
//! and the pair's SES parameters beside the plot.
//!
//! The view takes its data as plain inputs (an [`AlignedPair`]: two `Vec<Bump>`); the
//! alignment is computed off the frame loop, in one of the app's jobs asked for by
//! [`AlignedState::set_pair`] and handed back by [`AlignedState::deliver`], once with
//! max-product (certified) and once with the exact matching, so that the user can
//! switch between them when they differ.

use super::command::{Command, JobOwner, JobSlot, View, ViewContext, ViewOutput};
use super::jobs::JobError;
use egui::{Color32, Pos2, Rect, Sense, Stroke, Vec2};
use sesame_core::bumps::Bump;
use sesame_core::ses::bumps::{ses_bumps, BumpResult, BumpSesOptions};
use sesame_core::ses::{AlignmentMethod, SesError};

/// Colour of the first channel's bumps.
pub const COLOUR_X: Color32 = Color32::from_rgb(31, 119, 180);
/// Colour of the second channel's bumps.
pub const COLOUR_Y: Color32 = Color32::from_rgb(214, 39, 40);

/// The input of the view: the bumps of both channels of a pair.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignedPair {
    pub label_x: String,
    pub label_y: String,
    /// Bumps of `label_x` (t, dt in s; f, df in Hz; semi-axes).
    pub x: Vec<Bump>,
    /// Bumps of `label_y`.
    pub y: Vec<Bump>,
}

/// Bump SES of one pair with both alignment solvers.
#[derive(Debug, Clone, PartialEq)]
pub struct PairAlignment {
    /// Max-product message passing, certified against the exact optimum.
    pub max_product: BumpResult,
    /// Exact minimum-cost matching.
    pub exact: BumpResult,
}

impl PairAlignment {
    /// Runs bump SES on `x`, `y` with `opts`, once per alignment method.
    pub fn compute(x: &[Bump], y: &[Bump], opts: &BumpSesOptions) -> Result<Self, SesError> {
        let mut o = opts.clone();
        o.method = AlignmentMethod::MaxProduct;
        let max_product = ses_bumps(x, y, &o)?;
        o.method = AlignmentMethod::Exact;
        let exact = ses_bumps(x, y, &o)?;
        Ok(PairAlignment { max_product, exact })
    }

    /// Whether the two methods ended with different matchings.
    pub fn differ(&self) -> bool {
        self.max_product.alignment != self.exact.alignment
    }

    /// The result of `method`.
    pub fn get(&self, method: AlignmentMethod) -> &BumpResult {
        match method {
            AlignmentMethod::MaxProduct => &self.max_product,
            AlignmentMethod::Exact => &self.exact,
        }
    }
}

/// The bumps of every analysed channel, from which any pair can be shown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChannelSet {
    pub labels: Vec<String>,
    pub bumps: Vec<Vec<Bump>>,
}

impl ChannelSet {
    /// The pair `(a, b)` of channels by index, when both exist and differ.
    pub fn pair(&self, a: usize, b: usize) -> Option<AlignedPair> {
        if a == b {
            return None;
        }
        Some(AlignedPair {
            label_x: self.labels.get(a)?.clone(),
            label_y: self.labels.get(b)?.clone(),
            x: self.bumps.get(a)?.clone(),
            y: self.bumps.get(b)?.clone(),
        })
    }
}

/// State of the aligned-bumps view.
pub struct AlignedState {
    pub pair: Option<AlignedPair>,
    /// Every analysed channel's bumps (after an analysis), for the pair picker.
    pub channels: Option<std::sync::Arc<ChannelSet>>,
    /// The time range shown, s (`None`: every bump); zoomed by the wheel, panned by
    /// dragging.
    pub view_t: Option<[f64; 2]>,
    /// Options of the SES run (the method field is ignored: both are computed).
    pub options: BumpSesOptions,
    /// The alignment of `pair`, or why it failed; `None` while computing.
    pub outcome: Option<Result<PairAlignment, String>>,
    /// Which alignment is drawn.
    pub method: AlignmentMethod,
    slot: JobSlot,
}

impl Default for AlignedState {
    fn default() -> Self {
        AlignedState {
            pair: None,
            channels: None,
            view_t: None,
            options: BumpSesOptions::default(),
            outcome: None,
            method: AlignmentMethod::MaxProduct,
            slot: JobSlot::default(),
        }
    }
}

impl AlignedState {
    /// Shows `pair` and returns the command that computes its alignment in one of
    /// the app's jobs (a running computation for an earlier pair is cancelled and its
    /// output dropped).
    pub fn set_pair(&mut self, pair: AlignedPair) -> Command {
        let (x, y, opts) = (pair.x.clone(), pair.y.clone(), self.options.clone());
        let title = format!("Aligning {} – {}", pair.label_x, pair.label_y);
        self.pair = Some(pair);
        self.view_t = None;
        self.outcome = None;
        self.slot.request(JobOwner::Aligned, title, move |ctx| {
            ctx.progress(0.0, "aligning bumps");
            let r =
                PairAlignment::compute(&x, &y, &opts).map_err(|e| JobError::Failed(e.to_string()));
            ctx.check_cancelled()?;
            r
        })
    }

    /// Whether the alignment is being computed.
    pub fn is_computing(&self) -> bool {
        self.slot.is_waiting()
    }

    /// Takes the output of the job of request `ticket` (dropped when a later pair
    /// replaced it).
    pub fn deliver(&mut self, ticket: u64, result: Result<ViewOutput, JobError>) {
        if let Some(r) = self.slot.accept::<PairAlignment>(ticket, result) {
            self.outcome = Some(r.map_err(|e| e.to_string()));
        }
    }
}

/// Bounds of the plane: time (s) and frequency (Hz) ranges covering every ellipse.
pub fn plane_bounds(x: &[Bump], y: &[Bump]) -> Option<([f64; 2], [f64; 2])> {
    let mut t = [f64::INFINITY, f64::NEG_INFINITY];
    let mut f = [f64::INFINITY, f64::NEG_INFINITY];
    for b in x.iter().chain(y) {
        t = [t[0].min(b.t - b.dt), t[1].max(b.t + b.dt)];
        f = [f[0].min(b.f - b.df), f[1].max(b.f + b.df)];
    }
    if !(t[0].is_finite() && t[1].is_finite() && f[0].is_finite() && f[1].is_finite()) {
        return None;
    }
    let widen = |r: [f64; 2]| {
        let pad = ((r[1] - r[0]) * 0.05).max(1e-6);
        [r[0] - pad, r[1] + pad]
    };
    Some((widen(t), widen(f)))
}

/// Maps time–frequency coordinates into `rect` (time right, frequency up).
#[derive(Debug, Clone, Copy)]
pub struct PlaneMap {
    pub rect: Rect,
    pub t: [f64; 2],
    pub f: [f64; 2],
}

impl PlaneMap {
    pub fn pos(&self, t: f64, f: f64) -> Pos2 {
        let u = (t - self.t[0]) / (self.t[1] - self.t[0]);
        let v = (f - self.f[0]) / (self.f[1] - self.f[0]);
        Pos2::new(
            self.rect.left() + (u as f32) * self.rect.width(),
            self.rect.bottom() - (v as f32) * self.rect.height(),
        )
    }

    /// Screen semi-axes of an ellipse of semi-axes `dt` s, `df` Hz.
    pub fn radius(&self, dt: f64, df: f64) -> Vec2 {
        Vec2::new(
            (dt / (self.t[1] - self.t[0])) as f32 * self.rect.width(),
            (df / (self.f[1] - self.f[0])) as f32 * self.rect.height(),
        )
    }
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.4}"))
}

/// A round step (1, 2 or 5 × 10^k) at least `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * p)
}

/// The channel pickers: any two analysed channels; a new pair is aligned in the
/// background.
fn pair_picker(ui: &mut egui::Ui, state: &mut AlignedState) -> Option<Command> {
    let set = state.channels.clone()?;
    let index = |l: Option<&String>| l.and_then(|l| set.labels.iter().position(|x| x == l));
    let cur_a = index(state.pair.as_ref().map(|p| &p.label_x)).unwrap_or(0);
    let cur_b = index(state.pair.as_ref().map(|p| &p.label_y)).unwrap_or(1);
    let (mut a, mut b) = (cur_a, cur_b);
    ui.horizontal(|ui| {
        ui.label("Pair");
        for (id, k, hint) in [
            ("aligned-a", &mut a, "First channel of the pair"),
            ("aligned-b", &mut b, "Second channel of the pair"),
        ] {
            egui::ComboBox::from_id_salt(id)
                .selected_text(set.labels.get(*k).cloned().unwrap_or_default())
                .show_ui(ui, |ui| {
                    for (i, l) in set.labels.iter().enumerate() {
                        ui.selectable_value(k, i, l);
                    }
                })
                .response
                .on_hover_text(hint);
        }
        ui.weak("wheel: zoom time · drag: pan · double-click: all bumps");
    });
    if (a, b) != (cur_a, cur_b) {
        if let Some(pair) = set.pair(a, b) {
            return Some(state.set_pair(pair));
        }
    }
    None
}

impl View for AlignedState {
    /// Draws the view (it needs no recording).
    fn ui(&mut self, ui: &mut egui::Ui, _ctx: &mut ViewContext<'_>) -> Vec<Command> {
        show(ui, self)
    }
}

fn show(ui: &mut egui::Ui, state: &mut AlignedState) -> Vec<Command> {
    let commands: Vec<Command> = pair_picker(ui, state).into_iter().collect();
    let Some(pair) = state.pair.clone() else {
        ui.weak("No pair selected: the aligned bumps of a channel pair appear here after bump extraction.");
        return commands;
    };
    ui.horizontal(|ui| {
        ui.colored_label(
            COLOUR_X,
            format!("{} ({} bumps)", pair.label_x, pair.x.len()),
        );
        ui.colored_label(
            COLOUR_Y,
            format!("{} ({} bumps)", pair.label_y, pair.y.len()),
        );
        if state.is_computing() {
            ui.spinner();
            ui.label("aligning…");
        }
    });
    let result = match &state.outcome {
        Some(Ok(pa)) => {
            if pa.differ() {
                ui.horizontal(|ui| {
                    ui.label("The two alignments differ:");
                    ui.selectable_value(
                        &mut state.method,
                        AlignmentMethod::MaxProduct,
                        "Max-product",
                    );
                    ui.selectable_value(&mut state.method, AlignmentMethod::Exact, "Exact");
                });
            } else {
                ui.weak("Max-product and exact alignments agree.");
            }
            Some(pa.get(state.method).clone())
        }
        Some(Err(e)) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Alignment failed: {e}"),
            );
            None
        }
        None => None,
    };
    egui::Panel::right("aligned-params")
        .resizable(false)
        .show(ui, |ui| params_panel(ui, result.as_ref()));
    plane(ui, &pair, result.as_ref(), &mut state.view_t);
    commands
}

fn params_panel(ui: &mut egui::Ui, result: Option<&BumpResult>) {
    ui.heading("SES");
    let Some(r) = result else {
        ui.weak("not computed yet");
        return;
    };
    let p = &r.params;
    egui::Grid::new("aligned-params-grid")
        .num_columns(1)
        .show(ui, |ui| {
            let rows: [(&str, String); 9] = [
                ("δt", fmt_opt(p.delay_t)),
                ("st", format!("{:.4}", p.jitter_var_t)),
                ("δf", fmt_opt(p.delay_f)),
                ("sf", format!("{:.4}", p.jitter_var_f)),
                ("ρ", format!("{:.4}", p.rho)),
                ("pairs", p.n_pairs.to_string()),
                (
                    "non-coincident",
                    (r.alignment.unmatched_x.len() + r.alignment.unmatched_y.len()).to_string(),
                ),
                (
                    "certified",
                    if p.certified { "yes" } else { "no" }.to_string(),
                ),
                (
                    "converged",
                    if p.converged { "yes" } else { "no" }.to_string(),
                ),
            ];
            for (k, v) in rows {
                ui.label(format!("{k} = {v}"));
                ui.end_row();
            }
        });
}

fn plane(
    ui: &mut egui::Ui,
    pair: &AlignedPair,
    result: Option<&BumpResult>,
    view_t: &mut Option<[f64; 2]>,
) {
    let size = ui.available_size().max(Vec2::new(200.0, 150.0));
    let (resp, painter) = ui.allocate_painter(size, Sense::click_and_drag());
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "Aligned bumps plane"));
    let Some((all_t, f)) = plane_bounds(&pair.x, &pair.y) else {
        painter.text(
            resp.rect.center(),
            egui::Align2::CENTER_CENTER,
            "no bumps",
            egui::FontId::proportional(14.0),
            ui.visuals().weak_text_color(),
        );
        return;
    };
    let rect = resp.rect.shrink2(Vec2::new(40.0, 20.0));
    // Zoom (wheel, around the pointer) and pan (drag) of the time axis.
    let mut t = view_t.unwrap_or(all_t);
    if resp.double_clicked() {
        t = all_t;
    }
    if resp.hovered() {
        let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
        let factor = if (zoom - 1.0).abs() > 1e-4 {
            1.0 / zoom as f64
        } else {
            (-scroll as f64 / 200.0).exp()
        };
        if (factor - 1.0).abs() > 1e-6 {
            let anchor = resp
                .hover_pos()
                .map(|p| ((p.x - rect.left()) / rect.width()).clamp(0.0, 1.0) as f64)
                .unwrap_or(0.5);
            let at = t[0] + anchor * (t[1] - t[0]);
            let span = ((t[1] - t[0]) * factor).clamp(1e-3, (all_t[1] - all_t[0]) * 4.0);
            t = [at - anchor * span, at + (1.0 - anchor) * span];
        }
    }
    if resp.dragged() {
        let dx = resp.drag_delta().x as f64;
        let shift = -dx / rect.width() as f64 * (t[1] - t[0]);
        t = [t[0] + shift, t[1] + shift];
    }
    *view_t = (t != all_t).then_some(t);
    let map = PlaneMap { rect, t, f };
    let fg = ui.visuals().text_color();
    let grid = ui.visuals().widgets.noninteractive.bg_stroke;
    painter.rect_stroke(rect, 0.0, Stroke::new(1.0, fg), egui::StrokeKind::Inside);
    let font = egui::FontId::proportional(11.0);
    // Ticks: round steps in time and frequency, with grid lines.
    let t_step = nice_step((t[1] - t[0]) / (rect.width() / 80.0).max(2.0) as f64);
    let decimals = (-t_step.log10().floor()).clamp(0.0, 4.0) as usize;
    let mut tt = (t[0] / t_step).ceil() * t_step;
    while tt <= t[1] {
        let x = map.pos(tt, f[0]).x;
        painter.line_segment(
            [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
            grid,
        );
        painter.text(
            Pos2::new(x, rect.bottom() + 2.0),
            egui::Align2::CENTER_TOP,
            format!("{tt:.decimals$} s"),
            font.clone(),
            fg,
        );
        tt += t_step;
    }
    let f_step = nice_step((f[1] - f[0]) / (rect.height() / 40.0).max(2.0) as f64);
    let mut ff = (f[0] / f_step).ceil() * f_step;
    while ff <= f[1] {
        let y = map.pos(t[0], ff).y;
        painter.line_segment(
            [Pos2::new(rect.left(), y), Pos2::new(rect.right(), y)],
            grid,
        );
        painter.text(
            Pos2::new(rect.left() - 3.0, y),
            egui::Align2::RIGHT_CENTER,
            format!("{ff:.0} Hz"),
            font.clone(),
            fg,
        );
        ff += f_step;
    }
    let painter = painter.with_clip_rect(rect);
    let mut shapes = Vec::with_capacity(2 * (pair.x.len() + pair.y.len()));
    for (bumps, colour) in [(&pair.x, COLOUR_X), (&pair.y, COLOUR_Y)] {
        for b in bumps.iter() {
            shapes.push(egui::Shape::ellipse_filled(
                map.pos(b.t, b.f),
                map.radius(b.dt, b.df),
                colour.gamma_multiply(0.25),
            ));
            shapes.push(egui::Shape::ellipse_stroke(
                map.pos(b.t, b.f),
                map.radius(b.dt, b.df),
                Stroke::new(1.5, colour),
            ));
        }
    }
    if let Some(r) = result {
        for &(i, j) in &r.alignment.pairs {
            if let (Some(a), Some(b)) = (pair.x.get(i), pair.y.get(j)) {
                shapes.push(egui::Shape::line_segment(
                    [map.pos(a.t, a.f), map.pos(b.t, b.f)],
                    Stroke::new(1.5, fg),
                ));
            }
        }
        let cross = |c: Pos2, colour: Color32, out: &mut Vec<egui::Shape>| {
            let d = 5.0;
            let s = Stroke::new(2.0, colour);
            out.push(egui::Shape::line_segment(
                [c + Vec2::new(-d, -d), c + Vec2::new(d, d)],
                s,
            ));
            out.push(egui::Shape::line_segment(
                [c + Vec2::new(-d, d), c + Vec2::new(d, -d)],
                s,
            ));
        };
        for &i in &r.alignment.unmatched_x {
            if let Some(b) = pair.x.get(i) {
                cross(map.pos(b.t, b.f), COLOUR_X, &mut shapes);
            }
        }
        for &j in &r.alignment.unmatched_y {
            if let Some(b) = pair.y.get(j) {
                cross(map.pos(b.t, b.f), COLOUR_Y, &mut shapes);
            }
        }
    }
    painter.extend(shapes);
    if let Some(p) = resp.hover_pos() {
        let nearest = pair
            .x
            .iter()
            .map(|b| (b, &pair.label_x))
            .chain(pair.y.iter().map(|b| (b, &pair.label_y)))
            .map(|(b, l)| (map.pos(b.t, b.f).distance(p), b, l))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((d, b, l)) = nearest {
            if d < 20.0 {
                resp.on_hover_text_at_pointer(format!(
                    "{l}: t = {:.3} s, f = {:.2} Hz, Δt = {:.3} s, Δf = {:.2} Hz, amplitude {:.3}",
                    b.t, b.f, b.dt, b.df, b.amplitude
                ));
            }
        }
    }
}
