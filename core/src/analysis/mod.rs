//! The analysis pipeline: configuration, running measures over channel and region
//! pairs, tidy results and their export.

pub mod config;
pub mod config_doc;
pub mod export;
pub mod pipeline;
pub mod provenance;
pub mod results;
pub mod significance;

pub use config::Config;
pub use export::{write_atomic, write_results, ExportError};
pub use pipeline::{prepare, run, AnalysisError, Prepared, Progress, Silent, WarningLog};
pub use pipeline::{run_detailed, ChannelBumps};
pub use provenance::Provenance;
pub use results::{Results, Row};
pub use significance::SignificanceConfig;
pub mod stats;
