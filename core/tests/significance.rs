//! Per-pair surrogate tests (`[significance]`): uniform p under the null for an event
//! and a continuous measure, the right direction on coupled pairs, Benjamini–Hochberg
//! and the max-statistic correction on a planted sub-network, determinism whatever the
//! thread count, and the configuration checks.

use ndarray::Array3;
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sesame_core::analysis::significance::{test_set, SignificanceConfig};
use sesame_core::analysis::{self, Config, Silent};
use sesame_core::measures::{find, ParamValues, SetInput, SetValues, Target};
use sesame_core::simulate::coupling::ks_to_discrete_uniform;
use sesame_core::simulate::{simulate, SimulationOptions};
use sesame_core::surrogates::SurrogateMethod;

fn poisson(rng: &mut ChaCha8Rng, rate: f64, duration: f64) -> Vec<f64> {
    let mut t = 0.0;
    let mut out = Vec::new();
    loop {
        t += -(1.0 - rng.gen::<f64>()).ln() / rate;
        if t >= duration {
            return out;
        }
        out.push(t);
    }
}

fn values(set: &SetValues, name: &str) -> Vec<(usize, usize, f64)> {
    set.iter()
        .filter_map(|(t, v)| match *t {
            Target::Pair(i, j) => v.iter().find(|x| x.name == name).map(|x| (i, j, x.value)),
            _ => None,
        })
        .collect()
}

fn run(id: &str, set: &SetInput, config: &SignificanceConfig) -> SetValues {
    let m = find(id).expect("registered measure");
    let params = ParamValues::defaults(m.params());
    let observed = m.compute_set(set, &params).expect("observed values");
    test_set(m, &params, set, observed, config, &Silent, (0.0, 1.0)).expect("surrogate test")
}

fn config(surrogates: usize, method: SurrogateMethod) -> SignificanceConfig {
    SignificanceConfig {
        surrogates,
        method,
        ..SignificanceConfig::default()
    }
}

/// 46 independent channels give 1,035 pairs.
const CHANNELS: usize = 46;

#[test]
fn event_measure_p_is_uniform_under_the_null() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let trains: Vec<Vec<f64>> = (0..CHANNELS)
        .map(|_| poisson(&mut rng, 2.0, 60.0))
        .collect();
    let set = SetInput::PointProcess {
        trains: &trains,
        window: (0.0, 60.0),
    };
    for method in [SurrogateMethod::Shift, SurrogateMethod::Dither] {
        let out = run("victor-purpura", &set, &config(19, method));
        let p: Vec<f64> = values(&out, "distance.p").iter().map(|v| v.2).collect();
        assert_eq!(p.len(), CHANNELS * (CHANNELS - 1) / 2);
        let ks = ks_to_discrete_uniform(&p, 19);
        // 1.63/√n is the 1 % critical value for independent p; pairs sharing a channel
        // are dependent, so allow half as much again.
        let bound = 1.5 * 1.63 / (p.len() as f64).sqrt();
        let share = |a: f64| p.iter().filter(|&&v| v <= a + 1e-12).count() as f64 / p.len() as f64;
        println!(
            "{method:?}: KS {ks:.3}, P(p ≤ 0.05) {:.3}, P(p ≤ 0.1) {:.3}, P(p ≤ 0.5) {:.3}",
            share(0.05),
            share(0.1),
            share(0.5)
        );
        match method {
            // circular shifts: the observed pair is exchangeable with its surrogates
            SurrogateMethod::Shift => assert!(ks < bound, "{method:?}: KS {ks} ≥ {bound}"),
            // dithered trains are centred on the observed one, which then sits in the
            // middle of its null: not exact, but conservative in the tail
            _ => {
                for a in [0.05, 0.1, 0.2] {
                    assert!(
                        share(a) <= a + bound,
                        "{method:?}: P(p ≤ {a}) = {}",
                        share(a)
                    );
                }
            }
        }
        let q: Vec<f64> = values(&out, "distance.q").iter().map(|v| v.2).collect();
        assert!(
            q.iter().all(|&q| q > 0.05),
            "{method:?}: a false discovery at q ≤ 0.05"
        );
        // every tested output has its four values
        for name in ["distance.null_mean", "distance.null_sd"] {
            assert_eq!(values(&out, name).len(), p.len());
        }
    }
}

#[test]
fn continuous_measure_p_is_uniform_under_the_null() {
    let data = ar1(5, CHANNELS, 8, 128);
    let set = SetInput::Continuous {
        data: data.view(),
        fs: 128.0,
    };
    for method in SurrogateMethod::CONTINUOUS {
        let cfg = SignificanceConfig {
            min_shift: 1.0,
            ..config(19, *method)
        };
        let out = run("coh", &set, &cfg);
        let p: Vec<f64> = values(&out, "coh.p").iter().map(|v| v.2).collect();
        assert_eq!(p.len(), CHANNELS * (CHANNELS - 1) / 2);
        // 8 epochs allow 7 shifts by whole epochs: all of them, p on the grid 1/8
        let k = if *method == SurrogateMethod::Shift {
            7
        } else {
            19
        };
        let ks = ks_to_discrete_uniform(&p, k);
        let bound = 1.5 * 1.63 / (p.len() as f64).sqrt();
        assert!(ks < bound, "{method:?}: KS {ks} ≥ {bound}");
    }
}

/// Channels 0–3 share jittered copies of one train; the others are independent.
fn planted_trains(seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let hidden = poisson(&mut rng, 2.0, 60.0);
    (0..12)
        .map(|c| {
            if c < 4 {
                let mut t = Vec::new();
                for &h in &hidden {
                    if rng.gen::<f64>() < 0.8 {
                        t.push((h + 0.003 * (rng.gen::<f64>() - 0.5)).clamp(0.0, 59.999));
                    }
                }
                t.sort_by(f64::total_cmp);
                t
            } else {
                poisson(&mut rng, 2.0, 60.0)
            }
        })
        .collect()
}

#[test]
fn planted_pairs_are_found_in_the_right_direction() {
    let trains = planted_trains(3);
    let set = SetInput::PointProcess {
        trains: &trains,
        window: (0.0, 60.0),
    };
    let cfg = SignificanceConfig {
        fwer: true,
        ..config(499, SurrogateMethod::Shift)
    };
    // a distance (lower is more synchronous) and a similarity (higher is)
    for (id, out_name) in [("victor-purpura", "distance"), ("schreiber", "similarity")] {
        let out = run(id, &set, &cfg);
        let planted = |i: usize, j: usize| i < 4 && j < 4;
        for (i, j, q) in values(&out, &format!("{out_name}.q")) {
            if planted(i, j) {
                assert!(q <= 0.05, "{id}: planted pair {i}-{j} q = {q}");
            }
        }
        for (i, j, p) in values(&out, &format!("{out_name}.p_fwer")) {
            if planted(i, j) {
                assert!(p <= 0.05, "{id}: planted pair {i}-{j} p_fwer = {p}");
            } else {
                assert!(p > 0.05, "{id}: unrelated pair {i}-{j} p_fwer = {p}");
            }
        }
        for (i, j, p) in values(&out, &format!("{out_name}.p")) {
            if planted(i, j) {
                assert_eq!(p, 1.0 / 500.0, "{id}: planted pair {i}-{j}");
            }
        }
    }
}

#[test]
fn the_same_p_whatever_the_thread_count() {
    let trains = planted_trains(8);
    let set = SetInput::PointProcess {
        trains: &trains,
        window: (0.0, 60.0),
    };
    let cfg = config(39, SurrogateMethod::Dither);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool")
        .install(|| run("van-rossum", &set, &cfg));
    let many = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .expect("pool")
        .install(|| run("van-rossum", &set, &cfg));
    assert_eq!(one, many);
    let other_seed = run("van-rossum", &set, &SignificanceConfig { seed: 1, ..cfg });
    assert_ne!(one, other_seed);
}

#[test]
fn the_pipeline_adds_the_test_rows_and_refuses_a_method_outside_the_family() {
    let (rec, _) = simulate(&SimulationOptions {
        duration: 30.0,
        ..SimulationOptions::default()
    })
    .expect("simulated recording");
    let mut cfg = Config::default();
    cfg.input.channels = ["F3", "Fz", "C3", "O2"].map(String::from).to_vec();
    cfg.measures.ids = vec!["van-rossum".into(), "plv".into()];
    cfg.significance.surrogates = 9;
    let res = analysis::run(&rec, "sim", &cfg, &Silent).expect("analysis");
    for (measure, name, unit) in [("van-rossum", "distance", ""), ("plv", "plv", "")] {
        for suffix in ["p", "q", "null_mean", "null_sd"] {
            let rows: Vec<_> = res
                .rows
                .iter()
                .filter(|r| r.measure == measure && r.parameter == format!("{name}.{suffix}"))
                .collect();
            assert_eq!(rows.len(), 6, "{measure} {name}.{suffix}");
            if suffix.starts_with("null") {
                assert!(rows.iter().all(|r| r.unit == unit));
            }
        }
    }
    cfg.significance.method = SurrogateMethod::Dither;
    let e = analysis::run(&rec, "sim", &cfg, &Silent)
        .unwrap_err()
        .to_string();
    assert!(e.contains("dither") && e.contains("plv"), "{e}");
}

/// AR(1) noise: `channels × epochs × samples`, a spectrum with structure and no
/// relation between channels.
fn ar1(seed: u64, channels: usize, epochs: usize, samples: usize) -> Array3<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut data = Array3::<f64>::zeros((channels, epochs, samples));
    for c in 0..channels {
        let mut v = 0.0;
        for e in 0..epochs {
            for s in 0..samples {
                v = 0.7 * v + (rng.gen::<f64>() - 0.5);
                data[(c, e, s)] = v;
            }
        }
    }
    data
}

#[test]
fn spectral_surrogates_from_reordered_spectra_equal_a_new_transform() {
    use sesame_core::measures::spectral::pair_spectral_reordered;
    use sesame_core::measures::{registry, PairInput};
    let (epochs, samples, fs) = (6, 128, 64.0);
    let data = ar1(21, 3, epochs, samples);
    let rotation: Vec<usize> = (0..epochs).map(|e| (e + 2) % epochs).collect();
    let shuffle = vec![3, 0, 5, 1, 2, 4];
    let spectral: Vec<_> = registry()
        .iter()
        .filter(|m| m.as_spectral().is_some())
        .collect();
    assert!(
        spectral.len() >= 10,
        "spectral measures: {}",
        spectral.len()
    );
    let mut checked = 0;
    for m in spectral {
        let sm = m.as_spectral().expect("spectral");
        for estimate in ["epochs", "time"] {
            let mut given = vec![("estimate", estimate)];
            if m.params().iter().any(|p| p.name == "segment") {
                given.push(("segment", "0.5"));
            }
            let params = ParamValues::parse(m.params(), given).expect("parameters");
            let sp = (sm.spectra)(data.view(), fs, &params).expect("spectra");
            for order in [&rotation, &shuffle] {
                for (i, j) in [(0, 1), (2, 0)] {
                    let y = data
                        .index_axis(ndarray::Axis(0), j)
                        .select(ndarray::Axis(0), order);
                    let pair = PairInput::Continuous {
                        x: data.index_axis(ndarray::Axis(0), i),
                        y: y.view(),
                        fs,
                    };
                    let new = m.compute(&pair, &params).expect("values")[0].value;
                    let fast = pair_spectral_reordered(&sp, i, j, &[sm.method], order)
                        .expect("spectra laid out by epochs")[0];
                    assert!(
                        (new - fast).abs() <= 1e-10 * (1.0 + new.abs()),
                        "{} estimate={estimate} order {order:?} pair ({i}, {j}): {new} vs {fast}",
                        m.id()
                    );
                    checked += 1;
                }
            }
        }
    }
    println!("{checked} surrogate values agree");
    // an order that does not fit the layout is refused, not misread
    let params = ParamValues::defaults(find("coh").expect("coh").params());
    let sp = sesame_core::measures::spectral::fourier_spectra(data.view(), fs, &params)
        .expect("spectra");
    assert!(pair_spectral_reordered(&sp, 0, 1, &[], &[0, 1, 2, 3]).is_none());
    assert!(pair_spectral_reordered(&sp, 0, 9, &[], &rotation).is_none());
}

#[test]
fn spectral_shift_surrogates_move_whole_epochs_and_stay_uniform_under_the_null() {
    // 40 epochs: 39 distinct shifts for 19 surrogates
    let data = ar1(8, 24, 40, 64);
    let set = SetInput::Continuous {
        data: data.view(),
        fs: 64.0,
    };
    let cfg = SignificanceConfig {
        min_shift: 1.0,
        ..config(19, SurrogateMethod::Shift)
    };
    for id in ["coh", "plv", "wpli"] {
        let out = run(id, &set, &cfg);
        let name = find(id).expect("measure").outputs()[0].name;
        let p: Vec<f64> = values(&out, &format!("{name}.p"))
            .iter()
            .map(|v| v.2)
            .collect();
        assert_eq!(p.len(), 24 * 23 / 2);
        let ks = ks_to_discrete_uniform(&p, 19);
        let bound = 1.5 * 1.63 / (p.len() as f64).sqrt();
        assert!(ks < bound, "{id}: KS {ks} ≥ {bound}");
    }
}

#[test]
fn ses_surrogates_are_measured_against_the_observed_chance_level() {
    use sesame_core::measures::PairInput;
    let trains = planted_trains(4);
    let m = find("ses-1d").expect("ses-1d");
    let params = ParamValues::defaults(m.params());
    let window = (0.0, 60.0);
    let shifted: Vec<f64> = trains[1].iter().map(|t| (t + 17.0) % 60.0).collect();
    let mut shifted = shifted;
    shifted.sort_by(f64::total_cmp);
    let pair = PairInput::PointProcess {
        x: &trains[0],
        y: &shifted,
        window,
    };
    let full = m.compute(&pair, &params).expect("values");
    let observed = m
        .compute(
            &PairInput::PointProcess {
                x: &trains[0],
                y: &trains[1],
                window,
            },
            &params,
        )
        .expect("values");
    let fast = m
        .surrogate_compute(&pair, &params, &observed, &None)
        .expect("surrogate values");
    let get = |v: &[sesame_core::measures::Value], n: &str| {
        v.iter().find(|x| x.name == n).map(|x| x.value)
    };
    // the same fit
    assert_eq!(get(&fast, "rho"), get(&full, "rho"));
    // sync against the observed pair's chance level
    let rn = get(&observed, "rho_null").expect("rho_null");
    let rho = get(&fast, "rho").expect("rho");
    assert_eq!(get(&fast, "sync"), Some((rn - rho) / rn));
    // the planted pairs (channels 0–3) are significant on sync and on rho alike
    let set = SetInput::PointProcess {
        trains: &trains,
        window,
    };
    let out = run("ses-1d", &set, &config(39, SurrogateMethod::Shift));
    for name in ["sync.p", "rho.p"] {
        let ps = values(&out, name);
        assert_eq!(ps.len(), 66, "{name}");
        let planted: Vec<_> = ps.iter().filter(|v| v.0 < 4 && v.1 < 4).collect();
        assert!(planted.iter().all(|v| v.2 <= 0.05), "{name}: {planted:?}");
    }
}
