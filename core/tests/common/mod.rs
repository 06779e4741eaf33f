//! Helpers shared by the integration tests of the N-signal SES.

/// Asserts that `clusters` partition the events `0..n_events` (every event in exactly one
/// cluster) with at most one event per signal in a cluster; `signal_of(e)` is the signal
/// of event `e`.
pub fn assert_partition(
    n_events: usize,
    clusters: &[Vec<usize>],
    signal_of: impl Fn(usize) -> usize,
) {
    let mut seen = vec![0; n_events];
    for c in clusters {
        let mut sigs: Vec<usize> = c.iter().map(|&e| signal_of(e)).collect();
        sigs.sort_unstable();
        sigs.dedup();
        assert_eq!(sigs.len(), c.len(), "two events of one signal in a cluster");
        for &e in c {
            seen[e] += 1;
        }
    }
    assert!(seen.iter().all(|&v| v == 1), "not a partition");
}
