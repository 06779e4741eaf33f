//! Keyboard shortcuts: the table shown by the `?` overlay, and the app-wide keys.
//! The browser's own keys are handled in `browser.rs`; every key is listed here.

use super::command::Command;
use super::document::DocId;

/// Every shortcut, as shown in the overlay: (keys, action).
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Ctrl+O", "Open recordings"),
    ("Ctrl+W", "Close the current recording"),
    ("Ctrl+Q", "Quit"),
    ("? or F1", "Show or hide this help"),
    ("Esc", "Close this help"),
    (
        "PgDn / PgUp",
        "Next / previous page (browser and time-frequency map)",
    ),
    ("Right / Left arrow", "Forward / back 1/10 page"),
    ("Home / End", "Start / end of the recording"),
    ("Ctrl+wheel", "Zoom time around the pointer"),
    ("Ctrl+= / Ctrl+-", "Shorter / longer page"),
    ("+ / -", "More / less amplitude (all channels)"),
    ("A", "Fit the amplitude to the page"),
    ("Up / Down arrow", "Select the previous / next channel"),
    ("B", "Mark the selected channel bad / good"),
    ("H", "Hide the selected channel"),
    ("Click a trace or label", "Select that channel"),
    ("Click the overview strip", "Jump there"),
];

/// Keys that act anywhere in the window (unless a text field has the keyboard):
/// `active` is the tab shown, `show_help` whether the overlay is shown.
pub fn handle_global_keys(
    ctx: &egui::Context,
    active: Option<DocId>,
    show_help: bool,
) -> Vec<Command> {
    let typing = ctx.egui_wants_keyboard_input();
    let mut commands = Vec::new();
    ctx.input_mut(|i| {
        if i.consume_key(egui::Modifiers::COMMAND, egui::Key::O) {
            commands.push(Command::ShowOpenDialog);
        }
        if i.consume_key(egui::Modifiers::COMMAND, egui::Key::W) {
            if let Some(id) = active {
                commands.push(Command::Close(id));
            }
        }
        if i.consume_key(egui::Modifiers::COMMAND, egui::Key::Q) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        let mut shown = show_help;
        if shown && i.consume_key(egui::Modifiers::NONE, egui::Key::Escape) {
            shown = false;
        }
        if !typing {
            let question = i
                .events
                .iter()
                .any(|e| matches!(e, egui::Event::Text(t) if t == "?"));
            if question || i.consume_key(egui::Modifiers::NONE, egui::Key::F1) {
                shown = !shown;
            }
        }
        if shown != show_help {
            commands.push(Command::ShowHelp(shown));
        }
    });
    commands
}

/// The shortcut overlay.
pub fn overlay(ctx: &egui::Context, open: &mut bool) {
    egui::Window::new("Keyboard shortcuts")
        .open(open)
        .collapsible(false)
        .resizable(false)
        .min_width(420.0)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            egui::Grid::new("shortcuts")
                .striped(true)
                .num_columns(2)
                .show(ui, |ui| {
                    for (keys, what) in SHORTCUTS {
                        ui.strong(*keys);
                        ui.label(*what);
                        ui.end_row();
                    }
                });
        });
}
