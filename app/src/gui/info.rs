//! Recording info: the header, every signal (label, canonical name, type, rate, unit,
//! range, prefilter, transducer), warnings from reading, and the annotation list (a
//! click jumps the browser there).

use super::command::{self, Command, ViewContext};
use super::document::{format_time, Document, View};
use egui_extras::{Column, TableBuilder};
use sesame_core::recording::{ChannelKind, Format};

/// The Info view: the header, the signals and the annotations of the active
/// recording.
pub struct InfoView;

impl command::View for InfoView {
    fn ui(&mut self, ui: &mut egui::Ui, ctx: &mut ViewContext<'_>) -> Vec<Command> {
        if let Some(doc) = ctx.doc.as_deref_mut() {
            show(ui, doc);
        }
        Vec::new()
    }
}

fn show(ui: &mut egui::Ui, doc: &mut Document) {
    let rec = doc.recording.clone();
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
    egui::Grid::new("header").num_columns(2).show(ui, |ui| {
        ui.strong("File");
        ui.label(
            rec.path
                .as_ref()
                .map_or("(in memory)".into(), |p| p.display().to_string()),
        );
        ui.end_row();
        ui.strong("Format");
        ui.label(format!(
            "{}{}",
            format_name(rec.format),
            if doc.lenient { " (read leniently)" } else { "" }
        ));
        ui.end_row();
        ui.strong("Start");
        ui.label(
            doc.timeline
                .start_text
                .clone()
                .unwrap_or_else(|| "not given".into()),
        );
        ui.end_row();
        ui.strong("Duration");
        let tl = &doc.timeline;
        if tl.gaps.is_empty() {
            ui.label(format!(
                "{} ({:.3} s)",
                format_time(rec.duration()),
                rec.duration()
            ));
        } else {
            let wall = tl.wall(rec.duration());
            ui.label(format!(
                "{} recorded ({:.3} s) over {} ({:.3} s) with gaps",
                format_time(rec.duration()),
                rec.duration(),
                format_time(wall),
                wall
            ));
        }
        ui.end_row();
        ui.strong("Gaps");
        ui.label(match tl.gaps.len() {
            0 => "none (continuous)".to_string(),
            1 => "1 (listed below)".to_string(),
            n => format!("{n} (listed below)"),
        });
        ui.end_row();
        ui.strong("Signals");
        ui.label(rec.signals().len().to_string());
        ui.end_row();
        ui.strong("Annotations");
        ui.label(rec.annotations().len().to_string());
        ui.end_row();
    });
    if !rec.warnings.is_empty() {
        ui.collapsing(
            format!("{} warning(s) while reading", rec.warnings.len()),
            |ui| {
                for w in &rec.warnings {
                    ui.label(format!("• {w}"));
                }
            },
        );
    }
    if !doc.timeline.gaps.is_empty() {
        let tl = &doc.timeline;
        ui.collapsing(format!("{} gap(s) in the recording", tl.gaps.len()), |ui| {
            egui::Grid::new("gaps")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    ui.strong("Starts at");
                    ui.strong("Length");
                    ui.strong("Recording resumes at");
                    ui.end_row();
                    for g in &tl.gaps {
                        ui.label(tl.both(g.start));
                        ui.label(format!("{} ({:.3} s)", format_time(g.duration), g.duration));
                        ui.label(tl.both(g.start + g.duration));
                        ui.end_row();
                    }
                });
        });
    }
    ui.separator();
    let avail = ui.available_height();
    let signals_height = if rec.annotations().is_empty() {
        avail
    } else {
        avail * 0.55
    };
    ui.strong("Signals");
    ui.push_id("signals-table", |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .max_scroll_height(signals_height - 30.0)
            .column(Column::auto())
            .column(Column::auto().at_least(60.0))
            .column(Column::auto())
            .column(Column::auto())
            .column(Column::auto())
            .column(Column::auto())
            .column(Column::auto())
            .column(Column::auto())
            .column(Column::remainder())
            .header(20.0, |mut h| {
                for title in [
                    "#",
                    "Label",
                    "Electrode",
                    "Type",
                    "Rate (Hz)",
                    "Unit",
                    "Range",
                    "Prefilter",
                    "Transducer",
                ] {
                    h.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(18.0, rec.signals().len(), |mut row| {
                    let i = row.index();
                    let s = &rec.signals()[i];
                    row.col(|ui| {
                        ui.label((i + 1).to_string());
                    });
                    row.col(|ui| {
                        ui.label(&s.label);
                    });
                    row.col(|ui| {
                        ui.label(s.canonical.as_deref().unwrap_or("—"));
                    });
                    row.col(|ui| {
                        ui.label(kind_name(s.kind));
                    });
                    row.col(|ui| {
                        ui.label(format!("{}", s.sample_rate));
                    });
                    row.col(|ui| {
                        ui.label(&s.unit);
                    });
                    row.col(|ui| {
                        ui.label(format!(
                            "{} … {}",
                            short(s.physical_min),
                            short(s.physical_max)
                        ));
                    });
                    row.col(|ui| {
                        ui.label(&s.prefilter);
                    });
                    row.col(|ui| {
                        ui.label(&s.transducer);
                    });
                });
            });
    });
    if rec.annotations().is_empty() {
        return;
    }
    ui.separator();
    ui.strong("Annotations (click to show in the browser)");
    let mut jump: Option<f64> = None;
    let tl = doc.timeline.clone();
    ui.push_id("annotations-table", |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .column(Column::auto().at_least(140.0))
            .column(Column::auto().at_least(70.0))
            .column(Column::remainder())
            .header(20.0, |mut h| {
                for title in ["Onset", "Duration (s)", "Text"] {
                    h.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(18.0, rec.annotations().len(), |mut row| {
                    let a = &rec.annotations()[row.index()];
                    // Unselectable labels, so that a click anywhere selects the row.
                    let cell = |text: String| egui::Label::new(text).selectable(false);
                    row.col(|ui| {
                        ui.add(cell(tl.both(a.onset)));
                    });
                    row.col(|ui| {
                        ui.add(cell(a.duration.map_or("—".into(), |d| format!("{d}"))));
                    });
                    row.col(|ui| {
                        ui.add(cell(a.text.clone()));
                    });
                    if row.response().clicked() {
                        jump = Some(a.onset);
                    }
                });
            });
    });
    if let Some(onset) = jump {
        // Onsets are wall-clock times; the browser pages through recorded samples.
        let d = doc.duration();
        let t = doc.timeline.sample(onset);
        doc.browser.center_on(t, d);
        doc.view = View::Signals;
    }
}

/// The file format in words, as a clinician would name it.
pub fn format_name(f: Format) -> &'static str {
    match f {
        Format::Edf => "EDF",
        Format::EdfPlusC => "EDF+ (continuous)",
        Format::EdfPlusD => "EDF+ (discontinuous, with gaps)",
        Format::Bdf => "BDF",
        Format::BdfPlusC => "BDF+ (continuous)",
        Format::BdfPlusD => "BDF+ (discontinuous, with gaps)",
        Format::Csv => "CSV",
        Format::Memory => "in memory",
    }
}

/// The channel type in words.
pub fn kind_name(k: ChannelKind) -> &'static str {
    match k {
        ChannelKind::Eeg => "EEG",
        ChannelKind::Eog => "EOG",
        ChannelKind::Ecg => "ECG",
        ChannelKind::Emg => "EMG",
        ChannelKind::Other => "other",
    }
}

/// A header number with at most 4 decimals and no trailing zeros.
fn short(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}
