//! `sesame`: the GUI when started without a subcommand, the headless CLI with one.

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "sesame", version, about = "Stochastic event synchrony analysis for multichannel EEG")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        None => Ok(()),
    }
}
