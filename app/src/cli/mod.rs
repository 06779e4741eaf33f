//! The headless command-line interface: one module per subcommand. Each is thin:
//! parse, call `sesame-core`, print or write.

pub mod analyze;
pub mod batch;
pub mod bumps;
pub mod config;
pub mod info;
pub mod measure;
pub mod measures;
pub mod merge;
pub mod plot;
pub mod ses;
pub mod ses_multi;
pub mod simulate;
pub mod stats;
pub mod tfmap;
pub mod values;
