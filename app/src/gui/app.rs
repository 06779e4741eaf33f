//! The application state, apart from the widgets that show it.
//!
//! Views are drawn through the one [`View`] contract and return [`Command`]s; once per
//! frame [`SesameApp::logic`] drains finished jobs (handing each view's output back to
//! it), the file dialog and dropped files, then applies the commands. Nothing in a
//! view computes: `core` work runs in the app's [`Jobs`], which the status bar shows
//! with progress and Cancel.

pub use super::command::Command;
use super::command::{Background, JobOwner, View, ViewContext, ViewOutput};
pub use super::dialog::{file_name, PathPrompt};
use super::dialog::{Dialogs, Picked};
use super::document::{BrowserView, DocId, Document};
use super::jobs::{JobError, JobId, Jobs};
pub use super::open::OpenFailure;
use super::pyramid::{build_pyramid, Pyramid};
use super::settings::{Settings, ThemeChoice};
use super::{aligned, analysis, browser, export, help, info, open, results, tfmap};
use sesame_core::recording::{ReadOptions, Recording};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::sync::Arc;

/// What a background job hands back to the app.
pub enum JobOutput {
    /// A recording was read.
    Opened(Box<Recording>),
    /// The min/max pyramid of a recording was built.
    Pyramid(Pyramid),
    /// Results of an analysis run.
    Analysis(Box<analysis::AnalysisOutcome>),
    /// The output of a view's background computation, for that view to open.
    View(ViewOutput),
    /// A job with no output of its own (its effect is elsewhere or it only waits).
    Done,
}

/// What a running job was started for, to route its output.
#[derive(Debug, Clone)]
enum Pending {
    /// `order`: the read job's id, increasing in the order files were opened, so that
    /// tabs keep that order whichever file is read first.
    Open {
        path: PathBuf,
        lenient: bool,
        order: JobId,
    },
    Pyramid {
        doc: DocId,
    },
    Analysis {
        path: Option<PathBuf>,
    },
    /// A view's computation: its output goes back to `owner` with `ticket`.
    View {
        owner: JobOwner,
        ticket: u64,
    },
    /// A view's computation replaced by a newer one: its end is not reported.
    Superseded,
    Other,
}

/// The file dialogs, behind a trait so that tests can answer them: recordings to
/// open, and one file to open (a configuration, a montage) or to save (an export).
pub trait FilePicker: Send + Sync {
    /// Lets the user pick recording files, starting in `start`; empty when cancelled.
    fn pick_recordings(&self, start: Option<&Path>) -> Vec<PathBuf>;

    /// Lets the user choose one existing file with one of `exts`.
    fn open_file(&self, title: &str, exts: &[&str]) -> Picked<PathBuf> {
        super::dialog::native_open(title, exts)
    }

    /// Lets the user choose where to save a file with one of `exts`.
    fn save_file(&self, title: &str, exts: &[&str]) -> Picked<PathBuf> {
        super::dialog::native_save(title, exts)
    }

    /// The same, saying whether the dialog could be shown at all (by default a picker
    /// is always shown, and nothing picked means cancelled).
    fn pick(&self, start: Option<&Path>) -> Picked<Vec<PathBuf>> {
        let paths = self.pick_recordings(start);
        if paths.is_empty() {
            Picked::Cancelled
        } else {
            Picked::Chosen(paths)
        }
    }
}

/// `picker`'s one-file dialogs, for the views that ask for one file.
fn dialogs_of(picker: &Arc<dyn FilePicker>) -> Dialogs {
    let (p, q) = (picker.clone(), picker.clone());
    Dialogs {
        open: Arc::new(move |title: &str, exts: &[&str]| p.open_file(title, exts)),
        save: Arc::new(move |title: &str, exts: &[&str]| q.save_file(title, exts)),
    }
}

/// The platform file dialog (rfd).
pub struct NativePicker;

impl FilePicker for NativePicker {
    fn pick(&self, start: Option<&Path>) -> Picked<Vec<PathBuf>> {
        super::dialog::native(|| {
            let paths = self.pick_recordings(start);
            (!paths.is_empty()).then_some(paths)
        })
    }

    fn pick_recordings(&self, start: Option<&Path>) -> Vec<PathBuf> {
        let mut d = rfd::FileDialog::new()
            .set_title("Open recordings")
            .add_filter(
                "EEG recordings",
                &["edf", "EDF", "bdf", "BDF", "rec", "csv"],
            )
            .add_filter("All files", &["*"]);
        if let Some(dir) = start {
            d = d.set_directory(dir);
        }
        d.pick_files().unwrap_or_default()
    }
}

/// The whole desktop application.
pub struct SesameApp {
    pub settings: Settings,
    pub docs: Vec<Document>,
    pub active: Option<DocId>,
    pub jobs: Jobs<JobOutput>,
    /// Files that failed to open, shown until dismissed.
    pub failures: Vec<OpenFailure>,
    /// Commands pushed by views during this frame.
    pub commands: Vec<Command>,
    /// The keyboard-shortcut overlay is shown.
    pub show_help: bool,
    /// Last status message ("Opened …", "… cancelled").
    pub status: String,
    /// Per-view state of the analysis view.
    pub analysis: analysis::AnalysisState,
    /// Rows shown by the results view.
    pub results: results::ResultsState,
    /// The aligned-bumps view of one channel pair.
    pub aligned: aligned::AlignedState,
    /// Export of results and figures.
    pub export: export::ExportState,
    /// The time-frequency map and bumps of the selected channel.
    pub tfmap: tfmap::TfState,
    /// The field to type a recording's path in, shown when no file dialog could be.
    pub open_prompt: Option<PathPrompt>,
    pending: HashMap<JobId, Pending>,
    picker: Arc<dyn FilePicker>,
    /// `picker`'s one-file dialogs (configuration, montage, export).
    dialogs: Dialogs,
    dialog: Option<Receiver<Picked<Vec<PathBuf>>>>,
    next_doc: DocId,
    repaint_hooked: bool,
    /// Asks for a repaint from any thread (set on the first frame).
    repaint: Arc<dyn Fn() + Send + Sync>,
    applied_theme: Option<ThemeChoice>,
    /// The order in which each tab's file was opened (see `Pending::Open`).
    tab_order: HashMap<DocId, JobId>,
    /// The export outcome last copied to the status bar.
    export_seen: Option<String>,
}

impl SesameApp {
    pub fn new(settings: Settings, picker: Arc<dyn FilePicker>) -> Self {
        SesameApp {
            settings: settings.sanitized(),
            docs: Vec::new(),
            active: None,
            jobs: Jobs::new(),
            failures: Vec::new(),
            commands: Vec::new(),
            show_help: false,
            status: String::new(),
            analysis: analysis::AnalysisState::default(),
            results: results::ResultsState::default(),
            aligned: aligned::AlignedState::default(),
            export: export::ExportState::with_dialog(dialogs_of(&picker).save),
            dialogs: dialogs_of(&picker),
            tfmap: tfmap::TfState::default(),
            open_prompt: None,
            pending: HashMap::new(),
            picker,
            dialog: None,
            next_doc: 1,
            repaint_hooked: false,
            repaint: Arc::new(|| {}),
            applied_theme: None,
            tab_order: HashMap::new(),
            export_seen: None,
        }
    }

    /// Starts reading `path` in the background.
    pub fn open(&mut self, path: PathBuf, lenient: bool) -> JobId {
        let name = file_name(&path);
        let title = if lenient {
            format!("Open {name} (lenient)")
        } else {
            format!("Open {name}")
        };
        let p = path.clone();
        let id = self.jobs.spawn(title, move |ctx| {
            ctx.progress(0.0, format!("reading {}", p.display()));
            let rec = Recording::open(
                &p,
                &ReadOptions {
                    lenient,
                    ..ReadOptions::default()
                },
            )
            .map_err(|e| JobError::Failed(e.to_string()))?;
            // Reading is one call; a cancel during it discards the result.
            ctx.check_cancelled()?;
            Ok(JobOutput::Opened(Box::new(rec)))
        });
        self.pending.insert(
            id,
            Pending::Open {
                path,
                lenient,
                order: id,
            },
        );
        id
    }

    /// Starts a job whose output is ignored (used by views for side work, and by
    /// tests); it shows in the jobs bar with progress and Cancel like any other.
    pub fn spawn_job(
        &mut self,
        title: impl Into<String>,
        work: impl FnOnce(&super::jobs::JobContext) -> Result<JobOutput, JobError> + Send + 'static,
    ) -> JobId {
        let id = self.jobs.spawn(title, work);
        self.pending.insert(id, Pending::Other);
        id
    }

    /// Runs a view's computation as a job (shown in the status bar with progress and
    /// Cancel), after cancelling the same view's earlier computation if it still runs.
    fn spawn_background(&mut self, bg: Background) -> JobId {
        let Background {
            title,
            owner,
            ticket,
            work,
        } = bg;
        let earlier: Vec<JobId> = self
            .pending
            .iter()
            .filter(|(_, p)| matches!(p, Pending::View { owner: o, .. } if *o == owner))
            .map(|(&id, _)| id)
            .collect();
        for id in earlier {
            self.jobs.cancel(id);
            self.pending.insert(id, Pending::Superseded);
        }
        let id = self
            .jobs
            .spawn(title, move |ctx| work(ctx).map(JobOutput::View));
        self.pending.insert(id, Pending::View { owner, ticket });
        id
    }

    /// Adds a recording already in memory as a new tab, makes it active, and starts
    /// building its pyramid.
    pub fn add_recording(
        &mut self,
        title: impl Into<String>,
        recording: Recording,
        lenient: bool,
    ) -> DocId {
        let id = self.next_doc;
        self.next_doc += 1;
        let view = BrowserView::new(
            self.settings.page_seconds,
            self.settings.uv_per_div,
            self.settings.remove_dc,
        );
        let mut doc = Document::new(id, title.into(), recording, lenient, view);
        doc.browser.clock = self.settings.clock_time && doc.timeline.has_clock();
        doc.display = super::montage::DisplayState::new(
            self.settings.montage.clone(),
            self.settings.display_filters,
        );
        let rec = doc.recording.clone();
        let job = self
            .jobs
            .spawn(format!("Overview of {}", doc.title), move |ctx| {
                build_pyramid(&rec, ctx).map(JobOutput::Pyramid)
            });
        self.pending.insert(job, Pending::Pyramid { doc: id });
        doc.pyramid_job = Some(job);
        self.docs.push(doc);
        self.active = Some(id);
        id
    }

    /// Moves tab `id`, opened as the `order`-th read, after the tabs opened before it
    /// and before those opened after it (tabs added without a read stay last).
    fn place_tab(&mut self, id: DocId, order: JobId) {
        self.tab_order.insert(id, order);
        let Some(from) = self.docs.iter().position(|d| d.id == id) else {
            return;
        };
        let doc = self.docs.remove(from);
        let to = self
            .docs
            .iter()
            .position(|d| self.tab_order.get(&d.id).is_none_or(|&o| o > order))
            .unwrap_or(self.docs.len());
        self.docs.insert(to, doc);
    }

    pub fn doc(&self, id: DocId) -> Option<&Document> {
        self.docs.iter().find(|d| d.id == id)
    }

    pub fn doc_mut(&mut self, id: DocId) -> Option<&mut Document> {
        self.docs.iter_mut().find(|d| d.id == id)
    }

    pub fn active_doc(&self) -> Option<&Document> {
        self.active.and_then(|id| self.doc(id))
    }

    pub fn active_doc_mut(&mut self) -> Option<&mut Document> {
        let id = self.active?;
        self.doc_mut(id)
    }

    /// Once per frame, before drawing: hooks repaint requests, collects finished jobs,
    /// the dialog's answer and dropped files, and applies pending commands.
    pub fn logic(&mut self, ctx: &egui::Context) {
        if !self.repaint_hooked {
            let c = ctx.clone();
            self.jobs.set_repaint(move || c.request_repaint());
            let c = ctx.clone();
            self.repaint = Arc::new(move || c.request_repaint());
            self.repaint_hooked = true;
        }
        if self.applied_theme != Some(self.settings.theme) {
            ctx.set_theme(match self.settings.theme {
                ThemeChoice::System => egui::ThemePreference::System,
                ThemeChoice::Light => egui::ThemePreference::Light,
                ThemeChoice::Dark => egui::ThemePreference::Dark,
            });
            self.applied_theme = Some(self.settings.theme);
        }
        // A Cancel pressed in the frame a job ended wins over its output.
        for c in &self.commands {
            if let Command::CancelJob(id) = c {
                self.jobs.cancel(*id);
            }
        }
        for finished in self.jobs.drain() {
            let pending = self.pending.remove(&finished.id).unwrap_or(Pending::Other);
            self.on_job_finished(pending, finished.title, finished.result);
        }
        if let Some(rx) = &self.dialog {
            match rx.try_recv() {
                Ok(picked) => {
                    self.dialog = None;
                    match picked {
                        Picked::Chosen(paths) => {
                            for path in paths {
                                self.commands.push(Command::Open {
                                    path,
                                    lenient: false,
                                });
                            }
                        }
                        Picked::Cancelled => {}
                        Picked::Unavailable(reason) => {
                            // The window below gives the full reason; the status line
                            // only says what happened.
                            self.status = "Open: no file dialog could be shown (a desktop portal \
                                           or zenity is needed); type the path instead"
                                .to_string();
                            let text = self
                                .settings
                                .last_dir
                                .as_ref()
                                .map(|d| format!("{}/", d.display()))
                                .unwrap_or_default();
                            self.open_prompt = Some(PathPrompt { reason, text });
                        }
                    }
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => self.dialog = None,
            }
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        for path in dropped {
            if !path.as_os_str().is_empty() {
                self.commands.push(Command::Open {
                    path,
                    lenient: false,
                });
            }
        }
        self.apply_commands(ctx);
        // Exports finish on worker threads; their outcome also goes to the status bar.
        self.export.poll();
        if self.export.status != self.export_seen {
            self.export_seen = self.export.status.clone();
            if let Some(s) = &self.export_seen {
                self.status = s.clone();
            }
        }
        if !self.jobs.running().is_empty() {
            // Keep the progress bars moving even if a job reports rarely.
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    fn on_job_finished(
        &mut self,
        pending: Pending,
        title: String,
        result: Result<JobOutput, JobError>,
    ) {
        match (pending, result) {
            (
                Pending::Open {
                    path,
                    lenient,
                    order,
                },
                Ok(JobOutput::Opened(rec)),
            ) => {
                self.settings.note_opened(&path);
                let n = rec.warnings.len();
                let id = self.add_recording(file_name(&path), *rec, lenient);
                self.place_tab(id, order);
                if let Some(d) = self.doc_mut(id) {
                    d.path = Some(path.clone());
                }
                self.status = if n > 0 {
                    format!("Opened {} with {n} warning(s) (see Info)", path.display())
                } else {
                    format!("Opened {}", path.display())
                };
            }
            (Pending::Open { path, lenient, .. }, Err(e)) => {
                self.status = format!("Could not open {}", path.display());
                self.failures.push(OpenFailure {
                    path,
                    message: e.to_string(),
                    lenient,
                });
            }
            (Pending::Pyramid { doc }, Ok(JobOutput::Pyramid(p))) => {
                if let Some(d) = self.doc_mut(doc) {
                    d.pyramid = Some(Arc::new(p));
                    d.pyramid_job = None;
                }
            }
            (Pending::Pyramid { doc }, Err(e)) => {
                if let Some(d) = self.doc_mut(doc) {
                    d.pyramid_job = None;
                    self.status = format!("{title}: {e} (pages are drawn from raw samples)");
                }
            }
            (Pending::Analysis { path }, Ok(JobOutput::Analysis(outcome))) => {
                self.analysis.job = None;
                let outcome = *outcome;
                self.status = match outcome.warnings.len() {
                    0 => format!("{title}: {} rows", outcome.results.rows.len()),
                    n => format!(
                        "{title}: {} rows, {n} warning(s) (see Analysis)",
                        outcome.results.rows.len()
                    ),
                };
                self.analysis.warnings = outcome.warnings;
                self.results.results = outcome.results;
                self.results.window = Some(outcome.window);
                self.results.input = path;
                self.results.config_toml = outcome.config_toml;
                // The matrix and scalp map open on the chance-corrected synchrony of the
                // first measure that has it, else on ρ of the first bump measure.
                let rows = &self.results.results.rows;
                let first = |name: &str| {
                    rows.iter()
                        .find(|r| r.parameter == name && !r.channel_b.is_empty())
                        .map(|r| (r.measure.clone(), r.parameter.clone()))
                };
                self.results.maps.selection = first("sync").or_else(|| first("rho"));
                self.results.maps.smaller_is_stronger = self
                    .results
                    .maps
                    .selection
                    .as_ref()
                    .is_some_and(|(m, p)| super::matrix::smaller_is_stronger(m, p));
                self.results.maps.direction_for = self.results.maps.selection.clone();
                self.aligned.channels = outcome.channels.map(Arc::new);
                if let Some(pair) = outcome.pair {
                    self.aligned.options = outcome.ses_options;
                    let align = self.aligned.set_pair(pair);
                    self.commands.push(align);
                }
                if let Some(d) = self.active_doc_mut() {
                    d.view = super::document::View::Results;
                }
            }
            (Pending::Analysis { .. }, Err(e)) => {
                self.analysis.job = None;
                self.status = format!("{title}: {e}");
                if e != JobError::Cancelled {
                    self.analysis.error = Some(e.to_string());
                }
            }
            (Pending::View { owner, ticket }, result) => {
                let result = result.map(|out| match out {
                    JobOutput::View(out) => out,
                    other => Box::new(other) as ViewOutput,
                });
                match &result {
                    Err(JobError::Cancelled) => self.status = format!("{title}: cancelled"),
                    Err(e) => self.status = format!("{title}: {e}"),
                    Ok(_) => {}
                }
                match owner {
                    JobOwner::TimeFrequency => self.tfmap.deliver(ticket, result),
                    JobOwner::Aligned => self.aligned.deliver(ticket, result),
                }
            }
            (Pending::Superseded, _) => {}
            (_, Err(JobError::Cancelled)) => self.status = format!("{title}: cancelled"),
            (_, Err(e)) => self.status = format!("{title}: {e}"),
            (_, Ok(_)) => self.status = format!("{title}: done"),
        }
    }

    fn apply_commands(&mut self, ctx: &egui::Context) {
        for cmd in std::mem::take(&mut self.commands) {
            match cmd {
                Command::Open { path, lenient } => {
                    self.failures.retain(|f| f.path != path);
                    self.open(path, lenient);
                }
                Command::ShowOpenDialog => {
                    if self.dialog.is_none() {
                        let picker = self.picker.clone();
                        let start = self.settings.last_dir.clone();
                        let repaint = self.repaint.clone();
                        match super::dialog::ask(
                            move || picker.pick(start.as_deref()),
                            |picked| picked,
                            move || repaint(),
                        ) {
                            Ok(rx) => self.dialog = Some(rx),
                            Err(e) => self.status = e,
                        }
                    }
                }
                Command::Close(id) => {
                    if let Some(job) = self.doc(id).and_then(|d| d.pyramid_job) {
                        self.jobs.cancel(job);
                    }
                    let pos = self.docs.iter().position(|d| d.id == id);
                    self.docs.retain(|d| d.id != id);
                    self.tab_order.remove(&id);
                    if self.active == Some(id) {
                        let next = pos.map(|p| p.min(self.docs.len().saturating_sub(1)));
                        self.active = next.and_then(|p| self.docs.get(p)).map(|d| d.id);
                    }
                }
                Command::Activate(id) => {
                    if self.doc(id).is_some() {
                        self.active = Some(id);
                    }
                }
                Command::CancelJob(id) => self.jobs.cancel(id),
                Command::DismissFailure(i) => {
                    if i < self.failures.len() {
                        self.failures.remove(i);
                    }
                }
                Command::ClearRecent => self.settings.recent.clear(),
                Command::RunAnalysis { doc, config } => {
                    if self.analysis.job.is_some() {
                        self.status = "an analysis is already running".into();
                        continue;
                    }
                    let Some(d) = self.doc(doc) else { continue };
                    let rec = d.recording.clone();
                    let path = d.path.clone();
                    // Rows are named like `sesame analyze` names them: the file stem.
                    let name = recording_id(path.as_deref().unwrap_or(Path::new(&d.title)));
                    let title = format!("Analysis of {}", d.title);
                    let id = self.jobs.spawn(title, move |ctx| {
                        analysis::run(&rec, &name, &config, ctx)
                            .map(|o| JobOutput::Analysis(Box::new(o)))
                    });
                    self.analysis.job = Some(id);
                    self.analysis.error = None;
                    self.pending.insert(id, Pending::Analysis { path });
                }
                Command::LoadConfig => match self.active_doc_mut() {
                    // The answer is taken by the Analysis view, which shows what changed.
                    Some(d) => {
                        d.view = super::document::View::Analysis;
                        let dialog = self.dialogs.open.clone();
                        analysis::start_config_dialog(&mut self.analysis, dialog, ctx);
                    }
                    None => self.status = "Open a recording to load a configuration for".into(),
                },
                Command::SaveConfig => {
                    let built = match self.active_doc() {
                        Some(d) => analysis::build_config(&self.analysis, d),
                        None => Err("open a recording first".into()),
                    };
                    match built {
                        Ok(config) => self.export.start(
                            export::ExportKind::Config,
                            None,
                            export::ExportSource {
                                results: &self.results.results,
                                input: None,
                                config_toml: &config.to_toml(),
                                figure: None,
                            },
                            ctx,
                        ),
                        Err(e) => self.status = format!("Cannot save the configuration: {e}"),
                    }
                }
                Command::ShowHelp(shown) => self.show_help = shown,
                Command::SetRemoveDc(on) => {
                    self.settings.remove_dc = on;
                    for d in &mut self.docs {
                        d.browser.remove_dc = on;
                    }
                }
                Command::Background(bg) => {
                    self.spawn_background(bg);
                }
                Command::Export(kind) => {
                    let source = export::ExportSource {
                        results: &self.results.results,
                        input: self.results.input.as_deref(),
                        config_toml: &self.results.config_toml,
                        figure: self.results.figure.as_ref(),
                    };
                    self.export.start(kind, None, source, ctx);
                }
            }
        }
    }

    /// Draws the whole window into `ui` (the viewport's root `Ui`): the menu bar, the
    /// status bar, the tabs, and the active tab's view through the [`View`] contract;
    /// every view's commands are applied by the next [`logic`](Self::logic).
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let keys = help::handle_global_keys(ui.ctx(), self.active, self.show_help);
        self.take(keys);
        let menu = open::MenuState {
            active: self.active,
            rows: !self.results.results.rows.is_empty(),
            config_toml: !self.results.config_toml.trim().is_empty(),
            figure: self.results.figure.is_some()
                && self
                    .active_doc()
                    .is_some_and(|d| d.view == super::document::View::Results),
            loading_config: self.analysis.loading.is_some(),
        };
        let settings = &mut self.settings;
        let menu_commands = egui::Panel::top("menu")
            .show(ui, |ui| open::menu_bar(ui, settings, menu))
            .inner;
        self.take(menu_commands);
        egui::Panel::bottom("status").show(ui, |ui| status_bar(ui, self));
        if !self.docs.is_empty() {
            egui::Panel::top("tabs").show(ui, |ui| tab_bar(ui, self));
        }
        let view_commands = egui::CentralPanel::default()
            .show(ui, |ui| self.central(ui))
            .inner;
        self.commands.extend(view_commands);
        // The active browser's sensitivity and page length become the defaults of the
        // next recording opened (and are persisted).
        if let Some(d) = self.active_doc() {
            let (uv, page) = (d.browser.uv_per_div, d.browser.page);
            let clock = d.timeline.has_clock().then_some(d.browser.clock);
            self.settings.uv_per_div = uv;
            self.settings.page_seconds = page;
            if let Some(clock) = clock {
                self.settings.clock_time = clock;
            }
        }
        let active = self.active;
        if let Some(d) = self.docs.iter_mut().find(|d| Some(d.id) == active) {
            super::montage::sync_settings(&mut d.display, &mut self.settings);
        }
        let failures = open::failure_panel(ui.ctx(), &self.failures);
        self.commands.extend(failures);
        let typed = open::path_prompt(ui.ctx(), &mut self.open_prompt);
        self.commands.extend(typed);
        open::drop_overlay(ui.ctx());
        if self.show_help {
            help::overlay(ui.ctx(), &mut self.show_help);
        }
    }

    /// Queues `commands` for the next [`logic`](Self::logic), except the shortcut
    /// overlay's, which is shown or hidden at once (in the frame of the key or menu
    /// item, since it draws nothing but the window's own chrome).
    fn take(&mut self, commands: Vec<Command>) {
        for c in commands {
            match c {
                Command::ShowHelp(shown) => self.show_help = shown,
                other => self.commands.push(other),
            }
        }
    }

    /// The central panel: the welcome page, or the active tab's view picker and view.
    fn central(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let Some(doc) = self
            .active
            .and_then(|id| self.docs.iter_mut().find(|d| d.id == id))
        else {
            return open::welcome(ui, &self.settings);
        };
        ui.horizontal(|ui| {
            for v in super::document::View::ALL {
                ui.selectable_value(&mut doc.view, v, v.title());
            }
        });
        ui.separator();
        let which = doc.view;
        if which == super::document::View::Results {
            self.export.display = Some(super::montage::display_record(doc));
            export::bar(
                ui,
                &mut self.export,
                export::ExportSource {
                    results: &self.results.results,
                    input: self.results.input.as_deref(),
                    config_toml: &self.results.config_toml,
                    figure: self.results.figure.as_ref(),
                },
            );
        }
        let mut ctx = ViewContext {
            doc: Some(doc),
            settings: &self.settings,
            dialogs: &self.dialogs,
            running: self.jobs.running(),
        };
        let (mut signals, mut info) = (browser::SignalsView, info::InfoView);
        let view: &mut dyn View = match which {
            super::document::View::Signals => &mut signals,
            super::document::View::Info => &mut info,
            super::document::View::TimeFrequency => &mut self.tfmap,
            super::document::View::Analysis => &mut self.analysis,
            super::document::View::Results => &mut self.results,
            super::document::View::Aligned => &mut self.aligned,
        };
        view.ui(ui, &mut ctx)
    }

    /// One whole frame: [`logic`](Self::logic) then [`ui`](Self::ui) (what eframe
    /// does; used by tests driving the app without eframe).
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.logic(&ctx);
        self.ui(ui);
    }
}

impl eframe::App for SesameApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        SesameApp::logic(self, ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        SesameApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.settings);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.jobs.cancel_all();
    }
}

/// The identifier of a recording in result rows: its file stem, as `sesame analyze`
/// names it.
pub fn recording_id(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn tab_bar(ui: &mut egui::Ui, app: &mut SesameApp) {
    ui.horizontal_wrapped(|ui| {
        for doc in &app.docs {
            let active = app.active == Some(doc.id);
            let label = if doc.lenient {
                format!("{} (repaired)", doc.title)
            } else {
                doc.title.clone()
            };
            let r = ui.selectable_label(active, label);
            if r.clicked() {
                app.commands.push(Command::Activate(doc.id));
            }
            if ui
                .small_button("×")
                .on_hover_text(format!("Close {}", doc.title))
                .clicked()
            {
                app.commands.push(Command::Close(doc.id));
            }
            ui.separator();
        }
    });
}

fn status_bar(ui: &mut egui::Ui, app: &mut SesameApp) {
    ui.horizontal(|ui| {
        for job in app.jobs.running() {
            let p = job.progress();
            let mut text = format!("{}: {}", job.title, p.message);
            if let Some(eta) = job.eta() {
                text.push_str(&format!(" — {:.0} s left", eta.as_secs_f64().ceil()));
            }
            ui.add(
                egui::ProgressBar::new(p.fraction)
                    .desired_width(260.0)
                    .show_percentage()
                    .text(text),
            );
            let label = if job.is_cancelling() {
                "Cancelling…"
            } else {
                "Cancel"
            };
            if ui
                .add_enabled(!job.is_cancelling(), egui::Button::new(label))
                .on_hover_text(format!("Stop {}", job.title))
                .clicked()
            {
                app.commands.push(Command::CancelJob(job.id));
            }
            ui.separator();
        }
        if let Some(d) = app.active_doc() {
            ui.label(d.display.status_text());
            ui.separator();
        }
        ui.label(&app.status);
    });
}
