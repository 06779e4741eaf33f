//! Export from the Results view: the results as CSV/TSV/JSON with provenance
//! (`sesame_core::analysis::write_results`; it records the signal browser's montage and
//! display filters, which affect the display only), and the figure on screen as PNG cropped to
//! its panel. The save dialog, the writing and the PNG encoding all run off the frame
//! loop; their outcome comes back as a status line.

use super::dialog::{typed_path, Picked};
use crate::plot::matrix::MatrixFigure;
use crate::plot::scalp::{ScalpFigure, Selection, Strong};
use crate::plot::table::TableRow;
use egui::{ColorImage, Rect};
use sesame_core::analysis::{write_atomic, write_results, Provenance, Results};
use sesame_core::ses::regions::RegionTable;
use sesame_core::signal::montage::DisplayRecord;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;

/// Asks where to save: `(dialog title, allowed extensions)` → path, `None` if cancelled.
pub type SavePicker = Arc<dyn Fn(&str, &[&str]) -> Option<PathBuf> + Send + Sync>;

/// Asks where to save, saying whether a dialog could be shown at all.
pub type SaveDialog = super::dialog::FileDialog;

/// The platform save dialog (rfd); `Unavailable` when it cannot be shown.
pub fn native_save_dialog() -> SaveDialog {
    Arc::new(super::dialog::native_save)
}

/// What is being exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Results,
    Config,
    Figure,
}

impl ExportKind {
    /// The save dialog's title and extensions.
    fn dialog(self) -> (&'static str, &'static [&'static str]) {
        match self {
            ExportKind::Results => ("Export results", &["csv", "tsv", "json"]),
            ExportKind::Config => ("Save analysis configuration", &["toml"]),
            ExportKind::Figure => ("Save figure", &["png", "svg"]),
        }
    }

    fn what(self) -> &'static str {
        match self {
            ExportKind::Results => "the results (.csv, .tsv or .json)",
            ExportKind::Config => "the configuration (.toml)",
            ExportKind::Figure => "the figure (.png or .svg)",
        }
    }
}

/// A path to type because no save dialog could be shown.
#[derive(Debug, Clone, PartialEq)]
pub struct SavePrompt {
    pub kind: ExportKind,
    /// Why the dialog could not be shown.
    pub reason: String,
    /// The path as typed.
    pub text: String,
}

/// What an export's worker thread reports.
enum Outcome {
    /// Written, failed or cancelled: the status line.
    Done(String),
    /// No dialog could be shown: ask for a typed path.
    NeedPath(ExportKind, String),
}

/// Writes `results` to `path` (CSV, TSV or JSON by extension) with provenance: a
/// `<path>.provenance.json` sidecar for CSV/TSV, embedded in JSON.
pub fn save_results(path: &Path, results: &Results, provenance: &Provenance) -> anyhow::Result<()> {
    write_results(path, results, provenance).map_err(|e| anyhow::anyhow!("{e}"))
}

/// The part of `image` (a screenshot at `pixels_per_point`) under `rect` (points),
/// clamped to the image.
pub fn crop(image: &ColorImage, rect: Rect, pixels_per_point: f32) -> ColorImage {
    let ppp = pixels_per_point.max(f32::MIN_POSITIVE);
    let full = Rect::from_min_size(
        egui::Pos2::ZERO,
        egui::vec2(image.size[0] as f32 / ppp, image.size[1] as f32 / ppp),
    );
    let r = rect.intersect(full);
    if !r.is_positive() {
        return ColorImage::new([0, 0], Vec::new());
    }
    image.region(&r, Some(ppp))
}

/// Encodes `image` as an 8-bit RGBA PNG at `path` (written atomically).
pub fn write_png(path: &Path, image: &ColorImage) -> anyhow::Result<()> {
    let [w, h] = image.size;
    if w == 0 || h == 0 {
        anyhow::bail!("{}: the figure is empty, nothing to save", path.display());
    }
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, w as u32, h as u32);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc
            .write_header()
            .map_err(|e| anyhow::anyhow!("{}: PNG header: {e}", path.display()))?;
        let data: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
        writer
            .write_image_data(&data)
            .map_err(|e| anyhow::anyhow!("{}: PNG data: {e}", path.display()))?;
    }
    sesame_core::analysis::write_atomic(path, &bytes).map_err(|e| anyhow::anyhow!("{e}"))
}

/// What the exports of the Results view write: the rows, the recording file they came
/// from, the analysis configuration (TOML) and the figure shown (when the matrix or
/// scalp map is).
#[derive(Debug, Clone, Copy)]
pub struct ExportSource<'a> {
    pub results: &'a Results,
    pub input: Option<&'a Path>,
    pub config_toml: &'a str,
    pub figure: Option<&'a FigureChoice>,
}

/// The figure of the Results view to save: the matrix or the scalp map of one output,
/// drawn as `sesame plot` draws it (white background, a title naming the measure and
/// output), whatever the window's theme.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureChoice {
    /// The scalp map (else the matrix).
    pub scalp: bool,
    pub measure: String,
    pub parameter: String,
    /// Scalp map: which pairs are drawn, and which way is stronger.
    pub selection: Selection,
    pub strong: Strong,
    /// Only the pairs whose test output (the first) is at most the level (the second).
    pub significant: Option<(String, f64)>,
}

/// Size of a saved figure, pixels.
pub const FIGURE_SIZE: (u32, u32) = (1100, 900);

/// The rows `choice` draws: the pair values of its output, less the pairs that do not
/// pass its test when it has one.
pub fn figure_rows(results: &Results, choice: &FigureChoice) -> Vec<TableRow> {
    let test = |a: &str, b: &str| -> bool {
        let Some((parameter, alpha)) = &choice.significant else {
            return true;
        };
        super::matrix::pair_value(results, &choice.measure, parameter, a, b)
            .is_some_and(|q| q <= *alpha)
    };
    results
        .rows
        .iter()
        .filter(|r| {
            r.measure == choice.measure
                && r.parameter == choice.parameter
                && !r.channel_b.is_empty()
                && r.channel_a != "*"
                && test(&r.channel_a, &r.channel_b)
        })
        .map(|r| TableRow {
            recording: r.recording.clone(),
            channel_a: r.channel_a.clone(),
            channel_b: r.channel_b.clone(),
            measure: r.measure.clone(),
            parameter: r.parameter.clone(),
            value: r.value,
            unit: r.unit.clone(),
            fields: Default::default(),
        })
        .collect()
}

/// Draws the figure of `choice` to `path` (.png or .svg by its extension).
pub fn save_figure(path: &Path, results: &Results, choice: &FigureChoice) -> anyhow::Result<()> {
    let rows = figure_rows(results, choice);
    let refs: Vec<&TableRow> = rows.iter().collect();
    let regions = RegionTable::default();
    if choice.scalp {
        let fig = ScalpFigure::from_rows(&refs, &regions, choice.selection, choice.strong)?;
        crate::plot::save(&fig, path, FIGURE_SIZE)
    } else {
        let fig = MatrixFigure::from_rows(&refs, &regions)?;
        crate::plot::save(&fig, path, FIGURE_SIZE)
    }
}

/// Export buttons and the outcome of the last export.
pub struct ExportState {
    pub picker: SaveDialog,
    /// What the last export did (file written, or why not).
    pub status: Option<String>,
    /// The field to type a path in, shown when no save dialog could be.
    pub prompt: Option<SavePrompt>,
    /// The signal browser's montage and display filters, recorded in the provenance of
    /// the next results export (set by the app each frame from the active recording).
    pub display: Option<DisplayRecord>,
    tx: Sender<Outcome>,
    rx: Receiver<Outcome>,
    busy: usize,
}

impl Default for ExportState {
    fn default() -> Self {
        Self::with_dialog(native_save_dialog())
    }
}

impl ExportState {
    /// Exports asking `picker` for paths (a dialog always shown: nothing chosen means
    /// cancelled).
    pub fn with_picker(picker: SavePicker) -> Self {
        Self::with_dialog(Arc::new(move |title: &str, exts: &[&str]| {
            Picked::from_option(picker(title, exts))
        }))
    }

    /// Exports asking `dialog` for paths.
    pub fn with_dialog(dialog: SaveDialog) -> Self {
        let (tx, rx) = channel();
        ExportState {
            picker: dialog,
            status: None,
            prompt: None,
            display: None,
            tx,
            rx,
            busy: 0,
        }
    }

    fn take(&mut self, outcome: Outcome) {
        self.busy = self.busy.saturating_sub(1);
        match outcome {
            Outcome::Done(m) => self.status = Some(m),
            Outcome::NeedPath(kind, reason) => {
                self.status = Some(format!(
                    "No save dialog: type where to write {}",
                    kind.what()
                ));
                self.prompt = Some(SavePrompt {
                    kind,
                    reason,
                    text: String::new(),
                });
            }
        }
    }

    /// Whether an export is in progress.
    pub fn is_busy(&self) -> bool {
        self.busy > 0
    }

    /// Takes finished exports' messages (once per frame).
    pub fn poll(&mut self) {
        while let Ok(m) = self.rx.try_recv() {
            self.take(m);
        }
    }

    /// Waits up to `timeout` for the exports in progress (tests only).
    pub fn wait(&mut self, timeout: std::time::Duration) {
        let end = std::time::Instant::now() + timeout;
        while self.busy > 0 && std::time::Instant::now() < end {
            if let Ok(m) = self.rx.recv_timeout(std::time::Duration::from_millis(5)) {
                self.take(m);
            }
        }
    }

    /// Starts the export `kind` of `source` to `target`, or to the path a dialog asks
    /// for: the results, the configuration or the figure.
    pub fn start(
        &mut self,
        kind: ExportKind,
        target: Option<PathBuf>,
        source: ExportSource<'_>,
        ctx: &egui::Context,
    ) {
        let repaint = {
            let ctx = ctx.clone();
            move || ctx.request_repaint()
        };
        match kind {
            ExportKind::Results => self.export_results_to(
                target,
                source.results.clone(),
                source.input.map(Path::to_path_buf),
                source.config_toml.to_string(),
                repaint,
            ),
            ExportKind::Config => {
                self.export_config_to(target, source.config_toml.to_string(), repaint)
            }
            ExportKind::Figure => match source.figure {
                Some(choice) => {
                    self.export_figure_to(target, source.results.clone(), choice.clone(), repaint)
                }
                None => self.status = Some("Show the matrix or scalp map to save it".into()),
            },
        }
    }

    /// Asks for a file (or takes `target`) and writes `results` to it with the
    /// provenance of `input` (the recording file, hashed) and `config_toml` (the
    /// analysis configuration), on a worker thread.
    pub fn export_results(
        &mut self,
        results: Results,
        input: Option<PathBuf>,
        config_toml: String,
        repaint: impl Fn() + Send + 'static,
    ) {
        self.export_results_to(None, results, input, config_toml, repaint);
    }

    /// [`export_results`](Self::export_results) to `target` when given, without a
    /// dialog.
    pub fn export_results_to(
        &mut self,
        target: Option<PathBuf>,
        results: Results,
        input: Option<PathBuf>,
        config_toml: String,
        repaint: impl Fn() + Send + 'static,
    ) {
        let display = self.display.clone();
        let write = move |p: &Path| match Provenance::new(input.as_deref(), &config_toml) {
            Err(e) => format!(
                "Export failed: could not hash {}: {e}",
                input
                    .as_deref()
                    .map(|i| i.display().to_string())
                    .unwrap_or_default()
            ),
            Ok(mut prov) => {
                prov.display = display;
                match save_results(p, &results, &prov) {
                    Ok(()) => format!("Results written to {}", p.display()),
                    Err(e) => format!("Export failed: {e}"),
                }
            }
        };
        self.ask(ExportKind::Results, target, write, repaint);
    }

    /// Asks for a path (or takes `target`) on a worker thread, then writes the analysis
    /// configuration `config_toml` there (temp file then rename): the file
    /// `sesame analyze --config` reads to reproduce the rows.
    pub fn export_config(&mut self, config_toml: String, repaint: impl Fn() + Send + 'static) {
        self.export_config_to(None, config_toml, repaint);
    }

    /// [`export_config`](Self::export_config) to `target` when given.
    pub fn export_config_to(
        &mut self,
        target: Option<PathBuf>,
        config_toml: String,
        repaint: impl Fn() + Send + 'static,
    ) {
        let write = move |p: &Path| match write_atomic(p, config_toml.as_bytes()) {
            Ok(()) => format!("Configuration written to {}", p.display()),
            Err(e) => format!("Export failed: {e}"),
        };
        self.ask(ExportKind::Config, target, write, repaint);
    }

    /// Asks for a file (or takes `target`), then draws the figure `choice` of
    /// `results` there (PNG or SVG), on a worker thread.
    pub fn export_figure_to(
        &mut self,
        target: Option<PathBuf>,
        results: Results,
        choice: FigureChoice,
        repaint: impl Fn() + Send + 'static,
    ) {
        let write = move |p: &Path| match save_figure(p, &results, &choice) {
            Ok(()) => format!("Figure written to {}", p.display()),
            Err(e) => format!("Export failed: {e:#}"),
        };
        self.ask(ExportKind::Figure, target, write, repaint);
    }

    /// Asks the save dialog for the file of `kind` (or takes `target`), then runs
    /// `write` on it, off the frame loop; the message `write` returns becomes the
    /// status line.
    fn ask(
        &mut self,
        kind: ExportKind,
        target: Option<PathBuf>,
        write: impl FnOnce(&Path) -> String + Send + 'static,
        repaint: impl Fn() + Send + 'static,
    ) {
        let (picker, tx) = (self.picker.clone(), self.tx.clone());
        let (title, exts) = kind.dialog();
        let show = move || match target {
            Some(p) => Picked::Chosen(p),
            None => picker(title, exts),
        };
        let then = move |picked: Picked<PathBuf>| {
            let outcome = match picked {
                Picked::Cancelled => Outcome::Done("Export cancelled".to_string()),
                Picked::Unavailable(why) => Outcome::NeedPath(kind, why),
                Picked::Chosen(p) => Outcome::Done(write(&p)),
            };
            let _ = tx.send(outcome);
        };
        match super::dialog::ask(show, then, repaint) {
            Ok(_) => self.busy += 1,
            Err(e) => self.status = Some(format!("Export failed: {e}")),
        }
    }
}

/// The export buttons: results table, and (when `figure` is the panel's rect) the figure.
pub fn bar(ui: &mut egui::Ui, state: &mut ExportState, source: ExportSource<'_>) {
    state.poll();
    let mut chosen = None;
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                !source.results.rows.is_empty(),
                egui::Button::new("Export results…"),
            )
            .clicked()
        {
            chosen = Some(ExportKind::Results);
        }
        if ui
            .add_enabled(
                !source.config_toml.trim().is_empty(),
                egui::Button::new("Export config TOML…"),
            )
            .on_hover_text(
                "The configuration that `sesame analyze --config` reproduces the rows with",
            )
            .clicked()
        {
            chosen = Some(ExportKind::Config);
        }
        if source.figure.is_some()
            && ui
                .button("Save figure…")
                .on_hover_text(
                    "The matrix or scalp map as `sesame plot` draws it (PNG or SVG, white \
                     background, titled)",
                )
                .clicked()
        {
            chosen = Some(ExportKind::Figure);
        }
        if state.is_busy() {
            ui.spinner();
        }
        if let Some(s) = &state.status {
            ui.label(s.as_str());
        }
    });
    if let Some(kind) = chosen {
        state.start(kind, None, source, ui.ctx());
    }
    prompt_row(ui, state, source);
}

/// The typed-path fallback of an export whose dialog could not be shown: the reason,
/// a **Path** field, **Save** and **Cancel**.
fn prompt_row(ui: &mut egui::Ui, state: &mut ExportState, source: ExportSource<'_>) {
    let Some(prompt) = state.prompt.as_mut() else {
        return;
    };
    let kind = prompt.kind;
    ui.colored_label(ui.visuals().warn_fg_color, &prompt.reason);
    let mut save = None;
    let mut cancel = false;
    ui.horizontal(|ui| {
        let label = ui.label(format!("Path of {}", kind.what()));
        let r = ui
            .add(
                egui::TextEdit::singleline(&mut prompt.text)
                    .desired_width(420.0)
                    .hint_text("/folder/file"),
            )
            .labelled_by(label.id);
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Save").clicked() || enter {
            save = typed_path(&prompt.text);
        }
        if ui.button("Cancel").clicked() {
            cancel = true;
        }
    });
    if let Some(path) = save {
        state.prompt = None;
        state.start(kind, Some(path), source, ui.ctx());
    } else if cancel {
        state.prompt = None;
        state.status = Some("Export cancelled".into());
    }
}
