//! Background jobs: `core` work on worker threads with progress and cancel.
//!
//! A job is a closure run on its own thread. It reports progress through its
//! [`JobContext`] (a fraction in `[0, 1]` and a short message), checks
//! [`JobContext::is_cancelled`] between units of work (channels, windows, chunks), and
//! returns its output. Finished jobs are collected once per frame with
//! [`Jobs::drain`] (in the app's `logic`), so widgets never wait on a thread and never
//! compute: they read the progress of [`Jobs::running`] and the outputs the app stored.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Identifier of a job, unique within one [`Jobs`] runner.
pub type JobId = u64;

/// Why a job produced no output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError {
    /// The job saw its cancel flag and stopped.
    Cancelled,
    /// The job failed; the message names what failed and why.
    Failed(String),
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobError::Cancelled => f.write_str("cancelled"),
            JobError::Failed(m) => f.write_str(m),
        }
    }
}

/// Progress of a running job, as last reported by it.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Fraction done, `0.0..=1.0`.
    pub fraction: f32,
    /// What the job is doing now ("reading Fp1", "level 3 of 12").
    pub message: String,
}

/// What a running job shares with the thread that runs it.
struct Shared {
    progress: Mutex<Progress>,
    cancel: AtomicBool,
}

/// Handed to a job's closure: report progress, check for cancellation.
#[derive(Clone)]
pub struct JobContext {
    shared: Arc<Shared>,
    repaint: Arc<dyn Fn() + Send + Sync>,
}

impl JobContext {
    /// A context of no runner: nothing cancels it and progress goes nowhere (work run
    /// on the calling thread, in tests and headless use).
    pub fn detached() -> Self {
        JobContext {
            shared: Arc::new(Shared {
                progress: Mutex::new(Progress {
                    fraction: 0.0,
                    message: String::new(),
                }),
                cancel: AtomicBool::new(false),
            }),
            repaint: Arc::new(|| {}),
        }
    }

    /// Reports progress (`fraction` is clamped to `[0, 1]`) and asks for a repaint.
    pub fn progress(&self, fraction: f32, message: impl Into<String>) {
        let fraction = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        if let Ok(mut p) = self.shared.progress.lock() {
            *p = Progress {
                fraction,
                message: message.into(),
            };
        }
        (self.repaint)();
    }

    /// Whether the user asked this job to stop.
    pub fn is_cancelled(&self) -> bool {
        self.shared.cancel.load(Ordering::Relaxed)
    }

    /// `Err(JobError::Cancelled)` when the user asked this job to stop; for `?` in
    /// loops.
    pub fn check_cancelled(&self) -> Result<(), JobError> {
        if self.is_cancelled() {
            Err(JobError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// A job that is still running, as the UI sees it.
pub struct RunningJob {
    pub id: JobId,
    /// Shown in the jobs panel ("Open S001R01.edf").
    pub title: String,
    pub started: Instant,
    shared: Arc<Shared>,
}

impl RunningJob {
    /// The last progress the job reported.
    pub fn progress(&self) -> Progress {
        match self.shared.progress.lock() {
            Ok(p) => p.clone(),
            // A job thread that panicked while holding the lock: show it as stalled.
            Err(_) => Progress {
                fraction: 0.0,
                message: "stalled".into(),
            },
        }
    }

    /// Whether cancel was requested.
    pub fn is_cancelling(&self) -> bool {
        self.shared.cancel.load(Ordering::Relaxed)
    }

    /// Time left, extrapolated linearly from the progress so far (`None` before any
    /// progress was reported).
    pub fn eta(&self) -> Option<Duration> {
        let f = self.progress().fraction as f64;
        if f <= 0.01 {
            return None;
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        Some(Duration::from_secs_f64((elapsed * (1.0 - f) / f).max(0.0)))
    }
}

/// A finished job: its id, title and output.
pub struct Finished<T> {
    pub id: JobId,
    pub title: String,
    pub result: Result<T, JobError>,
}

/// Runs jobs producing `T` on worker threads.
pub struct Jobs<T> {
    next_id: JobId,
    running: Vec<RunningJob>,
    tx: Sender<(JobId, Result<T, JobError>)>,
    rx: Receiver<(JobId, Result<T, JobError>)>,
    repaint: Arc<dyn Fn() + Send + Sync>,
}

impl<T: Send + 'static> Default for Jobs<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static> Jobs<T> {
    /// A runner whose jobs request no repaint (tests, headless use).
    pub fn new() -> Self {
        let (tx, rx) = mpsc::channel();
        Jobs {
            next_id: 1,
            running: Vec::new(),
            tx,
            rx,
            repaint: Arc::new(|| {}),
        }
    }

    /// Makes every job call `repaint` after reporting progress or finishing (the
    /// app passes `egui::Context::request_repaint`).
    pub fn set_repaint(&mut self, repaint: impl Fn() + Send + Sync + 'static) {
        self.repaint = Arc::new(repaint);
    }

    /// Starts `work` on a new thread and returns its id.
    pub fn spawn(
        &mut self,
        title: impl Into<String>,
        work: impl FnOnce(&JobContext) -> Result<T, JobError> + Send + 'static,
    ) -> JobId {
        let id = self.next_id;
        self.next_id += 1;
        let title = title.into();
        let shared = Arc::new(Shared {
            progress: Mutex::new(Progress {
                fraction: 0.0,
                message: "starting".into(),
            }),
            cancel: AtomicBool::new(false),
        });
        let ctx = JobContext {
            shared: shared.clone(),
            repaint: self.repaint.clone(),
        };
        let tx = self.tx.clone();
        let thread_title = title.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("job {id}"))
            .spawn(move || {
                // A panic in core code must not take the app down: it becomes a failure.
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&ctx)))
                    .unwrap_or_else(|panic| {
                        let what = panic
                            .downcast_ref::<&str>()
                            .map(|s| s.to_string())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_else(|| "unknown panic".into());
                        Err(JobError::Failed(format!(
                            "{thread_title}: internal error: {what}"
                        )))
                    });
                // The receiver lives as long as the runner; if it is gone nobody waits.
                let _ = tx.send((id, result));
                (ctx.repaint)();
            });
        if let Err(e) = spawned {
            let _ = self.tx.send((
                id,
                Err(JobError::Failed(format!("could not start a thread: {e}"))),
            ));
        }
        self.running.push(RunningJob {
            id,
            title,
            started: Instant::now(),
            shared,
        });
        id
    }

    /// Asks job `id` to stop; it finishes with [`JobError::Cancelled`] when it next
    /// checks. Unknown ids are ignored.
    pub fn cancel(&self, id: JobId) {
        if let Some(job) = self.running.iter().find(|j| j.id == id) {
            job.shared.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Asks every running job to stop.
    pub fn cancel_all(&self) {
        for job in &self.running {
            job.shared.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// The jobs still running, oldest first.
    pub fn running(&self) -> &[RunningJob] {
        &self.running
    }

    /// Whether job `id` is still running.
    pub fn is_running(&self, id: JobId) -> bool {
        self.running.iter().any(|j| j.id == id)
    }

    /// Takes the jobs that finished since the last call, in the order they finished.
    ///
    /// A job the user cancelled finishes as [`JobError::Cancelled`] even when its output
    /// was ready before it next looked at the flag: once Cancel was pressed, no output of
    /// that job appears.
    pub fn drain(&mut self) -> Vec<Finished<T>> {
        let mut out = Vec::new();
        while let Ok((id, mut result)) = self.rx.try_recv() {
            let title = match self.running.iter().position(|j| j.id == id) {
                Some(i) => {
                    let job = self.running.remove(i);
                    if result.is_ok() && job.is_cancelling() {
                        result = Err(JobError::Cancelled);
                    }
                    job.title
                }
                None => String::new(),
            };
            out.push(Finished { id, title, result });
        }
        out
    }

    /// Waits until job `id` finished or `timeout` passed, then drains (tests and
    /// shutdown only: never called from a frame).
    pub fn wait_for(&mut self, id: JobId, timeout: Duration) -> Vec<Finished<T>> {
        let deadline = Instant::now() + timeout;
        let mut out = Vec::new();
        loop {
            out.extend(self.drain());
            if out.iter().any(|f| f.id == id) || Instant::now() >= deadline {
                return out;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_output_and_progress_arrive() {
        let mut jobs: Jobs<u32> = Jobs::new();
        let id = jobs.spawn("sum", |ctx| {
            let mut s = 0;
            for i in 0..10u32 {
                ctx.progress(i as f32 / 10.0, format!("step {i}"));
                s += i;
            }
            Ok(s)
        });
        let done = jobs.wait_for(id, Duration::from_secs(10));
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].result, Ok(45));
        assert_eq!(done[0].title, "sum");
        assert!(jobs.running().is_empty());
    }

    #[test]
    fn cancel_stops_a_job_that_checks_its_flag() {
        let mut jobs: Jobs<()> = Jobs::new();
        let id = jobs.spawn("forever", |ctx| loop {
            ctx.check_cancelled()?;
            std::thread::sleep(Duration::from_millis(1));
        });
        assert!(jobs.is_running(id));
        std::thread::sleep(Duration::from_millis(20));
        assert!(
            jobs.drain().is_empty(),
            "a job that never ends must not finish by itself"
        );
        jobs.cancel(id);
        let done = jobs.wait_for(id, Duration::from_secs(10));
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].result, Err(JobError::Cancelled));
        assert!(!jobs.is_running(id));
    }

    #[test]
    fn a_job_cancelled_after_its_work_is_done_gives_no_output() {
        let mut jobs: Jobs<u32> = Jobs::new();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        // The job never looks at its flag: it only returns when told to.
        let id = jobs.spawn("done anyway", move |_| {
            let _ = go_rx.recv();
            Ok(7)
        });
        jobs.cancel(id);
        go_tx.send(()).expect("job waits");
        let done = jobs.wait_for(id, Duration::from_secs(10));
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].result, Err(JobError::Cancelled));
        // A job nobody cancelled keeps its output.
        let id = jobs.spawn("kept", |_| Ok(8));
        let done = jobs.wait_for(id, Duration::from_secs(10));
        assert_eq!(done[0].result, Ok(8));
    }

    #[test]
    fn a_panicking_job_becomes_a_failure() {
        let mut jobs: Jobs<()> = Jobs::new();
        let id = jobs.spawn("bad", |_| panic!("boom"));
        let done = jobs.wait_for(id, Duration::from_secs(10));
        match &done[0].result {
            Err(JobError::Failed(m)) => assert!(m.contains("boom"), "{m}"),
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn progress_is_clamped_and_eta_extrapolates() {
        let mut jobs: Jobs<()> = Jobs::new();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let (ready_tx, ready_rx) = mpsc::channel::<()>();
        let id = jobs.spawn("half", move |ctx| {
            ctx.progress(7.0, "over");
            ctx.progress(0.5, "half way");
            let _ = ready_tx.send(());
            let _ = go_rx.recv();
            Ok(())
        });
        ready_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("job reported");
        let p = jobs.running()[0].progress();
        assert_eq!(
            p,
            Progress {
                fraction: 0.5,
                message: "half way".into()
            }
        );
        assert!(jobs.running()[0].eta().is_some());
        go_tx.send(()).expect("job waits");
        let done = jobs.wait_for(id, Duration::from_secs(10));
        assert_eq!(done[0].result, Ok(()));
    }
}
