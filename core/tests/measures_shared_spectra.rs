//! Spectral measures computed together in the analysis pipeline (one set of spectra
//! for every measure with the same spectra source and parameters) give exactly the
//! values each gives alone.

use sesame_core::analysis::pipeline::{resolve_measures, spectral_group};
use sesame_core::analysis::{self, Config, Results, Silent};
use sesame_core::simulate::{simulate, SimulationOptions};

fn recording() -> sesame_core::recording::Recording {
    let opts = SimulationOptions {
        duration: 30.0,
        ..SimulationOptions::default()
    };
    simulate(&opts).expect("simulation").0
}

fn config(ids: &[&str]) -> Config {
    let mut c = Config::default();
    c.input.channels = ["F3", "Fz", "F4", "C3", "T3", "O2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    c.measures.ids = ids.iter().map(|s| s.to_string()).collect();
    // `msc` with its own band: a group of its own, next to the default-band ones
    let mut msc = std::collections::BTreeMap::new();
    msc.insert("fmin".to_string(), toml::Value::Float(4.0));
    msc.insert("fmax".to_string(), toml::Value::Float(12.0));
    if ids.contains(&"msc") {
        c.measures.params.insert("msc".into(), msc);
    }
    c
}

/// Every row as comparable text, the value by its bits.
fn rows(r: &Results) -> Vec<String> {
    let mut v: Vec<String> = r
        .rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {} {:016x} {}",
                r.recording,
                r.channel_a,
                r.channel_b,
                r.measure,
                r.parameter,
                r.value.to_bits(),
                r.unit
            )
        })
        .collect();
    v.sort();
    v
}

const IDS: [&str; 9] = [
    "coh",
    "imcoh",
    "plv",
    "wpli",
    "msc",
    "coherency-phase",
    "coh-wavelet",
    "plv-wavelet",
    "victor-purpura",
];

#[test]
fn measures_sharing_spectra_are_grouped_by_source_and_parameters() {
    let c = config(&IDS);
    let measures = resolve_measures(&c).expect("measures");
    let ids = |k: usize| -> Vec<&str> {
        spectral_group(&measures, k)
            .iter()
            .map(|&(q, s)| {
                assert_eq!(measures[q].0.id(), s.info.id);
                s.info.id
            })
            .collect()
    };
    assert_eq!(ids(0), ["coh", "imcoh", "plv", "wpli", "coherency-phase"]);
    assert_eq!(ids(4), ["msc"]);
    assert_eq!(ids(6), ["coh-wavelet", "plv-wavelet"]);
    assert!(ids(8).is_empty(), "victor-purpura is not spectral");
}

#[test]
fn measures_computed_together_equal_each_alone_bit_for_bit() {
    let rec = recording();
    let together = analysis::run(&rec, "sim", &config(&IDS), &Silent).expect("together");
    let mut alone = Results::default();
    for id in IDS {
        let r = analysis::run(&rec, "sim", &config(&[id]), &Silent).expect(id);
        assert!(!r.rows.is_empty(), "{id}: no rows");
        alone.rows.extend(r.rows);
    }
    let (t, a) = (rows(&together), rows(&alone));
    assert_eq!(t.len(), a.len());
    // 6 channels: 15 pairs per measure
    assert_eq!(t.len(), 15 * IDS.len());
    for (x, y) in t.iter().zip(&a) {
        assert_eq!(x, y);
    }
}

/// Channels × epochs × samples of Gaussian noise.
fn noise(seed: u64, n_ch: usize, n_ep: usize, n_samp: usize) -> ndarray::Array3<f64> {
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    ndarray::Array3::from_shape_fn((n_ch, n_ep, n_samp), |_| StandardNormal.sample(&mut rng))
}

#[test]
fn spectra_in_reused_buffers_equal_fresh_ones() {
    use sesame_core::measures::spectral::{
        set_spectral, Estimate, FourierSettings, SpectralMethod,
    };
    let methods = [
        SpectralMethod::Coh,
        SpectralMethod::ImCoh,
        SpectralMethod::Plv,
        SpectralMethod::WPli,
    ];
    for estimate in [Estimate::AcrossEpochs, Estimate::OverTime { segment: 0.5 }] {
        let settings = FourierSettings {
            fmin: 1.0,
            fmax: 45.0,
            estimate,
        };
        let small = noise(1, 5, 12, 200);
        let first = set_spectral(small.view(), 100.0, &settings, &methods).expect("small");
        // larger spectra of other data, dropped: their buffers are reused below
        let large = noise(2, 8, 30, 400);
        let other = set_spectral(large.view(), 100.0, &settings, &methods).expect("large");
        assert_eq!(other.len(), 28);
        drop(other);
        let again = set_spectral(small.view(), 100.0, &settings, &methods).expect("again");
        assert_eq!(first.len(), 10);
        for ((pa, va), (pb, vb)) in first.iter().zip(&again) {
            assert_eq!(pa, pb);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(va), bits(vb), "{estimate:?}, pair {pa:?}");
        }
    }
}
