//! The one contract between the views and the app.
//!
//! A view is a [`View`]: once per frame it draws into a `Ui` from its own state and
//! the [`ViewContext`] the app hands it (the active recording, the settings, the file
//! dialogs, the running jobs), and returns what it wants done as [`Command`]s. It
//! never holds the app, never computes and never starts a thread: heavy work goes to
//! the app as [`Command::Background`] (or [`Command::RunAnalysis`]), the app runs it
//! as one of its jobs (shown in the status bar with progress and Cancel), and hands
//! the finished output back to the view that asked ([`JobSlot::accept`]).
//!
//! This module sits below every view and below the app, so that neither imports the
//! other.

use super::dialog::{Dialogs, Picked};
use super::document::{DocId, Document};
use super::export::ExportKind;
use super::jobs::{JobContext, JobError, JobId, RunningJob};
use super::settings::Settings;
use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;

/// Something a view (or a key, a menu, a dropped file) asks the app to do. The app
/// applies the commands once per frame, before drawing.
#[derive(Debug)]
pub enum Command {
    /// Read a file in the background (strictly, or with repairs).
    Open { path: PathBuf, lenient: bool },
    /// Show the file dialog (on its own thread).
    ShowOpenDialog,
    /// Close a recording's tab.
    Close(DocId),
    /// Bring a recording's tab to the front.
    Activate(DocId),
    /// Ask a job to stop.
    CancelJob(JobId),
    /// Dismiss the open failure at this index.
    DismissFailure(usize),
    /// Forget the recent files.
    ClearRecent,
    /// Run an analysis configuration on a recording in the background.
    RunAnalysis {
        doc: DocId,
        config: Box<sesame_core::analysis::Config>,
    },
    /// Ask for an analysis configuration file and take it over (File menu).
    LoadConfig,
    /// Save the Analysis view's configuration as TOML (File menu).
    SaveConfig,
    /// Export the results, their configuration or the figure shown (File menu).
    Export(ExportKind),
    /// Show (`true`) or hide the keyboard-shortcut overlay.
    ShowHelp(bool),
    /// Remove (or keep) each channel's page mean in every open browser.
    SetRemoveDc(bool),
    /// Run a view's computation as one of the app's jobs and hand its output back to
    /// that view.
    Background(Background),
}

/// The views that run background work of their own through the app's jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobOwner {
    /// The time-frequency view (`tfmap.rs`).
    TimeFrequency,
    /// The aligned-bumps view (`aligned.rs`).
    Aligned,
}

/// What a background computation hands back, opened by the view that asked for it.
pub type ViewOutput = Box<dyn Any + Send>;

/// The work of a background computation, run on a job's thread.
pub type Work = Box<dyn FnOnce(&JobContext) -> Result<ViewOutput, JobError> + Send>;

/// A view's computation for the app's job queue. A newer request of the same owner
/// replaces (cancels) an older one still running.
pub struct Background {
    /// Shown in the status bar ("Time-frequency map of Cz").
    pub title: String,
    /// Which view gets the output.
    pub owner: JobOwner,
    /// The view's number for this request, handed back with the output so that the
    /// view can drop the output of a request it has since replaced.
    pub ticket: u64,
    pub work: Work,
}

impl std::fmt::Debug for Background {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Background")
            .field("title", &self.title)
            .field("owner", &self.owner)
            .field("ticket", &self.ticket)
            .finish_non_exhaustive()
    }
}

impl Background {
    /// Runs the work on the calling thread, not cancellable (tests and headless use;
    /// never from a frame).
    pub fn run_here(self) -> Result<ViewOutput, JobError> {
        (self.work)(&JobContext::detached())
    }
}

/// The one background computation a view waits for: it numbers the view's requests
/// and accepts only the output of the latest.
#[derive(Debug, Default, Clone)]
pub struct JobSlot {
    next: u64,
    waiting: Option<u64>,
}

impl JobSlot {
    /// A request for `work`, which replaces any earlier one of this slot.
    pub fn request<T: Send + 'static>(
        &mut self,
        owner: JobOwner,
        title: impl Into<String>,
        work: impl FnOnce(&JobContext) -> Result<T, JobError> + Send + 'static,
    ) -> Command {
        self.next += 1;
        self.waiting = Some(self.next);
        Command::Background(Background {
            title: title.into(),
            owner,
            ticket: self.next,
            work: Box::new(move |ctx| work(ctx).map(|t| Box::new(t) as ViewOutput)),
        })
    }

    /// Whether the output of the latest request is still awaited.
    pub fn is_waiting(&self) -> bool {
        self.waiting.is_some()
    }

    /// Takes the output of request `ticket`: `None` when it is not the latest request
    /// (its output is dropped), else the output, or why there is none.
    pub fn accept<T: 'static>(
        &mut self,
        ticket: u64,
        result: Result<ViewOutput, JobError>,
    ) -> Option<Result<T, JobError>> {
        if self.waiting != Some(ticket) {
            return None;
        }
        self.waiting = None;
        Some(result.and_then(|out| {
            out.downcast::<T>()
                .map(|t| *t)
                .map_err(|_| JobError::Failed("internal error: unexpected job output".into()))
        }))
    }
}

/// What the app hands a view for one frame.
pub struct ViewContext<'a> {
    /// The recording of the active tab (`None` for views drawn without one).
    pub doc: Option<&'a mut Document>,
    pub settings: &'a Settings,
    /// The app's file dialogs (configuration, montage, export).
    pub dialogs: &'a Dialogs,
    /// The app's running jobs, oldest first.
    pub running: &'a [RunningJob],
}

/// A view: draws its part of the window and returns what it wants done.
pub trait View {
    /// Draws the view for one frame.
    fn ui(&mut self, ui: &mut egui::Ui, ctx: &mut ViewContext<'_>) -> Vec<Command>;
}

/// Draws `view` with no recording, default settings, file dialogs that cannot be
/// shown and no jobs, and returns its commands (views that show results only, and
/// tests).
pub fn ui_alone(view: &mut dyn View, ui: &mut egui::Ui) -> Vec<Command> {
    let settings = Settings::default();
    let none = |_: &str, _: &[&str]| Picked::Unavailable("no file dialog here".into());
    let dialogs = Dialogs {
        open: Arc::new(none),
        save: Arc::new(none),
    };
    let mut ctx = ViewContext {
        doc: None,
        settings: &settings,
        dialogs: &dialogs,
        running: &[],
    };
    view.ui(ui, &mut ctx)
}
