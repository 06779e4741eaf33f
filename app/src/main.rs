//! `sesame`: the GUI when started without a subcommand, the headless CLI with one.

mod cli;
use sesame::gui;

use clap::{Parser, Subcommand};
use sesame_core::recording::terminal_safe;
use std::path::PathBuf;
use std::process::ExitCode;

/// `0.1.0 (commit 1a2b3c4d5e6f)`: the commit is recorded by `build.rs` (`unknown` when
/// built without git metadata).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("SESAME_COMMIT"),
    ")"
);

#[derive(Parser)]
#[command(
    name = "sesame",
    version = VERSION,
    about = "Stochastic event synchrony analysis for multichannel EEG",
    long_about = "Stochastic event synchrony analysis for multichannel EEG.\n\n\
                  Without a subcommand, opens the desktop application."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Recordings to open in the desktop application (ignored with a subcommand).
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

// Parsed once at start-up and consumed at once: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Bumps + SES (and any measure) on every channel or region pair of a recording.
    Analyze(cli::analyze::AnalyzeArgs),
    /// Show the header, signals, annotations, gaps and warnings of a recording file.
    Info(cli::info::InfoArgs),
    /// Stochastic event synchrony of event lists (CSV): `ses 1d` and `ses bumps` for a
    /// pair, `ses multi` for N signals.
    Ses(cli::ses::SesArgs),
    /// N-signal stochastic event synchrony (SES Part III) on an event CSV; the same as
    /// `ses multi`, kept as an alias.
    #[command(hide = true)]
    SesMulti(cli::ses_multi::MultiArgs),
    /// List the synchrony measures with their parameters and outputs.
    Measures(cli::measures::MeasuresArgs),
    /// Run one synchrony measure on two event lists (or signals).
    Measure(cli::measure::MeasureArgs),
    /// Write a synthetic recording with planted synchronous bursts and its ground truth.
    Simulate(cli::simulate::SimulateArgs),
    /// Extract bumps (oscillatory events) from each channel's time-frequency map.
    Bumps(cli::bumps::BumpsArgs),
    /// Draw one channel's normalised time-frequency map with its bumps (PNG/SVG).
    Tfmap(cli::tfmap::TfmapArgs),
    /// Figures for papers (PNG/SVG): TF map, aligned bumps, matrix, scalp map, box plot.
    Plot(cli::plot::PlotArgs),
    /// Print the default analysis configuration (commented TOML) or check a config file.
    Config(cli::config::ConfigArgs),
    /// Analyse a cohort: BIDS dataset, folder or manifest in, BIDS derivatives out.
    Batch(cli::batch::BatchArgs),
    /// Merge per-recording (or shard) result tables of a batch output into one table.
    Merge(cli::merge::MergeArgs),
    /// Group comparison of a batch's merged results (per pair and region-averaged).
    Stats(cli::stats::StatsArgs),
}

/// Lets `sesame … | head` end quietly when the reader closes the pipe, as Unix tools do:
/// the Rust runtime ignores SIGPIPE, which turns every later `println!` into a panic.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any other thread exists; resetting a
    // signal's disposition to its default has no other precondition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = Cli::parse();
    let result: anyhow::Result<()> = match cli.command {
        Some(Command::Analyze(args)) => cli::analyze::run(args),
        Some(Command::Info(args)) => cli::info::run(args),
        Some(Command::Ses(args)) => cli::ses::run(args),
        Some(Command::SesMulti(args)) => cli::ses_multi::run(args),
        Some(Command::Simulate(args)) => cli::simulate::run(args),
        None => gui::run(cli.files),
        Some(Command::Measures(args)) => cli::measures::run(args),
        Some(Command::Measure(args)) => cli::measure::run(args),
        Some(Command::Bumps(args)) => cli::bumps::run(args),
        Some(Command::Tfmap(args)) => cli::tfmap::run(args),
        Some(Command::Plot(args)) => cli::plot::run(args),
        Some(Command::Config(args)) => cli::config::run(args),
        Some(Command::Batch(args)) => cli::batch::run(args),
        Some(Command::Merge(args)) => cli::merge::run(args),
        Some(Command::Stats(args)) => cli::stats::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Messages quote file names, header fields and annotation texts: control
            // characters are shown escaped, whichever layer built the message.
            eprintln!("sesame: error: {}", terminal_safe(&error_message(&e)));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line, `outer: cause: …`. Each layer's message
/// says only its own part: the core's errors put an I/O cause in their text and do not
/// also chain it as a source, so walking the chain repeats nothing.
fn error_message(e: &anyhow::Error) -> String {
    e.chain()
        .map(|cause| cause.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}

#[cfg(test)]
mod tests {
    use super::error_message;
    use sesame_core::batch::BatchError;
    use sesame_core::events::EventError;
    use sesame_core::recording::RecordingError;

    fn io() -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::NotFound, "No such file")
    }

    #[test]
    fn each_cause_is_printed_once() {
        let errors: Vec<anyhow::Error> = vec![
            RecordingError::Io {
                path: "x.edf".into(),
                error: io(),
            }
            .into(),
            BatchError::Io {
                path: "x.edf".into(),
                error: io(),
            }
            .into(),
            EventError::Io {
                path: "x.edf".into(),
                error: io(),
            }
            .into(),
        ];
        for e in errors {
            let e = e.context("analysing x.edf");
            assert_eq!(error_message(&e), "analysing x.edf: x.edf: No such file");
        }
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(error_message(&plain), "outer: inner");
    }
}
