//! File dialogs that say when they cannot be shown.
//!
//! On Linux the platform dialog is drawn by a desktop portal (over D-Bus) or, failing
//! that, by `zenity`. Without either, the dialog library returns "nothing chosen", as
//! if the user had cancelled. [`native`] tells the two apart: a dialog known to be
//! missing, or one that returns nothing faster than anyone could cancel it, is
//! [`Picked::Unavailable`] with the reason, and the views then offer a field to type
//! the path instead.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a file dialog gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Picked<T> {
    /// The user chose this.
    Chosen(T),
    /// The user closed the dialog without choosing.
    Cancelled,
    /// No dialog could be shown; the reason names what to install.
    Unavailable(String),
}

impl<T> Picked<T> {
    /// `Chosen` for `Some`, `Cancelled` for `None` (a dialog known to have been shown).
    pub fn from_option(o: Option<T>) -> Self {
        match o {
            Some(v) => Picked::Chosen(v),
            None => Picked::Cancelled,
        }
    }
}

/// A path to type because no file dialog could be shown.
#[derive(Debug, Clone, PartialEq)]
pub struct PathPrompt {
    /// Why the dialog could not be shown.
    pub reason: String,
    /// The path as typed.
    pub text: String,
}

/// The last component of a path, for titles.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// What is missing when no file dialog can be shown.
pub const NO_DIALOG: &str = "no file dialog can be shown here: it needs a desktop portal \
(the xdg-desktop-portal package with a file-chooser backend such as \
xdg-desktop-portal-gtk) or zenity";

/// A dialog answering "nothing" sooner than this was not shown.
const TOO_FAST: Duration = Duration::from_millis(150);

/// Why no platform file dialog can be shown, when that is known before trying.
pub fn known_unavailable() -> Option<String> {
    if cfg!(any(target_os = "windows", target_os = "macos")) {
        return None;
    }
    if std::env::var_os("SESAME_NO_FILE_DIALOG").is_some() {
        return Some(NO_DIALOG.to_string());
    }
    let zenity = in_path("zenity");
    let portal = portal_installed() && session_bus();
    (!zenity && !portal).then(|| NO_DIALOG.to_string())
}

/// Runs a platform dialog (`show`, on the calling thread) and says whether it was
/// shown: see the module documentation.
pub fn native<T>(show: impl FnOnce() -> Option<T>) -> Picked<T> {
    if let Some(why) = known_unavailable() {
        return Picked::Unavailable(why);
    }
    let started = Instant::now();
    match show() {
        Some(v) => Picked::Chosen(v),
        None if started.elapsed() < TOO_FAST => Picked::Unavailable(format!(
            "the file dialog closed as soon as it opened, so it could not be shown ({NO_DIALOG})"
        )),
        None => Picked::Cancelled,
    }
}

/// A one-file dialog: `(title, allowed extensions)` → the path chosen, or why none.
pub type FileDialog = Arc<dyn Fn(&str, &[&str]) -> Picked<PathBuf> + Send + Sync>;

/// The one-file dialogs the views ask: to open a file and to save one.
#[derive(Clone)]
pub struct Dialogs {
    /// Chooses one existing file.
    pub open: FileDialog,
    /// Chooses where to save a file.
    pub save: FileDialog,
}

/// The platform dialog choosing one existing file with one of `exts`.
pub fn native_open(title: &str, exts: &[&str]) -> Picked<PathBuf> {
    native(|| {
        rfd::FileDialog::new()
            .set_title(title)
            .add_filter(exts.join(", "), exts)
            .pick_file()
    })
}

/// The platform dialog choosing where to save a file with one of `exts`.
pub fn native_save(title: &str, exts: &[&str]) -> Picked<PathBuf> {
    native(|| {
        rfd::FileDialog::new()
            .set_title(title)
            .add_filter(exts.join(", "), exts)
            .save_file()
    })
}

/// Shows a dialog off the frame loop: `show` runs on a thread of its own (a platform
/// dialog blocks its thread until the user answers), `then` turns the answer into
/// the outcome on the same thread (reading or writing the file chosen), and the
/// outcome arrives on the returned channel, followed by a call to `repaint`.
///
/// Every file dialog of the application goes through here. A dialog is not a job of
/// [`super::jobs::Jobs`]: it cannot be cancelled from the status bar (the platform
/// owns its window) and has no progress to show.
pub fn ask<P: Send + 'static, T: Send + 'static>(
    show: impl FnOnce() -> Picked<P> + Send + 'static,
    then: impl FnOnce(Picked<P>) -> T + Send + 'static,
    repaint: impl Fn() + Send + 'static,
) -> Result<Receiver<T>, String> {
    let (tx, rx) = channel();
    std::thread::Builder::new()
        .name("file dialog".into())
        .spawn(move || {
            // The receiver may be gone if the window closed; nobody waits then.
            let _ = tx.send(then(show()));
            repaint();
        })
        .map_err(|e| format!("could not show the file dialog: {e}"))?;
    Ok(rx)
}

fn in_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Whether the desktop portal service is installed (its D-Bus activation file).
fn portal_installed() -> bool {
    let mut dirs: Vec<PathBuf> = std::env::var_os("XDG_DATA_DIRS")
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_default();
    if dirs.is_empty() {
        dirs = vec!["/usr/local/share".into(), "/usr/share".into()];
    }
    if let Some(home) = std::env::var_os("XDG_DATA_HOME") {
        dirs.push(home.into());
    } else if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".local/share"));
    }
    dirs.iter().any(|d| {
        d.join("dbus-1/services/org.freedesktop.portal.Desktop.service")
            .is_file()
    })
}

/// Whether a D-Bus session bus is there to reach the portal.
fn session_bus() -> bool {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|d| Path::new(&d).join("bus").exists())
}

/// A path typed by the user, as a path: surrounding blanks and quotes removed, `~/`
/// expanded; `None` when nothing was typed.
pub fn typed_path(text: &str) -> Option<PathBuf> {
    let t = text.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if t.is_empty() {
        return None;
    }
    if let Some(rest) = t.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return Some(Path::new(&home).join(rest));
        }
    }
    Some(PathBuf::from(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dialog_that_returns_at_once_was_not_shown() {
        if known_unavailable().is_some() {
            assert!(matches!(native(|| Some(1)), Picked::Unavailable(_)));
            return;
        }
        assert_eq!(native(|| Some(1)), Picked::Chosen(1));
        assert!(matches!(native::<i32>(|| None), Picked::Unavailable(_)));
        let slow = native::<i32>(|| {
            std::thread::sleep(TOO_FAST * 2);
            None
        });
        assert_eq!(slow, Picked::Cancelled);
    }

    #[test]
    fn typed_paths_are_cleaned() {
        assert_eq!(typed_path("  "), None);
        assert_eq!(
            typed_path(" \"/a b/c.edf\" "),
            Some(PathBuf::from("/a b/c.edf"))
        );
        assert_eq!(typed_path("rec.edf"), Some(PathBuf::from("rec.edf")));
    }
}
