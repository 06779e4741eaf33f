//! User preferences kept between sessions (eframe storage): last folder, recent files,
//! default gain and page length, theme. Analysis configurations are not kept here:
//! they are TOML files the user saves and the CLI reads.

use super::display::DisplayFilters;
use serde::{Deserialize, Serialize};
use sesame_core::signal::montage::Montage;
use std::path::{Path, PathBuf};

/// How many recent files are remembered.
pub const MAX_RECENT: usize = 10;

/// Colour theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ThemeChoice {
    /// Follow the operating system.
    #[default]
    System,
    Light,
    Dark,
}

/// Preferences persisted with eframe storage. Every field has a default, so a settings
/// file from an older version never blocks startup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Folder the open dialog starts in.
    pub last_dir: Option<PathBuf>,
    /// Recently opened files, most recent first.
    pub recent: Vec<PathBuf>,
    /// Default sensitivity of new browsers: µV per channel spacing.
    pub uv_per_div: f32,
    /// Default page length of new browsers, s.
    pub page_seconds: f64,
    /// Remove each channel's mean over the page before drawing.
    pub remove_dc: bool,
    /// Show the whole-recording overview strip under the traces.
    pub show_overview: bool,
    pub theme: ThemeChoice,
    /// Montage of new browsers (the last one chosen).
    pub montage: Montage,
    /// Bipolar montages defined or loaded by the user, offered with the built-in ones.
    pub user_montages: Vec<Montage>,
    /// Display filters of new browsers (the last ones set).
    pub display_filters: DisplayFilters,
    /// Show times as clock time (from the recording's start time) instead of elapsed.
    pub clock_time: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            last_dir: None,
            recent: Vec::new(),
            uv_per_div: 100.0,
            page_seconds: 10.0,
            remove_dc: true,
            show_overview: true,
            theme: ThemeChoice::System,
            montage: Montage::referential(),
            user_montages: Vec::new(),
            display_filters: DisplayFilters::default(),
            clock_time: false,
        }
    }
}

impl Settings {
    /// Records `path` as opened: first in the recent list (no duplicates, at most
    /// [`MAX_RECENT`]) and its folder as the last folder.
    /// The path is stored absolute, so that the list still works when the application
    /// is started from another folder.
    pub fn note_opened(&mut self, path: &Path) {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let path = path.as_path();
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_path_buf());
        self.recent.truncate(MAX_RECENT);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            self.last_dir = Some(dir.to_path_buf());
        }
    }

    /// Sanitises values read from an old or edited settings file.
    pub fn sanitized(mut self) -> Self {
        let d = Settings::default();
        if !(self.uv_per_div.is_finite() && self.uv_per_div > 0.0) {
            self.uv_per_div = d.uv_per_div;
        }
        if !(self.page_seconds.is_finite() && self.page_seconds > 0.0) {
            self.page_seconds = d.page_seconds;
        }
        self.recent.truncate(MAX_RECENT);
        if self.montage.validate().is_err() {
            self.montage = d.montage;
        }
        self.user_montages.retain(|m| m.validate().is_ok());
        self.display_filters = self.display_filters.sanitized();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_files_are_unique_most_recent_first_and_bounded() {
        let mut s = Settings::default();
        for i in 0..15 {
            s.note_opened(Path::new(&format!("/data/f{i}.edf")));
        }
        s.note_opened(Path::new("/data/f12.edf"));
        assert_eq!(s.recent.len(), MAX_RECENT);
        assert_eq!(s.recent[0], PathBuf::from("/data/f12.edf"));
        assert_eq!(s.recent[1], PathBuf::from("/data/f14.edf"));
        assert_eq!(
            s.recent.iter().filter(|p| p.ends_with("f12.edf")).count(),
            1
        );
        assert_eq!(s.last_dir, Some(PathBuf::from("/data")));
    }

    #[test]
    fn old_settings_without_new_fields_still_load() {
        let s: Settings = serde_json::from_str(r#"{"uv_per_div": 50.0}"#).expect("parses");
        assert_eq!(s.uv_per_div, 50.0);
        assert_eq!(s.page_seconds, 10.0);
        let bad = Settings {
            uv_per_div: -3.0,
            page_seconds: f64::NAN,
            ..Settings::default()
        };
        let fixed = bad.sanitized();
        assert_eq!(fixed.uv_per_div, 100.0);
        assert_eq!(fixed.page_seconds, 10.0);
    }
}
