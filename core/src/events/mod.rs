//! One-dimensional events: peaks, threshold crossings, annotations, spike times.
