//! The analysis pipeline: configuration, running measures over channel and region
//! pairs, tidy results and their export.

pub mod export;
pub mod provenance;
pub mod results;

pub use export::{write_atomic, write_results, ExportError};
pub use provenance::Provenance;
pub use results::{Results, Row};
pub mod stats;
