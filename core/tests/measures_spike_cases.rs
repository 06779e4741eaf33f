//! Point-process measures against independent implementations on extra cases: events
//! on the window edges, lone and empty trains, a window far from t = 0, a larger random
//! pair. Numbers from PySpike 0.9.0 (ISI-, SPIKE-distance, SPIKE-synchronization),
//! Elephant 1.2.1 (Victor–Purpura, van Rossum) and the brute-force NumPy references of
//! the shared oracle script (Schreiber, Hunter–Milton, event synchronization, STTC),
//! written by `bench/spike_cases.py`. Compared at 1e-9 relative.

use sesame_core::measures::spike_train::*;

struct Case {
    name: &'static str,
    x: &'static [f64],
    y: &'static [f64],
    t0: f64,
    t1: f64,
    /// (measure, parameter, value)
    expect: &'static [(&'static str, &'static str, f64)],
}

fn param(p: &str, key: &str) -> f64 {
    p.strip_prefix(key).and_then(|v| v.strip_prefix('=')).and_then(|v| v.parse().ok()).expect("numeric parameter")
}

fn ours(c: &Case, measure: &str, p: &str) -> f64 {
    let (x, y, t0, t1) = (c.x, c.y, c.t0, c.t1);
    match measure {
        "isi-distance" => isi_distance(x, y, t0, t1),
        "spike-distance" => spike_distance(x, y, t0, t1),
        "spike-sync" => spike_sync(x, y, t0, t1),
        "victor-purpura" => victor_purpura(x, y, param(p, "q")),
        "van-rossum" => van_rossum(x, y, param(p, "tau"), VanRossumNorm::Elephant),
        "sttc" => sttc(x, y, param(p, "dt"), t0, t1),
        "schreiber" => schreiber(x, y, param(p, "sigma")),
        "hunter-milton" => hunter_milton(x, y, param(p, "tau")),
        "event-sync:Q" | "event-sync:q" => {
            let tau = if p == "tau=auto" { None } else { Some(param(p, "tau")) };
            let r = event_synchronization(x, y, tau);
            if measure.ends_with('Q') {
                r.strength
            } else {
                r.delay
            }
        }
        other => panic!("unknown measure {other}"),
    }
}

#[test]
fn extra_cases_match_independent_implementations() {
    let mut n = 0;
    for c in CASES {
        for &(m, p, want) in c.expect {
            let got = ours(c, m, p);
            let tol = 1e-9 * want.abs().max(1e-3);
            assert!((got - want).abs() <= tol, "{} {m} {p}: got {got}, reference {want}", c.name);
            n += 1;
        }
    }
    assert!(n > 80, "{n}");
}

#[rustfmt::skip]
const CASES: &[Case] = &[
Case { name: "example_b", x: &[0.027, 0.165, 0.336, 0.41, 1.757, 2.698, 2.997, 4.227, 5.415, 5.436, 6.066, 6.37, 7.295, 7.297, 8.133, 8.159, 8.574, 8.632, 9.128, 9.351], y: &[0.026, 0.179, 0.329, 0.413, 1.766, 2.699, 2.99, 3.102, 3.578, 4.218, 4.858, 5.41, 5.438, 6.056, 6.368, 7.293, 7.302, 8.135, 8.895, 9.34], t0: 0.0, t1: 10.0, expect: &[
    ("isi-distance", "", 0.19215135902712932),
    ("spike-distance", "", 0.10007035763140171),
    ("spike-sync", "", 0.7),
    ("victor-purpura", "q=1.0", 6.323000000000002),
    ("victor-purpura", "q=10.0", 8.900000000000011),
    ("van-rossum", "tau=0.1", 3.228245632674133),
    ("van-rossum", "tau=0.5", 3.232110302948981),
    ("sttc", "dt=0.03", 0.7870096013064094),
    ("sttc", "dt=0.1", 0.6907926313376977),
    ("schreiber", "sigma=0.05", 0.8280638948136619),
    ("schreiber", "sigma=0.1", 0.8640107155759551),
    ("hunter-milton", "tau=0.1", 0.7938913267791973),
    ("event-sync:Q", "tau=auto", 0.7),
    ("event-sync:q", "tau=auto", -0.1),
    ("event-sync:Q", "tau=0.04", 1.05),
    ("event-sync:q", "tau=0.04", -0.15),
    ("event-sync:Q", "tau=0.1", 1.15),
    ("event-sync:q", "tau=0.1", -0.15),
] },
Case { name: "edges", x: &[0.0, 0.4, 0.9, 1.7, 2.5], y: &[0.05, 0.4, 1.0, 2.3], t0: 0.0, t1: 2.5, expect: &[
    ("isi-distance", "", 0.294102564102564),
    ("spike-distance", "", 0.20689533741871408),
    ("spike-sync", "", 0.8888888888888888),
    ("victor-purpura", "q=1.0", 1.35),
    ("victor-purpura", "q=10.0", 4.5),
    ("van-rossum", "tau=0.1", 2.185170706815623),
    ("van-rossum", "tau=0.5", 1.3858135672746679),
    ("sttc", "dt=0.03", 0.1319113871580243),
    ("sttc", "dt=0.1", 0.4658215661103978),
    ("schreiber", "sigma=0.05", 0.48410829722270554),
    ("schreiber", "sigma=0.1", 0.6941840126743366),
    ("hunter-milton", "tau=0.1", 0.4749405866448215),
    ("event-sync:Q", "tau=auto", 0.8944271909999159),
    ("event-sync:q", "tau=auto", 0.22360679774997896),
    ("event-sync:Q", "tau=0.04", 0.22360679774997896),
    ("event-sync:q", "tau=0.04", 0.0),
    ("event-sync:Q", "tau=0.1", 0.6708203932499369),
    ("event-sync:q", "tau=0.1", 0.4472135954999579),
] },
Case { name: "lone_first", x: &[0.0], y: &[0.3, 0.8, 1.9], t0: 0.0, t1: 2.0, expect: &[
    ("isi-distance", "", 0.5700000000000001),
    ("spike-distance", "", 0.25127525494276803),
    ("spike-sync", "", 0.0),
    ("victor-purpura", "q=1.0", 2.3),
    ("victor-purpura", "q=10.0", 4.0),
    ("van-rossum", "tau=0.1", 1.9781972725875887),
    ("van-rossum", "tau=0.5", 1.868885163709796),
    ("sttc", "dt=0.03", -0.05250000000000001),
    ("sttc", "dt=0.1", -0.17500000000000004),
    ("schreiber", "sigma=0.05", 7.125068360975371e-05),
    ("schreiber", "sigma=0.1", 0.06081321585313562),
    ("hunter-milton", "tau=0.1", 0.03324729028369247),
    ("event-sync:Q", "tau=auto", 0.0),
    ("event-sync:q", "tau=auto", 0.0),
    ("event-sync:Q", "tau=0.04", 0.0),
    ("event-sync:q", "tau=0.04", 0.0),
    ("event-sync:Q", "tau=0.1", 0.0),
    ("event-sync:q", "tau=0.1", 0.0),
] },
Case { name: "lone", x: &[1.1], y: &[0.3, 0.8, 1.9], t0: 0.0, t1: 2.0, expect: &[
    ("isi-distance", "", 0.3),
    ("spike-distance", "", 0.29664049586776864),
    ("spike-sync", "", 0.0),
    ("victor-purpura", "q=1.0", 2.3),
    ("victor-purpura", "q=10.0", 4.0),
    ("van-rossum", "tau=0.1", 1.9780276881840566),
    ("van-rossum", "tau=0.5", 1.7702203995145944),
    ("sttc", "dt=0.03", -0.060000000000000026),
    ("sttc", "dt=0.1", -0.2000000000000001),
    ("schreiber", "sigma=0.05", 7.125068360975359e-05),
    ("schreiber", "sigma=0.1", 0.06081328078358069),
    ("hunter-milton", "tau=0.1", 0.03330319978787678),
    ("event-sync:Q", "tau=auto", 0.0),
    ("event-sync:q", "tau=auto", 0.0),
    ("event-sync:Q", "tau=0.04", 0.0),
    ("event-sync:q", "tau=0.04", 0.0),
    ("event-sync:Q", "tau=0.1", 0.0),
    ("event-sync:q", "tau=0.1", 0.0),
] },
Case { name: "empty_x", x: &[], y: &[0.3, 0.8, 1.9], t0: 0.0, t1: 2.0, expect: &[
    ("isi-distance", "", 0.5700000000000001),
    ("spike-distance", "", 0.25127525494276803),
] },
Case { name: "offset_window", x: &[100.2, 100.9, 101.5, 103.0], y: &[100.25, 101.0, 102.2, 102.9, 103.6], t0: 100.0, t1: 104.0, expect: &[
    ("isi-distance", "", 0.35750000000000104),
    ("spike-distance", "", 0.2655672395803963),
    ("spike-sync", "", 0.6666666666666666),
    ("victor-purpura", "q=1.0", 1.9499999999999886),
    ("victor-purpura", "q=10.0", 5.499999999999858),
    ("van-rossum", "tau=0.1", 2.510449251062836),
    ("van-rossum", "tau=0.5", 1.8314529252969485),
    ("sttc", "dt=0.03", -0.06750000000000256),
    ("sttc", "dt=0.1", 0.5349650349650443),
    ("schreiber", "sigma=0.05", 0.338665836787698),
    ("schreiber", "sigma=0.1", 0.5587965423174636),
    ("hunter-milton", "tau=0.1", 0.30319645375161264),
    ("event-sync:Q", "tau=auto", 0.6708203932499369),
    ("event-sync:q", "tau=auto", 0.22360679774997896),
    ("event-sync:Q", "tau=0.04", 0.0),
    ("event-sync:q", "tau=0.04", 0.0),
    ("event-sync:Q", "tau=0.1", 0.6708203932499369),
    ("event-sync:q", "tau=0.1", 0.22360679774997896),
] },
Case { name: "random", x: &[0.075, 0.105, 0.236, 0.714, 0.879, 1.83, 3.089, 3.204, 3.848, 4.012, 4.306, 4.504, 4.95, 5.097, 5.352, 5.569, 6.003, 6.061, 7.391, 8.902, 9.324, 9.359, 9.937, 10.091, 10.155, 10.196, 10.282, 10.298, 10.823, 11.07, 12.251, 12.444, 12.502, 12.585, 12.794, 13.841, 14.835, 15.514, 15.853, 15.941, 16.425, 16.601, 16.943, 17.427, 17.471, 17.607, 17.944, 18.343, 19.779, 19.91], y: &[0.115, 0.12, 0.212, 0.715, 0.891, 1.826, 3.103, 3.203, 3.611, 3.849, 3.861, 4.041, 4.292, 4.508, 4.79, 4.941, 5.1, 5.328, 5.557, 5.999, 6.079, 7.414, 7.526, 8.219, 8.876, 9.308, 9.372, 9.897, 10.082, 10.153, 10.221, 10.291, 10.296, 10.816, 11.047, 11.065, 11.394, 12.831, 17.681, 18.558], t0: 0.0, t1: 20.0, expect: &[
    ("isi-distance", "", 0.3873979443698917),
    ("spike-distance", "", 0.18402927725289256),
    ("spike-sync", "", 0.6),
    ("victor-purpura", "q=1.0", 22.985999999999997),
    ("victor-purpura", "q=10.0", 31.170000000000005),
    ("van-rossum", "tau=0.1", 6.503577574800511),
    ("van-rossum", "tau=0.5", 7.719947864702251),
    ("sttc", "dt=0.03", 0.5951301723394056),
    ("sttc", "dt=0.1", 0.5498672714422401),
    ("schreiber", "sigma=0.05", 0.7306331074455441),
    ("schreiber", "sigma=0.1", 0.7786738089589154),
    ("hunter-milton", "tau=0.1", 0.6580185705289208),
    ("event-sync:Q", "tau=auto", 0.6037383539249432),
    ("event-sync:q", "tau=auto", -0.11180339887498948),
    ("event-sync:Q", "tau=0.04", 0.7826237921249264),
    ("event-sync:q", "tau=0.04", -0.022360679774997897),
    ("event-sync:Q", "tau=0.1", 1.118033988749895),
    ("event-sync:q", "tau=0.1", 0.044721359549995794),
] },
];
