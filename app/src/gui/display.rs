//! The display montage and display filters of one recording's browser: the settings
//! (kept between sessions), the state, and the cached page of derived samples; the
//! montage file dialogs. Deriving a page from a recording is `montage.rs`.

use super::dialog::{FileDialog, Picked};
use super::pyramid::Trace;
use serde::{Deserialize, Serialize};
use sesame_core::signal::montage::{Montage, MontageKind};
use sesame_core::signal::{FilterKind, FilterSpec, Sos};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

/// Width of the notch, Hz (a band-stop from `f − 1` to `f + 1` Hz).
pub const NOTCH_WIDTH_HZ: f64 = 2.0;
/// Order of the display high-pass Butterworth (applied forward and backward).
pub const HIGHPASS_ORDER: usize = 2;
/// Order of the display low-pass Butterworth (applied forward and backward).
pub const LOWPASS_ORDER: usize = 4;
/// Order of the display notch's band-stop prototype (applied forward and backward).
pub const NOTCH_ORDER: usize = 2;

/// What the provenance says about the display settings.
pub const DISPLAY_NOTE: &str = "display only: the signal browser's montage and display \
filters affect what was shown, not these results, which were computed from the recording \
as the analysis configuration says";

/// Zero-phase display filters; cut-offs in Hz. Each keeps its cut-off when switched off.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DisplayFilters {
    pub highpass_on: bool,
    /// High-pass cut-off, Hz.
    pub highpass_hz: f64,
    pub lowpass_on: bool,
    /// Low-pass cut-off, Hz.
    pub lowpass_hz: f64,
    pub notch_on: bool,
    /// Mains frequency removed by the notch, Hz (50 or 60).
    pub notch_hz: f64,
}

impl Default for DisplayFilters {
    fn default() -> Self {
        DisplayFilters {
            highpass_on: false,
            highpass_hz: 0.5,
            lowpass_on: false,
            lowpass_hz: 35.0,
            notch_on: false,
            notch_hz: 50.0,
        }
    }
}

impl DisplayFilters {
    /// Whether any filter is on.
    pub fn any(&self) -> bool {
        self.highpass_on || self.lowpass_on || self.notch_on
    }

    /// Replaces unusable values (from an edited settings file) by the defaults.
    pub fn sanitized(mut self) -> Self {
        let d = DisplayFilters::default();
        let ok = |v: f64| v.is_finite() && v > 0.0;
        if !ok(self.highpass_hz) {
            self.highpass_hz = d.highpass_hz;
        }
        if !ok(self.lowpass_hz) {
            self.lowpass_hz = d.lowpass_hz;
        }
        if !ok(self.notch_hz) {
            self.notch_hz = d.notch_hz;
        }
        self
    }

    /// The cut-offs that are on: (high-pass, low-pass, notch), Hz.
    pub fn cutoffs(&self) -> (Option<f64>, Option<f64>, Option<f64>) {
        (
            self.highpass_on.then_some(self.highpass_hz),
            self.lowpass_on.then_some(self.lowpass_hz),
            self.notch_on.then_some(self.notch_hz),
        )
    }

    /// The filters that are on, designed for sample rate `fs` Hz.
    pub fn design(&self, fs: f64) -> Result<Vec<Sos>, String> {
        let mut specs = Vec::new();
        let (hp, lp, notch) = self.cutoffs();
        if let Some(c) = hp {
            specs.push((FilterKind::HighPass { cutoff: c }, HIGHPASS_ORDER));
        }
        if let Some(c) = lp {
            specs.push((FilterKind::LowPass { cutoff: c }, LOWPASS_ORDER));
        }
        if let Some(f) = notch {
            specs.push((
                FilterKind::Notch {
                    frequency: f,
                    width: NOTCH_WIDTH_HZ,
                },
                NOTCH_ORDER,
            ));
        }
        specs
            .into_iter()
            .map(|(kind, order)| {
                FilterSpec {
                    kind,
                    order,
                    sample_rate: fs,
                }
                .design()
                .map_err(|e| format!("display filter: {e}"))
            })
            .collect()
    }

    /// Samples read on each side of the page, s: long enough for the filters to
    /// settle (three periods of the high-pass cut-off, at least 1 s, at most 30 s).
    pub fn margin_seconds(&self) -> f64 {
        if self.highpass_on && self.highpass_hz > 0.0 {
            (3.0 / self.highpass_hz).clamp(1.0, 30.0)
        } else {
            1.0
        }
    }

    /// `HP 0.5 Hz · LP 35 Hz · notch 50 Hz`, or `no display filter`.
    pub fn summary(&self) -> String {
        let (hp, lp, notch) = self.cutoffs();
        let mut parts = Vec::new();
        if let Some(c) = hp {
            parts.push(format!("HP {c} Hz"));
        }
        if let Some(c) = lp {
            parts.push(format!("LP {c} Hz"));
        }
        if let Some(f) = notch {
            parts.push(format!("notch {f} Hz"));
        }
        if parts.is_empty() {
            "no display filter".into()
        } else {
            parts.join(" · ")
        }
    }
}

/// One row of a derived page.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedRow {
    /// Shown name (`Fp1-F3`, `Cz-avg`…).
    pub label: String,
    /// The anode's signal index (selection and gain follow it); `None` when missing.
    pub signal: Option<usize>,
    /// One of the signals it reads is marked bad.
    pub bad: bool,
    /// Sample rate of the row, Hz.
    pub sample_rate: f64,
    /// Time of `values[0]`, s.
    pub t0: f64,
    /// The derived, filtered samples of the page (µV), or why there are none.
    pub values: Result<Vec<f32>, String>,
}

/// The derived samples of one page.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedPage {
    pub rows: Vec<DerivedRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct PageKey {
    pub(super) t0: u64,
    pub(super) page: u64,
    pub(super) shown: Vec<usize>,
    pub(super) bad: Vec<bool>,
    pub(super) montage: Montage,
    pub(super) filters: DisplayFilters,
}

/// One drawn row: `(signal index or usize::MAX when missing, trace, drawn offset)`,
/// as in the document's trace cache.
pub type RowTrace = (usize, Result<Trace, String>, f32);

/// What the browser draws for one row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowMeta {
    pub label: String,
    pub signal: Option<usize>,
    pub bad: bool,
    pub gain: f32,
}

/// Montage and display filters of one recording's browser, with the derived page.
#[derive(Default)]
pub struct DisplayState {
    pub montage: Montage,
    pub filters: DisplayFilters,
    /// Filters as typed in the toolbar while they are refused (`None`: as `filters`).
    pub edit_filters: Option<DisplayFilters>,
    /// Why the typed filters were refused (the traces keep the last valid filters).
    pub filter_problem: Option<String>,
    /// Why the montage cannot be applied (shown above the traces; the channels are then
    /// drawn as recorded).
    pub message: Option<String>,
    /// Outcome of the last montage file load or save.
    pub io_status: Option<String>,
    /// Name and pairs typed in the user-montage editor (`Fp1-F3, F3-C3`).
    pub edit_name: String,
    pub edit_pairs: String,
    /// Montages created or loaded here, to be added to the settings' user montages.
    pub new_user_montages: Vec<Montage>,
    pub(super) page: Option<(PageKey, DerivedPage)>,
    pub(super) traces: Option<(usize, Vec<RowMeta>, Vec<RowTrace>)>,
    io: Option<Receiver<Result<IoDone, String>>>,
}

/// A montage file dialog's outcome.
#[derive(Debug)]
enum IoDone {
    Loaded(Montage, PathBuf),
    Saved(PathBuf),
    Cancelled,
}

impl DisplayState {
    /// A state showing `montage` with `filters`.
    pub fn new(montage: Montage, filters: DisplayFilters) -> Self {
        DisplayState {
            montage,
            filters,
            ..Default::default()
        }
    }

    /// True when the browser can draw straight from the pyramid.
    pub fn is_plain(&self) -> bool {
        self.montage.kind == MontageKind::Referential && !self.filters.any()
    }

    /// `Montage: Double banana · HP 0.5 Hz · LP 35 Hz` for the status line.
    pub fn status_text(&self) -> String {
        let m = if self.message.is_some() {
            format!("{} (not applicable: as recorded)", self.montage.name)
        } else {
            self.montage.name.clone()
        };
        format!("Montage: {m} · {}", self.filters.summary())
    }

    /// Makes `m` the montage shown.
    pub fn set_montage(&mut self, m: Montage) {
        self.montage = m;
        self.message = None;
    }

    /// Loads a montage file and shows it; it joins the user montages.
    pub fn load_file(&mut self, path: &Path) -> Result<(), String> {
        let m = Montage::load(path).map_err(|e| e.to_string())?;
        self.new_user_montages.push(m.clone());
        self.set_montage(m);
        Ok(())
    }

    /// Saves the montage shown to `path` (TOML, temp file then rename).
    pub fn save_file(&self, path: &Path) -> Result<(), String> {
        self.montage.save(path).map_err(|e| e.to_string())
    }

    /// Makes a bipolar montage of the pairs typed in the editor and shows it.
    pub fn use_edited_pairs(&mut self) -> Result<(), String> {
        let name = if self.edit_name.trim().is_empty() {
            "My montage".to_string()
        } else {
            self.edit_name.trim().to_string()
        };
        let m = Montage::bipolar_from_text(&name, &self.edit_pairs).map_err(|e| e.to_string())?;
        self.new_user_montages.push(m.clone());
        self.set_montage(m);
        Ok(())
    }

    /// Asks `dialog` for a montage file off the frame loop and reads it.
    pub fn load_dialog(&mut self, dialog: FileDialog, repaint: impl Fn() + Send + 'static) {
        let then = |picked: Picked<PathBuf>| match picked {
            Picked::Cancelled => Ok(IoDone::Cancelled),
            Picked::Unavailable(why) => {
                Err(format!("Load: {why}; type the pairs with Pairs… instead"))
            }
            Picked::Chosen(p) => Montage::load(&p)
                .map(|m| IoDone::Loaded(m, p))
                .map_err(|e| e.to_string()),
        };
        self.start_io(move || dialog("Load montage", &["toml"]), then, repaint);
    }

    /// Asks `dialog` where to save the montage shown, off the frame loop, and writes it.
    pub fn save_dialog(&mut self, dialog: FileDialog, repaint: impl Fn() + Send + 'static) {
        let m = self.montage.clone();
        let then = move |picked: Picked<PathBuf>| match picked {
            Picked::Cancelled => Ok(IoDone::Cancelled),
            Picked::Unavailable(why) => Err(format!("Save: {why}")),
            Picked::Chosen(p) => m
                .save(&p)
                .map(|()| IoDone::Saved(p))
                .map_err(|e| e.to_string()),
        };
        self.start_io(move || dialog("Save montage", &["toml"]), then, repaint);
    }

    fn start_io(
        &mut self,
        show: impl FnOnce() -> Picked<PathBuf> + Send + 'static,
        then: impl FnOnce(Picked<PathBuf>) -> Result<IoDone, String> + Send + 'static,
        repaint: impl Fn() + Send + 'static,
    ) {
        match super::dialog::ask(show, then, repaint) {
            Ok(rx) => self.io = Some(rx),
            Err(e) => self.io_status = Some(e),
        }
    }

    /// Takes a finished dialog's outcome (once per frame).
    pub fn poll(&mut self) {
        let Some(rx) = &self.io else { return };
        let r = match rx.try_recv() {
            Ok(r) => r,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.io = None;
                return;
            }
        };
        self.io = None;
        self.io_status = Some(match r {
            Ok(IoDone::Loaded(m, p)) => {
                let msg = format!("Montage `{}` loaded from {}", m.name, p.display());
                self.new_user_montages.push(m.clone());
                self.set_montage(m);
                msg
            }
            Ok(IoDone::Saved(p)) => format!("Montage saved to {}", p.display()),
            Ok(IoDone::Cancelled) => "Cancelled".into(),
            Err(e) => e,
        });
    }
}
