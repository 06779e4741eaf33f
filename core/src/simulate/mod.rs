//! Deterministic synthetic EEG with planted synchronous bursts (ground truth for
//! tests and the bundled sample recording).
