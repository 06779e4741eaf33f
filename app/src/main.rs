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
    /// List the synchrony measures with their parameters and outputs.
    Measures(cli::measures::MeasuresArgs),
    /// Run one synchrony measure on two event lists (or signals).
    Measure(cli::measure::MeasureArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: anyhow::Result<()> = match cli.command {
        None => Ok(()),
        Some(Command::Measures(args)) => cli::measures::run(args),
        Some(Command::Measure(args)) => cli::measure::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sesame: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
