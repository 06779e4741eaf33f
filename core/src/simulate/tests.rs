use super::*;
use crate::signal::welch;

fn short(duration: f64) -> SimulationOptions {
    SimulationOptions {
        duration,
        ..SimulationOptions::default()
    }
}

fn row(rec: &Recording, name: &str) -> Vec<f32> {
    let i = rec.channel_index(name).expect("channel of the montage");
    rec.read_signal(i, 0.0, rec.duration()).expect("in range")
}

fn all_rows(rec: &Recording) -> Vec<Vec<f32>> {
    (0..rec.signals().len())
        .map(|i| rec.read_signal(i, 0.0, rec.duration()).expect("in range"))
        .collect()
}

#[test]
fn same_options_give_bit_identical_output_on_any_thread_count() {
    let o = short(20.0);
    let (a, ta) = simulate(&o).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let (b, tb) = pool.install(|| simulate(&o)).unwrap();
    let (ra, rb) = (all_rows(&a), all_rows(&b));
    assert_eq!(ra.len(), 21);
    for (x, y) in ra.iter().zip(&rb) {
        assert!(x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits()));
    }
    assert_eq!(ta, tb);
    assert_eq!(ta.to_json(), tb.to_json());
    let other = SimulationOptions {
        seed: o.seed + 1,
        ..o.clone()
    };
    let (c, _) = simulate(&other).unwrap();
    assert_ne!(all_rows(&c)[0], ra[0]);
}

#[test]
fn labels_rate_and_length() {
    let (rec, truth) = simulate(&short(10.0)).unwrap();
    let labels: Vec<&str> = rec.signals().iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, CHANNELS_10_20.to_vec());
    assert!(rec
        .signals()
        .iter()
        .all(|s| s.sample_rate == 200.0 && s.n_samples == 2000));
    assert_eq!(truth.channels.len(), 21);
    assert!(truth
        .bursts
        .iter()
        .all(|b| b.channel != "A1" && b.channel != "A2"));
}

/// Without background and rhythms the samples are exactly the planted bursts,
/// re-synthesised here from the truth with the documented formula.
#[test]
fn samples_are_the_bursts_the_truth_lists() {
    let o = SimulationOptions {
        background_rms: 0.0,
        alpha: None,
        theta: None,
        ..short(30.0)
    };
    let (rec, truth) = simulate(&o).unwrap();
    assert!(truth.bursts.len() > 50, "{} bursts", truth.bursts.len());
    let fs = truth.sample_rate;
    for (ci, name) in truth.channels.iter().enumerate() {
        let x = row(&rec, name);
        let mut expect = vec![0.0f64; x.len()];
        for b in truth.bursts.iter().filter(|b| b.channel_index == ci) {
            assert_eq!(&b.channel, name);
            for (i, e) in expect.iter_mut().enumerate() {
                let u = i as f64 / fs - b.time;
                if u.abs() <= 5.0 * b.sigma_t {
                    *e += b.amplitude
                        * (-u * u / (2.0 * b.sigma_t * b.sigma_t)).exp()
                        * (2.0 * std::f64::consts::PI * b.frequency * u + b.phase).cos();
                }
            }
        }
        for (i, (a, e)) in x.iter().zip(&expect).enumerate() {
            assert!(
                (*a as f64 - e).abs() < 1e-3,
                "{name} sample {i}: {a} vs {e}"
            );
        }
    }
}

/// The truth follows the generative model: Poisson count, deletion fraction, jitter.
#[test]
fn group_copies_follow_the_ses_generative_model() {
    let o = SimulationOptions {
        duration: 600.0,
        background_rms: 0.0,
        alpha: None,
        theta: None,
        independent_rate: 0.0,
        groups: vec![SyncGroup {
            channels: vec!["F3".into(), "C3".into(), "P3".into(), "O1".into()],
            delays: vec![0.0, 0.01, 0.02, 0.04],
            rate: 1.0,
            jitter_sd: 0.02,
            frequency_jitter_sd: 0.0,
            deletion_probability: 0.3,
            frequency_range: (8.0, 12.0),
        }],
        ..SimulationOptions::default()
    };
    let (_, truth) = simulate(&o).unwrap();
    let g = &truth.groups[0];
    let n_hidden = g.hidden_events.len() as f64;
    let expect = 598.0; // rate × (T − 2·margin)
    assert!(
        (n_hidden - expect).abs() < 4.0 * expect.sqrt(),
        "{n_hidden} hidden events"
    );
    let copies = truth.bursts.len() as f64;
    let deleted = 1.0 - copies / (4.0 * n_hidden);
    assert!((deleted - 0.3).abs() < 0.03, "deletion fraction {deleted}");
    let residuals: Vec<f64> = truth
        .bursts
        .iter()
        .map(|b| {
            let h = &g.hidden_events[b.hidden_event.unwrap()];
            let c = g.channels.iter().position(|c| *c == b.channel).unwrap();
            assert_eq!(b.frequency, h.frequency);
            b.time - h.time - g.delays[c]
        })
        .collect();
    let m = residuals.iter().sum::<f64>() / residuals.len() as f64;
    let sd = (residuals.iter().map(|r| (r - m).powi(2)).sum::<f64>()
        / (residuals.len() - 1) as f64)
        .sqrt();
    assert!(m.abs() < 0.003, "mean jitter {m}");
    assert!((sd / 0.02 - 1.0).abs() < 0.06, "jitter sd {sd}");
    let p = truth.pair_truth(0, "C3", "O1").unwrap();
    assert!((p.delay - 0.03).abs() < 1e-12);
    assert!((p.jitter_variance - 8e-4).abs() < 1e-12);
    assert_eq!(p.expected_rho, 0.3);
    assert!(truth.pair_truth(0, "C3", "Fz").is_none());
}

/// Magnitude of the projection of `x` on a Gaussian-windowed complex exponential at
/// centre `t` s, frequency `f` Hz, envelope s.d. `s` s.
fn local_amplitude(x: &[f32], fs: f64, t: f64, f: f64, s: f64) -> f64 {
    let lo = ((t - 4.0 * s) * fs).floor().max(0.0) as usize;
    let hi = (((t + 4.0 * s) * fs).ceil() as usize).min(x.len() - 1);
    let (mut re, mut im) = (0.0, 0.0);
    for (i, &v) in x.iter().enumerate().take(hi + 1).skip(lo) {
        let u = i as f64 / fs - t;
        let g = (-u * u / (2.0 * s * s)).exp();
        let ph = 2.0 * std::f64::consts::PI * f * u;
        re += v as f64 * g * ph.cos();
        im -= v as f64 * g * ph.sin();
    }
    (re * re + im * im).sqrt()
}

/// In the full simulation (background, rhythms, bursts) the band amplitude at each
/// planted burst's time and frequency stands out from the same measure at random times.
#[test]
fn planted_bursts_are_where_the_truth_says() {
    let (rec, truth) = simulate(&short(60.0)).unwrap();
    let fs = truth.sample_rate;
    let mut rng = rng_for(99, Stream::Group(0));
    let (mut hits, mut shifted_hits, mut total) = (0, 0, 0);
    for name in ["Fz", "C3", "O1", "T4", "Fp2"] {
        let x = row(&rec, name);
        for b in truth.bursts_of(name) {
            let mut null: Vec<f64> = (0..200)
                .map(|_| {
                    let t = 1.0 + rng.gen::<f64>() * 58.0;
                    local_amplitude(&x, fs, t, b.frequency, b.sigma_t)
                })
                .collect();
            null.sort_by(f64::total_cmp);
            let q95 = null[189];
            total += 1;
            if local_amplitude(&x, fs, b.time, b.frequency, b.sigma_t) > q95 {
                hits += 1;
            }
            // Control: 0.7 s later, usually no burst there.
            if local_amplitude(&x, fs, b.time + 0.7, b.frequency, b.sigma_t) > q95 {
                shifted_hits += 1;
            }
        }
    }
    let (h, s) = (
        hits as f64 / total as f64,
        shifted_hits as f64 / total as f64,
    );
    assert!(total > 40, "{total} bursts");
    assert!(h > 0.85, "only {hits}/{total} planted bursts stand out");
    assert!(s < 0.3, "{shifted_hits}/{total} shifted times stand out");
}

fn loglog_slope(psd: &crate::signal::Psd, lo: f64, hi: f64) -> f64 {
    let pts: Vec<(f64, f64)> = psd
        .frequencies
        .iter()
        .zip(&psd.power)
        .filter(|(f, _)| **f >= lo && **f <= hi)
        .map(|(f, p)| (f.log10(), p.log10()))
        .collect();
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    sxy / sxx
}

#[test]
fn background_spectrum_falls_as_one_over_f() {
    let o = SimulationOptions {
        alpha: None,
        theta: None,
        groups: vec![],
        independent_rate: 0.0,
        ..short(120.0)
    };
    let (rec, _) = simulate(&o).unwrap();
    for name in ["Cz", "O1", "T3"] {
        let x = row(&rec, name);
        let psd = welch(&x, 200.0, 800).unwrap();
        let slope = loglog_slope(&psd, 2.0, 40.0);
        assert!((slope + 1.0).abs() < 0.12, "{name}: slope {slope}");
        // RMS of the background as configured (Parseval on the PSD).
        let var: f64 = psd.power.iter().sum::<f64>() * 200.0 / 800.0;
        assert!(
            (var.sqrt() / 10.0 - 1.0).abs() < 0.1,
            "{name}: rms {}",
            var.sqrt()
        );
    }
    // Steeper background when asked.
    let (rec2, _) = simulate(&SimulationOptions {
        background_exponent: 2.0,
        ..o
    })
    .unwrap();
    let slope2 = loglog_slope(&welch(&row(&rec2, "Cz"), 200.0, 800).unwrap(), 2.0, 40.0);
    assert!((slope2 + 2.0).abs() < 0.15, "slope {slope2}");
}

#[test]
fn alpha_peaks_posteriorly_and_theta_frontally() {
    let (rec, _) = simulate(&short(120.0)).unwrap();
    let psd = |c: &str| welch(&row(&rec, c), 200.0, 800).unwrap();
    let (o1, fp1, fz, pz) = (psd("O1"), psd("Fp1"), psd("Fz"), psd("Pz"));
    // The O1 spectrum's maximum between 5 and 15 Hz is at the alpha frequency.
    let (fpk, _) = o1
        .frequencies
        .iter()
        .zip(&o1.power)
        .filter(|(f, _)| **f >= 5.0 && **f <= 15.0)
        .fold(
            (0.0, 0.0),
            |acc, (f, p)| if *p > acc.1 { (*f, *p) } else { acc },
        );
    assert!((fpk - 10.0).abs() <= 0.5, "O1 peak at {fpk} Hz");
    // A peak, not the background: alpha band far above the flanks.
    let flanks = 0.5 * (o1.band_mean(6.5, 7.5) + o1.band_mean(13.0, 14.0));
    assert!(o1.band_mean(9.5, 10.5) > 5.0 * flanks);
    // Posterior, not frontal.
    assert!(o1.band_mean(9.0, 11.0) > 10.0 * fp1.band_mean(9.0, 11.0));
    assert!(pz.band_mean(9.0, 11.0) > 5.0 * fp1.band_mean(9.0, 11.0));
    // Theta frontal.
    assert!(fz.band_mean(5.5, 6.5) > 3.0 * o1.band_mean(5.5, 6.5));
}

#[test]
fn invalid_options_are_errors_naming_the_field() {
    let mut o = short(10.0);
    o.groups[0].channels[1] = "Xx9".into();
    let e = simulate(&o).unwrap_err().to_string();
    assert!(e.contains("Xx9") && e.contains("group 0"), "{e}");
    let mut o = short(10.0);
    o.groups[1].deletion_probability = 1.5;
    let e = simulate(&o).unwrap_err().to_string();
    assert!(
        e.contains("groups[1].deletion_probability") && e.contains("1.5"),
        "{e}"
    );
    let o = SimulationOptions {
        sample_rate: f64::NAN,
        ..short(10.0)
    };
    assert!(simulate(&o)
        .unwrap_err()
        .to_string()
        .contains("sample_rate"));
    let mut o = short(10.0);
    o.groups[0].frequency_range = (4.0, 150.0);
    assert!(simulate(&o)
        .unwrap_err()
        .to_string()
        .contains("frequency_range"));
}

#[test]
fn cohort_groups_differ_in_synchrony_and_are_reproducible() {
    let c = CohortSimulationOptions {
        base: short(10.0),
        groups: vec![
            CohortGroup {
                name: "control".into(),
                subjects: 2,
                jitter_sd: 0.01,
                deletion_probability: 0.1,
            },
            CohortGroup {
                name: "patient".into(),
                subjects: 2,
                jitter_sd: 0.03,
                deletion_probability: 0.5,
            },
        ],
    };
    let a = simulate_cohort(&c).unwrap();
    let ids: Vec<&str> = a.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["control01", "control02", "patient01", "patient02"]);
    let mut seeds: Vec<u64> = a.iter().map(|s| s.seed).collect();
    seeds.dedup();
    assert_eq!(seeds.len(), 4);
    assert!(a[3]
        .truth
        .groups
        .iter()
        .all(|g| g.deletion_probability == 0.5 && g.jitter_sd == 0.03));
    assert!(a[0]
        .truth
        .groups
        .iter()
        .all(|g| g.deletion_probability == 0.1 && g.jitter_sd == 0.01));
    let b = simulate_cohort(&c).unwrap();
    assert_eq!(a[2].truth, b[2].truth);
    let bad = CohortSimulationOptions {
        groups: vec![CohortGroup {
            name: "a b".into(),
            ..c.groups[0].clone()
        }],
        ..c
    };
    assert!(simulate_cohort(&bad).is_err());
}

#[test]
fn extra_channels_follow_the_montage_and_leave_it_unchanged() {
    let base = short(10.0);
    let wide = SimulationOptions {
        extra_channels: 43,
        ..base.clone()
    };
    let (a, ta) = simulate(&base).unwrap();
    let (b, tb) = simulate(&wide).unwrap();
    let labels: Vec<&str> = b.signals().iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels.len(), 64);
    assert_eq!(labels[..21], CHANNELS_10_20[..]);
    assert_eq!((labels[21], labels[63]), ("E22", "E64"));
    assert_eq!(tb.channels, labels);
    // The 21 montage channels are the same samples with or without extra channels.
    let (ra, rb) = (all_rows(&a), all_rows(&b));
    assert_eq!(ra[..], rb[..21]);
    assert_eq!(ta.groups, tb.groups);
    // Extra channels carry background and independent bursts, each its own.
    assert!(tb.bursts.iter().any(|x| x.channel == "E64"));
    assert!(tb
        .bursts
        .iter()
        .all(|x| x.channel_index < 21 || x.group.is_none()));
    assert_ne!(rb[21], rb[22]);
    let rms =
        |r: &[f32]| (r.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / r.len() as f64).sqrt();
    assert!((5.0..20.0).contains(&rms(&rb[40])), "{}", rms(&rb[40]));
    let too_many = SimulationOptions {
        extra_channels: MAX_CHANNELS,
        ..base
    };
    assert!(simulate(&too_many).is_err());
}
