//! The network-based statistic (Zalesky, Fornito & Bullmore 2010).
//!
//! The pairs of a family are the edges of a graph whose nodes are channels (or
//! regions). For a primary threshold `τ`, the positive tail keeps the edges with
//! `t_j > τ` (group 1 > group 2) and the negative tail those with `−t_j > τ`; each tail's
//! supra-threshold edges form connected components (union–find over the nodes). A
//! component `C` has
//!
//! - size `|C|`, its number of edges, and
//! - intensity `Σ_{j∈C} (±t_j − τ)`, its summed excess over the threshold.
//!
//! The null of each tail is the largest size (and, separately, the largest intensity)
//! over that tail's components in each permutation of the group labels (or sign flip
//! of the paired differences); `max = 0` when no edge passes. The family-wise p of a
//! component is `(1 + #{b : max_b ≥ |C|})/(B + 1)` (size; intensity alike). Positive
//! and negative effects are never joined into one component: each tail has its own
//! components and its own null (`p_size`, `p_intensity`). `p_size_both` and
//! `p_intensity_both` compare with the larger of the two tails' maxima in each
//! permutation, which controls the family-wise error over both tails at once (the
//! two-sided test).

use super::StatsError;
use serde::{Deserialize, Serialize};

/// The pair graph: `edges[j] = (a, b)` joins nodes `a` and `b` for pair `j`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairGraph {
    /// Number of nodes (channels or regions), indexed from 0.
    pub n_nodes: usize,
    /// The two nodes of each pair, in the order of the family's pairs.
    pub edges: Vec<(usize, usize)>,
}

/// The sign of an effect: positive (group 1 > group 2) or negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NbsTail {
    /// Group 1 > group 2: edges with `t_j > τ`.
    Positive,
    /// Group 1 < group 2: edges with `−t_j > τ`.
    Negative,
}

impl NbsTail {
    fn sign(self) -> f64 {
        match self {
            NbsTail::Positive => 1.0,
            NbsTail::Negative => -1.0,
        }
    }

    /// `positive` or `negative`.
    pub fn name(self) -> &'static str {
        match self {
            NbsTail::Positive => "positive",
            NbsTail::Negative => "negative",
        }
    }
}

/// The largest component size and the largest component intensity of one tail.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TailMax {
    /// Largest number of edges of a component (0 when no edge passes).
    pub size: usize,
    /// Largest summed excess `Σ (±t_j − τ)` of a component (0 when no edge passes).
    pub intensity: f64,
}

/// One observed component with its family-wise p-values.
#[derive(Debug, Clone, PartialEq)]
pub struct NbsComponent {
    /// The tail whose supra-threshold edges form the component.
    pub tail: NbsTail,
    /// Its pairs (indices into the family), ascending.
    pub edges: Vec<usize>,
    /// Number of edges.
    pub size: usize,
    /// `Σ (±t_j − τ)` over its edges.
    pub intensity: f64,
    /// Family-wise p of the size against this tail's null of the largest size.
    pub p_size: f64,
    /// Family-wise p of the intensity against this tail's null of the largest intensity.
    pub p_intensity: f64,
    /// Family-wise p of the size against the larger of both tails' largest sizes
    /// (two-sided).
    pub p_size_both: f64,
    /// Family-wise p of the intensity against the larger of both tails' largest
    /// intensities (two-sided).
    pub p_intensity_both: f64,
}

/// Checks that the graph has one edge per pair, valid nodes, no self-loop, and that
/// the threshold is a finite number ≥ 0.
pub fn check(graph: &PairGraph, pairs: usize, threshold: f64) -> Result<(), StatsError> {
    if !(threshold.is_finite() && threshold >= 0.0) {
        return Err(StatsError::Input(format!(
            "NBS: the primary threshold {threshold} must be a finite number ≥ 0"
        )));
    }
    if graph.edges.len() != pairs {
        return Err(StatsError::Input(format!(
            "NBS: {} edges for {pairs} pairs",
            graph.edges.len()
        )));
    }
    if let Some(&(a, b)) = graph
        .edges
        .iter()
        .find(|&&(a, b)| a >= graph.n_nodes || b >= graph.n_nodes || a == b)
    {
        return Err(StatsError::Input(format!(
            "NBS: edge ({a}, {b}) is not a pair of two of the {} nodes",
            graph.n_nodes
        )));
    }
    Ok(())
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// The supra-threshold components of one tail: `(edges, intensity)` per component,
/// ordered by their first edge.
pub fn components(
    graph: &PairGraph,
    stat: &[f64],
    threshold: f64,
    tail: NbsTail,
) -> Vec<(Vec<usize>, f64)> {
    let s = tail.sign();
    let mut parent: Vec<usize> = (0..graph.n_nodes).collect();
    let supra: Vec<usize> = (0..graph.edges.len())
        .filter(|&j| s * stat[j] > threshold)
        .collect();
    for &j in &supra {
        let (a, b) = graph.edges[j];
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    // root → component index, in order of first edge
    let mut index = vec![usize::MAX; graph.n_nodes];
    let mut out: Vec<(Vec<usize>, f64)> = Vec::new();
    for &j in &supra {
        let r = find(&mut parent, graph.edges[j].0);
        if index[r] == usize::MAX {
            index[r] = out.len();
            out.push((Vec::new(), 0.0));
        }
        let c = &mut out[index[r]];
        c.0.push(j);
        c.1 += s * stat[j] - threshold;
    }
    out
}

/// The largest size and the largest intensity over one tail's components (0 when no
/// edge passes the threshold).
pub fn tail_max(graph: &PairGraph, stat: &[f64], threshold: f64, tail: NbsTail) -> TailMax {
    components(graph, stat, threshold, tail)
        .iter()
        .fold(TailMax::default(), |m, (e, w)| TailMax {
            size: m.size.max(e.len()),
            intensity: m.intensity.max(*w),
        })
}

/// The observed components of both tails (positive first, each tail by decreasing
/// size), with p-values from the permutation maxima `nulls[b] = [positive, negative]`.
pub fn observed_components(
    graph: &PairGraph,
    stat: &[f64],
    threshold: f64,
    nulls: &[[TailMax; 2]],
) -> Vec<NbsComponent> {
    let bb = nulls.len();
    let p = |hits: usize| (1 + hits) as f64 / (bb + 1) as f64;
    let mut out = Vec::new();
    for (k, tail) in [NbsTail::Positive, NbsTail::Negative]
        .into_iter()
        .enumerate()
    {
        let mut comps = components(graph, stat, threshold, tail);
        comps.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0[0].cmp(&b.0[0])));
        for (edges, intensity) in comps {
            let size = edges.len();
            let hits = |f: &dyn Fn(&[TailMax; 2]) -> bool| nulls.iter().filter(|n| f(n)).count();
            out.push(NbsComponent {
                tail,
                size,
                intensity,
                p_size: p(hits(&|n| n[k].size >= size)),
                p_intensity: p(hits(&|n| n[k].intensity >= intensity)),
                p_size_both: p(hits(&|n| n[0].size.max(n[1].size) >= size)),
                p_intensity_both: p(hits(&|n| n[0].intensity.max(n[1].intensity) >= intensity)),
                edges,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Path 0–1–2 and edge 3–4 above τ = 2 in the positive tail; 1–3 in the negative
    /// tail; 0–4 below threshold in both.
    #[test]
    fn components_by_hand() {
        let graph = PairGraph {
            n_nodes: 5,
            edges: vec![(0, 1), (1, 2), (3, 4), (1, 3), (0, 4)],
        };
        let t = [3.0, 2.5, 4.0, -5.0, 1.9];
        let pos = components(&graph, &t, 2.0, NbsTail::Positive);
        assert_eq!(pos.len(), 2);
        assert_eq!(pos[0].0, vec![0, 1]);
        assert!((pos[0].1 - 1.5).abs() < 1e-12);
        assert_eq!((pos[1].0.clone(), pos[1].1), (vec![2], 2.0));
        let neg = components(&graph, &t, 2.0, NbsTail::Negative);
        assert_eq!((neg[0].0.clone(), neg[0].1), (vec![3], 3.0));
        let m = tail_max(&graph, &t, 2.0, NbsTail::Positive);
        assert_eq!((m.size, m.intensity), (2, 2.0));
        // With null maxima [pos, neg] = [(1, 0.5), (0, 0)], [(3, 9), (1, 1)]: the 2-edge
        // component is exceeded once by size → p = 2/3; by both tails alike.
        let nulls = [
            [
                TailMax {
                    size: 1,
                    intensity: 0.5,
                },
                TailMax::default(),
            ],
            [
                TailMax {
                    size: 3,
                    intensity: 9.0,
                },
                TailMax {
                    size: 1,
                    intensity: 1.0,
                },
            ],
        ];
        let c = observed_components(&graph, &t, 2.0, &nulls);
        assert_eq!(c.len(), 3);
        assert_eq!((c[0].tail, c[0].size), (NbsTail::Positive, 2));
        assert!((c[0].p_size - 2.0 / 3.0).abs() < 1e-12);
        assert!((c[2].p_size - 2.0 / 3.0).abs() < 1e-12); // negative: 1 ≥ 1 once
        assert!((c[2].p_size_both - 1.0).abs() < 1e-12); // max(1,0) ≥ 1 and max(3,1) ≥ 1
        assert!(check(&graph, 4, 2.0).is_err());
        assert!(check(&graph, 5, -1.0).is_err());
    }
}
