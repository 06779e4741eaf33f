//! Analysis: pick a measure from the plugin registry, set its parameters with widgets
//! generated from its [`ParamSpec`]s (units and ranges shown), pick channels and a
//! window, and run it in a background job; the rows go to the Results view.
//!
//! Measures reading continuous signals run here directly on the selected window.
//! Measures reading bumps or point processes need the bump-extraction pipeline and
//! are listed but cannot be run from this view until it is connected.

use super::document::{format_time, parse_time, Document};
use super::jobs::{JobContext, JobError};
use super::results::ResultRow;
use ndarray::Array3;
use sesame_core::measures::{
    registry, InputKind, Measure, ParamKind, ParamSpec, ParamValue, ParamValues, SetInput, Target,
};
use sesame_core::recording::Recording;
use std::collections::BTreeMap;

/// What to run: one measure with its parameters on channels over a window.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisRequest {
    pub measure: String,
    pub params: ParamValues,
    /// Signal indices, in the order given.
    pub channels: Vec<usize>,
    /// Window, s.
    pub window: (f64, f64),
}

/// The analysis view's choices, kept across frames.
#[derive(Debug, Clone, Default)]
pub struct AnalysisState {
    /// Id of the chosen measure.
    pub measure: Option<String>,
    /// Parameter values per measure id (defaults until edited).
    pub params: BTreeMap<String, ParamValues>,
    /// Window start and end as typed (empty: the current browser page).
    pub from_text: String,
    pub to_text: String,
    /// Last problem with the request, shown under the Run button.
    pub error: Option<String>,
}

/// The request the view would send, or why it cannot.
pub fn build_request(state: &AnalysisState, doc: &Document) -> Result<AnalysisRequest, String> {
    let id = state.measure.as_deref().ok_or("choose a measure")?;
    let m = sesame_core::measures::find(id).ok_or_else(|| format!("unknown measure `{id}`"))?;
    let params = state
        .params
        .get(id)
        .cloned()
        .unwrap_or_else(|| ParamValues::defaults(m.params()));
    let d = doc.duration();
    let from = if state.from_text.trim().is_empty() {
        doc.browser.t0
    } else {
        parse_time(&state.from_text).map_err(|e| format!("window start: {e}"))?
    };
    let to = if state.to_text.trim().is_empty() {
        doc.browser.t1().min(d)
    } else {
        parse_time(&state.to_text).map_err(|e| format!("window end: {e}"))?
    };
    if to <= from || from >= d {
        return Err(format!(
            "the window {}–{} is empty or outside the recording (0–{})",
            format_time(from),
            format_time(to),
            format_time(d)
        ));
    }
    let channels: Vec<usize> = doc
        .visible_channels()
        .filter(|c| !c.bad)
        .map(|c| c.signal)
        .collect();
    if channels.len() < 2 {
        return Err("show at least two good channels in the browser".into());
    }
    Ok(AnalysisRequest {
        measure: m.id().to_string(),
        params,
        channels,
        window: (from, to.min(d)),
    })
}

/// Runs `measure` on the request's channels of `rec` (continuous input: the raw
/// window, one epoch) and turns the values into tidy rows.
pub fn run(
    rec: &Recording,
    recording_name: &str,
    measure: &dyn Measure,
    req: &AnalysisRequest,
    ctx: &JobContext,
) -> Result<Vec<ResultRow>, JobError> {
    if measure.input() != InputKind::Continuous {
        return Err(JobError::Failed(format!(
            "`{}` reads {:?} input; run it with `sesame analyze` until the bump pipeline is connected here",
            measure.id(),
            measure.input()
        )));
    }
    ctx.progress(0.0, "reading the window");
    let (t0, t1) = req.window;
    let data = rec
        .read_window(&req.channels, t0, t1)
        .map_err(|e| JobError::Failed(format!("reading the window: {e}")))?;
    ctx.check_cancelled()?;
    let fs = rec.signals()[req.channels[0]].sample_rate;
    let (nc, ns) = data.dim();
    let data = Array3::from_shape_fn((nc, 1, ns), |(c, _, s)| data[[c, s]] as f64);
    ctx.progress(0.2, format!("computing {}", measure.id()));
    let out = measure
        .compute_set(
            &SetInput::Continuous {
                data: data.view(),
                fs,
            },
            &req.params,
        )
        .map_err(|e| JobError::Failed(format!("{}: {e}", measure.id())))?;
    ctx.check_cancelled()?;
    let label = |k: usize| rec.signals()[req.channels[k]].label.clone();
    let unit_of = |name: &str| {
        measure
            .outputs()
            .iter()
            .find(|o| o.name == name)
            .map_or(String::new(), |o| o.unit.to_string())
    };
    let mut rows = Vec::new();
    for (target, values) in out {
        let (a, b) = match target {
            Target::Pair(i, j) => (label(i), label(j)),
            Target::Channel(i) => (label(i), String::new()),
            Target::Set => (String::new(), String::new()),
        };
        for v in values {
            rows.push(ResultRow {
                recording: recording_name.to_string(),
                measure: measure.id().to_string(),
                a: a.clone(),
                b: b.clone(),
                unit: unit_of(&v.name),
                name: v.name,
                value: v.value,
                window: (t0, t1),
            });
        }
    }
    ctx.progress(1.0, "done");
    Ok(rows)
}

/// One widget for one parameter; returns whether the value changed.
/// One grid row for one parameter: its name (hover: its description), its widget,
/// and its range; returns whether the value changed.
pub fn param_row(ui: &mut egui::Ui, spec: &ParamSpec, value: &mut ParamValue) -> bool {
    let name = ui.label(spec.name).on_hover_text(spec.doc);
    let changed = param_widget(ui, spec, value, name.id);
    ui.weak(range_text(spec));
    ui.end_row();
    changed
}

/// The widget for one parameter, named for assistive technology by the label
/// `label`; returns whether the value changed.
fn param_widget(
    ui: &mut egui::Ui,
    spec: &ParamSpec,
    value: &mut ParamValue,
    label: egui::Id,
) -> bool {
    let unit = if spec.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", spec.unit)
    };
    let before = value.clone();
    match spec.kind {
        ParamKind::Float { default, min, max } => {
            let mut x = match value {
                ParamValue::Float(x) => *x,
                ParamValue::Int(i) => *i as f64,
                _ => default,
            };
            ui.add(
                egui::DragValue::new(&mut x)
                    .range(min..=max)
                    .speed((max - min).abs().min(1e6) / 500.0)
                    .suffix(unit),
            )
            .labelled_by(label);
            *value = ParamValue::Float(x);
        }
        ParamKind::Int { default, min, max } => {
            let mut x = match value {
                ParamValue::Int(i) => *i,
                _ => default,
            };
            ui.add(egui::DragValue::new(&mut x).range(min..=max).suffix(unit))
                .labelled_by(label);
            *value = ParamValue::Int(x);
        }
        ParamKind::FloatOrAuto { default, min, max } => {
            let mut auto = matches!(value, ParamValue::Text(t) if t == "auto");
            let mut x = match value {
                ParamValue::Float(x) => *x,
                _ => default.unwrap_or(min.max(0.0)),
            };
            ui.checkbox(&mut auto, "auto");
            ui.add_enabled(
                !auto,
                egui::DragValue::new(&mut x)
                    .range(min..=max)
                    .speed((max - min).abs().min(1e6) / 500.0)
                    .suffix(unit),
            )
            .labelled_by(label);
            *value = if auto {
                ParamValue::Text("auto".into())
            } else {
                ParamValue::Float(x)
            };
        }
        ParamKind::Choice { default, options } => {
            let mut cur = match value {
                ParamValue::Text(t) => t.clone(),
                _ => default.to_string(),
            };
            egui::ComboBox::from_id_salt(("param", spec.name))
                .selected_text(cur.clone())
                .show_ui(ui, |ui| {
                    for o in options {
                        ui.selectable_value(&mut cur, o.to_string(), *o);
                    }
                })
                .response
                .labelled_by(label);
            *value = ParamValue::Text(cur);
        }
        ParamKind::Bool { default } => {
            let mut b = match value {
                ParamValue::Bool(b) => *b,
                _ => default,
            };
            ui.checkbox(&mut b, "").labelled_by(label);
            *value = ParamValue::Bool(b);
        }
    }
    *value != before
}

/// The analysis view; a Run click returns the request to start.
pub fn show(
    ui: &mut egui::Ui,
    doc: &mut Document,
    state: &mut AnalysisState,
) -> Option<AnalysisRequest> {
    let measures = registry();
    if measures.is_empty() {
        ui.weak("No measures are registered in this build.");
        return None;
    }
    let mut run_request = None;
    ui.horizontal(|ui| {
        ui.label("Measure");
        let current = state.measure.clone().unwrap_or_else(|| "choose…".into());
        egui::ComboBox::from_id_salt("measure")
            .selected_text(current)
            .show_ui(ui, |ui| {
                for m in measures {
                    let runnable = m.input() == InputKind::Continuous;
                    let text = if runnable {
                        m.title().to_string()
                    } else {
                        format!("{} ({:?} input)", m.title(), m.input())
                    };
                    ui.selectable_value(&mut state.measure, Some(m.id().to_string()), text)
                        .on_hover_text(m.doc());
                }
            });
    });
    if let Some(m) = state
        .measure
        .as_deref()
        .and_then(sesame_core::measures::find)
    {
        ui.label(egui::RichText::new(m.doc()).italics());
        let values = state
            .params
            .entry(m.id().to_string())
            .or_insert_with(|| ParamValues::defaults(m.params()));
        egui::Grid::new("params")
            .num_columns(3)
            .striped(true)
            .show(ui, |ui| {
                for spec in m.params() {
                    let v = values
                        .0
                        .entry(spec.name.to_string())
                        .or_insert_with(|| spec.default_value());
                    param_row(ui, spec, v);
                }
            });
        if ui.button("Reset to defaults").clicked() {
            *values = ParamValues::defaults(m.params());
        }
    }
    ui.separator();
    ui.horizontal(|ui| {
        ui.label("Window from");
        ui.add(
            egui::TextEdit::singleline(&mut state.from_text)
                .desired_width(70.0)
                .hint_text(format_time(doc.browser.t0)),
        );
        ui.label("to");
        ui.add(
            egui::TextEdit::singleline(&mut state.to_text)
                .desired_width(70.0)
                .hint_text(format_time(doc.browser.t1().min(doc.duration()))),
        );
        ui.weak("(empty: the browser's page)");
    });
    let n_good = doc.visible_channels().filter(|c| !c.bad).count();
    ui.label(format!(
        "Channels: the {n_good} shown and not marked bad in the browser."
    ));
    if ui.button("Run").clicked() {
        match build_request(state, doc) {
            Ok(r) => {
                state.error = None;
                run_request = Some(r);
            }
            Err(e) => state.error = Some(e),
        }
    }
    if let Some(e) = &state.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    run_request
}

fn range_text(spec: &ParamSpec) -> String {
    match spec.kind {
        ParamKind::Float { min, max, .. } | ParamKind::FloatOrAuto { min, max, .. } => {
            format!("[{min}, {max}] {}", spec.unit)
        }
        ParamKind::Int { min, max, .. } => format!("[{min}, {max}] {}", spec.unit),
        ParamKind::Choice { options, .. } => options.join(" | "),
        ParamKind::Bool { .. } => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sesame_core::measures::{MeasureError, OutputSpec, PairInput, Value};

    /// Pearson correlation of the first epoch: an independent measure to check the
    /// plumbing (window, channel labels, rows).
    struct Corr;
    impl Measure for Corr {
        fn id(&self) -> &'static str {
            "test-corr"
        }
        fn title(&self) -> &'static str {
            "correlation"
        }
        fn doc(&self) -> &'static str {
            "Pearson correlation"
        }
        fn input(&self) -> InputKind {
            InputKind::Continuous
        }
        fn params(&self) -> &'static [ParamSpec] {
            &[]
        }
        fn outputs(&self) -> &'static [OutputSpec] {
            &[OutputSpec {
                name: "r",
                unit: "",
                doc: "correlation",
            }]
        }
        fn compute(&self, pair: &PairInput, _: &ParamValues) -> Result<Vec<Value>, MeasureError> {
            let PairInput::Continuous { x, y, .. } = pair else {
                return Err(MeasureError::Invalid("continuous only".into()));
            };
            let (x, y) = (x.row(0), y.row(0));
            let n = x.len() as f64;
            let (mx, my) = (x.sum() / n, y.sum() / n);
            let sxy: f64 = x
                .iter()
                .zip(y.iter())
                .map(|(a, b)| (a - mx) * (b - my))
                .sum();
            let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
            let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
            Ok(vec![Value::new("r", sxy / (sxx * syy).sqrt())])
        }
    }

    #[test]
    fn run_reads_the_window_and_labels_the_pairs() {
        let fs = 100.0;
        let n = 1000;
        // a = sin, b = -sin (r = -1 over any window), c = sin in 0..5 s then cos.
        let mut data = ndarray::Array2::<f32>::zeros((3, n));
        for i in 0..n {
            let t = i as f32 / fs as f32;
            let s = (2.0 * std::f32::consts::PI * 3.0 * t).sin();
            data[[0, i]] = s;
            data[[1, i]] = -s;
            data[[2, i]] = if t < 5.0 {
                s
            } else {
                (2.0 * std::f32::consts::PI * 3.0 * t).cos()
            };
        }
        let rec = Recording::from_samples(vec!["A".into(), "B".into(), "C".into()], fs, "uV", data)
            .expect("valid");
        let req = AnalysisRequest {
            measure: "test-corr".into(),
            params: ParamValues::default(),
            channels: vec![0, 1, 2],
            window: (1.0, 4.0),
        };
        let mut jobs = super::super::jobs::Jobs::<Vec<ResultRow>>::new();
        let id = jobs.spawn("corr", move |ctx| run(&rec, "mem", &Corr, &req, ctx));
        let done = jobs.wait_for(id, std::time::Duration::from_secs(30));
        let rows = done
            .into_iter()
            .next()
            .expect("finished")
            .result
            .expect("ran");
        assert_eq!(rows.len(), 3);
        let get = |a: &str, b: &str| {
            rows.iter()
                .find(|r| r.a == a && r.b == b)
                .expect("pair")
                .value
        };
        assert!((get("A", "B") + 1.0).abs() < 1e-6);
        assert!((get("A", "C") - 1.0).abs() < 1e-6, "C equals A before 5 s");
        assert!(rows
            .iter()
            .all(|r| r.window == (1.0, 4.0) && r.measure == "test-corr" && r.name == "r"));
    }
}
