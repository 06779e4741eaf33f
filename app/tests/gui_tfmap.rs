//! The time-frequency view computes the map and bumps of the selected channel's page
//! in the background, outlines the bumps where bursts were planted, shows a bump's
//! parameters on hover, and recomputes when an option changes.

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use ndarray::Array2;
use sesame::gui::app::{Command, FilePicker, SesameApp};
use sesame::gui::document::View;
use sesame::gui::settings::Settings;
use sesame_core::recording::Recording;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod common;
use common::step_until;

struct NoPicker;
impl FilePicker for NoPicker {
    fn pick_recordings(&self, _: Option<&Path>) -> Vec<PathBuf> {
        Vec::new()
    }
}

/// Planted bursts: (centre s, frequency Hz).
const BURSTS: [(f64, f64); 3] = [(2.5, 10.0), (5.0, 20.0), (7.5, 8.0)];

/// Two channels, 10 s at 256 Hz: weak deterministic noise plus Gaussian-windowed
/// sinusoids (s.d. 0.15 s, 40 µV) at `BURSTS` on the first channel only.
fn recording() -> Recording {
    let fs = 256.0;
    let n = 2560;
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let data = Array2::from_shape_fn((2, n), |(c, s)| {
        let t = s as f64 / fs;
        let mut v = 4.0 * noise();
        if c == 0 {
            for (tc, f) in BURSTS {
                let g = (-0.5 * ((t - tc) / 0.15).powi(2)).exp();
                v += 40.0 * g * (2.0 * std::f64::consts::PI * f * t).sin();
            }
        }
        v as f32
    });
    Recording::from_samples(vec!["Cz".into(), "Pz".into()], fs, "uV", data).expect("valid")
}

fn computed(a: &SesameApp) -> bool {
    !a.tfmap.is_computing() && matches!(a.tfmap.result, Some(Ok(_)))
}

#[test]
fn the_map_outlines_the_planted_bursts_and_recomputes_on_a_new_threshold() {
    let mut app = SesameApp::new(Settings::default(), Arc::new(NoPicker));
    app.add_recording("bursts", recording(), false);
    let doc = app.active_doc_mut().expect("doc");
    doc.browser.page = 10.0;
    doc.browser.t0 = 0.0;
    doc.view = View::TimeFrequency;
    let mut h = Harness::builder()
        .with_size(egui::vec2(1200.0, 700.0))
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app);
    h.step();
    step_until(&mut h, "map computed", computed);
    let r = match &h.state().tfmap.result {
        Some(Ok(r)) => r.clone(),
        _ => unreachable!(),
    };
    assert_eq!(r.label, "Cz");
    let n = r.bumps.len();
    assert!(n >= BURSTS.len(), "{n} bumps");
    h.get_by_label_contains(&format!("{n} bumps on Cz"));
    for (tc, f) in BURSTS {
        assert!(
            r.bumps
                .iter()
                .any(|b| ((tc - b.t) / b.dt).powi(2) + ((f - b.f) / b.df).powi(2) <= 1.0),
            "no bump ellipse holds the burst at {tc} s, {f} Hz: {:?}",
            r.bumps
        );
    }

    // Hover the strongest bump's centre: its parameters are shown.
    let (i, b) = r
        .bumps
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.amplitude.total_cmp(&b.1.amplitude))
        .expect("bumps");
    let (rect, t, f) = h.state().tfmap.plot.expect("map drawn");
    let pos = egui::pos2(
        rect.left() + ((b.t - t[0]) / (t[1] - t[0])) as f32 * rect.width(),
        rect.bottom() - ((b.f - f[0]) / (f[1] - f[0])) as f32 * rect.height(),
    );
    h.hover_at(pos);
    h.step();
    h.step();
    let hovered = h.state().tfmap.hovered.expect("a bump under the pointer");
    let hb = &r.bumps[hovered];
    assert!(
        ((hb.t - b.t) / hb.dt).powi(2) + ((hb.f - b.f) / hb.df).powi(2) <= 1.0,
        "the hovered bump {hovered} holds the pointer (aimed at {i})"
    );
    h.get_by_label_contains(&format!("time {:.3} s", hb.t));

    // A higher threshold recomputes in the background and keeps fewer bumps.
    h.state_mut().tfmap.options.min_amplitude = 0.9;
    h.step();
    assert!(h.state().tfmap.is_computing(), "a new option starts a job");
    step_until(&mut h, "map recomputed", computed);
    let m = match &h.state().tfmap.result {
        Some(Ok(r)) => r.bumps.len(),
        _ => unreachable!(),
    };
    assert!(m < n, "{m} bumps at threshold 0.9, {n} at 0.3");
    assert!(m >= 1, "the strongest burst stays");
}

/// The map is computed in one of the app's jobs: the status bar lists it, with its
/// progress and a Cancel button, and cancelling it (the command that button sends)
/// stops it; the view says so and does not start it again until something changes.
#[test]
fn the_map_job_is_listed_in_the_status_bar_and_can_be_cancelled() {
    let mut app = SesameApp::new(Settings::default(), Arc::new(NoPicker));
    app.add_recording("bursts", recording(), false);
    let doc = app.active_doc_mut().expect("doc");
    doc.browser.page = 10.0;
    doc.browser.t0 = 0.0;
    doc.view = View::TimeFrequency;
    let mut h = Harness::builder()
        .with_size(egui::vec2(1200.0, 700.0))
        .build_ui_state(|ui, app: &mut SesameApp| app.frame(ui), app);
    h.step();
    step_until(&mut h, "map and overview computed", |a| {
        computed(a) && a.jobs.running().is_empty()
    });

    // A new threshold: the view asks for a map, the app starts the job, and until
    // the next frame collects it the job is in the status bar.
    h.state_mut().tfmap.options.min_amplitude = 0.9;
    h.step();
    assert!(h.state().tfmap.is_computing(), "the view waits for a map");
    h.step();
    let id = h
        .state()
        .jobs
        .running()
        .iter()
        .find(|j| j.title == "Time-frequency map of Cz")
        .map(|j| j.id)
        .expect("the map is one of the app's jobs");
    h.get_by(|n| {
        n.role() == egui::accesskit::Role::ProgressIndicator
            && n.label()
                .is_some_and(|l| l.starts_with("Time-frequency map of Cz"))
    });
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Cancel");

    h.state_mut().commands.push(Command::CancelJob(id));
    step_until(&mut h, "map job ended", |a| !a.tfmap.is_computing());
    for _ in 0..3 {
        h.step();
    }
    let app = h.state();
    assert!(!app.jobs.is_running(id));
    assert!(
        app.status.contains("Time-frequency map of Cz: cancelled"),
        "status: {}",
        app.status
    );
    assert!(
        matches!(&app.tfmap.result, Some(Err(e)) if e.starts_with("Cancelled")),
        "the view says the map was cancelled"
    );
    assert!(
        !app.tfmap.is_computing() && app.jobs.running().is_empty(),
        "a cancelled map is not started again by itself"
    );
    h.get_by_label_contains("Cancelled: change the channel");

    // Changing an option computes it again.
    h.state_mut().tfmap.options.min_amplitude = 0.5;
    h.step();
    step_until(&mut h, "map recomputed", computed);
}

/// The normalised 1–20 Hz map (1-Hz rows, f/σ_f = 7) of `seconds` of deterministic
/// white noise at `fs` (xorshift from `seed`, Box–Muller).
fn white_noise_map(seed: &mut u64, fs: f64, seconds: f64) -> sesame_core::tf::TfMap {
    use sesame_core::tf::{normalised_map, NormOptions, TfOptions};
    let mut uniform = || {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        ((*seed >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let x: Vec<f32> = (0..(fs * seconds) as usize)
        .map(|_| {
            let (u, v) = (uniform(), uniform());
            ((-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()) as f32
        })
        .collect();
    let tf = TfOptions {
        f_min: 1.0,
        f_max: 20.0,
        f_step: 1.0,
        f_over_sigma_f: 7.0,
    };
    normalised_map(&x, fs, 0.0, &tf, &NormOptions::default()).expect("map")
}

/// Issue 16 item 7: the normalised map of white noise has no pattern alternating
/// between neighbouring 1-Hz rows (each row is z-scored on its own, and the Morlet
/// family's gain is flat in frequency: E|W|² ∝ σ_f ∝ f).
#[test]
fn a_white_noise_map_has_no_row_alternating_pattern() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for fs in [256.0, 200.0] {
        let map = white_noise_map(&mut seed, fs, 300.0);
        let n = map.values.ncols() as f64;
        let bright: Vec<f64> = (0..map.values.nrows())
            .map(|r| map.values.row(r).iter().map(|&v| v as f64).sum::<f64>() / n)
            .collect();
        let gain: Vec<f64> = map
            .frequencies
            .iter()
            .zip(&map.row_mean)
            .map(|(&f, &m)| m / f.sqrt())
            .collect();
        for (what, series) in [("brightness", &bright), ("modulus / √f", &gain)] {
            // Each row against its two neighbours, signed by the row's parity: a pattern
            // of bright and dark rows adds up, sampling noise averages out.
            let seconds: Vec<f64> = (1..series.len() - 1)
                .map(|r| (series[r] - 0.5 * (series[r - 1] + series[r + 1])) / series[r])
                .collect();
            let alternation = seconds
                .iter()
                .enumerate()
                .map(|(k, d)| if k % 2 == 0 { *d } else { -*d })
                .sum::<f64>()
                / seconds.len() as f64;
            assert!(
                alternation.abs() < 0.015,
                "fs {fs}: {what} alternates between rows by {:.1} %: {series:?}",
                100.0 * alternation
            );
            // And no single row stands far out (sampling noise of 300 s stays < 6 %).
            for (k, d) in seconds.iter().enumerate() {
                assert!(
                    d.abs() < 0.06,
                    "fs {fs}: {what} of the {} Hz row stands out by {:.1} %",
                    map.frequencies[k + 1],
                    100.0 * d
                );
            }
        }
    }
}

/// Issue 16 item 7, the reason for the striped look between 2 and 8 Hz: the Morlet
/// family's frequency resolution is σ_f = f/7, narrower than the 1-Hz grid below about
/// 7 Hz, so there neighbouring rows see nearly separate parts of the spectrum and vary
/// independently (each row's own bright and dark spells side by side look like
/// stripes), while above 10 Hz a row and the next overlap and move together. Measured
/// on white noise: the correlation of neighbouring rows grows with frequency.
#[test]
fn neighbouring_rows_decorrelate_below_the_grid_resolution() {
    let map = white_noise_map(&mut 0x9e37_79b9_7f4a_7c15u64, 200.0, 120.0);
    let corr = |a: usize, b: usize| -> f64 {
        let (x, y) = (map.values.row(a), map.values.row(b));
        let n = x.len() as f64;
        let (mx, my) = (
            x.iter().map(|&v| v as f64).sum::<f64>() / n,
            y.iter().map(|&v| v as f64).sum::<f64>() / n,
        );
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (&p, &q) in x.iter().zip(y.iter()) {
            let (p, q) = (p as f64 - mx, q as f64 - my);
            sxy += p * q;
            sxx += p * p;
            syy += q * q;
        }
        sxy / (sxx * syy).sqrt()
    };
    let row = |f: f64| {
        map.frequencies
            .iter()
            .position(|&g| (g - f).abs() < 1e-9)
            .expect("row")
    };
    let at = |f: f64| corr(row(f), row(f + 1.0));
    let (low, mid, high) = (at(3.0), at(7.0), at(15.0));
    eprintln!("neighbouring rows correlate: 3–4 Hz {low:.2}, 7–8 Hz {mid:.2}, 15–16 Hz {high:.2}");
    assert!(low < 0.3, "3–4 Hz rows correlate by {low:.2}");
    assert!(high > 0.75, "15–16 Hz rows correlate by {high:.2}");
    assert!(low < mid && mid < high, "{low:.2} < {mid:.2} < {high:.2}");
}
