//! `sesame`: the GUI when started without a subcommand, the headless CLI with one.

mod cli;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sesame",
    version,
    about = "Stochastic event synchrony analysis for multichannel EEG",
    long_about = "Stochastic event synchrony analysis for multichannel EEG.\n\n\
                  Without a subcommand, opens the desktop application."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Extract bumps (oscillatory events) from each channel's time-frequency map.
    Bumps(cli::bumps::BumpsArgs),
    /// Draw one channel's normalised time-frequency map with its bumps (PNG/SVG).
    Tfmap(cli::tfmap::TfmapArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: anyhow::Result<()> = match cli.command {
        None => Ok(()),
        Some(Command::Bumps(args)) => cli::bumps::run(args),
        Some(Command::Tfmap(args)) => cli::tfmap::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sesame: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
