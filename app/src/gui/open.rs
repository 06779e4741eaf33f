//! Opening recordings: the menu bar, the welcome page with recent files, the error
//! panel for files that could not be read (with "open leniently"), and the overlay
//! shown while files are dragged over the window.

use super::command::Command;
use super::dialog::{file_name, typed_path, PathPrompt};
use super::document::DocId;
use super::export::ExportKind;
use super::settings::{Settings, ThemeChoice};
use std::path::PathBuf;

/// A file that could not be opened, shown in the error panel.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenFailure {
    pub path: PathBuf,
    /// The reader's message (names the field and value at fault).
    pub message: String,
    /// Whether this failure was already with lenient reading.
    pub lenient: bool,
}

/// What the menu bar needs to know of the app to enable its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MenuState {
    /// The tab shown.
    pub active: Option<DocId>,
    /// There are result rows to export.
    pub rows: bool,
    /// The results came with their configuration (TOML).
    pub config_toml: bool,
    /// A figure is shown (the Results view of the active tab).
    pub figure: bool,
    /// The configuration dialog is open.
    pub loading_config: bool,
}

/// The menu bar: File, View, Help. The View menu edits `settings`.
pub fn menu_bar(ui: &mut egui::Ui, settings: &mut Settings, state: MenuState) -> Vec<Command> {
    let mut commands = Vec::new();
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open…  (Ctrl+O)").clicked() {
                commands.push(Command::ShowOpenDialog);
                ui.close();
            }
            ui.menu_button("Open recent", |ui| {
                if settings.recent.is_empty() {
                    ui.label("No recent files");
                }
                for path in settings.recent.clone() {
                    if ui.button(path.display().to_string()).clicked() {
                        commands.push(Command::Open {
                            path,
                            lenient: false,
                        });
                        ui.close();
                    }
                }
                if !settings.recent.is_empty() {
                    ui.separator();
                    if ui.button("Clear recent files").clicked() {
                        commands.push(Command::ClearRecent);
                        ui.close();
                    }
                }
            });
            if let Some(id) = state.active {
                if ui.button("Close  (Ctrl+W)").clicked() {
                    commands.push(Command::Close(id));
                    ui.close();
                }
            }
            ui.separator();
            let doc = state.active.is_some();
            let rows = state.rows;
            let figure = state.figure;
            let items = [
                (
                    "Load configuration…",
                    doc && !state.loading_config,
                    Command::LoadConfig,
                    "Take over an analysis configuration (TOML), as `sesame analyze --config` reads it",
                ),
                (
                    "Save configuration…",
                    doc,
                    Command::SaveConfig,
                    "Save the Analysis view's configuration (TOML) for `sesame analyze --config`",
                ),
                (
                    "Export results…",
                    rows,
                    Command::Export(ExportKind::Results),
                    "Every result row as CSV, TSV or JSON, with provenance",
                ),
                (
                    "Export config TOML of the results…",
                    rows && state.config_toml,
                    Command::Export(ExportKind::Config),
                    "The configuration that produced the rows",
                ),
                (
                    "Save figure…",
                    figure,
                    Command::Export(ExportKind::Figure),
                    "The matrix or scalp map shown in Results, as `sesame plot` draws it (PNG or SVG)",
                ),
            ];
            for (title, enabled, command, about) in items {
                if ui
                    .add_enabled(enabled, egui::Button::new(title))
                    .on_hover_text(about)
                    .clicked()
                {
                    commands.push(command);
                    ui.close();
                }
            }
            ui.separator();
            if ui.button("Quit  (Ctrl+Q)").clicked() {
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
        ui.menu_button("View", |ui| {
            ui.checkbox(&mut settings.show_overview, "Overview strip");
            if ui
                .checkbox(&mut settings.remove_dc, "Remove DC offset (page mean)")
                .changed()
            {
                commands.push(Command::SetRemoveDc(settings.remove_dc));
            }
            ui.separator();
            ui.label("Theme");
            ui.radio_value(&mut settings.theme, ThemeChoice::System, "System");
            ui.radio_value(&mut settings.theme, ThemeChoice::Light, "Light");
            ui.radio_value(&mut settings.theme, ThemeChoice::Dark, "Dark");
        });
        ui.menu_button("Help", |ui| {
            if ui.button("Keyboard shortcuts  (?)").clicked() {
                commands.push(Command::ShowHelp(true));
                ui.close();
            }
            ui.label(format!("SESAME {}", sesame_core::VERSION));
        });
    });
    commands
}

/// Shown when no recording is open.
pub fn welcome(ui: &mut egui::Ui, settings: &Settings) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.vertical_centered(|ui| {
        ui.add_space(40.0);
        ui.heading("SESAME — stochastic event synchrony for multichannel EEG");
        ui.add_space(12.0);
        ui.label(
            "Open an EDF/EDF+/BDF recording: File > Open, Ctrl+O, or drop files on this window.",
        );
        ui.add_space(12.0);
        if ui.button("Open a recording…").clicked() {
            commands.push(Command::ShowOpenDialog);
        }
        if !settings.recent.is_empty() {
            ui.add_space(24.0);
            ui.strong("Recent files");
            for path in &settings.recent {
                if ui.link(path.display().to_string()).clicked() {
                    commands.push(Command::Open {
                        path: path.clone(),
                        lenient: false,
                    });
                }
            }
        }
        ui.add_space(24.0);
        ui.weak("Press ? for keyboard shortcuts.");
    });
    commands
}

/// One window listing the files that failed to open: for each, the reader's message
/// and the choice to read it again leniently (repairing what can be repaired) or to
/// dismiss it.
pub fn failure_panel(ctx: &egui::Context, failures: &[OpenFailure]) -> Vec<Command> {
    if failures.is_empty() {
        return Vec::new();
    }
    let mut actions: Vec<Command> = Vec::new();
    let title = if failures.len() == 1 {
        "Could not open a file".to_string()
    } else {
        format!("Could not open {} files", failures.len())
    };
    egui::Window::new(title)
        .id(egui::Id::unique("open-failures"))
        .collapsible(false)
        .resizable(true)
        .default_width(560.0)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            egui::ScrollArea::vertical()
                .max_height(480.0)
                .show(ui, |ui| {
                    for (i, f) in failures.iter().enumerate() {
                        if i > 0 {
                            ui.separator();
                        }
                        ui.push_id(i, |ui| {
                            ui.strong(format!("Could not open {}", file_name(&f.path)));
                            ui.label(egui::RichText::new(f.path.display().to_string()).monospace());
                            ui.colored_label(ui.visuals().error_fg_color, &f.message);
                            if f.lenient {
                                ui.label("Even lenient reading could not repair this file.");
                            } else {
                                ui.label(
                                    "Lenient reading repairs common header faults (wrong record \
                                 count, non-ASCII characters, bad file size) and lists every \
                                 repair.",
                                );
                            }
                            ui.horizontal(|ui| {
                                if !f.lenient && ui.button("Open leniently").clicked() {
                                    actions.push(Command::Open {
                                        path: f.path.clone(),
                                        lenient: true,
                                    });
                                }
                                if ui.button("Dismiss").clicked() {
                                    actions.push(Command::DismissFailure(i));
                                }
                            });
                        });
                    }
                });
        });
    // Dismissals by index go last-first so earlier indices stay valid.
    actions.sort_by_key(|c| match c {
        Command::DismissFailure(i) => std::cmp::Reverse(*i),
        _ => std::cmp::Reverse(usize::MAX),
    });
    actions
}

/// Darkens the window while files are dragged over it.
pub fn drop_overlay(ctx: &egui::Context) {
    let hovered: Vec<PathBuf> = ctx.input(|i| {
        i.raw
            .hovered_files
            .iter()
            .filter_map(|f| f.path.clone())
            .collect()
    });
    let any = ctx.input(|i| !i.raw.hovered_files.is_empty());
    if !any {
        return;
    }
    let screen = ctx.content_rect();
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("drop"),
    ));
    painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(160));
    let text = if hovered.is_empty() {
        "Drop to open".to_string()
    } else {
        format!(
            "Drop to open:\n{}",
            hovered
                .iter()
                .map(|p| file_name(p))
                .collect::<Vec<_>>()
                .join("\n")
        )
    };
    painter.text(
        screen.center(),
        egui::Align2::CENTER_CENTER,
        text,
        egui::FontId::proportional(22.0),
        egui::Color32::WHITE,
    );
}

/// The window asking for a recording's path when no file dialog could be shown: the
/// reason (what to install), a field for the path, **Open** and **Cancel**.
pub fn path_prompt(ctx: &egui::Context, open_prompt: &mut Option<PathPrompt>) -> Vec<Command> {
    let mut commands = Vec::new();
    let Some(prompt) = open_prompt.as_mut() else {
        return commands;
    };
    let mut open = None;
    let mut close = false;
    egui::Window::new("Open a recording by its path")
        .collapsible(false)
        .resizable(false)
        .default_width(520.0)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.colored_label(ui.visuals().warn_fg_color, &prompt.reason);
            ui.label("Type the path of the file to open instead:");
            let label = ui.label("Path");
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut prompt.text)
                        .desired_width(480.0)
                        .hint_text("/folder/recording.edf"),
                )
                .labelled_by(label.id);
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                if ui.button("Open").clicked() || enter {
                    open = typed_path(&prompt.text);
                }
                if ui.button("Cancel").clicked() {
                    close = true;
                }
            });
        });
    if let Some(path) = open {
        commands.push(Command::Open {
            path,
            lenient: false,
        });
        close = true;
    }
    if close {
        *open_prompt = None;
    }
    commands
}
