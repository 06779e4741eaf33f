//! Opens the desktop application on a synthetic 64-channel, 2-hour recording (no file
//! needed): `cargo run --release -p sesame --example gui_demo`.
//! Used to try the browser on a long, wide recording and to take screenshots.

use ndarray::Array2;
use sesame_core::recording::{Annotation, Recording};

/// 64 channels × 2 h at 256 Hz: alpha (10 Hz) waxing and waning, slower theta, a
/// channel-dependent phase, deterministic noise, and a few annotations.
fn synthetic() -> anyhow::Result<Recording> {
    let fs = 256.0f64;
    let (n, seconds) = (64usize, 7200usize);
    let ns = seconds * fs as usize;
    let names = [
        "Fp1", "Fpz", "Fp2", "AF7", "AF3", "AFz", "AF4", "AF8", "F7", "F5", "F3", "F1", "Fz", "F2",
        "F4", "F6", "F8", "FT7", "FC5", "FC3", "FC1", "FCz", "FC2", "FC4", "FC6", "FT8", "T7",
        "C5", "C3", "C1", "Cz", "C2", "C4", "C6", "T8", "TP7", "CP5", "CP3", "CP1", "CPz", "CP2",
        "CP4", "CP6", "TP8", "P7", "P5", "P3", "P1", "Pz", "P2", "P4", "P6", "P8", "PO7", "PO3",
        "POz", "PO4", "PO8", "O1", "Oz", "O2", "Iz", "T9", "T10",
    ];
    let labels: Vec<String> = names.iter().take(n).map(|s| s.to_string()).collect();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f32 / (1u64 << 53) as f32 - 0.5
    };
    let mut data = Array2::<f32>::zeros((n, ns));
    for c in 0..n {
        let posterior = c as f32 / n as f32;
        let mut smooth = 0.0f32;
        for s in 0..ns {
            let t = s as f32 / fs as f32;
            let env = 0.6 + 0.4 * (2.0 * std::f32::consts::PI * 0.05 * t + c as f32 * 0.2).sin();
            let alpha = 25.0
                * posterior
                * env
                * (2.0 * std::f32::consts::PI * 10.0 * t + 0.15 * c as f32).sin();
            let theta = 12.0 * (2.0 * std::f32::consts::PI * 5.5 * t + 0.05 * c as f32).sin();
            smooth = 0.9 * smooth + noise() * 12.0;
            data[[c, s]] = alpha + theta + smooth + 40.0 * (c % 7) as f32;
        }
    }
    let annotations = vec![
        Annotation {
            onset: 4.0,
            duration: Some(3.0),
            text: "eyes closed".into(),
        },
        Annotation {
            onset: 12.5,
            duration: None,
            text: "photic 10 Hz".into(),
        },
        Annotation {
            onset: 600.0,
            duration: Some(30.0),
            text: "hyperventilation".into(),
        },
        Annotation {
            onset: 3600.0,
            duration: None,
            text: "sleep onset".into(),
        },
    ];
    Ok(Recording::from_samples(labels, fs, "uV", data)?.with_annotations(annotations))
}

fn main() -> anyhow::Result<()> {
    let rec = synthetic()?;
    sesame::gui::run_with(move |app| {
        app.add_recording("synthetic-64ch-2h", rec, false);
    })
}
