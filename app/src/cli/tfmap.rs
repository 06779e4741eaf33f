//! `sesame tfmap`: draws the normalised time-frequency map of one channel with its bumps
//! outlined (PNG or SVG); the drawing is `sesame::plot::tfmap`, shared with `sesame plot
//! tfmap`.

use super::bumps::options;
use super::values::{self, Band, BumpThreshold, TimeWindow};
use anyhow::{Context, Result};
use sesame::plot::save;
use sesame::plot::tfmap::TfMapFigure;
use sesame_core::bumps::{extract_bumps, BumpSet};
use sesame_core::recording::{terminal_safe, terminal_safe_path, ReadOptions, Recording};
use std::path::{Path, PathBuf};

/// Draw the time-frequency map of one channel with its bumps.
#[derive(Debug, Clone, clap::Args)]
pub struct TfmapArgs {
    /// Recording file (EDF, EDF+, BDF, CSV).
    pub file: PathBuf,
    /// Channel label.
    #[arg(long)]
    pub channel: String,
    /// Time window START:END in seconds; an empty side is the start or the end of the
    /// recording (`:60`, `30:`).
    #[arg(long, value_name = "START:END", value_parser = values::parse_window)]
    pub window: Option<TimeWindow>,
    /// Frequency band LOW-HIGH in Hz, 0 < LOW.
    #[arg(long, value_name = "LOW-HIGH", default_value = "4-30", value_parser = values::parse_band)]
    pub band: Band,
    /// Prune bumps below this fraction of the map maximum, in [0, 1) (default 0.4, the
    /// toolbox's is 0.05).
    #[arg(long, value_name = "FRACTION", value_parser = values::parse_threshold)]
    pub threshold: Option<BumpThreshold>,
    /// Output image: .png or .svg.
    #[arg(long)]
    pub out: PathBuf,
}

/// Extracts the bumps of `channel` in the window and keeps the map.
pub fn compute(rec: &Recording, args: &TfmapArgs) -> Result<(String, BumpSet)> {
    let idx = rec
        .channel_index(&args.channel)
        .with_context(|| format!("no channel named {:?}", args.channel))?;
    let (start, end) = args
        .window
        .map_or((0.0, rec.duration()), |w| w.within(rec.duration()));
    if end <= start {
        anyhow::bail!(
            "--window {}: the recording lasts {:.3} s",
            args.window.map(|w| w.to_string()).unwrap_or_default(),
            rec.duration()
        );
    }
    let info = &rec.signals()[idx];
    let x = rec.read_signal(idx, start, end)?;
    let mut opts = options(args.band, args.threshold, None)?;
    opts.keep_map = true;
    let set = extract_bumps(&x, info.sample_rate, start, &opts)
        .with_context(|| format!("channel {}", info.label))?;
    Ok((info.label.clone(), set))
}

/// Default figure size, pixels.
pub const DEFAULT_SIZE: (u32, u32) = (1200, 700);

/// Draws `set` to `path` (.png or .svg) at `size` pixels with the analysis `band` (Hz)
/// marked, through a temporary file.
pub fn render_sized(
    path: &Path,
    label: &str,
    set: &BumpSet,
    band: Option<(f64, f64)>,
    size: (u32, u32),
) -> Result<()> {
    save(&TfMapFigure { label, set, band }, path, size)
}

pub fn run(args: TfmapArgs) -> Result<()> {
    let rec = Recording::open(&args.file, &ReadOptions::default())
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let (label, set) = compute(&rec, &args)?;
    for w in &set.warnings {
        eprintln!(
            "sesame: warning: channel {}: {}",
            terminal_safe(&label),
            terminal_safe(w)
        );
    }
    let band = (args.band.low, args.band.high);
    render_sized(&args.out, &label, &set, Some(band), DEFAULT_SIZE)?;
    println!(
        "{}: {} bumps drawn to {}",
        terminal_safe(&label),
        set.bumps.len(),
        terminal_safe_path(&args.out)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use std::f64::consts::PI;

    #[test]
    fn draws_png_and_svg() {
        let fs = 200.0;
        let n = (fs * 20.0) as usize;
        let data = Array2::from_shape_fn((1, n), |(_, i)| {
            let t = i as f64 / fs;
            let noise: f64 = (1..30)
                .map(|k| 0.2 * (2.0 * PI * (2.5 + 0.93 * k as f64) * t + k as f64).sin())
                .sum();
            (noise + 10.0 * (-(t - 9.0).powi(2) / 0.08).exp() * (2.0 * PI * 12.0 * t).cos()) as f32
        });
        let rec = Recording::from_samples(vec!["O1".into()], fs, "uV", data).unwrap();
        let args = TfmapArgs {
            file: PathBuf::from("memory"),
            channel: "o1".into(),
            window: None,
            band: values::parse_band("4-30").unwrap(),
            threshold: None,
            out: PathBuf::from("unused.png"),
        };
        let (label, set) = compute(&rec, &args).unwrap();
        assert_eq!(label, "O1");
        assert!(set
            .bumps
            .iter()
            .any(|b| (b.t - 9.0).abs() < 0.3 && (b.f - 12.0).abs() < 2.0));
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("m.png");
        render_sized(&png, &label, &set, Some((4.0, 30.0)), DEFAULT_SIZE).unwrap();
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        let svg = dir.path().join("m.svg");
        render_sized(&svg, &label, &set, None, DEFAULT_SIZE).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.contains("<svg") && text.contains("time (s)"));
        assert!(render_sized(&dir.path().join("m.bmp"), &label, &set, None, DEFAULT_SIZE).is_err());
        assert!(compute(
            &rec,
            &TfmapArgs {
                channel: "Cz".into(),
                ..args
            }
        )
        .is_err());
    }
}
