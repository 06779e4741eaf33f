//! Preprocessing: zero-phase filters, resampling, re-referencing, windows and
//! artifact-free segment selection.
