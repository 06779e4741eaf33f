//! `sesame config`: print the default analysis configuration as commented TOML, or check
//! a configuration file.

use anyhow::{bail, Context, Result};
use clap::Args;
use sesame_core::analysis::{config_doc, Config};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ConfigArgs {
    /// Print the default configuration, every key commented (meaning, unit, default).
    #[arg(long)]
    pub print_default: bool,
    /// Check a configuration file: parse it and report the first bad key or value.
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,
}

pub fn run(args: ConfigArgs) -> Result<()> {
    match (&args.check, args.print_default) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let config = Config::from_toml(&text)
                .with_context(|| format!("{}: invalid configuration", path.display()))?;
            sesame_core::analysis::pipeline::resolve_measures(&config)
                .with_context(|| format!("{}: invalid measures", path.display()))?;
            println!("{}: valid", path.display());
            if args.print_default {
                print!("{}", config_doc::commented_default());
            }
            Ok(())
        }
        (None, true) => {
            print!("{}", config_doc::commented_default());
            Ok(())
        }
        (None, false) => bail!("nothing to do: use --print-default or --check FILE"),
    }
}
