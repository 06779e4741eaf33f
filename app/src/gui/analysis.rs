//! Analysis: pick measures from the plugin registry, set their parameters with widgets
//! generated from their [`ParamSpec`]s (units and ranges shown), pick channels or
//! regions, a window and the bump band, and run the analysis in a background job.
//!
//! The view edits an analysis [`Config`] — the same file `sesame analyze --config`
//! reads — whose fields its widgets are bound to ([`AnalysisState::config`]); Run sends
//! it, with the measures, window and channels written in by [`build_config`], as
//! [`Command::RunAnalysis`], and the app's job runs [`pipeline::run_detailed`] on it
//! once ([`run`]), so that the GUI and the command line compute the same rows. The core
//! [`Results`] come back with the configuration as TOML (for the export's provenance)
//! and every channel's bumps, with the most synchronous pair first (for the
//! aligned-bumps view).

use super::aligned::{AlignedPair, ChannelSet};
use super::command::{Command, View, ViewContext};
use super::dialog::{FileDialog, PathPrompt, Picked};
use super::document::{format_time, parse_time, Document};
use super::jobs::{JobContext, JobError, RunningJob};
use sesame_core::analysis::config::Config;
use sesame_core::analysis::pipeline::{self, AnalysisError, Progress, WarningLog};
use sesame_core::analysis::significance::SignificanceConfig;
use sesame_core::analysis::Results;
use sesame_core::measures::{
    registry, InputKind, Measure, ParamKind, ParamSpec, ParamValue, ParamValues,
};
use sesame_core::recording::Recording;
use sesame_core::surrogates::SurrogateMethod;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

/// The analysis view's choices, kept across frames.
#[derive(Debug, Clone)]
pub struct AnalysisState {
    /// Parameter values per measure id (defaults until edited), typed as the widgets
    /// edit them; [`build_config`] writes those of the chosen measures into the
    /// configuration's `[measures.params]` tables.
    pub params: BTreeMap<String, ParamValues>,
    /// Which channels are analysed: the command line's default or the browser's.
    pub channel_source: ChannelSource,
    /// Window start and end as typed (empty: the start and the end of the recording,
    /// as `sesame analyze` without `--window`).
    pub from_text: String,
    pub to_text: String,
    /// The configuration the widgets edit: the measure checkboxes (`measures.ids`, in
    /// registry order), the bump band (Hz) and threshold (a fraction of the map
    /// maximum), the epoch (s), the region switch and the significance settings are
    /// bound to its fields, and settings the view does not show (preprocessing,
    /// reference, region table…) are kept as they are, so a loaded file reruns
    /// exactly. Run takes it as is, with the parameters, window and channel choices
    /// above written into it ([`build_config`]).
    pub config: Config,
    /// The analysis job while it runs.
    pub job: Option<super::jobs::JobId>,
    /// What the running analysis does (the preview line when Run was pressed), shown
    /// in its place while the job runs so the Cancel button does not move.
    pub running_what: Option<String>,
    /// Last problem with the request, shown under the Run button.
    pub error: Option<String>,
    /// Non-fatal problems of the last analysis (a flat channel, a bump cap reached),
    /// shown under the Run button until the next run.
    pub warnings: Vec<String>,
    /// Where the loaded configuration came from, for the status line.
    pub loaded: Option<String>,
    /// The file dialog of "Load configuration…" while it is open (on its own thread).
    pub loading: Option<Arc<Mutex<Receiver<Picked<PathBuf>>>>>,
    /// The field to type the configuration's path in, when no dialog could be shown.
    pub config_prompt: Option<PathPrompt>,
}

/// Where the analysed channels come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelSource {
    /// The configuration's channels: by default every EEG channel with a 10-20/10-10
    /// name, as `sesame analyze` selects them (ear references, ECG, EOG left out),
    /// less the channels marked bad in the browser.
    Config,
    /// The channels shown and not marked bad in the browser.
    Shown,
}

impl Default for AnalysisState {
    fn default() -> Self {
        let config = Config::default();
        AnalysisState {
            params: BTreeMap::new(),
            channel_source: ChannelSource::Config,
            from_text: String::new(),
            to_text: String::new(),
            config,
            job: None,
            running_what: None,
            error: None,
            warnings: Vec::new(),
            loaded: None,
            loading: None,
            config_prompt: None,
        }
    }
}

/// A parameter value as it is written in a configuration file.
pub fn param_to_toml(v: &ParamValue) -> toml::Value {
    match v {
        ParamValue::Bool(b) => toml::Value::Boolean(*b),
        ParamValue::Int(i) => toml::Value::Integer(*i),
        ParamValue::Float(x) => toml::Value::Float(*x),
        ParamValue::Text(t) => toml::Value::String(t.clone()),
    }
}

/// The analysis configuration the view's choices stand for, or why there is none.
///
/// It starts from the configuration `sesame analyze` uses without flags (or from the
/// file loaded): the 10-20 EEG channels less those marked bad (written as `exclude`),
/// or the channels shown in the browser when asked; the typed window, else the whole
/// recording; measures in registry order with every parameter written out. Values out
/// of range (a threshold of 1 or more, a band above half the sample rate) are refused
/// with the reason.
pub fn build_config(state: &AnalysisState, doc: &Document) -> Result<Config, String> {
    let mut config = state.config.clone();
    config.measures.params.clear();
    config.measures.ids = registry()
        .iter()
        .filter(|m| state.config.measures.ids.iter().any(|id| id == m.id()))
        .map(|m| m.id().to_string())
        .collect();
    if config.measures.ids.is_empty() {
        return Err("choose at least one measure".into());
    }
    for id in &config.measures.ids {
        if let Some(values) = state.params.get(id) {
            let table = values
                .0
                .iter()
                .map(|(k, v)| (k.clone(), param_to_toml(v)))
                .collect();
            config.measures.params.insert(id.clone(), table);
        }
    }
    config.input.window = window_of(state, doc.duration())?;
    let rec = &doc.recording;
    let label = |c: &super::document::ChannelDisplay| {
        rec.signals()
            .get(c.signal)
            .map(|s| s.label.trim().to_string())
    };
    match state.channel_source {
        ChannelSource::Config => {
            // The channels of the file loaded (none: the 10-20 EEG channels, as the
            // command line picks them), without the ones marked bad.
            for bad in doc.channels.iter().filter(|c| c.bad).filter_map(label) {
                if !config.input.exclude.contains(&bad) {
                    config.input.exclude.push(bad);
                }
            }
        }
        ChannelSource::Shown => {
            config.input.channels = doc
                .visible_channels()
                .filter(|c| !c.bad)
                .filter_map(label)
                .collect();
            if config.input.channels.len() < 2 {
                return Err("show at least two good channels in the browser".into());
            }
        }
    }
    let bumps = &config.bumps;
    if !(bumps.f_min > 0.0 && bumps.f_max > bumps.f_min) {
        return Err(format!(
            "the bump band {}–{} Hz is empty",
            bumps.f_min, bumps.f_max
        ));
    }
    if !(bumps.min_amplitude.is_finite() && (0.0..1.0).contains(&bumps.min_amplitude)) {
        return Err(format!(
            "bump threshold {}: must be at least 0 and below 1 (a fraction of the map maximum)",
            bumps.min_amplitude
        ));
    }
    let epoch = config.continuous.epoch;
    if !(epoch.is_finite() && epoch > 0.0) {
        return Err(format!("epoch {epoch} s: must be above 0 s"));
    }
    // The checks `sesame analyze` makes before any work, so that mistakes show here.
    pipeline::resolve_measures(&config).map_err(|e| e.to_string())?;
    let chosen = pipeline::select_channels(rec, &config).map_err(|e| e.to_string())?;
    let nyquist = chosen
        .iter()
        .filter_map(|&i| rec.signals().get(i))
        .map(|s| 0.5 * s.sample_rate)
        .fold(f64::INFINITY, f64::min);
    if config.bumps.f_max >= nyquist {
        return Err(format!(
            "the bump band ends at {} Hz, at or above half the sample rate ({nyquist} Hz)",
            config.bumps.f_max
        ));
    }
    Ok(config)
}

/// The analysis window the typed times stand for: `None` (the whole recording, as
/// `sesame analyze` without `--window`) when both are empty; an empty start is the
/// start of the recording, an empty end its end.
pub fn window_of(state: &AnalysisState, duration: f64) -> Result<Option<[f64; 2]>, String> {
    let (from, to) = (state.from_text.trim(), state.to_text.trim());
    if from.is_empty() && to.is_empty() {
        return Ok(None);
    }
    let from = if from.is_empty() {
        0.0
    } else {
        parse_time(from).map_err(|e| format!("window start: {e}"))?
    };
    let to = if to.is_empty() {
        duration
    } else {
        parse_time(to).map_err(|e| format!("window end: {e}"))?
    };
    if to <= from || from >= duration || from < 0.0 {
        return Err(format!(
            "the window {}–{} is empty or outside the recording (0–{})",
            format_time(from),
            format_time(to),
            format_time(duration)
        ));
    }
    Ok(Some([from, to.min(duration)]))
}

/// What Run would analyse, in words: the channels and the time span of the
/// configuration the view stands for, or why there is nothing to run.
pub fn preview(state: &AnalysisState, doc: &Document) -> Result<String, String> {
    let config = build_config(state, doc)?;
    let rec = &doc.recording;
    let chosen = pipeline::select_channels(rec, &config).map_err(|e| e.to_string())?;
    let names: Vec<&str> = chosen
        .iter()
        .filter_map(|&i| rec.signals().get(i))
        .map(|s| s.label.trim())
        .collect();
    let span = match config.input.window {
        None => format!(
            "the whole recording, 0:00.0–{}",
            format_time(rec.duration())
        ),
        Some([a, b]) => format!("{}–{}", format_time(a), format_time(b)),
    };
    let test = match config.significance.surrogates {
        0 => String::new(),
        k => format!(
            ", testing each pair against {k} surrogates ({})",
            config.significance.method.name()
        ),
    };
    Ok(format!(
        "Run analyses {} channels ({}) over {span}{test}.",
        names.len(),
        names.join(", ")
    ))
}

/// Takes a configuration over: it becomes the configuration the widgets edit (so
/// they show its band, threshold, epoch, regions and significance settings), its
/// measures and their parameters and its window go into the view, and its channel
/// selection into the browser (the chosen channels shown and not bad, the others
/// hidden). Errors (an unknown measure or channel) change
/// nothing.
pub fn apply_config(
    state: &mut AnalysisState,
    doc: &mut Document,
    config: &Config,
) -> Result<(), String> {
    let resolved = pipeline::resolve_measures(config).map_err(|e| e.to_string())?;
    let chosen = pipeline::select_channels(&doc.recording, config).map_err(|e| e.to_string())?;
    let ids = resolved.iter().map(|(m, _)| m.id().to_string()).collect();
    state.params = resolved
        .into_iter()
        .map(|(m, v)| (m.id().to_string(), v))
        .collect();
    let [from, to] = config.input.window.unwrap_or([0.0, doc.duration()]);
    // Plain seconds keep every digit, so the window is the file's exactly.
    state.from_text = format!("{from}");
    state.to_text = format!("{to}");
    for c in doc.channels.iter_mut() {
        let on = chosen.contains(&c.signal);
        c.visible = on;
        if on {
            c.bad = false;
        }
    }
    state.config = config.clone();
    state.config.measures.ids = ids;
    state.channel_source = ChannelSource::Config;
    state.error = None;
    Ok(())
}

/// Reads and applies the configuration file `path` (see [`apply_config`]); the error
/// names the file.
pub fn load_config_file(
    state: &mut AnalysisState,
    doc: &mut Document,
    path: &Path,
) -> Result<(), String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
    let config = Config::from_toml(&text).map_err(|e| format!("{shown}: {e}"))?;
    apply_config(state, doc, &config).map_err(|e| format!("{shown}: {e}"))?;
    state.loaded = Some(format!("Configuration loaded from {shown}"));
    Ok(())
}

/// Asks `dialog` for a configuration file off the frame loop (the Analysis view takes
/// the answer).
pub fn start_config_dialog(state: &mut AnalysisState, dialog: FileDialog, ctx: &egui::Context) {
    let ctx = ctx.clone();
    match super::dialog::ask(
        move || dialog("Load analysis configuration", &["toml"]),
        |picked| picked,
        move || ctx.request_repaint(),
    ) {
        Ok(rx) => state.loading = Some(Arc::new(Mutex::new(rx))),
        Err(e) => state.error = Some(e),
    }
}

/// Applies the file the dialog returned, if it has.
fn poll_config_dialog(state: &mut AnalysisState, doc: &mut Document) {
    let answer = match &state.loading {
        Some(rx) => match rx.lock() {
            Ok(rx) => match rx.try_recv() {
                Ok(answer) => Some(answer),
                Err(std::sync::mpsc::TryRecvError::Empty) => return,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
            },
            Err(_) => None,
        },
        None => return,
    };
    state.loading = None;
    match answer {
        Some(Picked::Chosen(path)) => {
            if let Err(e) = load_config_file(state, doc, &path) {
                state.error = Some(e);
            }
        }
        Some(Picked::Unavailable(reason)) => {
            state.config_prompt = Some(PathPrompt {
                reason,
                text: String::new(),
            })
        }
        Some(Picked::Cancelled) | None => {}
    }
}

/// The typed-path fallback of "Load configuration…" when no dialog could be shown.
fn config_prompt_row(ui: &mut egui::Ui, state: &mut AnalysisState, doc: &mut Document) {
    let Some(prompt) = state.config_prompt.as_mut() else {
        return;
    };
    ui.colored_label(ui.visuals().warn_fg_color, &prompt.reason);
    let mut load = None;
    let mut cancel = false;
    ui.horizontal(|ui| {
        let label = ui.label("Path of the configuration (.toml)");
        let r = ui
            .add(egui::TextEdit::singleline(&mut prompt.text).desired_width(420.0))
            .labelled_by(label.id);
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Load").clicked() || enter {
            load = super::dialog::typed_path(&prompt.text);
        }
        if ui.button("Cancel").clicked() {
            cancel = true;
        }
    });
    if let Some(path) = load {
        state.config_prompt = None;
        if let Err(e) = load_config_file(state, doc, &path) {
            state.error = Some(e);
        }
    } else if cancel {
        state.config_prompt = None;
    }
}

/// What an analysis job hands back.
#[derive(Debug, Clone)]
pub struct AnalysisOutcome {
    /// The rows, as `sesame analyze` writes them.
    pub results: Results,
    /// Non-fatal problems met on the way, each naming its channel.
    pub warnings: Vec<String>,
    /// The configuration that produced them, as TOML.
    pub config_toml: String,
    /// The analysed window, s.
    pub window: (f64, f64),
    /// Bumps of the most synchronous channel pair of the first bump measure, for the
    /// aligned-bumps view (`None` without a bump measure, or with regions).
    pub pair: Option<AlignedPair>,
    /// Every analysed channel's bumps (`None` when no measure needed bumps), for the
    /// aligned-bumps view's pair picker.
    pub channels: Option<ChannelSet>,
    /// SES options of that pair (the bump-SES measure's parameters).
    pub ses_options: sesame_core::ses::bumps::BumpSesOptions,
}

/// The pipeline's progress reported to a job (and its cancel flag read back), with the
/// warnings it met.
struct JobProgress<'a> {
    ctx: &'a JobContext,
    warnings: WarningLog,
}

impl Progress for JobProgress<'_> {
    fn report(&self, fraction: f64, message: &str) {
        self.ctx.progress(fraction as f32, message);
    }
    fn cancelled(&self) -> bool {
        self.ctx.is_cancelled()
    }
    fn warn(&self, message: &str) {
        self.warnings.warn(message);
    }
}

fn job_error(e: AnalysisError) -> JobError {
    match e {
        AnalysisError::Cancelled => JobError::Cancelled,
        other => JobError::Failed(other.to_string()),
    }
}

/// Runs `config` on `rec` with [`pipeline::run_detailed`] (rows named
/// `recording_id`), keeping every channel's bumps for the aligned-bumps view and
/// picking the most synchronous pair to show first.
pub fn run(
    rec: &Recording,
    recording_id: &str,
    config: &Config,
    ctx: &JobContext,
) -> Result<AnalysisOutcome, JobError> {
    let progress = JobProgress {
        ctx,
        warnings: WarningLog::default(),
    };
    let (results, bumps) =
        pipeline::run_detailed(rec, recording_id, config, &progress).map_err(job_error)?;
    let warnings = progress.warnings.take();
    ctx.check_cancelled()?;
    let window = match config.input.window {
        Some([a, b]) => (a, b.min(rec.duration())),
        None => (0.0, rec.duration()),
    };
    let measures = pipeline::resolve_measures(config).map_err(job_error)?;
    let bump_measure = measures.iter().find(|(m, _)| m.input() == InputKind::Bumps);
    let ses_options = measures
        .iter()
        .find(|(m, _)| m.id() == "ses-bumps")
        .and_then(|(_, p)| sesame_core::measures::ses::bump_options(p).ok())
        .unwrap_or_default();
    let channels = bumps.map(|b| ChannelSet {
        labels: b.labels,
        bumps: b.bumps,
    });
    let mut pair = None;
    if let (Some((m, _)), false, Some(set)) = (bump_measure, config.regions.enabled, &channels) {
        if let Some((a, b)) = strongest_pair(&results, m.id()) {
            let index = |l: &str| set.labels.iter().position(|x| x == l);
            if let (Some(i), Some(j)) = (index(&a), index(&b)) {
                pair = set.pair(i, j);
            }
        }
    }
    ctx.progress(1.0, "done");
    Ok(AnalysisOutcome {
        results,
        warnings,
        config_toml: config.to_toml(),
        window,
        pair,
        channels,
        ses_options,
    })
}

/// The most synchronous pair of `measure`: the largest chance-corrected `sync`, else
/// (results without surrogates) the smallest `rho` (fewest non-coincident bumps), else
/// its first pair.
pub fn strongest_pair(results: &Results, measure: &str) -> Option<(String, String)> {
    let pairs = results
        .rows
        .iter()
        .filter(|r| r.measure == measure && !r.channel_b.is_empty() && r.channel_a != "*");
    let best = pairs
        .clone()
        .filter(|r| r.parameter == "sync" && r.value.is_finite())
        .max_by(|x, y| x.value.total_cmp(&y.value))
        .or_else(|| {
            pairs
                .clone()
                .filter(|r| r.parameter == "rho" && r.value.is_finite())
                .min_by(|x, y| x.value.total_cmp(&y.value))
        })
        .or_else(|| pairs.clone().next())?;
    Some((best.channel_a.clone(), best.channel_b.clone()))
}

/// One widget for one parameter; returns whether the value changed.
/// One grid row for one parameter: its name (hover: its description), its widget,
/// and its range; returns whether the value changed.
pub fn param_row(ui: &mut egui::Ui, spec: &ParamSpec, value: &mut ParamValue) -> bool {
    let name = ui
        .label(spec.name)
        .on_hover_text(super::glyphs::displayable(spec.doc));
    let changed = param_widget(ui, spec, value, name.id);
    // A typed value out of range is kept as typed and refused with the reason (Run
    // refuses it too), never clamped in silence.
    match spec.parse(&value.to_string()) {
        Ok(_) => {
            ui.weak(range_text(spec));
        }
        Err(e) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("{e}; allowed {}", range_text(spec)),
            );
        }
    }
    ui.end_row();
    changed
}

/// The widget for one parameter, named for assistive technology by the label
/// `label`; returns whether the value changed.
fn param_widget(
    ui: &mut egui::Ui,
    spec: &ParamSpec,
    value: &mut ParamValue,
    label: egui::Id,
) -> bool {
    let unit = if spec.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", spec.unit)
    };
    let before = value.clone();
    match spec.kind {
        ParamKind::Float { default, min, max } => {
            let mut x = match value {
                ParamValue::Float(x) => *x,
                ParamValue::Int(i) => *i as f64,
                _ => default,
            };
            ui.add(
                egui::DragValue::new(&mut x)
                    .speed((max - min).abs().min(1e6) / 500.0)
                    .suffix(unit),
            )
            .labelled_by(label);
            *value = ParamValue::Float(x);
        }
        ParamKind::Int { default, .. } => {
            let mut x = match value {
                ParamValue::Int(i) => *i,
                _ => default,
            };
            ui.add(egui::DragValue::new(&mut x).suffix(unit))
                .labelled_by(label);
            *value = ParamValue::Int(x);
        }
        ParamKind::FloatOrAuto { default, min, max } => {
            let mut auto = matches!(value, ParamValue::Text(t) if t == "auto");
            let mut x = match value {
                ParamValue::Float(x) => *x,
                _ => default.unwrap_or(min.max(0.0)),
            };
            ui.checkbox(&mut auto, "auto");
            ui.add_enabled(
                !auto,
                egui::DragValue::new(&mut x)
                    .speed((max - min).abs().min(1e6) / 500.0)
                    .suffix(unit),
            )
            .labelled_by(label);
            *value = if auto {
                ParamValue::Text("auto".into())
            } else {
                ParamValue::Float(x)
            };
        }
        ParamKind::Choice { default, options } => {
            let mut cur = match value {
                ParamValue::Text(t) => t.clone(),
                _ => default.to_string(),
            };
            egui::ComboBox::from_id_salt(("param", spec.name))
                .selected_text(cur.clone())
                .show_ui(ui, |ui| {
                    for o in options {
                        ui.selectable_value(&mut cur, o.to_string(), *o);
                    }
                })
                .response
                .labelled_by(label);
            *value = ParamValue::Text(cur);
        }
        ParamKind::Bool { default } => {
            let mut b = match value {
                ParamValue::Bool(b) => *b,
                _ => default,
            };
            ui.checkbox(&mut b, "").labelled_by(label);
            *value = ParamValue::Bool(b);
        }
    }
    *value != before
}

impl View for AnalysisState {
    /// The analysis view of the active recording: Run sends the configuration the
    /// widgets edit ([`build_config`]) as [`Command::RunAnalysis`].
    fn ui(&mut self, ui: &mut egui::Ui, ctx: &mut ViewContext<'_>) -> Vec<Command> {
        let Some(doc) = ctx.doc.as_deref_mut() else {
            return Vec::new();
        };
        let running = self
            .job
            .and_then(|id| ctx.running.iter().find(|j| j.id == id));
        show(ui, doc, self, running)
    }
}

/// The analysis view; `running` is the analysis job while it runs.
fn show(
    ui: &mut egui::Ui,
    doc: &mut Document,
    state: &mut AnalysisState,
    running: Option<&RunningJob>,
) -> Vec<Command> {
    let measures = registry();
    if measures.is_empty() {
        ui.weak("No measures are registered in this build.");
        return Vec::new();
    }
    poll_config_dialog(state, doc);
    let mut action = None;
    egui::Panel::bottom("analysis-run").show(ui, |ui| {
        ui.add_space(4.0);
        if running.is_none() {
            // What Run would do, checked as the configuration is edited.
            match preview(state, doc) {
                Ok(text) => {
                    ui.label(&text);
                    state.running_what = Some(text);
                }
                Err(e) => {
                    ui.colored_label(ui.visuals().error_fg_color, format!("Cannot run: {e}"));
                    state.running_what = None;
                }
            }
        } else if let Some(text) = &state.running_what {
            // The same line while the job runs: the panel keeps its height and the
            // Cancel button sits where Run was.
            ui.label(text.as_str());
        }
        ui.horizontal(|ui| match running {
            Some(job) => {
                let p = job.progress();
                let mut text = p.message.clone();
                if let Some(eta) = job.eta() {
                    text.push_str(&format!(" — about {:.0} s left", eta.as_secs_f64().ceil()));
                }
                ui.add(
                    egui::ProgressBar::new(p.fraction)
                        .desired_width(320.0)
                        .show_percentage()
                        .text(text),
                );
                let label = if job.is_cancelling() {
                    "Cancelling…"
                } else {
                    "Cancel analysis"
                };
                if ui
                    .add_enabled(!job.is_cancelling(), egui::Button::new(label))
                    .clicked()
                {
                    action = Some(Command::CancelJob(job.id));
                }
            }
            None => {
                if ui
                    .button("Run")
                    .on_hover_text("Run the analysis in the background")
                    .clicked()
                {
                    match build_config(state, doc) {
                        Ok(c) => {
                            state.error = None;
                            action = Some(Command::RunAnalysis {
                                doc: doc.id,
                                config: Box::new(c),
                            });
                        }
                        Err(e) => state.error = Some(e),
                    }
                }
                if ui
                    .add_enabled(state.loading.is_none(), egui::Button::new("Load configuration…"))
                    .on_hover_text("Take over an analysis configuration (TOML) saved here or written for `sesame analyze --config`")
                    .clicked()
                {
                    action = Some(Command::LoadConfig);
                }
                if let Some(note) = &state.loaded {
                    ui.weak(note);
                }
            }
        });
        if let Some(e) = &state.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        if !state.warnings.is_empty() {
            let title = format!("{} warning(s) from the last analysis", state.warnings.len());
            egui::CollapsingHeader::new(egui::RichText::new(title).color(ui.visuals().warn_fg_color))
                .id_salt("analysis-warnings")
                .show(ui, |ui| {
                    for w in &state.warnings {
                        ui.label(w);
                    }
                });
        }
        config_prompt_row(ui, state, doc);
        ui.add_space(4.0);
    });
    egui::Panel::left("analysis-measures")
        .resizable(true)
        .default_size(460.0)
        .show(ui, |ui| {
            ui.heading("Measures");
            egui::ScrollArea::vertical().show(ui, |ui| {
                egui::Grid::new("measures")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for m in measures {
                            let mut on = chosen(state, m.id());
                            if ui
                                .checkbox(&mut on, m.title())
                                .on_hover_text(super::glyphs::displayable(m.doc()))
                                .changed()
                            {
                                choose(state, m.id(), on);
                            }
                            ui.weak(format!("{} · {}", m.id(), input_text(m.input())));
                            ui.end_row();
                        }
                    });
            });
        });
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            for m in measures {
                if chosen(state, m.id()) {
                    params_section(ui, *m, state);
                }
            }
            ui.separator();
            ui.heading("Data");
            ui.horizontal(|ui| {
                ui.label("Window from");
                ui.add(
                    egui::TextEdit::singleline(&mut state.from_text)
                        .desired_width(70.0)
                        .hint_text("start"),
                );
                ui.label("to");
                ui.add(
                    egui::TextEdit::singleline(&mut state.to_text)
                        .desired_width(70.0)
                        .hint_text("end"),
                );
                ui.weak("(seconds, m:ss or h:mm:ss; empty: the whole recording)");
            });
            ui.horizontal(|ui| {
                ui.label("Channels");
                ui.radio_value(
                    &mut state.channel_source,
                    ChannelSource::Config,
                    if !state.config.input.channels.is_empty() {
                        "those of the loaded configuration"
                    } else {
                        "10-20 EEG channels (as sesame analyze)"
                    },
                )
                .on_hover_text(
                    "Every EEG channel with a 10-20/10-10 name, as the command line takes \
                     them (ear references, ECG and EOG left out), less the channels marked bad",
                );
                ui.radio_value(
                    &mut state.channel_source,
                    ChannelSource::Shown,
                    "those shown in the browser",
                )
                .on_hover_text("The channels shown and not marked bad in the browser");
            });
            ui.horizontal(|ui| {
                ui.radio_value(&mut state.config.regions.enabled, false, "Channel pairs");
                ui.radio_value(&mut state.config.regions.enabled, true, "Region pairs")
                    .on_hover_text("The channels grouped into the five scalp regions (frontal, left and right temporal, central, occipital)");
            });
            egui::Grid::new("bump-options").num_columns(2).show(ui, |ui| {
                let band = ui.label("Bump band");
                ui.horizontal(|ui| {
                    ui.add(egui::DragValue::new(&mut state.config.bumps.f_min).speed(0.1).suffix(" Hz"))
                        .labelled_by(band.id);
                    ui.label("to");
                    ui.add(egui::DragValue::new(&mut state.config.bumps.f_max).speed(0.1).suffix(" Hz"))
                        .on_hover_text("Upper end of the bump band");
                });
                ui.end_row();
                let th = ui.label("Bump threshold").on_hover_text(
                    "Bumps below this fraction of the map maximum are pruned.",
                );
                ui.add(egui::DragValue::new(&mut state.config.bumps.min_amplitude).speed(0.005))
                    .labelled_by(th.id);
                ui.end_row();
                let ep = ui.label("Epoch").on_hover_text(
                    "Continuous-signal measures cut the window into epochs of this length.",
                );
                ui.add(egui::DragValue::new(&mut state.config.continuous.epoch).speed(0.1).suffix(" s"))
                    .labelled_by(ep.id);
                ui.end_row();
            });
            ui.separator();
            significance_section(ui, &mut state.config.significance);
        });
    });
    action.into_iter().collect()
}

/// Whether measure `id` is chosen.
fn chosen(state: &AnalysisState, id: &str) -> bool {
    state.config.measures.ids.iter().any(|x| x == id)
}

/// Chooses measure `id` (`on`) or leaves it out, keeping the registry's order.
fn choose(state: &mut AnalysisState, id: &str, on: bool) {
    let ids = &mut state.config.measures.ids;
    ids.retain(|x| x != id);
    if on {
        ids.push(id.to_string());
        let order = |x: &String| registry().iter().position(|m| m.id() == x);
        ids.sort_by_key(order);
    }
}

/// What a surrogate method does, for its hover text.
fn method_about(m: SurrogateMethod) -> &'static str {
    match m {
        SurrogateMethod::Shift => {
            "Circular time shift of the second signal by a random offset of at least the \
             minimum lag (events and continuous signals)"
        }
        SurrogateMethod::Dither => "Every event moved by Gaussian jitter (event measures)",
        SurrogateMethod::EpochShuffle => {
            "The epochs of the second signal in a random cyclic order (continuous signals)"
        }
        SurrogateMethod::PhaseRandomization => {
            "Fourier phases of each epoch replaced by random ones (continuous signals)"
        }
    }
}

/// The surrogate test settings (`[significance]`): surrogates per pair, method,
/// family-wise p and seed.
fn significance_section(ui: &mut egui::Ui, sig: &mut SignificanceConfig) {
    ui.heading("Significance");
    egui::Grid::new("significance")
        .num_columns(3)
        .show(ui, |ui| {
            let k = ui.label("Surrogates per pair").on_hover_text(
                "Each pair is compared with this many surrogate pairs; 0: no test. \
             The smallest p is 1/(K + 1).",
            );
            ui.add(egui::DragValue::new(&mut sig.surrogates).range(0..=100_000))
                .labelled_by(k.id);
            ui.weak(if sig.surrogates == 0 {
                "no test".to_string()
            } else {
                format!(
                    "adds p, q (Benjamini-Hochberg) and the null's mean and sd; smallest p {:.4}",
                    1.0 / (sig.surrogates as f64 + 1.0)
                )
            });
            ui.end_row();
            let m = ui.label("Method");
            egui::ComboBox::from_id_salt("surrogate-method")
                .selected_text(sig.method.name())
                .show_ui(ui, |ui| {
                    for method in SurrogateMethod::ALL {
                        ui.selectable_value(&mut sig.method, method, method.name())
                            .on_hover_text(method_about(method));
                    }
                })
                .response
                .labelled_by(m.id)
                .on_hover_text(method_about(sig.method));
            ui.weak("must suit every measure chosen");
            ui.end_row();
            ui.label("");
            ui.checkbox(&mut sig.fwer, "Family-wise p (p_fwer)")
                .on_hover_text("Also the max-statistic family-wise p-value over the pairs");
            ui.label("");
            ui.end_row();
            let seed = ui.label("Seed");
            ui.add(egui::DragValue::new(&mut sig.seed))
                .labelled_by(seed.id)
                .on_hover_text("The same seed and input give the same p-values");
            ui.label("");
            ui.end_row();
        });
}

fn input_text(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Continuous => "signals",
        InputKind::Bumps => "bumps",
        InputKind::PointProcess => "bump times",
    }
}

/// The parameter grid of one chosen measure.
fn params_section(ui: &mut egui::Ui, m: &dyn Measure, state: &mut AnalysisState) {
    if m.params().is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!("{} parameters", m.title()))
        .id_salt(("params", m.id()))
        .default_open(true)
        .show(ui, |ui| {
            let values = state
                .params
                .entry(m.id().to_string())
                .or_insert_with(|| ParamValues::defaults(m.params()));
            egui::Grid::new(("params-grid", m.id()))
                .num_columns(3)
                .striped(true)
                .show(ui, |ui| {
                    for spec in m.params() {
                        let v = values
                            .0
                            .entry(spec.name.to_string())
                            .or_insert_with(|| spec.default_value());
                        param_row(ui, spec, v);
                    }
                });
            if ui.button("Reset to defaults").clicked() {
                *values = ParamValues::defaults(m.params());
            }
        });
}

fn range_text(spec: &ParamSpec) -> String {
    match spec.kind {
        ParamKind::Float { min, max, .. } | ParamKind::FloatOrAuto { min, max, .. } => {
            format!("[{min}, {max}] {}", spec.unit)
        }
        ParamKind::Int { min, max, .. } => format!("[{min}, {max}] {}", spec.unit),
        ParamKind::Choice { options, .. } => options.join(" | "),
        ParamKind::Bool { .. } => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_kind_reads_back_from_the_config() {
        for m in registry() {
            let mut values = ParamValues::defaults(m.params());
            // Move every float and int off its default (within range) to see it carried.
            for spec in m.params() {
                let v = match spec.kind {
                    ParamKind::Float { min, max, .. } => {
                        ParamValue::Float(min + 0.25 * (max.min(min + 1e3) - min))
                    }
                    ParamKind::Int { min, max, .. } => ParamValue::Int(max.min(min + 1)),
                    _ => spec.default_value(),
                };
                values.0.insert(spec.name.to_string(), v);
            }
            let mut c = Config::default();
            c.measures.ids = vec![m.id().to_string()];
            c.measures.params.insert(
                m.id().to_string(),
                values
                    .0
                    .iter()
                    .map(|(k, v)| (k.clone(), param_to_toml(v)))
                    .collect(),
            );
            let back = Config::from_toml(&c.to_toml()).expect("parses");
            let resolved = pipeline::resolve_measures(&back).expect("resolves");
            assert_eq!(resolved[0].1, values, "{}", m.id());
        }
    }
}
