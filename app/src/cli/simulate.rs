//! `sesame simulate`: writes a deterministic synthetic resting-state recording with
//! planted synchronous bursts (EDF+ or BDF+) and its ground truth (JSON).

use anyhow::{bail, Context, Result};
use clap::Args;
use sesame_core::analysis::write_atomic;
use sesame_core::recording::{write_edf, Resolution};
use sesame_core::simulate::{simulate, SimulationOptions, CHANNELS_10_20};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Output recording (.edf for 16-bit EDF+C, .bdf for 24-bit BDF+C).
    pub out: PathBuf,
    /// Duration, seconds.
    #[arg(long, default_value_t = 180.0)]
    pub duration: f64,
    /// Number of channels, at least 21: the 21 of the 10-20 montage (19 scalp
    /// electrodes, A1, A2), then `E22`, `E23`… with background and independent bursts
    /// only. Extra channels name no electrode, so select them by name when analysing
    /// (`sesame analyze --channels`).
    #[arg(long, default_value_t = CHANNELS_10_20.len())]
    pub channels: usize,
    /// Sample rate, Hz.
    #[arg(long, default_value_t = 200.0)]
    pub fs: f64,
    /// Random seed: the same seed and options give the same file, bit for bit.
    #[arg(long, default_value_t = 20240601)]
    pub seed: u64,
    /// Where to write the ground truth (JSON); default: OUT with `.truth.json`.
    #[arg(long)]
    pub truth: Option<PathBuf>,
}

pub fn run(args: SimulateArgs) -> Result<()> {
    let resolution = match args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("edf") => Resolution::Edf16,
        Some("bdf") => Resolution::Bdf24,
        _ => bail!(
            "{}: the output must end in .edf or .bdf",
            args.out.display()
        ),
    };
    if args.channels < CHANNELS_10_20.len() {
        bail!(
            "--channels {}: a simulation has at least the {} channels of the 10-20 montage",
            args.channels,
            CHANNELS_10_20.len()
        );
    }
    let options = SimulationOptions {
        extra_channels: args.channels - CHANNELS_10_20.len(),
        duration: args.duration,
        sample_rate: args.fs,
        seed: args.seed,
        ..SimulationOptions::default()
    };
    let (recording, truth) = simulate(&options).context("simulation")?;
    write_edf(&args.out, &recording, resolution)?;
    let truth_path = args
        .truth
        .unwrap_or_else(|| args.out.with_extension("truth.json"));
    let json = serde_json::to_vec_pretty(&truth)?;
    write_atomic(&truth_path, &json)?;
    eprintln!(
        "wrote {} ({} channels, {:.0} s at {} Hz, {} planted bursts in {} synchronous groups) and {}",
        args.out.display(),
        recording.signals().len(),
        recording.duration(),
        args.fs,
        truth.bursts.len(),
        truth.groups.len(),
        truth_path.display()
    );
    Ok(())
}
