//! SPIKE-distance (Kreuz, Chicharro, Houghton, Andrzejak & Mormann 2013), with
//! PySpike's (≥ 0.6) edge correction.

use super::kreuz::kreuz_train;
use super::{nearest_distances, trains};
use crate::measures::Direction;
use crate::measures::{
    InputKind, MeasureError, MeasureInfo, OutputSpec, PairInput, ParamValues, Plugin, Value,
};

/// One train's piecewise-linear local dissimilarity `S_n(t)`: nodes `p` (its events,
/// plus auxiliary edge events), the value `v` at each node (the distance from that
/// event to the nearest event of the other train) and the interval length `isi[k]`
/// that normalises the segment `[p_k, p_{k+1}]`.
struct Profile {
    p: Vec<f64>,
    v: Vec<f64>,
    isi: Vec<f64>,
}

/// Auxiliary edge events of a train: `(min(t0, 2s_0 − s_1), max(t1, 2s_last − s_{last−1}))`,
/// or the window edges for a lone event (consistent with the first and last interval).
fn aux(s: &[f64], t0: f64, t1: f64) -> (f64, f64) {
    let n = s.len();
    if n > 1 {
        (t0.min(2.0 * s[0] - s[1]), t1.max(2.0 * s[n - 1] - s[n - 2]))
    } else {
        (t0, t1)
    }
}

fn profile(s: &[f64], other: &[f64], t0: f64, t1: f64) -> Profile {
    let n = s.len();
    let (lo, hi) = aux(s, t0, t1);
    let (olo, ohi) = aux(other, t0, t1);
    // nearest event of the other train, its auxiliary edge events included
    let mut ext = Vec::with_capacity(other.len() + 2);
    ext.push(olo);
    ext.extend_from_slice(other);
    ext.push(ohi);
    let d = nearest_distances(s, &ext);
    let mut p = Vec::with_capacity(n + 2);
    let mut v = Vec::with_capacity(n + 2);
    let mut isi = Vec::with_capacity(n + 1);
    if s[0] > t0 {
        // before the first event: S_n is the first event's distance, and the interval
        // is at least the first inter-event interval
        p.push(lo);
        v.push(d[0]);
        isi.push(if n > 1 {
            (s[0] - t0).max(s[1] - s[0])
        } else {
            s[0] - t0
        });
    }
    for k in 0..n {
        p.push(s[k]);
        v.push(d[k]);
        if k + 1 < n {
            isi.push(s[k + 1] - s[k]);
        }
    }
    // after the last event: the last event's distance is held ("no adjustment" rule),
    // except for a lone event at t0, whose segment runs to t1 like an interior one
    p.push(hi);
    if n == 1 && s[0] <= t0 {
        v.push(nearest_distances(&[t1], &ext)[0]);
    } else {
        v.push(d[n - 1]);
    }
    isi.push(if n > 1 {
        (t1 - s[n - 1]).max(s[n - 1] - s[n - 2])
    } else {
        t1 - s[n - 1]
    });
    Profile { p, v, isi }
}

impl Profile {
    /// Index `k` of the segment `[p_k, p_{k+1}]` holding `(u, u+)`, searching from `k`.
    fn advance(&self, mut k: usize, u: f64) -> usize {
        while k + 2 < self.p.len() && self.p[k + 1] <= u {
            k += 1;
        }
        k
    }

    /// `(S_n(t), isi)` on segment `k`.
    fn at(&self, k: usize, t: f64) -> (f64, f64) {
        let (a, b) = (self.p[k], self.p[k + 1]);
        let isi = self.isi[k];
        ((self.v[k] * (b - t) + self.v[k + 1] * (t - a)) / isi, isi)
    }
}

/// `S(t) = (S_1 isi_2 + S_2 isi_1) / (2 ⟨isi⟩²)`, `⟨isi⟩ = (isi_1 + isi_2)/2`.
fn local(s1: f64, isi1: f64, s2: f64, isi2: f64) -> f64 {
    let m = 0.5 * (isi1 + isi2);
    if m > 0.0 {
        0.5 * (s1 * isi2 + s2 * isi1) / (m * m)
    } else {
        0.0
    }
}

/// SPIKE-distance of two sorted event trains (seconds) on `[t0, t1]`:
/// `D_S = 1/(t1 − t0) ∫ S(t) dt` with the local dissimilarity
/// `S(t) = (S_a(t)·isi_b(t) + S_b(t)·isi_a(t)) / (2 ⟨isi(t)⟩²)`, where for train `n`
/// `S_n(t) = (Δ_P·(t_F − t) + Δ_F·(t − t_P)) / isi_n(t)` interpolates between the
/// distances `Δ_P`, `Δ_F` of its preceding and following events to the nearest event of
/// the other train. Edges follow PySpike ≥ 0.6: auxiliary events at
/// `min(t0, 2s_0 − s_1)` and `max(t1, 2s_last − s_{last−1})` take part in the nearest-event
/// search, the first/last interval is at least the neighbouring one, and `S_n` holds
/// the first/last event's distance before/after it. `S(t)` is linear between merged
/// events, so the trapezoid rule integrates it exactly. Duplicate times are merged and
/// an empty train counts as events at `t0` and `t1`. In `[0, 1]`; O(n + m).
pub fn spike_distance(a: &[f64], b: &[f64], t0: f64, t1: f64) -> f64 {
    let a = kreuz_train(a, t0, t1);
    let b = kreuz_train(b, t0, t1);
    let pa = profile(&a, &b, t0, t1);
    let pb = profile(&b, &a, t0, t1);
    // merged event times inside the window
    let mut cuts = Vec::with_capacity(a.len() + b.len() + 2);
    cuts.push(t0);
    let (mut i, mut j) = (0usize, 0usize);
    while i < a.len() || j < b.len() {
        let t = if j >= b.len() || (i < a.len() && a[i] <= b[j]) {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        if t > *cuts.last().unwrap_or(&t0) && t < t1 {
            cuts.push(t);
        }
    }
    cuts.push(t1);
    let (mut ka, mut kb) = (0usize, 0usize);
    let mut total = 0.0;
    for w in cuts.windows(2) {
        let (u, v) = (w[0], w[1]);
        if v <= u {
            continue;
        }
        ka = pa.advance(ka, u);
        kb = pb.advance(kb, u);
        let (sa_u, ia) = pa.at(ka, u);
        let (sb_u, ib) = pb.at(kb, u);
        let (sa_v, _) = pa.at(ka, v);
        let (sb_v, _) = pb.at(kb, v);
        total += 0.5 * (local(sa_u, ia, sb_u, ib) + local(sa_v, ia, sb_v, ib)) * (v - u);
    }
    total / (t1 - t0)
}

/// The SPIKE-distance as a plugin (`spike-distance`).
pub struct SpikeDistance;

static OUTPUTS: &[OutputSpec] = &[OutputSpec {
    name: "distance",
    unit: "",
    doc: "Time-averaged local spike-timing dissimilarity, in [0, 1]; 0 for identical trains.",
    direction: Direction::Lower,
}];

static INFO: MeasureInfo = MeasureInfo {
    id: "spike-distance",
    title: "SPIKE-distance (Kreuz)",
    doc: "Kreuz et al. 2013: time average of a local dissimilarity built from each event's \
         distance to the nearest event of the other train, interpolated between events and \
         weighted by the local inter-event intervals; PySpike's edge correction. \
         Parameter-free and time-scale adaptive.",
    input: InputKind::PointProcess,
    params: &[],
    outputs: OUTPUTS,
    directed: false,
};

impl Plugin for SpikeDistance {
    fn info(&self) -> &MeasureInfo {
        &INFO
    }
    fn compute(&self, pair: &PairInput, _params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        let t = trains(self.info().id, pair)?;
        Ok(vec![Value::new(
            "distance",
            spike_distance(t.x, t.y, t.t0, t.t1),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytic_cases() {
        let a = [0.1, 0.5, 1.2, 2.0];
        assert_eq!(spike_distance(&a, &a, 0.0, 2.5), 0.0);
        assert_eq!(spike_distance(&[], &[], 0.0, 2.5), 0.0);
        let d = spike_distance(&[], &a, 0.0, 2.5);
        assert!(d.is_finite() && (0.0..=1.0).contains(&d), "{d}");
        let d = spike_distance(&a, &[1.0], 0.0, 2.5);
        assert!(d.is_finite() && (0.0..=1.0).contains(&d), "{d}");
        // symmetric
        let b = [0.12, 0.55, 1.5, 2.02];
        assert!(
            (spike_distance(&a, &b, 0.0, 2.5) - spike_distance(&b, &a, 0.0, 2.5)).abs() < 1e-14
        );
    }
}
