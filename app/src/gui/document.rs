//! One open recording and everything the views show of it: which view is active, the
//! browser's page and gains, the channel list (order, hidden, bad), and the
//! precomputed pyramid. Pure state: navigation rules live here, so they are tested
//! without a window.

use super::jobs::JobId;
use super::pyramid::{page_trace, Pyramid, Trace};
pub use super::timeline::{format_time, parse_time};
use rayon::prelude::*;
use sesame_core::recording::Recording;
use std::sync::Arc;

/// Identifier of an open recording (one tab).
pub type DocId = u64;

/// The views of a recording; later views (time-frequency, aligned bumps) are added
/// here and in `app.rs`'s dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Signals,
    Info,
    TimeFrequency,
    Analysis,
    Results,
    Aligned,
}

impl View {
    pub const ALL: [View; 6] = [
        View::Signals,
        View::Info,
        View::TimeFrequency,
        View::Analysis,
        View::Results,
        View::Aligned,
    ];

    pub fn title(self) -> &'static str {
        match self {
            View::Signals => "Signals",
            View::Info => "Info",
            View::TimeFrequency => "Time-frequency",
            View::Analysis => "Analysis",
            View::Results => "Results",
            View::Aligned => "Aligned bumps",
        }
    }
}

/// Display state of one signal in the browser.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelDisplay {
    /// Index into `Recording::signals()`.
    pub signal: usize,
    pub visible: bool,
    /// Marked bad by the user (drawn greyed, left out of analyses).
    pub bad: bool,
    /// Per-channel gain multiplier on top of the page sensitivity (1 = as set).
    pub gain: f32,
}

/// Shortest page, s.
pub const MIN_PAGE: f64 = 0.1;

/// The browser's window onto the recording and its amplitude scale.
#[derive(Debug, Clone, PartialEq)]
pub struct BrowserView {
    /// Start of the page, s from the start of the recording.
    pub t0: f64,
    /// Page length, s.
    pub page: f64,
    /// Sensitivity: µV drawn over one channel spacing.
    pub uv_per_div: f32,
    /// Subtract each trace's mean over the page before drawing.
    pub remove_dc: bool,
    /// Channel highlighted in the list and traces (a signal index).
    pub selected: Option<usize>,
    /// Text of the "go to time" field.
    pub goto_text: String,
    /// Why the typed time was refused.
    pub goto_error: Option<String>,
    /// Times are shown (and typed) as clock time instead of elapsed time.
    pub clock: bool,
    /// Fit the sensitivity to the page on the next drawn frame ("Fit" button, `A`).
    pub fit_now: bool,
    /// Fit the sensitivity on the first drawn page if the inherited one is far off (a
    /// grey block or flat lines).
    pub fit_on_open: bool,
    /// Channels drawn per page: `None` as many as fit at a readable height
    /// ([`MIN_LANE`] points each), `Some(n)` exactly `n` (all when `n` is 0).
    pub rows_per_page: Option<usize>,
    /// First channel row drawn (rows scroll vertically when not all fit).
    pub first_row: usize,
    /// Rows drawn in the last frame, and how many there are, for the toolbar.
    pub rows_shown: (usize, usize),
    /// Bring the selected channel into view on the next frame.
    pub reveal_selected: bool,
    /// Wheel distance over the labels not yet turned into whole rows, points.
    pub row_scroll: f32,
    /// The crosshair measurement dragged on the traces (cleared by a click).
    pub measure: Option<Measurement>,
}

/// A crosshair measurement between two points of the traces: each a time (s) and an
/// amplitude (µV), both read on the channel row where the drag started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    /// The channel row (index among the traces) the amplitudes are read on.
    pub row: usize,
    /// Start and end: `(time s, amplitude µV)`.
    pub a: (f64, f64),
    pub b: (f64, f64),
}

impl Measurement {
    /// Δt, s (end minus start).
    pub fn dt(&self) -> f64 {
        self.b.0 - self.a.0
    }

    /// Δamplitude, µV (end minus start).
    pub fn dv(&self) -> f64 {
        self.b.1 - self.a.1
    }

    /// `Δt 0.250 s   Δ 35.2 µV` (and the frequency of one period of Δt).
    pub fn text(&self) -> String {
        let dt = self.dt();
        let mut s = format!("Δt {dt:.3} s   Δ {:.1} µV", self.dv());
        if dt.abs() > 1e-9 {
            s.push_str(&format!("   (1/Δt {:.2} Hz)", 1.0 / dt.abs()));
        }
        s
    }
}

/// Smallest channel spacing drawn when channels per page are chosen automatically,
/// points (labels stay readable).
pub const MIN_LANE: f32 = 16.0;

impl BrowserView {
    /// A view on the first page.
    pub fn new(page: f64, uv_per_div: f32, remove_dc: bool) -> Self {
        BrowserView {
            t0: 0.0,
            page: page.max(MIN_PAGE),
            uv_per_div,
            remove_dc,
            selected: None,
            goto_text: String::new(),
            goto_error: None,
            clock: false,
            fit_now: false,
            fit_on_open: true,
            rows_per_page: None,
            first_row: 0,
            rows_shown: (0, 0),
            reveal_selected: false,
            row_scroll: 0.0,
            measure: None,
        }
    }

    /// End of the page, s.
    pub fn t1(&self) -> f64 {
        self.t0 + self.page
    }

    /// Keeps the page inside `[0, duration]` (a page longer than the recording starts
    /// at 0).
    pub fn clamp(&mut self, duration: f64) {
        let max_page = duration.max(MIN_PAGE);
        if !(self.page.is_finite() && self.page > 0.0) {
            self.page = 10.0f64.min(max_page);
        }
        self.page = self.page.clamp(MIN_PAGE, max_page);
        if !self.t0.is_finite() {
            self.t0 = 0.0;
        }
        self.t0 = self.t0.clamp(0.0, (duration - self.page).max(0.0));
    }

    /// Moves by `pages` pages (±1 for PgUp/PgDn, ±0.1 for the arrows).
    pub fn scroll_pages(&mut self, pages: f64, duration: f64) {
        self.t0 += pages * self.page;
        self.clamp(duration);
    }

    /// Multiplies the page length by `factor` keeping time `anchor` (s) at the same
    /// place on screen.
    pub fn zoom(&mut self, factor: f64, anchor: f64, duration: f64) {
        if !(factor.is_finite() && factor > 0.0) {
            return;
        }
        let rel = ((anchor - self.t0) / self.page).clamp(0.0, 1.0);
        let old = self.page;
        self.page = (self.page * factor).clamp(MIN_PAGE, duration.max(MIN_PAGE));
        self.t0 = anchor - rel * self.page;
        if (self.page - old).abs() < f64::EPSILON {
            self.t0 = self.t0.max(0.0);
        }
        self.clamp(duration);
    }

    /// Puts time `t` (s) at the start of the page (or as late as the recording allows).
    pub fn jump_to(&mut self, t: f64, duration: f64) {
        self.t0 = t;
        self.clamp(duration);
    }

    /// Puts time `t` (s) in the middle of the page.
    pub fn center_on(&mut self, t: f64, duration: f64) {
        self.t0 = t - 0.5 * self.page;
        self.clamp(duration);
    }
}

/// The traces of the visible channels for one page and width, kept until the page,
/// width or channel set changes.
#[derive(Debug, Clone)]
pub struct TraceCache {
    key: (u64, u64, usize, Vec<usize>, bool),
    /// `(signal index, trace, drawn offset)`; the offset is the page mean when DC
    /// removal is on, else 0.
    pub traces: Vec<(usize, Result<Trace, String>, f32)>,
}

/// One open recording.
pub struct Document {
    pub id: DocId,
    /// Tab title (the file name).
    pub title: String,
    /// The file it was read from (`None` for a recording made in memory); hashed into
    /// the provenance of exported results.
    pub path: Option<std::path::PathBuf>,
    pub recording: Arc<Recording>,
    /// Opened with repairs (lenient reading).
    pub lenient: bool,
    pub view: View,
    pub browser: BrowserView,
    /// Channels in display order.
    pub channels: Vec<ChannelDisplay>,
    pub pyramid: Option<Arc<Pyramid>>,
    /// The job building the pyramid, while it runs.
    pub pyramid_job: Option<JobId>,
    /// Montage and display filters of the browser, with their derived page.
    pub display: super::display::DisplayState,
    /// Sample, wall-clock and clock time of the recording, with its gaps.
    pub timeline: super::timeline::Timeline,
    trace_cache: Option<TraceCache>,
}

impl Document {
    pub fn new(
        id: DocId,
        title: String,
        recording: Recording,
        lenient: bool,
        browser: BrowserView,
    ) -> Self {
        let channels = (0..recording.signals().len())
            .map(|signal| ChannelDisplay {
                signal,
                visible: true,
                bad: false,
                gain: 1.0,
            })
            .collect();
        let mut doc = Document {
            id,
            title,
            path: None,
            recording: Arc::new(recording),
            lenient,
            view: View::Signals,
            browser,
            channels,
            pyramid: None,
            pyramid_job: None,
            display: Default::default(),
            timeline: Default::default(),
            trace_cache: None,
        };
        doc.timeline = super::timeline::Timeline::of(&doc.recording);
        let d = doc.duration();
        doc.browser.clamp(d);
        doc
    }

    /// Duration of the recording, s.
    pub fn duration(&self) -> f64 {
        self.recording.duration()
    }

    /// Visible channels in display order.
    pub fn visible_channels(&self) -> impl Iterator<Item = &ChannelDisplay> {
        self.channels.iter().filter(|c| c.visible)
    }

    /// Moves the channel at display position `pos` by `delta` places.
    pub fn move_channel(&mut self, pos: usize, delta: isize) {
        let to = pos as isize + delta;
        if pos < self.channels.len() && to >= 0 && (to as usize) < self.channels.len() {
            self.channels.swap(pos, to as usize);
        }
    }

    /// Shows every channel again in file order (bad marks are kept).
    pub fn reset_channels(&mut self) {
        self.channels.sort_by_key(|c| c.signal);
        for c in &mut self.channels {
            c.visible = true;
            c.gain = 1.0;
        }
    }

    /// The traces of the visible channels for the current page drawn `width` pixels
    /// wide (from the pyramid when built), recomputed only when something changed.
    pub fn traces(&mut self, width: usize) -> &TraceCache {
        let visible: Vec<usize> = self.visible_channels().map(|c| c.signal).collect();
        let key = (
            self.browser.t0.to_bits(),
            self.browser.page.to_bits(),
            width,
            visible,
            self.pyramid.is_some(),
        );
        let stale = self.trace_cache.as_ref().is_none_or(|c| c.key != key);
        if stale {
            let (t0, t1) = (self.browser.t0, self.browser.t1());
            let pyr = self.pyramid.clone();
            let rec = self.recording.clone();
            // One channel per task; `collect` keeps the display order.
            let traces = key
                .3
                .par_iter()
                .map(|&s| {
                    let p = pyr.as_ref().and_then(|p| p.channels.get(s));
                    let trace = page_trace(&rec, p, s, t0, t1, width);
                    let mean = trace.as_ref().map(Trace::mean).unwrap_or(0.0);
                    (s, trace, mean)
                })
                .collect();
            self.trace_cache = Some(TraceCache { key, traces });
        }
        // Filled just above when missing.
        self.trace_cache
            .as_ref()
            .expect("trace cache was just filled")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_stays_inside_the_recording() {
        let mut v = BrowserView::new(10.0, 100.0, true);
        v.clamp(95.0);
        v.scroll_pages(1.0, 95.0);
        assert_eq!(v.t0, 10.0);
        v.scroll_pages(0.1, 95.0);
        assert!((v.t0 - 11.0).abs() < 1e-12);
        for _ in 0..20 {
            v.scroll_pages(1.0, 95.0);
        }
        assert_eq!(v.t0, 85.0, "last page ends at the end of the recording");
        v.scroll_pages(-100.0, 95.0);
        assert_eq!(v.t0, 0.0);
    }

    #[test]
    fn zoom_keeps_the_anchor_in_place_and_respects_limits() {
        let mut v = BrowserView::new(10.0, 100.0, true);
        v.jump_to(100.0, 1000.0);
        v.zoom(0.5, 105.0, 1000.0);
        assert!((v.page - 5.0).abs() < 1e-12);
        assert!((v.t0 - 102.5).abs() < 1e-12, "t0 = {}", v.t0);
        v.zoom(1e-6, 105.0, 1000.0);
        assert_eq!(v.page, MIN_PAGE);
        v.zoom(1e9, 0.0, 1000.0);
        assert_eq!((v.t0, v.page), (0.0, 1000.0));
    }

    #[test]
    fn typed_times_parse() {
        assert_eq!(parse_time("125.5"), Ok(125.5));
        assert_eq!(parse_time("2:05.5"), Ok(125.5));
        assert_eq!(parse_time("1:00:00"), Ok(3600.0));
        assert_eq!(parse_time(" 30 s"), Ok(30.0));
        assert!(parse_time("1:75").is_err());
        assert!(parse_time("abc").is_err());
        assert!(parse_time("-3").is_err());
        assert!(parse_time("").is_err());
        assert_eq!(format_time(125.5), "2:05.5");
        assert_eq!(format_time(3725.0), "1:02:05.0");
    }
}
