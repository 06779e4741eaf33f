use serde::{Deserialize, Serialize};

/// One bump: a half-ellipsoid fitted to a normalised time-frequency map (docs/model.md §5.4),
/// converted to physical units (docs/model.md §5.7).
///
/// `dt` and `df` are the **semi-axes** of the half-ellipsoid (the toolbox convention).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bump {
    /// Centre time, seconds from the start of the recording.
    pub t: f64,
    /// Centre frequency, Hz.
    pub f: f64,
    /// Time semi-axis, seconds.
    pub dt: f64,
    /// Frequency semi-axis, Hz.
    pub df: f64,
    /// Height of the half-ellipsoid in normalised map units (map maximum = 1).
    pub amplitude: f64,
    /// Peak value of the normalised map under the bump centre (same units as `amplitude`).
    pub peak: f64,
}
