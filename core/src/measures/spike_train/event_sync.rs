//! Event synchronization (Quian Quiroga, Kreuz & Grassberger 2002, Phys. Rev. E 66:041904).

use super::trains;
use crate::measures::Direction;
use crate::measures::{
    InputKind, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues,
    Plugin, Value,
};

/// Strength `Q` and delay asymmetry `q` of event synchronization.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventSyncResult {
    /// `Q = (c(y|x) + c(x|y)) / √(m_x m_y)`; in `[0, 1]` with the adaptive τ, may exceed 1
    /// with a fixed τ (several pairs inside τ in bursts); never clamped.
    pub strength: f64,
    /// `q = (c(y|x) − c(x|y)) / √(m_x m_y)` in `[−1, 1]`; `q > 0` when x precedes y.
    pub delay: f64,
}

/// For each event, half the shorter of its two inter-event intervals (s); a missing
/// neighbour (first or last event) is ignored, a lone event gets `+∞`.
fn half_min_isi(t: &[f64]) -> Vec<f64> {
    (0..t.len())
        .map(|i| {
            let left = if i > 0 {
                t[i] - t[i - 1]
            } else {
                f64::INFINITY
            };
            let right = if i + 1 < t.len() {
                t[i + 1] - t[i]
            } else {
                f64::INFINITY
            };
            0.5 * left.min(right)
        })
        .collect()
}

/// Event synchronization of two sorted event trains `x`, `y` (seconds).
///
/// `c(x|y) = Σ_ij J_ij` with `J_ij = 1` if `0 < x_i − y_j ≤ τ_ij`, `½` if `x_i = y_j`,
/// else 0 (the number of x events shortly after a y event); `c(y|x)` likewise.
/// `tau = Some(τ)` uses a fixed window τ (s); `None` the adaptive
/// `τ_ij = ½ min(x_{i+1} − x_i, x_i − x_{i−1}, y_{j+1} − y_j, y_j − y_{j−1})`
/// (missing neighbours at the ends ignored, every event used).
///
/// Pairs are visited only within reach of each `x_i` (τ, or half of `x_i`'s shorter
/// interval), so the cost is O(n + m + counted pairs).
/// Repeated times within a train are kept, as in the reference: every tie counts, so
/// `Q` can then exceed 1 even with the adaptive window.
/// Empty trains: both empty → `Q = 1, q = 0`; one empty → `Q = 0, q = 0`.
pub fn event_synchronization(x: &[f64], y: &[f64], tau: Option<f64>) -> EventSyncResult {
    match (x.is_empty(), y.is_empty()) {
        (true, true) => {
            return EventSyncResult {
                strength: 1.0,
                delay: 0.0,
            }
        }
        (true, false) | (false, true) => {
            return EventSyncResult {
                strength: 0.0,
                delay: 0.0,
            }
        }
        _ => {}
    }
    let hx = half_min_isi(x);
    let hy = if tau.is_none() {
        half_min_isi(y)
    } else {
        Vec::new()
    };
    // c(x|y): x after y; c(y|x): y after x. Ties are counted ½ in both.
    let (mut c_x_y, mut c_y_x) = (0.0f64, 0.0f64);
    let mut lo = 0usize;
    for (i, &xi) in x.iter().enumerate() {
        let reach = tau.unwrap_or(hx[i]);
        // first y_j that can satisfy |x_i − y_j| ≤ reach (widened by one ulp-scale margin;
        // the exact test below decides)
        let start = xi - reach - 1e-12 * (1.0 + xi.abs() + reach.min(1e300));
        while lo < y.len() && y[lo] < start {
            lo += 1;
        }
        for (j, &yj) in y.iter().enumerate().skip(lo) {
            let d = xi - yj;
            if d == 0.0 {
                c_x_y += 0.5;
                c_y_x += 0.5;
                continue;
            }
            let tij = match tau {
                Some(t) => t,
                None => hx[i].min(hy[j]),
            };
            if d > 0.0 && d <= tij {
                c_x_y += 1.0;
            } else if d < 0.0 && -d <= tij {
                c_y_x += 1.0;
            } else if d < 0.0 && -d > reach {
                break;
            }
        }
    }
    let norm = ((x.len() as f64) * (y.len() as f64)).sqrt();
    EventSyncResult {
        strength: (c_y_x + c_x_y) / norm,
        delay: (c_y_x - c_x_y) / norm,
    }
}

/// Event synchronization as a plugin (`event-sync`).
pub struct EventSync;

static PARAMS: &[ParamSpec] = &[ParamSpec {
    name: "tau",
    unit: "s",
    kind: ParamKind::FloatOrAuto {
        default: None,
        min: 0.0,
        max: 1e9,
    },
    doc: "Coincidence window. `auto` (or `adaptive`): τ_ij = ½·min of the intervals around \
          x_i and y_j; a number: a fixed window in s (Q may then exceed 1 in bursts).",
}];

static OUTPUTS: &[OutputSpec] = &[
    OutputSpec {
        name: "Q",
        unit: "",
        doc: "Synchronization strength (c(y|x) + c(x|y)) / √(m_x m_y); 1 for identical trains.",
        direction: Direction::Higher,
    },
    OutputSpec {
        name: "q",
        unit: "",
        doc: "Delay asymmetry (c(y|x) − c(x|y)) / √(m_x m_y) in [−1, 1]; > 0 when x precedes y.",
        direction: Direction::Neither,
    },
];

static INFO: MeasureInfo = MeasureInfo {
    id: "event-sync",
    title: "Event synchronization (Quian Quiroga)",
    doc: "Counts near-coincident events (Quian Quiroga, Kreuz & Grassberger 2002): an x event \
         within τ after a y event counts 1 towards c(x|y), an exact tie ½ towards both. \
         Returns the strength Q and the delay asymmetry q.",
    input: InputKind::PointProcess,
    params: PARAMS,
    outputs: OUTPUTS,
    directed: // Q is symmetric, but q changes sign when x and y are swapped.
        false,
};

impl Plugin for EventSync {
    fn info(&self) -> &MeasureInfo {
        &INFO
    }
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let t = trains(self.info().id, pair)?;
        let r = event_synchronization(t.x, t.y, params.f64_or_auto("tau")?);
        Ok(vec![Value::new("Q", r.strength), Value::new("q", r.delay)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All pairs, straight from the definition.
    fn brute(x: &[f64], y: &[f64], tau: Option<f64>) -> (f64, f64) {
        let (hx, hy) = (half_min_isi(x), half_min_isi(y));
        let (mut cxy, mut cyx) = (0.0, 0.0);
        for (i, &a) in x.iter().enumerate() {
            for (j, &b) in y.iter().enumerate() {
                let t = tau.unwrap_or(hx[i].min(hy[j]));
                let d = a - b;
                if d == 0.0 {
                    cxy += 0.5;
                    cyx += 0.5;
                } else if d > 0.0 && d <= t {
                    cxy += 1.0;
                } else if d < 0.0 && -d <= t {
                    cyx += 1.0;
                }
            }
        }
        let n = ((x.len() * y.len()) as f64).sqrt();
        ((cyx + cxy) / n, (cyx - cxy) / n)
    }

    #[test]
    fn windowed_search_equals_all_pairs() {
        let x = [0.05, 0.3, 0.31, 0.9, 1.4, 1.4, 2.2, 2.3, 5.0];
        let y = [0.1, 0.3, 0.32, 1.0, 1.45, 2.0, 2.25, 4.9];
        for tau in [
            None,
            Some(0.0),
            Some(0.02),
            Some(0.1),
            Some(1.0),
            Some(10.0),
        ] {
            let r = event_synchronization(&x, &y, tau);
            let (q_big, q_small) = brute(&x, &y, tau);
            assert!((r.strength - q_big).abs() < 1e-12, "{tau:?}");
            assert!((r.delay - q_small).abs() < 1e-12, "{tau:?}");
        }
    }

    #[test]
    fn analytic_cases() {
        let x = [0.1, 0.5, 1.2, 2.0];
        let r = event_synchronization(&x, &x, None);
        assert_eq!((r.strength, r.delay), (1.0, 0.0));
        let r = event_synchronization(&[], &[], None);
        assert_eq!((r.strength, r.delay), (1.0, 0.0));
        let r = event_synchronization(&x, &[], Some(0.1));
        assert_eq!((r.strength, r.delay), (0.0, 0.0));
        // y = x shifted later by 10 ms: x leads, Q = q = 1
        let y: Vec<f64> = x.iter().map(|t| t + 0.01).collect();
        let r = event_synchronization(&x, &y, None);
        assert!((r.strength - 1.0).abs() < 1e-15 && (r.delay - 1.0).abs() < 1e-15);
        let r = event_synchronization(&y, &x, None);
        assert!((r.delay + 1.0).abs() < 1e-15);
    }
}
