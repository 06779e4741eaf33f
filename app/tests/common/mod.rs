//! Helpers shared by the application's integration tests (each test file that needs them
//! says `mod common;`; not every file uses every helper).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use sesame::gui::app::SesameApp;

/// The bundled sample recording.
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sample-data/sesame-sample.edf")
}

/// The shared test recordings (`../shared` beside the repository, or
/// `SESAME_SHARED_DIR`), if present.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SESAME_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    dir.is_dir().then_some(dir)
}

/// Steps the app until `done` holds (background jobs finish between frames), then one
/// more frame so the result is drawn. Fails after 3 minutes: a guard against a hang, not
/// a timing requirement.
pub fn step_until(h: &mut Harness<'_, SesameApp>, what: &str, done: impl Fn(&SesameApp) -> bool) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "timed out waiting for: {what}"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    h.step();
}

/// Writes a small EDF+D file to `path`: two EEG channels at 200 Hz in 1-s data records
/// that start at `record_onsets` seconds (a jump between two onsets of more than 1 s is
/// a gap), recorded on 10 Dec 2009 from 12:44:02, with the `annotations`
/// (wall-clock onset in seconds from the start, text) stored in the record whose span
/// holds them.
pub fn write_edf_plus_d(path: &Path, record_onsets: &[f64], annotations: &[(f64, &str)]) {
    const RATE: usize = 200;
    const ANNOT_SPR: usize = 60;
    let labels = ["EEG Fz", "EEG Cz", "EDF Annotations"];
    let ns = labels.len();
    let field = |s: &str, w: usize| -> Vec<u8> {
        assert!(s.len() <= w, "{s:?} is longer than its {w}-byte field");
        format!("{s:<w$}").into_bytes()
    };
    let mut out = Vec::new();
    out.extend(field("0", 8));
    out.extend(field("X X X X", 80));
    out.extend(field("Startdate 10-DEC-2009 X X test", 80));
    out.extend(field("10.12.09", 8));
    out.extend(field("12.44.02", 8));
    out.extend(field(&(256 * (ns + 1)).to_string(), 8));
    out.extend(field("EDF+D", 44));
    out.extend(field(&record_onsets.len().to_string(), 8));
    out.extend(field("1", 8));
    out.extend(field(&ns.to_string(), 4));
    for l in labels {
        out.extend(field(l, 16));
    }
    for _ in 0..ns {
        out.extend(field("", 80));
    }
    for l in labels {
        out.extend(field(if l.starts_with("EEG") { "uV" } else { "" }, 8));
    }
    for v in ["-100", "100", "-32768", "32767"] {
        for _ in 0..ns {
            out.extend(field(v, 8));
        }
    }
    for _ in 0..ns {
        out.extend(field("", 80));
    }
    for l in labels {
        let spr = if l.starts_with("EEG") {
            RATE
        } else {
            ANNOT_SPR
        };
        out.extend(field(&spr.to_string(), 8));
    }
    for _ in 0..ns {
        out.extend(field("", 32));
    }
    for (r, &onset) in record_onsets.iter().enumerate() {
        for ch in 0..2 {
            for i in 0..RATE {
                let t = onset + i as f64 / RATE as f64;
                let v = (2.0 * std::f64::consts::PI * (5.0 + 3.0 * ch as f64) * t).sin();
                out.extend(((v * 16000.0) as i16).to_le_bytes());
            }
        }
        // The record's time-keeping annotation, then the annotations it holds.
        let mut tal = format!("+{onset}\x14\x14\0").into_bytes();
        if r == 0 {
            tal.extend(b"+0\x14RECORD START\x14\0");
        }
        for (t, text) in annotations {
            if onset <= *t && *t < onset + 1.0 {
                tal.extend(format!("+{t}\x14{text}\x14\0").into_bytes());
            }
        }
        assert!(
            tal.len() <= 2 * ANNOT_SPR,
            "record {r}'s annotations overflow"
        );
        tal.resize(2 * ANNOT_SPR, 0);
        out.extend(tal);
    }
    std::fs::write(path, out).expect("write the EDF+D file");
}

/// Writes `flat.csv` in `dir`: 30 s at 128 Hz of channels Fp1, Fz and Cz, with 10-Hz
/// bursts every 2 s on Fp1 and Cz over a little broadband noise, and Fz flat (all 0).
pub fn flat_channel_csv(dir: &Path) -> PathBuf {
    let fs = 128.0;
    let mut text = String::from("# fs=128\n# unit=uV\nFp1,Fz,Cz\n");
    for i in 0..(30.0 * fs) as usize {
        let t = i as f64 / fs;
        let burst = (-((t % 2.0 - 1.0) / 0.15).powi(2)).exp()
            * (2.0 * std::f64::consts::PI * 10.0 * t).sin();
        let noise = ((i * 7919) % 997) as f64 / 997.0 - 0.5;
        text.push_str(&format!(
            "{:.4},0,{:.4}\n",
            20.0 * burst + noise,
            15.0 * burst - noise
        ));
    }
    let path = dir.join("flat.csv");
    std::fs::write(&path, text).expect("write flat.csv");
    path
}
