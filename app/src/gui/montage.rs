//! Display montage and display filters of the signal browser: the state, the page of
//! derived (and filtered) samples it shows, and the montage file dialogs.
//!
//! When the montage is referential and no display filter is on, the browser draws from
//! the min/max pyramid ([`Document::traces`]). Otherwise the page is derived here from
//! the raw samples of the visible window plus a margin on both sides (so the zero-phase
//! filters have settled at the page edges), once per page: the result is cached until
//! the page, the channels shown, the bad marks, the montage or the filters change, and
//! the envelope for the screen width is cached on top of it. Drawing a frame never
//! touches the samples; a page change costs O(page samples), never O(recording).

use super::dialog::Dialogs;
use super::display::PageKey;
pub use super::display::{
    DerivedPage, DerivedRow, DisplayFilters, DisplayState, RowMeta, RowTrace, DISPLAY_NOTE,
    HIGHPASS_ORDER, LOWPASS_ORDER, NOTCH_ORDER, NOTCH_WIDTH_HZ,
};
use super::document::Document;
use super::pyramid::{trace_of_samples, Trace};
use super::settings::Settings;
use rayon::prelude::*;
use sesame_core::recording::{ChannelKind, Recording};
use sesame_core::signal::montage::{DisplayRecord, Montage, MontageChannel, Ref};
use std::collections::HashMap;

/// What the montage needs to know of each signal of `rec`, with the bad marks of `doc`.
fn montage_channels(doc: &Document) -> Vec<MontageChannel> {
    let mut all: Vec<MontageChannel> = doc
        .recording
        .signals()
        .iter()
        .map(|s| MontageChannel {
            label: s.label.clone(),
            canonical: s.canonical.clone(),
            eeg: s.kind == ChannelKind::Eeg,
            bad: false,
        })
        .collect();
    for c in &doc.channels {
        if let Some(m) = all.get_mut(c.signal) {
            m.bad = c.bad;
        }
    }
    all
}

/// The derived page of `doc` for its current page, montage and filters (cached).
pub fn derived_page(doc: &mut Document) -> &DerivedPage {
    let all = montage_channels(doc);
    let key = PageKey {
        t0: doc.browser.t0.to_bits(),
        page: doc.browser.page.to_bits(),
        shown: doc.visible_channels().map(|c| c.signal).collect(),
        bad: all.iter().map(|c| c.bad).collect(),
        montage: doc.display.montage.clone(),
        filters: doc.display.filters,
    };
    let stale = doc.display.page.as_ref().is_none_or(|(k, _)| *k != key);
    if stale {
        let (t0, t1) = (doc.browser.t0, doc.browser.t1());
        let derivations = match doc.display.montage.resolve(&all, &key.shown) {
            Ok(d) => {
                doc.display.message = None;
                d
            }
            Err(e) => {
                doc.display.message = Some(format!("{e}: channels are shown as recorded"));
                Montage::referential()
                    .resolve(&all, &key.shown)
                    .unwrap_or_default()
            }
        };
        let page = compute_page(&doc.recording, &all, &derivations, &key.filters, t0, t1);
        doc.display.traces = None;
        doc.display.page = Some((key, page));
    }
    // Filled just above when missing.
    &doc.display.page.as_ref().expect("page was just computed").1
}

/// Samples `[i0, i1)` of every signal in `needed`, read in parallel.
fn read_rows(
    rec: &Recording,
    needed: &[usize],
    t0: f64,
    t1: f64,
    margin: f64,
) -> HashMap<usize, Result<(usize, Vec<f32>), String>> {
    needed
        .par_iter()
        .map(|&s| {
            let r = rec
                .signals()
                .get(s)
                .ok_or_else(|| format!("signal {s} out of range"))
                .and_then(|info| {
                    let fs = info.sample_rate;
                    let i0 = ((t0 - margin) * fs).floor().max(0.0) as usize;
                    let i1 = (((t1 + margin) * fs).ceil().max(0.0) as usize).min(info.n_samples);
                    let i0 = i0.min(i1);
                    rec.read_signal(s, i0 as f64 / fs, i1 as f64 / fs)
                        .map(|v| (i0, v))
                        .map_err(|e| format!("reading `{}`: {e}", info.label))
                });
            (s, r)
        })
        .collect()
}

fn compute_page(
    rec: &Recording,
    all: &[MontageChannel],
    derivations: &[sesame_core::signal::montage::Derivation],
    filters: &DisplayFilters,
    t0: f64,
    t1: f64,
) -> DerivedPage {
    let mut needed: Vec<usize> = derivations.iter().flat_map(|d| d.signals()).collect();
    needed.sort_unstable();
    needed.dedup();
    let margin = if filters.any() {
        filters.margin_seconds()
    } else {
        0.0
    };
    let raw = read_rows(rec, &needed, t0, t1, margin);
    // Each distinct reference (the common average, the linked ears) computed once.
    let mut refs: HashMap<Vec<usize>, Result<Vec<f32>, String>> = HashMap::new();
    for d in derivations {
        if let Ref::Mean(set) = &d.reference {
            refs.entry(set.clone())
                .or_insert_with(|| mean_row(rec, &raw, set));
        }
    }
    let rows = derivations
        .par_iter()
        .map(|d| {
            let bad = d
                .signals()
                .iter()
                .any(|&s| all.get(s).is_some_and(|c| c.bad));
            let Some(anode) = d.anode else {
                return DerivedRow {
                    label: d.label.clone(),
                    signal: None,
                    bad,
                    sample_rate: 0.0,
                    t0,
                    values: Err(format!(
                        "missing in this recording: {}",
                        d.missing.join(", ")
                    )),
                };
            };
            let fs = rec
                .signals()
                .get(anode)
                .map(|s| s.sample_rate)
                .unwrap_or(1.0);
            let values = derive(rec, &raw, &refs, d, anode).and_then(|(i0, v)| {
                let v = if filters.any() {
                    filter_row(&v, filters, fs)?
                } else {
                    v
                };
                // Crop to the page: the first sample at or after t0, up to t1.
                let first = ((t0 * fs) - 1e-9).ceil().max(0.0) as usize;
                let last = (t1 * fs).round().max(0.0) as usize;
                let a = first.saturating_sub(i0).min(v.len());
                let b = last.saturating_sub(i0).min(v.len()).max(a);
                Ok((first.max(i0), v[a..b].to_vec()))
            });
            let (start, values) = match values {
                Ok((s, v)) => (s as f64 / fs, Ok(v)),
                Err(e) => (t0, Err(e)),
            };
            DerivedRow {
                label: d.label.clone(),
                signal: Some(anode),
                bad,
                sample_rate: fs,
                t0: start,
                values,
            }
        })
        .collect();
    DerivedPage { rows }
}

fn same_rate(rec: &Recording, a: usize, b: usize) -> Result<(), String> {
    let s = rec.signals();
    match (s.get(a), s.get(b)) {
        (Some(x), Some(y)) if (x.sample_rate - y.sample_rate).abs() < 1e-9 => Ok(()),
        (Some(x), Some(y)) => Err(format!(
            "`{}` ({} Hz) and `{}` ({} Hz) have different sample rates",
            x.label.trim(),
            x.sample_rate,
            y.label.trim(),
            y.sample_rate
        )),
        _ => Err("signal out of range".into()),
    }
}

type Raw = HashMap<usize, Result<(usize, Vec<f32>), String>>;

fn raw_row(raw: &Raw, s: usize) -> Result<&(usize, Vec<f32>), String> {
    match raw.get(&s) {
        Some(Ok(r)) => Ok(r),
        Some(Err(e)) => Err(e.clone()),
        None => Err(format!("signal {s} was not read")),
    }
}

/// Mean of the signals `set`, sample by sample (in `f64`); `(first sample, values)`.
fn mean_row(rec: &Recording, raw: &Raw, set: &[usize]) -> Result<Vec<f32>, String> {
    let first = *set.first().ok_or("empty reference")?;
    for &s in set {
        same_rate(rec, first, s)?;
    }
    let rows: Vec<&(usize, Vec<f32>)> = set
        .iter()
        .map(|&s| raw_row(raw, s))
        .collect::<Result<_, _>>()?;
    let n = rows.iter().map(|r| r.1.len()).min().unwrap_or(0);
    let k = rows.len() as f64;
    Ok((0..n)
        .map(|i| (rows.iter().map(|r| r.1[i] as f64).sum::<f64>() / k) as f32)
        .collect())
}

/// `anode − reference` over the read window; `(first sample index, values)`.
fn derive(
    rec: &Recording,
    raw: &Raw,
    refs: &HashMap<Vec<usize>, Result<Vec<f32>, String>>,
    d: &sesame_core::signal::montage::Derivation,
    anode: usize,
) -> Result<(usize, Vec<f32>), String> {
    let (i0, x) = raw_row(raw, anode)?;
    let r: Option<&[f32]> = match &d.reference {
        Ref::None => None,
        Ref::Channel(c) => {
            same_rate(rec, anode, *c)?;
            Some(&raw_row(raw, *c)?.1)
        }
        Ref::Mean(set) => {
            if let Some(&s) = set.first() {
                same_rate(rec, anode, s)?;
            }
            match refs.get(set) {
                Some(Ok(v)) => Some(v.as_slice()),
                Some(Err(e)) => return Err(e.clone()),
                None => return Err("reference was not computed".into()),
            }
        }
    };
    let v = match r {
        None => x.clone(),
        Some(r) => x.iter().zip(r).map(|(a, b)| a - b).collect(),
    };
    Ok((*i0, v))
}

/// The row filtered zero-phase by every display filter that is on.
fn filter_row(x: &[f32], filters: &DisplayFilters, fs: f64) -> Result<Vec<f32>, String> {
    if x.iter().any(|v| !v.is_finite()) {
        return Err("cannot filter: the page holds missing (non-finite) samples".into());
    }
    let mut y = x.to_vec();
    for sos in filters.design(fs)? {
        if y.len() <= sos.pad_len() {
            return Err(format!(
                "page too short to filter ({} samples, {} needed)",
                y.len(),
                sos.pad_len() + 1
            ));
        }
        y = sos.filtfilt(&y).map_err(|e| e.to_string())?;
    }
    Ok(y)
}

/// Labels, gains and traces of the derived page drawn `width` pixels wide (cached).
pub fn derived_traces(doc: &mut Document, width: usize) -> (&[RowMeta], &[RowTrace]) {
    let (t0, t1) = (doc.browser.t0, doc.browser.t1());
    let gains: HashMap<usize, f32> = doc.channels.iter().map(|c| (c.signal, c.gain)).collect();
    derived_page(doc);
    let stale = doc
        .display
        .traces
        .as_ref()
        .is_none_or(|(w, _, _)| *w != width);
    if stale {
        let page = &doc.display.page.as_ref().expect("page computed above").1;
        let meta = page
            .rows
            .iter()
            .map(|r| RowMeta {
                label: r.label.clone(),
                signal: r.signal,
                bad: r.bad,
                gain: r.signal.and_then(|s| gains.get(&s)).copied().unwrap_or(1.0),
            })
            .collect();
        let traces =
            page.rows
                .par_iter()
                .map(|r| {
                    let trace =
                        r.values.as_ref().map_err(Clone::clone).map(|v| {
                            trace_of_samples(v.clone(), r.t0, r.sample_rate, t0, t1, width)
                        });
                    let mean = trace.as_ref().map(Trace::mean).unwrap_or(0.0);
                    (r.signal.unwrap_or(usize::MAX), trace, mean)
                })
                .collect();
        doc.display.traces = Some((width, meta, traces));
    }
    let (_, meta, traces) = doc.display.traces.as_ref().expect("traces computed above");
    (meta, traces)
}

/// The display settings of `doc`, for the provenance of an export.
pub fn display_record(doc: &Document) -> DisplayRecord {
    let (highpass_hz, lowpass_hz, notch_hz) = doc.display.filters.cutoffs();
    let labels = doc.recording.signals();
    DisplayRecord {
        montage: doc.display.montage.name.clone(),
        montage_kind: doc.display.montage.kind,
        pairs: doc.display.montage.pairs.clone(),
        highpass_hz,
        lowpass_hz,
        notch_hz,
        bad_channels: doc
            .channels
            .iter()
            .filter(|c| c.bad)
            .filter_map(|c| labels.get(c.signal).map(|s| s.label.trim().to_string()))
            .collect(),
        note: DISPLAY_NOTE.into(),
    }
}

/// Copies the active browser's montage and filters into the settings (defaults of the
/// next recording, persisted) and adds the montages made or loaded there to the
/// user montages (a montage of the same name is replaced).
pub fn sync_settings(display: &mut DisplayState, settings: &mut Settings) {
    settings.montage = display.montage.clone();
    settings.display_filters = display.filters;
    for m in display.new_user_montages.drain(..) {
        settings.user_montages.retain(|u| u.name != m.name);
        settings.user_montages.push(m);
    }
}

/// Why display filters cannot be used on channels sampled at up to `fs` Hz, if they
/// cannot: a cut-off must be above 0 Hz and below half the sample rate, and a
/// high-pass below the low-pass when both are on.
pub fn check_filters(f: &DisplayFilters, fs: f64) -> Result<(), String> {
    let nyquist = 0.5 * fs;
    for (on, hz, name) in [
        (f.highpass_on, f.highpass_hz, "high-pass"),
        (f.lowpass_on, f.lowpass_hz, "low-pass"),
    ] {
        if !(hz.is_finite() && hz > 0.0) {
            return Err(format!("{name} cut-off {hz} Hz: must be above 0 Hz"));
        }
        if on && fs > 0.0 && hz >= nyquist {
            return Err(format!(
                "{name} cut-off {hz} Hz: must be below half the sample rate ({nyquist} Hz)"
            ));
        }
    }
    if f.highpass_on && f.lowpass_on && f.highpass_hz >= f.lowpass_hz {
        return Err(format!(
            "high-pass {} Hz: must be below the low-pass ({} Hz)",
            f.highpass_hz, f.lowpass_hz
        ));
    }
    Ok(())
}

/// The montage and filter controls (second toolbar row of the browser).
pub fn controls(
    ui: &mut egui::Ui,
    doc: &mut Document,
    user_montages: &[Montage],
    dialogs: &Dialogs,
) {
    doc.display.poll();
    if !doc.display.is_plain() {
        // Brings the page (cached) and the montage's message up to date before they
        // are shown.
        derived_page(doc);
    }
    // The fastest rate among the channels shown bounds the cut-offs (Nyquist).
    let fs_max = doc
        .visible_channels()
        .filter_map(|c| doc.recording.signals().get(c.signal))
        .map(|s| s.sample_rate)
        .fold(0.0, f64::max);
    let d = &mut doc.display;
    ui.horizontal_wrapped(|ui| {
        ui.label("Montage");
        let mut chosen: Option<Montage> = None;
        egui::ComboBox::from_id_salt(("montage", doc.id))
            .selected_text(d.montage.name.as_str())
            .show_ui(ui, |ui| {
                for m in Montage::built_in()
                    .into_iter()
                    .chain(user_montages.iter().cloned())
                {
                    let sel = m == d.montage;
                    if ui.selectable_label(sel, m.name.as_str()).clicked() {
                        chosen = Some(m);
                    }
                }
            })
            .response
            .on_hover_text(
                "Derivation of the traces: as recorded, average reference, linked ears, \
                 double banana or your own bipolar pairs (matched by electrode name)",
            );
        if let Some(m) = chosen {
            d.set_montage(m);
        }
        // Clicks inside the popup (into its text fields) must not close it: it closes
        // on a click outside, on Esc, or when the pairs are used.
        egui::containers::menu::MenuButton::new("Pairs…")
            .config(
                egui::containers::menu::MenuConfig::new()
                    .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside),
            )
            .ui(ui, |ui| {
                ui.label("Bipolar pairs, ANODE-CATHODE, separated by commas:");
                let name = ui.label("Montage name");
                ui.add(
                    egui::TextEdit::singleline(&mut d.edit_name)
                        .hint_text("name")
                        .desired_width(220.0),
                )
                .labelled_by(name.id);
                let pairs = ui.label("Bipolar pairs");
                ui.add(
                    egui::TextEdit::multiline(&mut d.edit_pairs)
                        .hint_text("Fp1-F3, F3-C3, C3-P3")
                        .desired_width(220.0)
                        .desired_rows(3),
                )
                .labelled_by(pairs.id);
                if ui.button("Use these pairs").clicked() {
                    d.io_status = match d.use_edited_pairs() {
                        Ok(()) => {
                            ui.close();
                            Some(format!("Montage `{}` in use", d.montage.name))
                        }
                        Err(e) => Some(e),
                    };
                }
                if let Some(s) = &d.io_status {
                    ui.label(s.as_str());
                }
            })
            .0
            .on_hover_text("Define a bipolar montage of your own pairs");
        if ui
            .button("Load…")
            .on_hover_text("Load a montage file (TOML)")
            .clicked()
        {
            let ctx = ui.ctx().clone();
            d.load_dialog(dialogs.open.clone(), move || ctx.request_repaint());
        }
        if ui
            .button("Save…")
            .on_hover_text("Save the montage shown as a TOML file")
            .clicked()
        {
            let ctx = ui.ctx().clone();
            d.save_dialog(dialogs.save.clone(), move || ctx.request_repaint());
        }
        ui.separator();
        let mut edited = d.edit_filters.unwrap_or(d.filters);
        let before = edited;
        let f = &mut edited;
        ui.checkbox(&mut f.highpass_on, "HP")
            .on_hover_text("Display high-pass (zero-phase Butterworth)");
        ui.add(
            egui::DragValue::new(&mut f.highpass_hz)
                .speed(0.05)
                .suffix(" Hz"),
        )
        .on_hover_text("High-pass cut-off, Hz");
        ui.checkbox(&mut f.lowpass_on, "LP")
            .on_hover_text("Display low-pass (zero-phase Butterworth)");
        ui.add(
            egui::DragValue::new(&mut f.lowpass_hz)
                .speed(0.5)
                .suffix(" Hz"),
        )
        .on_hover_text("Low-pass cut-off, Hz");
        ui.checkbox(&mut f.notch_on, "Notch")
            .on_hover_text("Display notch at the mains frequency");
        egui::ComboBox::from_id_salt(("notch", doc.id))
            .selected_text(format!("{} Hz", f.notch_hz))
            .width(60.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut f.notch_hz, 50.0, "50 Hz");
                ui.selectable_value(&mut f.notch_hz, 60.0, "60 Hz");
            })
            .response
            .on_hover_text("Mains frequency removed by the notch");
        if edited != before {
            match check_filters(&edited, fs_max) {
                Ok(()) => {
                    d.filters = edited;
                    d.edit_filters = None;
                    d.filter_problem = None;
                }
                Err(e) => {
                    d.edit_filters = Some(edited);
                    d.filter_problem = Some(e);
                }
            }
        }
        if let Some(s) = &d.io_status {
            ui.label(s.as_str());
        }
    });
    if let Some(p) = &d.filter_problem {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("{p}; the traces keep the filters in use"),
        );
    }
    if let Some(m) = &d.message {
        ui.colored_label(ui.visuals().warn_fg_color, m.as_str());
    }
}
