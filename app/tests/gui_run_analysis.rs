//! The Analysis view runs the same pipeline as `sesame analyze`: an analysis of the
//! bundled sample runs to completion from the view (rows in Results, the aligned pair
//! set), another is cancelled, and the exported configuration re-run through
//! `analysis::pipeline::run` gives the same rows.

use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use sesame::gui::analysis::ChannelSource;
use sesame::gui::app::{Command, FilePicker, SesameApp};
use sesame::gui::document::View;
use sesame::gui::export::ExportState;
use sesame::gui::settings::Settings;
use sesame_core::analysis::{pipeline, Config, Provenance, Silent};
use sesame_core::recording::{ReadOptions, Recording};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

mod common;
use common::{flat_channel_csv, sample, step_until};

struct NoPicker;
impl FilePicker for NoPicker {
    fn pick_recordings(&self, _: Option<&Path>) -> Vec<PathBuf> {
        Vec::new()
    }
}

fn harness(app: SesameApp) -> Harness<'static, SesameApp> {
    Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app)
}

/// The app with the sample open in the Analysis view, only `keep` channels shown.
fn app_on_sample(keep: Option<&[&str]>, export_dir: &Path) -> Harness<'static, SesameApp> {
    let mut app = SesameApp::new(Settings::default(), Arc::new(NoPicker));
    let dir = export_dir.to_path_buf();
    app.export = ExportState::with_picker(Arc::new(move |_: &str, exts: &[&str]| {
        let ext = if exts.contains(&"toml") {
            "toml"
        } else {
            "json"
        };
        Some(dir.join(format!("out.{ext}")))
    }));
    app.commands.push(Command::Open {
        path: sample(),
        lenient: false,
    });
    let mut h = harness(app);
    step_until(&mut h, "sample opened", |a| !a.docs.is_empty());
    let app = h.state_mut();
    if let Some(keep) = keep {
        app.analysis.channel_source = ChannelSource::Shown;
        let doc = app.active_doc_mut().expect("sample open");
        let rec = doc.recording.clone();
        for c in &mut doc.channels {
            let label = rec.signals()[c.signal].label.trim().to_string();
            c.visible = keep.iter().any(|k| k.eq_ignore_ascii_case(&label));
        }
    }
    app.active_doc_mut().expect("sample open").view = View::Analysis;
    h.step();
    h
}

/// Presses Run and steps until the analysis ends without an error.
fn run_to_completion(h: &mut Harness<'static, SesameApp>) {
    h.get_by_label("Run").click();
    h.step();
    h.step();
    assert!(
        h.state().analysis.job.is_some(),
        "Run starts a job ({:?})",
        h.state().analysis.error
    );
    step_until(h, "analysis finished", |a| a.analysis.job.is_none());
    assert_eq!(h.state().analysis.error, None);
}

#[test]
fn an_analysis_runs_to_completion_and_its_config_reproduces_the_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keep = ["F3", "Fz", "C3", "O1", "O2"];
    let mut h = app_on_sample(Some(&keep), dir.path());
    h.state_mut().analysis.from_text = "0".into();
    h.state_mut().analysis.to_text = "40".into();
    h.step();
    run_to_completion(&mut h);
    let app = h.state();
    let rows = &app.results.results.rows;
    // ses-bumps on 5 channels: 10 pairs, each with its outputs.
    let pairs: std::collections::BTreeSet<_> = rows
        .iter()
        .filter(|r| r.parameter == "rho")
        .map(|r| (r.channel_a.clone(), r.channel_b.clone()))
        .collect();
    assert_eq!(pairs.len(), 10, "{pairs:?}");
    assert!(rows.iter().all(|r| r.recording == "sesame-sample"));
    assert_eq!(app.results.window, Some((0.0, 40.0)));
    assert_eq!(app.active_doc().expect("doc").view, View::Results);
    assert_eq!(
        app.results.maps.selection,
        Some(("ses-bumps".to_string(), "sync".to_string())),
        "the matrix opens on the chance-corrected sync of SES"
    );
    assert!(
        !app.results.maps.smaller_is_stronger,
        "sync: larger is more synchronous"
    );
    // The aligned view got the pair with the largest sync.
    let best = rows
        .iter()
        .filter(|r| r.parameter == "sync" && r.value.is_finite())
        .max_by(|a, b| a.value.total_cmp(&b.value))
        .expect("sync rows");
    let pair = app.aligned.pair.as_ref().expect("aligned pair set");
    assert_eq!(
        (pair.label_x.as_str(), pair.label_y.as_str()),
        (best.channel_a.as_str(), best.channel_b.as_str())
    );
    assert!(!pair.x.is_empty() && !pair.y.is_empty());

    // Export the configuration and the results.
    h.get_by_label("Export config TOML…").click();
    h.step();
    h.state_mut().export.wait(Duration::from_secs(30));
    h.get_by_label("Export results…").click();
    h.step();
    h.state_mut().export.wait(Duration::from_secs(30));
    h.step();
    let toml_text = std::fs::read_to_string(dir.path().join("out.toml")).expect("config written");
    let config = Config::from_toml(&toml_text).expect("the exported config parses");
    assert_eq!(config.input.window, Some([0.0, 40.0]));
    assert_eq!(config.input.channels, keep.map(String::from).to_vec());
    let json = std::fs::read_to_string(dir.path().join("out.json")).expect("results written");
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let prov: Provenance =
        serde_json::from_value(v["provenance"].clone()).expect("provenance in the export");
    assert_eq!(prov.config, toml_text);
    assert_eq!(
        prov.input_sha256,
        sesame_core::analysis::provenance::sha256_file(&sample()).expect("hash")
    );

    // `sesame analyze --config out.toml` computes the same rows.
    let rec = Recording::open(&sample(), &ReadOptions::default()).expect("sample reads");
    let again = pipeline::run(&rec, "sesame-sample", &config, &Silent).expect("re-run");
    assert_eq!(&again, &h.state().results.results);
}

#[test]
fn a_running_analysis_can_be_cancelled() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = app_on_sample(None, dir.path());
    h.state_mut().analysis.from_text = "0".into();
    h.state_mut().analysis.to_text = "180".into();
    h.step();
    h.get_by_label("Run").click();
    h.step();
    h.step();
    let id = h.state().analysis.job.expect("job started");
    h.get_by_label("Cancel analysis").click();
    h.step();
    step_until(&mut h, "analysis stopped", |a| !a.jobs.is_running(id));
    let app = h.state();
    assert!(app.analysis.job.is_none());
    assert!(app.status.contains("cancelled"), "status: {}", app.status);
    assert!(
        app.results.results.rows.is_empty(),
        "a cancelled run has no rows"
    );
    assert_eq!(app.active_doc().expect("doc").view, View::Analysis);
    // The view is usable again: Run is back.
    h.get_by_label("Run");
}

/// A configuration file loaded into the view comes back unchanged from the view's Run
/// (the same file `sesame analyze --config` reads), settings the view does not show
/// included; a file naming an unknown measure is an error naming the file, and changes
/// nothing.
#[test]
fn a_loaded_configuration_reruns_exactly() {
    use sesame::gui::analysis::{build_config, load_config_file};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = app_on_sample(None, dir.path());
    let mut wanted = Config::default();
    wanted.measures.ids = vec!["ses-bumps".into(), "van-rossum".into()];
    wanted
        .measures
        .params
        .entry("van-rossum".into())
        .or_default()
        .insert("tau".into(), toml::Value::Float(0.05));
    wanted.input.channels = vec!["Fz".into(), "Cz".into(), "Pz".into()];
    wanted.input.window = Some([12.25, 31.5]);
    wanted.bumps.f_min = 5.0;
    wanted.bumps.f_max = 25.0;
    wanted.bumps.min_amplitude = 0.45;
    wanted.preprocess.highpass = Some(1.0);
    let path = dir.path().join("wanted.toml");
    std::fs::write(&path, wanted.to_toml()).expect("write config");

    let app = h.state_mut();
    let mut state = std::mem::take(&mut app.analysis);
    let doc = app.active_doc_mut().expect("sample open");
    load_config_file(&mut state, doc, &path).expect("loads");
    let rebuilt = build_config(&state, doc).expect("builds");
    let resolved = |c: &Config| {
        pipeline::resolve_measures(c)
            .expect("resolves")
            .into_iter()
            .map(|(m, v)| (m.id(), v))
            .collect::<Vec<_>>()
    };
    assert_eq!(resolved(&rebuilt), resolved(&wanted));
    assert_eq!(rebuilt.input.window, wanted.input.window);
    assert_eq!(rebuilt.preprocess.highpass, Some(1.0));
    assert_eq!(rebuilt.bumps.min_amplitude, 0.45);
    assert_eq!((rebuilt.bumps.f_min, rebuilt.bumps.f_max), (5.0, 25.0));
    let shown: Vec<String> = rebuilt.input.channels.clone();
    assert_eq!(shown, ["Fz", "Cz", "Pz"], "channels {shown:?}");

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[measures]\nids = [\"no-such-measure\"]\n").expect("write");
    let before = build_config(&state, doc).expect("builds");
    let err = load_config_file(&mut state, doc, &bad).expect_err("unknown measure");
    assert!(
        err.contains("bad.toml") && err.contains("no-such-measure"),
        "{err}"
    );
    assert_eq!(build_config(&state, doc).expect("builds"), before);
}

/// A configuration taken over is the one the widgets edit: its band, threshold,
/// epoch and surrogate count show in their fields, and a value changed in a field is
/// the configuration's.
#[test]
fn a_loaded_configuration_shows_its_values_in_the_widgets() {
    use sesame::gui::analysis::apply_config;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = app_on_sample(None, dir.path());
    let mut wanted = Config::default();
    wanted.bumps.f_min = 5.0;
    wanted.bumps.f_max = 25.0;
    wanted.bumps.min_amplitude = 0.45;
    wanted.continuous.epoch = 2.5;
    wanted.significance.surrogates = 19;
    {
        let app = h.state_mut();
        let mut state = std::mem::take(&mut app.analysis);
        let doc = app.active_doc_mut().expect("sample open");
        apply_config(&mut state, doc, &wanted).expect("applies");
        app.analysis = state;
    }
    h.step();
    h.step();
    let spin = egui::accesskit::Role::SpinButton;
    let value = |h: &Harness<'static, SesameApp>, label: &str| {
        h.get_by_role_and_label(spin, label)
            .accesskit_node()
            .numeric_value()
    };
    assert_eq!(value(&h, "Bump band"), Some(5.0));
    assert_eq!(value(&h, "Bump threshold"), Some(0.45));
    assert_eq!(value(&h, "Epoch"), Some(2.5));
    assert_eq!(value(&h, "Surrogates per pair"), Some(19.0));
    h.get_by_role_and_label(spin, "Bump threshold")
        .set_value_accesskit(0.3);
    h.step();
    h.step();
    assert_eq!(h.state().analysis.config.bumps.min_amplitude, 0.3);
    let app = h.state();
    let built = sesame::gui::analysis::build_config(&app.analysis, app.active_doc().expect("doc"))
        .expect("builds");
    assert_eq!(built.bumps.min_amplitude, 0.3);
    assert_eq!(built.continuous.epoch, 2.5);
}

/// Without any choice made, Run analyses what `sesame analyze FILE` analyses: the 10-20
/// EEG channels (not the ear references A1 and A2) over the whole recording, with the
/// same band and threshold, so the rows are the command line's; the view says so
/// before Run.
#[test]
fn the_defaults_are_the_command_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = app_on_sample(None, dir.path());
    h.get_by_label_contains("Run analyses 19 channels (Fp1, Fp2,");
    h.get_by_label_contains("over the whole recording, 0:00.0–3:00.0");
    let config = {
        let app = h.state();
        sesame::gui::analysis::build_config(&app.analysis, app.active_doc().expect("doc"))
            .expect("the defaults build")
    };
    let cli = Config::default();
    assert_eq!(config.input, cli.input, "channels and window");
    assert_eq!(config.bumps, cli.bumps, "band and threshold");
    assert_eq!(config.measures.ids, cli.measures.ids);

    run_to_completion(&mut h);
    let rec = Recording::open(&sample(), &ReadOptions::default()).expect("sample reads");
    let cli_rows = pipeline::run(&rec, "sesame-sample", &cli, &Silent).expect("CLI run");
    let gui = &h.state().results.results;
    assert_eq!(gui, &cli_rows, "the GUI's default rows are the CLI's");
    let channels: std::collections::BTreeSet<&str> = gui
        .rows
        .iter()
        .flat_map(|r| [r.channel_a.as_str(), r.channel_b.as_str()])
        .collect();
    assert_eq!(channels.len(), 19, "{channels:?}");
    assert!(
        !channels.contains("A1") && !channels.contains("A2"),
        "{channels:?}"
    );
    assert_eq!(h.state().results.window, Some((0.0, rec.duration())));

    // A channel marked bad is left out, as `exclude` in the configuration.
    let app = h.state_mut();
    let doc = app.active_doc_mut().expect("doc");
    let fz = doc.recording.channel_index("Fz").expect("Fz");
    doc.channels
        .iter_mut()
        .find(|c| c.signal == fz)
        .expect("Fz")
        .bad = true;
    let app = h.state();
    let config = sesame::gui::analysis::build_config(&app.analysis, app.active_doc().expect("doc"))
        .expect("builds");
    assert_eq!(config.input.exclude, ["Fz"]);
}

/// The significance settings of the Analysis view are the configuration's
/// `[significance]`: surrogates per pair and method typed and picked in the view reach
/// the configuration (a method that does not suit the measure is refused with the
/// reason before Run), and the rows come back with each pair's `p` and `q`, which the
/// results table shows in its p and q columns and the matrix uses to mark the pairs.
#[test]
fn surrogates_set_in_the_view_give_p_and_q_in_results() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keep = ["F3", "C3", "O1"];
    let mut h = app_on_sample(Some(&keep), dir.path());
    h.state_mut().analysis.from_text = "0".into();
    h.state_mut().analysis.to_text = "30".into();
    h.step();
    h.get_by_label("no test");
    // The significance settings are at the bottom of the scrolled settings.
    h.get_by_label("Surrogates per pair").scroll_to_me();
    h.step();
    h.step();
    let spin = egui::accesskit::Role::SpinButton;
    h.get_by_role_and_label(spin, "Surrogates per pair")
        .set_value_accesskit(9.0);
    h.step();
    h.step();
    assert_eq!(h.state().analysis.config.significance.surrogates, 9);
    h.get_by_label_contains("smallest p 0.1000");
    h.get_by_label_contains("testing each pair against 9 surrogates (shift)");

    // Phase randomisation is for continuous signals: refused for SES, with the reason.
    h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Method")
        .click();
    h.step();
    h.step();
    h.get_by_label("phase").click();
    h.step();
    h.step();
    h.get_by_label_contains("surrogate method `phase` does not apply to measure `ses-bumps`");
    h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Method")
        .click();
    h.step();
    h.step();
    h.get_by_label("dither").click();
    h.step();
    h.step();
    let config = {
        let app = h.state();
        sesame::gui::analysis::build_config(&app.analysis, app.active_doc().expect("doc"))
            .expect("builds")
    };
    assert_eq!(config.significance.surrogates, 9);
    assert_eq!(
        config.significance.method,
        sesame_core::surrogates::SurrogateMethod::Dither
    );

    run_to_completion(&mut h);
    let rows = &h.state().results.results.rows;
    for name in ["sync.p", "sync.q", "sync.null_mean", "rho.p", "rho.q"] {
        assert_eq!(
            rows.iter().filter(|r| r.parameter == name).count(),
            3,
            "{name} for each of the 3 pairs"
        );
    }
    // The same rows as the command line with that configuration.
    let rec = Recording::open(&sample(), &ReadOptions::default()).expect("sample reads");
    let cli = pipeline::run(&rec, "sesame-sample", &config, &Silent).expect("CLI run");
    assert_eq!(&cli, &h.state().results.results);

    // Table: p and q columns on the rows of the tested outputs.
    h.state_mut().results.tab = sesame::gui::results::ResultsTab::Table;
    h.step();
    h.step();
    // (SES has an output named p of its own, so the q header is the one to find.)
    h.get_by_label("q");
    h.get_by_label("Test rows");
    // Matrix: the pairs marked by q.
    h.state_mut().results.tab = sesame::gui::results::ResultsTab::Matrix;
    h.step();
    h.step();
    h.get_by_label_contains("q ≤ 0.05:");
    h.get_by_label("Hide q > α");
}

/// Warnings of the analysis (here a flat channel) are listed in the Analysis view and
/// counted in the status line.
#[test]
fn an_analysis_lists_its_warnings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = SesameApp::new(Settings::default(), Arc::new(NoPicker));
    app.commands.push(Command::Open {
        path: flat_channel_csv(dir.path()),
        lenient: false,
    });
    let mut h = harness(app);
    step_until(&mut h, "recording opened", |a| !a.docs.is_empty());
    h.state_mut().active_doc_mut().expect("open").view = View::Analysis;
    h.step();
    run_to_completion(&mut h);
    let warnings = &h.state().analysis.warnings;
    assert!(
        warnings.iter().any(|w| w.starts_with("Fz: flat signal")),
        "{warnings:?}"
    );
    assert!(
        h.state().status.contains("warning(s)"),
        "{}",
        h.state().status
    );
    h.state_mut().active_doc_mut().expect("open").view = View::Analysis;
    h.step();
    h.get_by_label_contains("warning(s) from the last analysis");
}
