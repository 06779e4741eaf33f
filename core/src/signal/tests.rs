use super::*;
use crate::recording::Annotation;
use ndarray::Array2;
use std::f64::consts::PI;

fn spec(kind: FilterKind, order: usize) -> FilterSpec {
    FilterSpec { kind, order, sample_rate: 200.0 }
}

fn sine(fs: f64, f: f64, n: usize, amp: f64, phase: f64) -> Vec<f64> {
    (0..n).map(|i| amp * (2.0 * PI * f * i as f64 / fs + phase).sin()).collect()
}

/// Gain and phase of `y` relative to a sinusoid at `f` Hz, by projection over samples
/// `a..b` (a whole number of periods).
fn gain_phase(x: &[f64], y: &[f64], fs: f64, f: f64, a: usize, b: usize) -> (f64, f64) {
    let proj = |v: &[f64]| {
        let (mut c, mut s) = (0.0, 0.0);
        for (i, &val) in v.iter().enumerate().take(b).skip(a) {
            let w = 2.0 * PI * f * i as f64 / fs;
            c += val * w.cos();
            s += val * w.sin();
        }
        num_complex::Complex64::new(c, s)
    };
    let (px, py) = (proj(x), proj(y));
    ((py.norm() / px.norm()), (py / px).arg())
}

// ---------------------------------------------------------------------------------------
// Reference numbers from SciPy 1.17.1 / NumPy 2.4.6:
//   scipy.signal.butter(N, Wn, btype, fs=200, output='sos')   (section denominators, sorted)
//   scipy.signal.sosfreqz(sos, worN=[...], fs=200)             (complex response)
//   scipy.signal.sosfiltfilt(sos, x)                            (default padtype='odd')
//   scipy.signal.resample_poly(x, up, down)                     (default Kaiser β=5, zero pad)
// on x[n] = sin(2π·3n/200) + 0.5·sin(2π·12.5n/200) + 0.25·cos(2π·45n/200) + 0.01n,
// n = 0..399.
// ---------------------------------------------------------------------------------------

const BP4_4_30_DEN: &[[f64; 3]] = &[
    [1.0, -1.9089664619153184, 0.9248805882542918],
    [1.0, -1.7419006210818537, 0.7638293355581249],
    [1.0, -0.970761333736853, 0.609554806726964],
    [1.0, -0.901145547536445, 0.25544311857962027],
];
const BP4_4_30_RESP: &[(f64, f64, f64)] = &[
    (0.5, 0.00013856512733602023, -4.0892383577803825e-05),
    (3.0, -0.10606645404623133, -0.2165145653458296),
    (4.0, -0.7071067811865407, 5.8071377472467046e-15),
    (10.0, 0.9669356843889679, 0.2550203391077781),
    (30.0, -0.7071067811865486, -3.5267830145831884e-16),
    (45.0, 0.006047463926408427, 0.08893190734718218),
    (50.0, 0.014404167856147052, 0.04292397727720205),
    (80.0, 0.00041714627596846446, 0.0001673945842876681),
];
const BP4_4_30_FILTFILT: &[(usize, f64)] = &[
    (0, -0.015079358423473327),
    (1, 0.030231700941890066),
    (7, 0.1602024930494732),
    (50, 0.2785510792112978),
    (123, -0.5099313708901482),
    (200, 0.0019912249789200698),
    (311, 0.13919325462031673),
    (398, -0.0510814434311504),
    (399, 0.14766808777166832),
];
const LP3_10_DEN: &[[f64; 3]] = &[
    [1.0, -1.647552215703991, 0.7323389172728038],
    [1.0, -0.726542528005361, 0.0],
];
const LP3_10_RESP: &[(f64, f64, f64)] = &[
    (0.5, 0.9950818259231388, -0.0990562711151675),
    (3.0, 0.8221182666397394, -0.5687048895664694),
    (4.0, 0.6817422228506779, -0.7289131143784537),
    (10.0, -0.5000000000000006, -0.4999999999999994),
    (30.0, -0.017754934758748113, 0.024209529588175405),
    (45.0, -0.002324525053570596, 0.00593848738879886),
    (50.0, -0.0012427720318882107, 0.00377377490894579),
    (80.0, -1.4009051558479087e-05, 0.00013556862772612233),
];
const LP3_10_FILTFILT: &[(usize, f64)] = &[
    (0, 0.22048466750788287),
    (1, 0.3210351679445546),
    (7, 0.7203989956446893),
    (50, -0.4274663675449432),
    (123, 0.30967104020269837),
    (200, 2.0000101672622956),
    (311, 2.2887286204520887),
    (398, 3.663917550432179),
    (399, 3.7623875769285715),
];
const HP5_1_DEN: &[[f64; 3]] = &[
    [1.0, -1.979796310281741, 0.9807737025330875],
    [1.0, -1.949473418236065, 0.9504358405839066],
    [1.0, -0.9690674171937933, 0.0],
];
const HP5_1_RESP: &[(f64, f64, f64)] = &[
    (0.5, 0.031047210625172583, -0.003328572105367426),
    (3.0, 0.45881887210092115, 0.888520353692407),
    (4.0, 0.6861309695447116, 0.7274773884202714),
    (10.0, 0.9488031895124837, 0.3158678639538913),
    (30.0, 0.9950257283618062, 0.09961827090477167),
    (45.0, 0.9982289620922674, 0.05948898419198637),
    (50.0, 0.9987080365433323, 0.05081592018021375),
    (80.0, 0.9998635851791519, 0.016516992241133028),
];
const HP5_1_FILTFILT: &[(usize, f64)] = &[
    (0, 0.4919479519592509),
    (1, 0.5592282655467326),
    (7, 0.7726788803923126),
    (50, -0.7030872012713505),
    (123, -1.469424764953012),
    (200, 0.3830572647106226),
    (311, -0.6618070778166041),
    (398, -0.48071492272565797),
    (399, 0.017623375347050718),
];
const BS2_49_51_DEN: &[[f64; 3]] = &[
    [1.0, -0.043477772191675486, 0.9565436920504122],
    [1.0, 0.043477772191675035, 0.9565436920504125],
];
const BS2_49_51_RESP: &[(f64, f64, f64)] = &[
    (0.5, 0.9999997562768018, -0.0006981735294858559),
    (3.0, 0.9999911751204714, -0.004201143094576033),
    (4.0, 0.999984238369969, -0.005614513621960246),
    (10.0, 0.9998957243472488, -0.014440552653731127),
    (30.0, 0.9981255504744457, -0.06117094921149844),
    (45.0, 0.9591438056574867, -0.28017065629926224),
    (50.0, -2.5101405116324403e-30, 1.8409800238606833e-46),
    (80.0, 0.9994784044494376, 0.03229004894169277),
];
const BS2_49_51_FILTFILT: &[(usize, f64)] = &[
    (0, 0.26086197145450835),
    (1, 0.29504027315588516),
    (7, 0.6894005639861166),
    (50, -0.15292699201742344),
    (123, -0.17385869326525313),
    (200, 2.2494066513615523),
    (311, 2.683608661524277),
    (398, 3.2099149963196387),
    (399, 3.777299646778773),
];
// resample_poly(x, 3, 2), len 600
const RESAMPLE_3_2: &[(usize, f64)] = &[
    (0, 0.25015154338844425),
    (1, 0.3435686206082759),
    (5, 0.8249735810025626),
    (100, 1.3501277573312682),
    (301, 2.0862474430396407),
    (500, 3.1492659245220214),
    (598, 4.093432489481492),
    (599, 2.650049241955246),
];
// resample_poly(x, 1, 4), len 100
const RESAMPLE_1_4: &[(usize, f64)] = &[
    (0, 0.1559745263763704),
    (1, 0.8801641145945025),
    (30, 0.2479635656905246),
    (98, 3.0667266616415008),
    (99, 3.429584328780444),
];

fn scipy_x() -> Vec<f64> {
    (0..400)
        .map(|n| {
            let t = n as f64 / 200.0;
            (2.0 * PI * 3.0 * t).sin() + 0.5 * (2.0 * PI * 12.5 * t).sin() + 0.25 * (2.0 * PI * 45.0 * t).cos() + 0.01 * n as f64
        })
        .collect()
}

fn check_against_scipy(
    fs: FilterSpec,
    den: &[[f64; 3]],
    resp: &[(f64, f64, f64)],
    ff: &[(usize, f64)],
) {
    let sos = fs.design().unwrap();
    let mut ours: Vec<[f64; 3]> = sos.sections.iter().map(|s| [s[3], s[4], s[5]]).collect();
    ours.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])).then(a[2].total_cmp(&b[2])));
    assert_eq!(ours.len(), den.len(), "{fs:?}: number of sections");
    for (o, d) in ours.iter().zip(den) {
        for k in 0..3 {
            assert!((o[k] - d[k]).abs() < 1e-12, "{fs:?}: denominator {o:?} vs {d:?}");
        }
    }
    for &(f, re, im) in resp {
        let h = sos.response(f, 200.0);
        assert!((h.re - re).abs() < 1e-10 && (h.im - im).abs() < 1e-10, "{fs:?} at {f} Hz: {h} vs {re}+{im}i");
    }
    let y = sos.filtfilt_f64(&scipy_x()).unwrap();
    for &(i, v) in ff {
        assert!((y[i] - v).abs() < 1e-9, "{fs:?} filtfilt[{i}] = {} vs {v}", y[i]);
    }
}

#[test]
fn designs_and_filtfilt_match_scipy() {
    check_against_scipy(spec(FilterKind::BandPass { low: 4.0, high: 30.0 }, 4), BP4_4_30_DEN, BP4_4_30_RESP, BP4_4_30_FILTFILT);
    check_against_scipy(spec(FilterKind::LowPass { cutoff: 10.0 }, 3), LP3_10_DEN, LP3_10_RESP, LP3_10_FILTFILT);
    check_against_scipy(spec(FilterKind::HighPass { cutoff: 1.0 }, 5), HP5_1_DEN, HP5_1_RESP, HP5_1_FILTFILT);
    check_against_scipy(spec(FilterKind::BandStop { low: 49.0, high: 51.0 }, 2), BS2_49_51_DEN, BS2_49_51_RESP, BS2_49_51_FILTFILT);
    // A notch is the band-stop around its frequency.
    let notch = spec(FilterKind::Notch { frequency: 50.0, width: 2.0 }, 2).design().unwrap();
    let bs = spec(FilterKind::BandStop { low: 49.0, high: 51.0 }, 2).design().unwrap();
    assert_eq!(notch, bs);
}

/// A Butterworth is −3.01 dB at its cut-offs; forward-backward squares the magnitude, so
/// the zero-phase filter is −6.02 dB there (gain exactly 1/2). Asserted on the measured
/// gain of filtered sinusoids.
#[test]
fn zero_phase_gain_is_half_at_the_cutoffs_and_one_mid_band() {
    let fs = 200.0;
    let n = 8000;
    for order in [2, 3, 4, 5] {
        let sos = spec(FilterKind::BandPass { low: 4.0, high: 30.0 }, order).design().unwrap();
        for (f, want) in [(4.0, 0.5), (30.0, 0.5), (11.0, 1.0)] {
            if f != 11.0 {
                assert!((sos.response(f, fs).norm() - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-9);
            }
            let x = sine(fs, f, n, 10.0, 0.3);
            let y = sos.filtfilt_f64(&x).unwrap();
            // Middle of the signal, whole periods (f·(b−a)/fs integer).
            let (g, ph) = gain_phase(&x, &y, fs, f, 2000, 6000);
            let tol = if f == 11.0 { 0.02 } else { 0.005 };
            assert!((g - want).abs() < tol, "order {order} at {f} Hz: gain {g}, want {want}");
            assert!(ph.abs() < 1e-3, "order {order} at {f} Hz: phase {ph} rad");
            if f == 11.0 {
                let db = 20.0 * g.log10();
                assert!(db.abs() < 0.1, "{db} dB");
            } else {
                let db = 20.0 * g.log10();
                assert!((db + 6.02).abs() < 0.1, "{db} dB at the cut-off");
            }
        }
    }
}

#[test]
fn stop_band_is_strongly_attenuated() {
    let fs = 200.0;
    let sos = spec(FilterKind::BandPass { low: 4.0, high: 30.0 }, 4).design().unwrap();
    for f in [0.5, 1.0, 70.0, 90.0] {
        let x = sine(fs, f, 8000, 10.0, 0.0);
        let y = sos.filtfilt_f64(&x).unwrap();
        let (g, _) = gain_phase(&x, &y, fs, f, 2000, 6000);
        assert!(20.0 * g.log10() < -60.0, "{f} Hz: {} dB", 20.0 * g.log10());
    }
    let lp = spec(FilterKind::LowPass { cutoff: 20.0 }, 5).design().unwrap();
    let x = sine(fs, 60.0, 4000, 1.0, 0.0);
    let (g, _) = gain_phase(&x, &lp.filtfilt_f64(&x).unwrap(), fs, 60.0, 1000, 3000);
    assert!(20.0 * g.log10() < -80.0);
    let hp = spec(FilterKind::HighPass { cutoff: 1.0 }, 3).design().unwrap();
    // High-pass removes a DC offset and keeps 10 Hz.
    let x: Vec<f64> = sine(fs, 10.0, 8000, 5.0, 0.0).iter().map(|v| v + 100.0).collect();
    let y = hp.filtfilt_f64(&x).unwrap();
    let mean_mid = y[2000..6000].iter().sum::<f64>() / 4000.0;
    assert!(mean_mid.abs() < 0.05, "residual DC {mean_mid}");
}

#[test]
fn notch_removes_50_hz_and_passes_45_hz() {
    let fs = 500.0;
    let sos = FilterSpec { kind: FilterKind::Notch { frequency: 50.0, width: 2.0 }, order: 2, sample_rate: fs }.design().unwrap();
    let x50 = sine(fs, 50.0, 20000, 20.0, 0.0);
    let x45 = sine(fs, 45.0, 20000, 20.0, 0.0);
    let (g50, _) = gain_phase(&x50, &sos.filtfilt_f64(&x50).unwrap(), fs, 50.0, 5000, 15000);
    let (g45, p45) = gain_phase(&x45, &sos.filtfilt_f64(&x45).unwrap(), fs, 45.0, 5000, 15000);
    assert!(g50 < 1e-3, "50 Hz gain {g50}");
    assert!((g45 - 1.0).abs() < 0.01 && p45.abs() < 1e-3, "45 Hz gain {g45}, phase {p45}");
}

#[test]
fn filter_errors_are_not_panics() {
    let e = spec(FilterKind::LowPass { cutoff: 100.0 }, 4).design().unwrap_err();
    assert!(matches!(e, SignalError::FrequencyOutOfRange { value, nyquist, .. } if value == 100.0 && nyquist == 100.0));
    assert!(e.to_string().contains("Nyquist"));
    assert!(spec(FilterKind::BandPass { low: 30.0, high: 4.0 }, 4).design().is_err());
    assert!(spec(FilterKind::HighPass { cutoff: -1.0 }, 4).design().is_err());
    assert!(spec(FilterKind::LowPass { cutoff: f64::NAN }, 4).design().is_err());
    assert!(spec(FilterKind::LowPass { cutoff: 10.0 }, 0).design().is_err());
    assert!(spec(FilterKind::Notch { frequency: 99.5, width: 2.0 }, 2).design().is_err());
    let sos = spec(FilterKind::LowPass { cutoff: 10.0 }, 4).design().unwrap();
    assert!(matches!(sos.filtfilt(&[]), Err(SignalError::Empty { .. })));
    let e = sos.filtfilt(&[1.0, 2.0, f32::NAN, 4.0]).unwrap_err();
    assert!(matches!(e, SignalError::NonFinite { index: 2, .. }), "{e}");
    assert!(matches!(sos.filtfilt(&[1.0; 10]), Err(SignalError::TooShort { .. })));
    let mut data = Array2::<f32>::zeros((3, 100));
    data[[2, 40]] = f32::INFINITY;
    let e = zero_phase(&data, &spec(FilterKind::LowPass { cutoff: 10.0 }, 2)).unwrap_err();
    assert!(matches!(e, SignalError::NonFinite { channel: 2, index: 40, .. }), "{e}");
    assert!(zero_phase(&Array2::<f32>::zeros((0, 0)), &spec(FilterKind::LowPass { cutoff: 10.0 }, 2)).is_err());
}

#[test]
fn rows_are_filtered_independently_and_identically() {
    let x = sine(200.0, 8.0, 1000, 3.0, 0.1);
    let mut data = Array2::<f32>::zeros((4, 1000));
    for c in 0..4 {
        for i in 0..1000 {
            data[[c, i]] = (x[i] * (c + 1) as f64) as f32;
        }
    }
    let s = spec(FilterKind::BandPass { low: 4.0, high: 30.0 }, 4);
    let y = zero_phase(&data, &s).unwrap();
    let sos = s.design().unwrap();
    for c in 0..4 {
        let one = sos.filtfilt(&data.row(c).to_vec()).unwrap();
        assert_eq!(y.row(c).to_vec(), one);
    }
}

// --- resampling ------------------------------------------------------------------------

#[test]
fn resampling_matches_scipy_resample_poly() {
    let x = scipy_x();
    let y = resample::resample_zero_padded(&x, 3, 2);
    assert_eq!(y.len(), 600);
    for &(i, v) in RESAMPLE_3_2 {
        assert!((y[i] - v).abs() < 1e-10, "3/2 [{i}] {} vs {v}", y[i]);
    }
    let y = resample::resample_zero_padded(&x, 1, 4);
    assert_eq!(y.len(), 100);
    for &(i, v) in RESAMPLE_1_4 {
        assert!((y[i] - v).abs() < 1e-10, "1/4 [{i}] {} vs {v}", y[i]);
    }
}

#[test]
fn resampled_sinusoid_keeps_frequency_and_amplitude() {
    for (fs, p, q, f) in [(256.0, 25, 32, 10.0), (200.0, 1, 2, 12.0), (200.0, 5, 2, 31.0), (250.0, 4, 5, 17.0)] {
        let x: Vec<f32> = sine(fs, f, 5000, 20.0, 0.4).iter().map(|&v| v as f32 + 3.0).collect();
        let y = resample(&x, p, q).unwrap();
        let fs2 = fs * p as f64 / q as f64;
        assert_eq!(y.len(), (5000 * p).div_ceil(q));
        // Fit amplitude and phase at f in the middle: must be the same sinusoid sampled at fs2.
        let ym: Vec<f64> = y.iter().map(|&v| v as f64).collect();
        let expect: Vec<f64> = (0..ym.len()).map(|i| 3.0 + 20.0 * (2.0 * PI * f * i as f64 / fs2 + 0.4).sin()).collect();
        let (a, b) = (ym.len() / 5, 4 * ym.len() / 5);
        let err = (a..b).map(|i| (ym[i] - expect[i]).abs()).fold(0.0, f64::max);
        assert!(err < 0.05, "{fs}→{fs2} Hz, {f} Hz: max error {err} µV");
    }
    // Above the new Nyquist frequency a component is removed (anti-aliasing).
    let x: Vec<f32> = sine(200.0, 70.0, 4000, 10.0, 0.0).iter().map(|&v| v as f32).collect();
    let y = resample(&x, 1, 2).unwrap();
    let rms = (y[200..1800].iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / 1600.0).sqrt();
    assert!(rms < 0.05, "aliased residue {rms} µV");
}

#[test]
fn resampling_errors_and_rational_factors() {
    assert!(resample(&[], 1, 2).is_err());
    assert!(resample(&[1.0, f32::NAN], 1, 2).is_err());
    assert!(resample(&[1.0, 2.0], 0, 2).is_err());
    assert_eq!(rational_factor(256.0, 200.0).unwrap(), (25, 32));
    assert_eq!(rational_factor(1000.0, 200.0).unwrap(), (1, 5));
    assert_eq!(rational_factor(487.5, 200.0).unwrap(), (16, 39));
    assert!(rational_factor(0.0, 200.0).is_err());
    assert!(rational_factor(200.0, 200.0 * std::f64::consts::PI).is_err());
    let d = Array2::<f32>::ones((2, 100));
    let r = resample_rows(&d, 2, 1).unwrap();
    assert_eq!(r.dim(), (2, 200));
    assert!(r.iter().all(|v| (v - 1.0).abs() < 1e-5));
}

// --- re-referencing ----------------------------------------------------------------------

fn labelled() -> (Array2<f32>, Vec<String>) {
    let labels: Vec<String> = ["Fp1", "F3", "C3", "A1", "A2"].iter().map(|s| s.to_string()).collect();
    let data = Array2::from_shape_fn((5, 50), |(c, i)| (c as f32 + 1.0) * 10.0 + (i as f32 * 0.3 + c as f32).sin());
    (data, labels)
}

#[test]
fn average_reference_makes_the_channel_mean_zero() {
    let (d, l) = labelled();
    let (r, rl) = rereference(&d, &l, &Reference::Average).unwrap();
    assert_eq!(rl, l);
    for col in r.columns() {
        assert!(col.sum().abs() < 1e-4, "{}", col.sum());
    }
    // Differences between channels are unchanged.
    assert!(((r[[0, 7]] - r[[2, 7]]) - (d[[0, 7]] - d[[2, 7]])).abs() < 1e-5);
}

#[test]
fn linked_ears_named_and_bipolar_references() {
    let (d, l) = labelled();
    let (r, rl) = rereference(&d, &l, &Reference::LinkedEars).unwrap();
    assert_eq!(rl, ["Fp1", "F3", "C3"]);
    for i in 0..50 {
        let e = d[[0, i]] - 0.5 * (d[[3, i]] + d[[4, i]]);
        assert!((r[[0, i]] - e).abs() < 1e-5);
    }
    let mut ml = l.clone();
    ml[3] = "EEG M1".into();
    ml[4] = "M2".into();
    assert_eq!(rereference(&d, &ml, &Reference::LinkedEars).unwrap().1, ["Fp1", "F3", "C3"]);
    let (r, rl) = rereference(&d, &l, &Reference::Channel("c3".into())).unwrap();
    assert_eq!(rl, ["Fp1", "F3", "A1", "A2"]);
    assert!((r[[1, 9]] - (d[[1, 9]] - d[[2, 9]])).abs() < 1e-6);
    let bp = Reference::bipolar_from_str("Fp1-F3, F3-C3").unwrap();
    let (r, rl) = rereference(&d, &l, &bp).unwrap();
    assert_eq!(rl, ["Fp1-F3", "F3-C3"]);
    assert_eq!(r[[1, 4]], d[[1, 4]] - d[[2, 4]]);
}

#[test]
fn reference_errors_name_the_channel() {
    let (d, l) = labelled();
    let e = rereference(&d, &l, &Reference::Channel("Oz".into())).unwrap_err();
    assert!(matches!(&e, SignalError::UnknownChannel { name, .. } if name == "Oz"));
    assert!(e.to_string().contains("Fp1 F3 C3 A1 A2"), "{e}");
    let e = rereference(&d, &l, &Reference::bipolar_from_str("Fp1-Xx").unwrap()).unwrap_err();
    assert!(e.to_string().contains("Xx"));
    assert!(Reference::bipolar_from_str("Fp1").is_err());
    let e = rereference(&d, &l[..3], &Reference::LinkedEars).unwrap_err();
    assert!(e.to_string().contains("labels"));
    let e = rereference(&d.slice(ndarray::s![..3, ..]).to_owned(), &l[..3], &Reference::LinkedEars).unwrap_err();
    assert!(e.to_string().contains("A1/A2"));
    assert!(rereference(&Array2::zeros((0, 0)), &[], &Reference::Average).is_err());
}

// --- windows and segments ------------------------------------------------------------------

#[test]
fn time_window_selection() {
    let d = Array2::from_shape_fn((2, 1000), |(c, i)| (c * 1000 + i) as f32);
    let w = select_window(&d, 100.0, 2.0, 3.5).unwrap();
    assert_eq!(w.dim(), (2, 150));
    assert_eq!(w[[1, 0]], 1200.0);
    assert!(select_window(&d, 100.0, 3.0, 2.0).is_err());
    assert!(select_window(&d, 100.0, 0.0, 11.0).is_err());
    assert!(select_window(&d, 100.0, -1.0, 1.0).is_err());
    assert!(select_window(&d, 100.0, 0.0, 10.0).is_ok());
}

fn ann(onset: f64, duration: Option<f64>, text: &str) -> Annotation {
    Annotation { onset, duration, text: text.into() }
}

#[test]
fn clean_segments_exclude_marked_artifacts() {
    let anns = vec![
        ann(10.0, Some(5.0), "Artifact: movement"),
        ann(12.0, Some(6.0), "EMG artifact"),
        ann(30.0, Some(1.0), "eyes closed"),
        ann(50.0, None, "ARTIFACT"),
        ann(58.0, Some(10.0), "artifact at end"),
    ];
    let o = SegmentOptions { pattern: "artifact".into(), margin: 0.0, min_length: 0.0 };
    let s = clean_segments(60.0, &anns, &o).unwrap();
    assert_eq!(s, vec![Segment { start: 0.0, end: 10.0 }, Segment { start: 18.0, end: 58.0 }]);
    let o = SegmentOptions { margin: 1.0, min_length: 9.5, ..o };
    let s = clean_segments(60.0, &anns, &o).unwrap();
    assert_eq!(s, vec![Segment { start: 19.0, end: 49.0 }]);
    let none = SegmentOptions { pattern: String::new(), ..SegmentOptions::default() };
    assert_eq!(clean_segments(60.0, &anns, &none).unwrap(), vec![Segment { start: 0.0, end: 60.0 }]);
    assert!(clean_segments(f64::NAN, &anns, &o).is_err());
    assert!(clean_segments(60.0, &[ann(1.0, Some(-2.0), "artifact")], &SegmentOptions::default()).is_err());

    let d = Array2::from_shape_fn((2, 6000), |(c, i)| (c * 6000 + i) as f32);
    let cuts = cut_segments(&d, 100.0, &[Segment { start: 0.0, end: 10.0 }, Segment { start: 18.0, end: 58.0 }]).unwrap();
    assert_eq!(cuts[0].dim(), (2, 1000));
    assert_eq!(cuts[1].dim(), (2, 4000));
    assert_eq!(cuts[1][[0, 0]], 1800.0);
}

#[test]
fn welch_psd_integrates_to_the_variance() {
    let x: Vec<f32> = sine(200.0, 10.0, 4000, 4.0, 0.0).iter().map(|&v| v as f32).collect();
    let p = welch(&x, 200.0, 400).unwrap();
    let var: f64 = p.power.iter().sum::<f64>() * 0.5;
    assert!((var - 8.0).abs() < 0.1, "variance {var} (A²/2 = 8)");
    let peak = p.power.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
    assert_eq!(p.frequencies[peak], 10.0);
    assert!(welch(&x[..10], 200.0, 400).is_err());
}
