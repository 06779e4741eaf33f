//! Helpers shared by the application's integration tests (each test file that needs them
//! says `mod common;`; not every file uses every helper).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use sesame::gui::app::SesameApp;

/// The bundled sample recording.
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sample-data/sesame-sample.edf")
}

/// The shared test recordings (`../shared` beside the repository, or
/// `SESAME_SHARED_DIR`), if present.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SESAME_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    dir.is_dir().then_some(dir)
}

/// Steps the app until `done` holds (background jobs finish between frames), then one
/// more frame so the result is drawn. Fails after 3 minutes: a guard against a hang, not
/// a timing requirement.
pub fn step_until(h: &mut Harness<'_, SesameApp>, what: &str, done: impl Fn(&SesameApp) -> bool) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "timed out waiting for: {what}"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    h.step();
}
