//! The analysis pipeline: configuration, running measures over channel and region
//! pairs, tidy results and their export.

pub mod stats;
