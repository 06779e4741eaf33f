//! Opening recordings: the menu bar, the welcome page with recent files, the error
//! panel for files that could not be read (with "open leniently"), and the overlay
//! shown while files are dragged over the window.

use super::app::{file_name, Command, SesameApp};
use super::dialog::typed_path;
use super::export::ExportKind;
use super::settings::{Settings, ThemeChoice};
use std::path::PathBuf;

/// The menu bar: File, View, Help.
pub fn menu_bar(ui: &mut egui::Ui, app: &mut SesameApp) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open…  (Ctrl+O)").clicked() {
                app.commands.push(Command::ShowOpenDialog);
                ui.close();
            }
            ui.menu_button("Open recent", |ui| {
                if app.settings.recent.is_empty() {
                    ui.label("No recent files");
                }
                for path in app.settings.recent.clone() {
                    if ui.button(path.display().to_string()).clicked() {
                        app.commands.push(Command::Open {
                            path,
                            lenient: false,
                        });
                        ui.close();
                    }
                }
                if !app.settings.recent.is_empty() {
                    ui.separator();
                    if ui.button("Clear recent files").clicked() {
                        app.commands.push(Command::ClearRecent);
                        ui.close();
                    }
                }
            });
            if let Some(id) = app.active {
                if ui.button("Close  (Ctrl+W)").clicked() {
                    app.commands.push(Command::Close(id));
                    ui.close();
                }
            }
            ui.separator();
            let doc = app.active.is_some();
            let rows = !app.results.results.rows.is_empty();
            let figure = app.results.figure.is_some()
                && app
                    .active_doc()
                    .is_some_and(|d| d.view == super::document::View::Results);
            let items = [
                (
                    "Load configuration…",
                    doc && app.analysis.loading.is_none(),
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
                    rows && !app.results.config_toml.trim().is_empty(),
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
                    app.commands.push(command);
                    ui.close();
                }
            }
            ui.separator();
            if ui.button("Quit  (Ctrl+Q)").clicked() {
                ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
        ui.menu_button("View", |ui| {
            ui.checkbox(&mut app.settings.show_overview, "Overview strip");
            if ui
                .checkbox(&mut app.settings.remove_dc, "Remove DC offset (page mean)")
                .changed()
            {
                let on = app.settings.remove_dc;
                for d in &mut app.docs {
                    d.browser.remove_dc = on;
                }
            }
            ui.separator();
            ui.label("Theme");
            ui.radio_value(&mut app.settings.theme, ThemeChoice::System, "System");
            ui.radio_value(&mut app.settings.theme, ThemeChoice::Light, "Light");
            ui.radio_value(&mut app.settings.theme, ThemeChoice::Dark, "Dark");
        });
        ui.menu_button("Help", |ui| {
            if ui.button("Keyboard shortcuts  (?)").clicked() {
                app.show_help = true;
                ui.close();
            }
            ui.label(format!("SESAME {}", sesame_core::VERSION));
        });
    });
}

/// Shown when no recording is open.
pub fn welcome(ui: &mut egui::Ui, settings: &Settings, commands: &mut Vec<Command>) {
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
}

/// One window listing the files that failed to open: for each, the reader's message
/// and the choice to read it again leniently (repairing what can be repaired) or to
/// dismiss it.
pub fn failure_panel(ctx: &egui::Context, app: &mut SesameApp) {
    if app.failures.is_empty() {
        return;
    }
    let mut actions: Vec<Command> = Vec::new();
    let title = if app.failures.len() == 1 {
        "Could not open a file".to_string()
    } else {
        format!("Could not open {} files", app.failures.len())
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
                    for (i, f) in app.failures.iter().enumerate() {
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
    app.commands.extend(actions);
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
pub fn path_prompt(ctx: &egui::Context, app: &mut SesameApp) {
    let Some(prompt) = app.open_prompt.as_mut() else {
        return;
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
        app.commands.push(Command::Open {
            path,
            lenient: false,
        });
        close = true;
    }
    if close {
        app.open_prompt = None;
    }
}
