//! Time–frequency and bumps: for the selected channel and the browser's page, the
//! normalised wavelet map as an image with the bumps outlined as ellipses; hovering a
//! bump shows its parameters; the bump options (band, threshold…) are editable and the
//! map and bumps are recomputed whenever the channel, the page or an option changes,
//! in one of the app's jobs (asked for with a [`Command::Background`], shown in the
//! status bar with progress and Cancel, and handed back by [`TfState::deliver`]).

use super::command::{Command, JobOwner, JobSlot, View, ViewContext, ViewOutput};
use super::document::{format_time, DocId, Document};
use super::jobs::JobError;
use egui::{Color32, ColorImage, Pos2, Rect, Sense, Stroke, Vec2};
use sesame_core::analysis::config::default_bumps;
use sesame_core::bumps::{extract_channels, Bump, BumpOptions};
use sesame_core::recording::Recording;
use sesame_core::tf::TfMap;
use std::sync::Arc;

/// What a map is computed for.
#[derive(Debug, Clone, PartialEq)]
pub struct TfKey {
    pub doc: DocId,
    /// Signal index.
    pub signal: usize,
    /// Window, s.
    pub window: (f64, f64),
    pub options: BumpOptions,
}

/// A computed map with its bumps.
pub struct TfResult {
    pub key: TfKey,
    pub label: String,
    pub map: TfMap,
    /// Bumps in fitting order (t, dt in s; f, df in Hz; amplitude in map units).
    pub bumps: Vec<Bump>,
    /// The map as an image (high frequencies on top), made on the worker thread.
    pub image: ColorImage,
}

/// State of the view.
pub struct TfState {
    /// Bump options the map is computed with (the analysis defaults at first).
    pub options: BumpOptions,
    /// Bump options as the widgets hold them, typed or dragged; taken into `options`
    /// only when [`check_options`] accepts them.
    pub edit: BumpOptions,
    /// Why the edited options were refused.
    pub problem: Option<String>,
    /// The last result, or why it failed.
    pub result: Option<Result<Arc<TfResult>, String>>,
    /// Index (in the result's bumps) of the bump under the pointer.
    pub hovered: Option<usize>,
    /// Where the map was drawn last frame (points), with its time (s) and frequency
    /// (Hz) extent: for figure export and pointer tests.
    pub plot: Option<(Rect, [f64; 2], [f64; 2])>,
    requested: Option<TfKey>,
    slot: JobSlot,
    texture: Option<egui::TextureHandle>,
}

impl Default for TfState {
    fn default() -> Self {
        TfState {
            options: default_bumps(),
            edit: default_bumps(),
            problem: None,
            result: None,
            hovered: None,
            plot: None,
            requested: None,
            slot: JobSlot::default(),
            texture: None,
        }
    }
}

impl TfState {
    /// Whether a map is being computed.
    pub fn is_computing(&self) -> bool {
        self.slot.is_waiting()
    }

    /// Asks for `key` to be computed: the command for the app's job queue (which
    /// cancels an earlier computation of this view still running).
    pub fn request(&mut self, rec: Arc<Recording>, key: TfKey) -> Command {
        self.requested = Some(key.clone());
        let title = match rec.signals().get(key.signal) {
            Some(s) => format!("Time-frequency map of {}", s.label.trim()),
            None => "Time-frequency map".to_string(),
        };
        self.slot
            .request(JobOwner::TimeFrequency, title, move |ctx| {
                ctx.progress(0.0, "wavelet map and bumps");
                let r = compute(&rec, key);
                ctx.check_cancelled()?;
                r.map_err(JobError::Failed)
            })
    }

    /// Takes the output of the job of request `ticket` (dropped when a later request
    /// replaced it). A cancelled map stays cancelled until the channel, the page or an
    /// option changes.
    pub fn deliver(&mut self, ticket: u64, result: Result<ViewOutput, JobError>) {
        if let Some(r) = self.slot.accept::<TfResult>(ticket, result) {
            self.texture = None;
            self.hovered = None;
            self.result = Some(r.map(Arc::new).map_err(|e| {
                match e {
                    JobError::Cancelled => {
                        "Cancelled: change the channel, the page or an option to compute the map"
                            .to_string()
                    }
                    JobError::Failed(m) => m,
                }
            }));
        }
    }
}

/// The map and bumps of `key` (worker thread).
pub fn compute(rec: &Recording, key: TfKey) -> Result<TfResult, String> {
    let s = rec
        .signals()
        .get(key.signal)
        .ok_or_else(|| format!("no signal {}", key.signal))?;
    let label = s.label.trim().to_string();
    let fs = s.sample_rate;
    let (t0, t1) = key.window;
    let data = rec
        .read_window(&[key.signal], t0, t1)
        .map_err(|e| format!("reading {label}: {e}"))?;
    let x: Vec<f32> = data.row(0).to_vec();
    let mut opts = key.options;
    opts.keep_map = true;
    let set = extract_channels(&[&x], fs, t0, &opts)
        .pop()
        .ok_or("no result")?
        .map_err(|e| format!("{label}: {e}"))?;
    let map = set
        .map
        .ok_or_else(|| format!("{label} is flat in this window: no map"))?;
    let image = map_image(&map);
    Ok(TfResult {
        key,
        label,
        map,
        bumps: set.bumps,
        image,
    })
}

/// The normalised map (values in `[0, 1]`) as an image, high frequencies on top.
pub fn map_image(map: &TfMap) -> ColorImage {
    let (rows, cols) = map.values.dim();
    let mut pixels = Vec::with_capacity(rows * cols);
    for r in (0..rows).rev() {
        for c in 0..cols {
            pixels.push(ramp(map.values[[r, c]]));
        }
    }
    ColorImage::new([cols, rows], pixels)
}

/// Dark blue → teal → yellow for `v` in `[0, 1]`.
fn ramp(v: f32) -> Color32 {
    let v = if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let stops = [
        (13.0, 8.0, 135.0),
        (33.0, 145.0, 140.0),
        (253.0, 231.0, 37.0),
    ];
    let x = v * 2.0;
    let i = (x.floor() as usize).min(1);
    let u = x - i as f32;
    let (a, b) = (stops[i], stops[i + 1]);
    let l = |p: f32, q: f32| (p + (q - p) * u).round() as u8;
    Color32::from_rgb(l(a.0, b.0), l(a.1, b.1), l(a.2, b.2))
}

/// Time (s) and frequency (Hz) extent of the map's pixels.
pub fn map_extent(map: &TfMap) -> ([f64; 2], [f64; 2]) {
    let cols = map.values.ncols() as f64;
    let t = [map.t_start, map.t_start + cols / map.rate];
    let f0 = map.frequencies.first().copied().unwrap_or(0.0);
    let f1 = map.frequencies.last().copied().unwrap_or(f0);
    (t, [f0 - map.f_step / 2.0, f1 + map.f_step / 2.0])
}

/// Index of the smallest bump whose ellipse holds `(t, f)`.
pub fn bump_at(bumps: &[Bump], t: f64, f: f64) -> Option<usize> {
    bumps
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            b.dt > 0.0
                && b.df > 0.0
                && ((t - b.t) / b.dt).powi(2) + ((f - b.f) / b.df).powi(2) <= 1.0
        })
        .min_by(|(_, a), (_, b)| (a.dt * a.df).total_cmp(&(b.dt * b.df)))
        .map(|(i, _)| i)
}

/// A bump's parameters as text (three lines).
pub fn bump_text(b: &Bump) -> String {
    format!(
        "time {:.3} s ± {:.3} s\nfrequency {:.2} Hz ± {:.2} Hz\namplitude {:.3} (map max = 1)",
        b.t, b.dt, b.f, b.df, b.amplitude
    )
}

/// The channel the view shows: the browser's selected one, else the first shown.
pub fn channel_of(doc: &Document) -> Option<usize> {
    doc.browser
        .selected
        .or_else(|| doc.visible_channels().next().map(|c| c.signal))
}

impl View for TfState {
    /// Draws the view for the active recording, asking for a computation when the
    /// channel, page or options changed.
    fn ui(&mut self, ui: &mut egui::Ui, ctx: &mut ViewContext<'_>) -> Vec<Command> {
        match ctx.doc.as_deref_mut() {
            Some(doc) => show(ui, doc, self),
            None => Vec::new(),
        }
    }
}

fn show(ui: &mut egui::Ui, doc: &mut Document, state: &mut TfState) -> Vec<Command> {
    let mut commands = Vec::new();
    let Some(signal) = channel_of(doc) else {
        ui.weak("Show a channel in the browser to see its time-frequency map.");
        return commands;
    };
    // The map follows the browser's page, so the browser's paging keys work here too.
    let duration = doc.duration();
    super::browser::paging_keys(ui, &mut doc.browser, duration);
    let window = (doc.browser.t0, doc.browser.t1().min(duration));
    let fs = doc
        .recording
        .signals()
        .get(signal)
        .map_or(f64::INFINITY, |s| s.sample_rate);
    let before = state.edit;
    options_bar(ui, &mut state.edit);
    if state.edit != before {
        match check_options(&state.edit, fs) {
            Ok(()) => {
                state.options = state.edit;
                state.problem = None;
            }
            Err(e) => state.problem = Some(e),
        }
    }
    if let Some(p) = &state.problem {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("{p} (the map keeps the last valid options)"),
        );
    }
    let key = TfKey {
        doc: doc.id,
        signal,
        window,
        options: state.options,
    };
    if state.requested.as_ref() != Some(&key) {
        commands.push(state.request(doc.recording.clone(), key));
    }
    let label = doc
        .recording
        .signals()
        .get(signal)
        .map(|s| s.label.trim().to_string())
        .unwrap_or_default();
    ui.horizontal(|ui| {
        ui.label(format!(
            "{label}, {}–{} (the browser's page; select a trace there to change channel)",
            format_time(window.0),
            format_time(window.1)
        ));
        if state.is_computing() {
            ui.spinner();
            ui.weak("computing…");
        }
    });
    let result = match &state.result {
        None => return commands,
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return commands;
        }
        Some(Ok(r)) => r.clone(),
    };
    ui.label(format!(
        "{} bumps on {} (map {} × {})",
        result.bumps.len(),
        result.label,
        result.map.values.nrows(),
        result.map.values.ncols()
    ));
    let texture = state
        .texture
        .get_or_insert_with(|| {
            ui.ctx().load_texture(
                "tf-map",
                result.image.clone(),
                egui::TextureOptions::NEAREST,
            )
        })
        .clone();
    state.plot = Some(draw_map(ui, &result, &texture, &mut state.hovered));
    commands
}

/// Why bump options cannot be used on a channel sampled at `fs` Hz, if they cannot.
pub fn check_options(o: &BumpOptions, fs: f64) -> Result<(), String> {
    if !(o.f_min.is_finite() && o.f_min > 0.0) {
        return Err(format!("band start {} Hz: must be above 0 Hz", o.f_min));
    }
    if !(o.f_max.is_finite() && o.f_max >= o.f_min + 1.0) {
        return Err(format!(
            "band {}–{} Hz: the end must be at least 1 Hz above the start",
            o.f_min, o.f_max
        ));
    }
    if o.f_max >= 0.5 * fs {
        return Err(format!(
            "band end {} Hz: must be below half the sample rate ({} Hz)",
            o.f_max,
            0.5 * fs
        ));
    }
    if !(o.min_amplitude.is_finite() && (0.0..1.0).contains(&o.min_amplitude)) {
        return Err(format!(
            "threshold {}: must be at least 0 and below 1 (a fraction of the map maximum)",
            o.min_amplitude
        ));
    }
    if !(o.offset.is_finite() && (-5.0..=5.0).contains(&o.offset)) {
        return Err(format!("offset {}: must be between −5 and 5", o.offset));
    }
    if o.max_bumps == 0 {
        return Err("max bumps: must be at least 1".into());
    }
    Ok(())
}

/// The option widgets. They hold what is typed, even when it is refused, so that a
/// value being typed (`1` on the way to `12`) is never replaced under the cursor.
fn options_bar(ui: &mut egui::Ui, o: &mut BumpOptions) {
    ui.horizontal_wrapped(|ui| {
        let band = ui.label("Band");
        ui.add(egui::DragValue::new(&mut o.f_min).speed(0.1).suffix(" Hz"))
            .labelled_by(band.id);
        let to = ui.label("to");
        ui.add(egui::DragValue::new(&mut o.f_max).speed(0.1).suffix(" Hz"))
            .labelled_by(to.id)
            .on_hover_text("Upper end of the band, Hz");
        let th = ui
            .label("Threshold")
            .on_hover_text("Bumps below this fraction of the map maximum are pruned");
        ui.add(egui::DragValue::new(&mut o.min_amplitude).speed(0.005))
            .labelled_by(th.id);
        let off = ui
            .label("Offset")
            .on_hover_text("Added to the z-score: +1 for bursts, −1 for desynchronisation");
        ui.add(egui::DragValue::new(&mut o.offset).speed(0.05))
            .labelled_by(off.id);
        let cap = ui.label("Max bumps").on_hover_text("Per 20 s of map");
        ui.add(egui::DragValue::new(&mut o.max_bumps).range(0..=1_000_000))
            .labelled_by(cap.id);
        if ui.button("Defaults").clicked() {
            *o = default_bumps();
        }
    });
}

fn draw_map(
    ui: &mut egui::Ui,
    r: &TfResult,
    texture: &egui::TextureHandle,
    hovered: &mut Option<usize>,
) -> (Rect, [f64; 2], [f64; 2]) {
    let avail = ui.available_size();
    let axis = 44.0;
    let size = Vec2::new(avail.x.max(200.0), (avail.y - 24.0).max(160.0));
    let (resp, painter) = ui.allocate_painter(size, Sense::hover());
    let plot = Rect::from_min_max(
        resp.rect.min + Vec2::new(axis, 4.0),
        resp.rect.max - Vec2::new(8.0, 22.0),
    );
    let (t, f) = map_extent(&r.map);
    painter.image(
        texture.id(),
        plot,
        Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
        Color32::WHITE,
    );
    let to_screen = |tt: f64, ff: f64| {
        Pos2::new(
            plot.left() + ((tt - t[0]) / (t[1] - t[0])) as f32 * plot.width(),
            plot.bottom() - ((ff - f[0]) / (f[1] - f[0])) as f32 * plot.height(),
        )
    };
    let radius = |dt: f64, df: f64| {
        Vec2::new(
            (dt / (t[1] - t[0])) as f32 * plot.width(),
            (df / (f[1] - f[0])) as f32 * plot.height(),
        )
    };
    *hovered = resp
        .hover_pos()
        .filter(|p| plot.contains(*p))
        .and_then(|p| {
            let tt = t[0] + ((p.x - plot.left()) / plot.width()) as f64 * (t[1] - t[0]);
            let ff = f[0] + ((plot.bottom() - p.y) / plot.height()) as f64 * (f[1] - f[0]);
            bump_at(&r.bumps, tt, ff)
        });
    let painter = painter.with_clip_rect(plot);
    for (i, b) in r.bumps.iter().enumerate() {
        let (width, colour) = if Some(i) == *hovered {
            (2.5, Color32::from_rgb(255, 80, 80))
        } else {
            (1.2, Color32::WHITE)
        };
        painter.add(egui::Shape::ellipse_stroke(
            to_screen(b.t, b.f),
            radius(b.dt, b.df),
            Stroke::new(width, colour),
        ));
    }
    // Axes: a few time and frequency ticks.
    let text = ui.visuals().text_color();
    let font = egui::FontId::proportional(11.0);
    let full = ui.painter();
    for k in 0..=4 {
        let tt = t[0] + (t[1] - t[0]) * k as f64 / 4.0;
        let p = to_screen(tt, f[0]);
        full.text(
            p + Vec2::new(0.0, 3.0),
            egui::Align2::CENTER_TOP,
            format!("{tt:.1} s"),
            font.clone(),
            text,
        );
        let ff = f[0] + (f[1] - f[0]) * k as f64 / 4.0;
        let q = to_screen(t[0], ff);
        full.text(
            q - Vec2::new(4.0, 0.0),
            egui::Align2::RIGHT_CENTER,
            format!("{ff:.0} Hz"),
            font.clone(),
            text,
        );
    }
    if let Some(b) = hovered.and_then(|i| r.bumps.get(i)) {
        let text = bump_text(b);
        resp.on_hover_ui_at_pointer(|ui| {
            ui.label(&text);
        });
        // Also under the map, where it stays readable while the pointer moves.
        ui.label(text.replace('\n', "; "));
    } else {
        ui.weak("Hover a bump to see its parameters.");
    }
    (plot, t, f)
}
