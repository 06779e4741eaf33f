//! The desktop application (egui/eframe).
//!
//! [`app::SesameApp`] holds the state and applies [`command::Command`]s; each view is
//! one module implementing [`command::View`] (`browser` (with `montage`), `info`,
//! `tfmap`, `analysis`, `results`, `aligned`), drawn with a [`command::ViewContext`]
//! and returning commands; `open` and `help` draw the menus, welcome page and
//! overlays; [`jobs`] runs `core` work on worker threads with progress and cancel,
//! drained once per frame.

pub mod aligned;
pub mod analysis;
pub mod app;
pub mod browser;
pub mod command;
pub mod dialog;
pub mod display;
pub mod document;
pub mod export;
pub mod glyphs;
pub mod help;
pub mod info;
pub mod jobs;
pub mod matrix;
pub mod montage;
pub mod open;
pub mod pyramid;
pub mod results;
pub mod scalp;
pub mod settings;
pub mod tfmap;
pub mod timeline;

use std::path::PathBuf;
use std::sync::Arc;

/// Identifier of the app in eframe storage (settings file location).
pub const APP_ID: &str = "sesame";

/// Opens the window, with `files` opened in tabs, and returns when it is closed.
pub fn run(files: Vec<PathBuf>) -> anyhow::Result<()> {
    run_with(move |app| {
        for f in files {
            app.commands.push(command::Command::Open {
                path: f,
                lenient: false,
            });
        }
    })
}

/// Opens the window after `setup` has prepared the app (files to open, recordings
/// already in memory), and returns when it is closed.
pub fn run_with(setup: impl FnOnce(&mut app::SesameApp) + 'static) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("SESAME")
            .with_app_id(APP_ID)
            .with_inner_size([1400.0, 900.0])
            .with_min_inner_size([640.0, 400.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        APP_ID,
        options,
        Box::new(move |cc| {
            let settings = cc
                .storage
                .and_then(|s| eframe::get_value::<settings::Settings>(s, eframe::APP_KEY))
                .unwrap_or_default();
            let mut app = app::SesameApp::new(settings, Arc::new(app::NativePicker));
            setup(&mut app);
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))
}
