//! Exact alignment of bump SES (docs/model.md §3.4): maximum-gain bipartite matching with the
//! "non-coincident" option, on the sparse candidate graph split into connected
//! components; plus a brute-force enumerator for tiny instances (used by tests).
//!
//! With gains `g = 2κ − c > 0` on candidate edges, minimising the SES cost over
//! alignments is maximising `Σ g` over matchings. Per component, the Hungarian
//! algorithm solves the rectangular assignment whose non-edges cost 0 (= "leave both
//! events unmatched"): any matching extends to such an assignment and back.

/// A candidate edge between event `x` and event `y` with gain `g = 2κ − c > 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// Index of the x-event (bump of the first signal).
    pub x: usize,
    /// Index of the y-event (bump of the second signal).
    pub y: usize,
    /// Gain `g = 2κ − c` of matching the two rather than leaving both non-coincident (> 0).
    pub gain: f64,
}

/// A connected component of the candidate graph: its edges (indices into the edge list),
/// in ascending order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeComponent {
    /// Indices into the edge list of the component's edges, ascending.
    pub edges: Vec<usize>,
}

fn find(parent: &mut [usize], mut a: usize) -> usize {
    while parent[a] != a {
        parent[a] = parent[parent[a]];
        a = parent[a];
    }
    a
}

/// Connected components of the bipartite graph on `n + m` nodes with these edges,
/// ordered by their first edge (deterministic). Isolated nodes form no component.
pub fn components(n: usize, m: usize, edges: &[Edge]) -> Vec<EdgeComponent> {
    let mut parent: Vec<usize> = (0..n + m).collect();
    for e in edges {
        let a = find(&mut parent, e.x);
        let b = find(&mut parent, n + e.y);
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut slot = vec![usize::MAX; n + m];
    let mut out: Vec<EdgeComponent> = Vec::new();
    for (k, e) in edges.iter().enumerate() {
        let r = find(&mut parent, e.x);
        if slot[r] == usize::MAX {
            slot[r] = out.len();
            out.push(EdgeComponent { edges: Vec::new() });
        }
        out[slot[r]].edges.push(k);
    }
    out
}

/// Local re-indexing of a component: distinct x and y nodes in order of appearance.
pub(crate) fn local_nodes(
    edges: &[Edge],
    ids: &[usize],
) -> (Vec<usize>, Vec<usize>, Vec<(usize, usize)>) {
    let mut xs: Vec<usize> = Vec::new();
    let mut ys: Vec<usize> = Vec::new();
    let mut local = Vec::with_capacity(ids.len());
    for &k in ids {
        let e = edges[k];
        let a = match xs.iter().position(|&v| v == e.x) {
            Some(p) => p,
            None => {
                xs.push(e.x);
                xs.len() - 1
            }
        };
        let b = match ys.iter().position(|&v| v == e.y) {
            Some(p) => p,
            None => {
                ys.push(e.y);
                ys.len() - 1
            }
        };
        local.push((a, b));
    }
    (xs, ys, local)
}

/// Maximum-gain matching of one component: the chosen edge indices (ascending).
pub fn max_gain_matching_component(edges: &[Edge], ids: &[usize]) -> Vec<usize> {
    if ids.is_empty() {
        return Vec::new();
    }
    let (xs, ys, local) = local_nodes(edges, ids);
    // rows = the smaller side
    let transpose = xs.len() > ys.len();
    let (nr, nc) = if transpose {
        (ys.len(), xs.len())
    } else {
        (xs.len(), ys.len())
    };
    let mut cost = vec![0.0f64; nr * nc];
    let mut which = vec![usize::MAX; nr * nc];
    for (q, &(a, b)) in local.iter().enumerate() {
        let (r, c) = if transpose { (b, a) } else { (a, b) };
        let g = edges[ids[q]].gain;
        if which[r * nc + c] == usize::MAX || -g < cost[r * nc + c] {
            cost[r * nc + c] = -g;
            which[r * nc + c] = ids[q];
        }
    }
    let assign = hungarian(nr, nc, &cost);
    let mut chosen: Vec<usize> = assign
        .iter()
        .enumerate()
        .filter_map(|(r, &c)| {
            let k = which[r * nc + c];
            (k != usize::MAX && cost[r * nc + c] < 0.0).then_some(k)
        })
        .collect();
    chosen.sort_unstable();
    chosen
}

/// Maximum-gain matching of the whole candidate graph: chosen edge indices, ascending.
pub fn max_gain_matching(n: usize, m: usize, edges: &[Edge]) -> Vec<usize> {
    let mut out: Vec<usize> = components(n, m, edges)
        .iter()
        .flat_map(|c| max_gain_matching_component(edges, &c.edges))
        .collect();
    out.sort_unstable();
    out
}

/// Minimum-cost assignment of `nr ≤ nc` rows to distinct columns (row-major `cost`),
/// by the Hungarian algorithm with potentials, O(nr²·nc). Returns the column of each row.
pub fn hungarian(nr: usize, nc: usize, cost: &[f64]) -> Vec<usize> {
    debug_assert!(nr <= nc && cost.len() == nr * nc);
    let inf = f64::INFINITY;
    // 1-based arrays as in the classical formulation; column 0 is a virtual column.
    let mut u = vec![0.0f64; nr + 1];
    let mut v = vec![0.0f64; nc + 1];
    let mut p = vec![0usize; nc + 1]; // p[j] = row assigned to column j
    let mut way = vec![0usize; nc + 1];
    for i in 1..=nr {
        p[0] = i;
        let mut j0 = 0usize;
        let mut minv = vec![inf; nc + 1];
        let mut used = vec![false; nc + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = inf;
            let mut j1 = 0usize;
            for j in 1..=nc {
                if !used[j] {
                    let cur = cost[(i0 - 1) * nc + (j - 1)] - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=nc {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut ans = vec![0usize; nr];
    for j in 1..=nc {
        if p[j] > 0 {
            ans[p[j] - 1] = j - 1;
        }
    }
    ans
}

/// Total gain of a set of edges.
pub fn gain_of(edges: &[Edge], chosen: &[usize]) -> f64 {
    chosen.iter().map(|&k| edges[k].gain).sum()
}

/// Whether the chosen edges form a matching (no event used twice).
pub fn is_matching(n: usize, m: usize, edges: &[Edge], chosen: &[usize]) -> bool {
    let mut ux = vec![false; n];
    let mut uy = vec![false; m];
    for &k in chosen {
        let e = edges[k];
        if ux[e.x] || uy[e.y] {
            return false;
        }
        ux[e.x] = true;
        uy[e.y] = true;
    }
    true
}

/// Brute force over every matching (exponential; tiny instances only): the best total
/// gain and one matching achieving it.
pub fn brute_force(n: usize, m: usize, edges: &[Edge]) -> (f64, Vec<usize>) {
    #[allow(clippy::too_many_arguments)]
    fn rec(
        i: usize,
        n: usize,
        by_x: &[Vec<usize>],
        edges: &[Edge],
        used_y: &mut [bool],
        cur: &mut Vec<usize>,
        gain: f64,
        best: &mut (f64, Vec<usize>),
    ) {
        if i == n {
            if gain > best.0 {
                *best = (gain, cur.clone());
            }
            return;
        }
        rec(i + 1, n, by_x, edges, used_y, cur, gain, best);
        for &k in &by_x[i] {
            let y = edges[k].y;
            if !used_y[y] {
                used_y[y] = true;
                cur.push(k);
                rec(
                    i + 1,
                    n,
                    by_x,
                    edges,
                    used_y,
                    cur,
                    gain + edges[k].gain,
                    best,
                );
                cur.pop();
                used_y[y] = false;
            }
        }
    }
    let mut by_x = vec![Vec::new(); n];
    for (k, e) in edges.iter().enumerate() {
        by_x[e.x].push(k);
    }
    let mut best = (0.0, Vec::new());
    rec(
        0,
        n,
        &by_x,
        edges,
        &mut vec![false; m],
        &mut Vec::new(),
        0.0,
        &mut best,
    );
    best.1.sort_unstable();
    best
}
