//! Unit tests of the two-group tests, special functions and summaries.

use super::*;

// -----------------------------------------------------------------------------------
// Reference numbers from SciPy 1.17.1 (NumPy 2.4.6):
//   scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='auto'|'exact'|'asymptotic')
//     → (U of x, p auto, p exact, p asymptotic)
//   scipy.stats.ttest_ind(x, y, equal_var=False) → (t, p, df)
//   numpy mean, std(ddof=1), median, percentile 25/75 → *_DESC_X
//   scipy.stats.false_discovery_control(p, method='bh') → BH_ADJ
//   scipy.special.betainc, scipy.stats.t.cdf, scipy.stats.norm.sf
// D_X/D_Y: numpy.random.default_rng(7) normal draws rounded to 6 decimals.
// -----------------------------------------------------------------------------------

const A_X: &[f64] = &[1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
#[allow(clippy::approx_constant)] // data, not π
const A_Y: &[f64] = &[0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
// mannwhitneyu auto: U=58.0 p=0.13291945818531892; exact p=0.13591114767585355; asymptotic p=0.13291945818531892
const A_MWU: (f64, f64, f64, f64) = (
    58.0,
    0.13291945818531892,
    0.13591114767585355,
    0.13291945818531892,
);
// ttest_ind(equal_var=False): t, p, df
const A_WELCH: (f64, f64, f64) = (1.2051727991066508, 0.24588283853317094, 15.795035582541257);
// describe x: mean, sd(ddof=1), median, q1, q3 (numpy linear)
const A_DESC_X: [f64; 5] = [1.7666666666666666, 0.7155941587240634, 1.68, 1.55, 1.88];
const B_X: &[f64] = &[
    3.0, 5.0, 5.0, 7.0, 8.0, 8.0, 8.0, 10.0, 12.0, 13.0, 13.0, 15.0,
];
const B_Y: &[f64] = &[1.0, 2.0, 4.0, 5.0, 5.0, 6.0, 7.0, 8.0, 9.0, 9.0, 11.0];
// mannwhitneyu auto: U=93.0 p=0.10094097255855086; exact p=0.10370851385792833; asymptotic p=0.10094097255855086
const B_MWU: (f64, f64, f64, f64) = (
    93.0,
    0.10094097255855086,
    0.10370851385792833,
    0.10094097255855086,
);
// ttest_ind(equal_var=False): t, p, df
const B_WELCH: (f64, f64, f64) = (1.9875716239105579, 0.060186087986729926, 20.797144849609342);
// describe x: mean, sd(ddof=1), median, q1, q3 (numpy linear)
const B_DESC_X: [f64; 5] = [8.916666666666666, 3.7284735685686643, 8.0, 6.5, 12.25];
const C_X: &[f64] = &[0.12, 0.45, 0.33, 0.91, 0.27];
const C_Y: &[f64] = &[0.55, 0.81, 0.72, 1.02, 0.66, 0.95, 0.38];
// mannwhitneyu auto: U=6.0 p=0.07323232323232323; exact p=0.07323232323232323; asymptotic p=0.07403524785489664
const C_MWU: (f64, f64, f64, f64) = (
    6.0,
    0.07323232323232323,
    0.07323232323232323,
    0.07403524785489664,
);
// ttest_ind(equal_var=False): t, p, df
const C_WELCH: (f64, f64, f64) = (-1.9604466004830878, 0.0905219636729633, 7.040589734640465);
// describe x: mean, sd(ddof=1), median, q1, q3 (numpy linear)
const C_DESC_X: [f64; 5] = [0.41600000000000004, 0.30063266622241835, 0.33, 0.27, 0.45];
const D_X: &[f64] = &[
    0.300098, 0.3239, 0.278069, 0.228753, 0.263626, 0.220668, 0.304811, 0.407217, 0.260623,
    0.250362, 0.339187, 0.328551, 0.308433, 0.225563, 0.29766, 0.355624, 0.192463, 0.263391,
    0.147902, 0.196837,
];
const D_Y: &[f64] = &[
    0.195826, 0.356491, 0.253255, 0.407126, 0.395675, 0.361307, 0.128324, 0.326131, 0.37515,
    0.391331, 0.226986, 0.332225, 0.282148, 0.299116, 0.48609,
];
// mannwhitneyu auto: U=96.0 p=0.0745320583716847; exact p=0.07428213983892501; asymptotic p=0.0745320583716847
const D_MWU: (f64, f64, f64, f64) = (
    96.0,
    0.0745320583716847,
    0.07428213983892501,
    0.0745320583716847,
);
// ttest_ind(equal_var=False): t, p, df
const D_WELCH: (f64, f64, f64) = (-1.6811170333660672, 0.1061271829009711, 23.24943960135316);
// describe x: mean, sd(ddof=1), median, q1, q3 (numpy linear)
const D_DESC_X: [f64; 5] = [
    0.2746869,
    0.0624946760897952,
    0.2708475,
    0.2279555,
    0.31229975,
];
const BH_P: &[f64] = &[0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.9, 0.0001];
const BH_ADJ: &[f64] = &[
    0.026666666666666665,
    0.05333333333333333,
    0.05333333333333333,
    0.02,
    0.22857142857142856,
    0.05333333333333333,
    0.9,
    0.0008,
];
// t.cdf(2.0, 3.0) = 0.9303370157205785
// t.cdf(-1.3, 7.5) = 0.11606338940780439
// t.cdf(0.4, 1.0) = 0.6211189415908434
// t.cdf(5.0, 40.0) = 0.9999940799671652
// t.cdf(12.0, 2.2) = 0.9976082930622413
const BETAINC: &[(f64, f64, f64, f64)] = &[
    (0.5, 0.5, 0.3, 0.36901011956554536),
    (2.0, 3.0, 0.4, 0.5247999999999999),
    (10.0, 0.5, 0.9, 0.15164090963470994),
    (1.5, 20.0, 0.05, 0.44342120168569027),
    (50.0, 60.0, 0.45, 0.4642352914306031),
];
const TCDF: &[(f64, f64, f64)] = &[
    (2.0, 3.0, 0.9303370157205785),
    (-1.3, 7.5, 0.11606338940780439),
    (0.4, 1.0, 0.6211189415908434),
    (5.0, 40.0, 0.9999940799671652),
    (12.0, 2.2, 0.9976082930622413),
];
const NORMSF: &[(f64, f64)] = &[
    (0.0, 0.5),
    (0.5, 0.3085375387259869),
    (1.96, 0.024997895148220435),
    (3.0, 0.0013498980316300933),
    (6.0, 9.865876450376946e-10),
    (-1.0, 0.8413447460685429),
];

// Cohen's d (pooled sd, ddof=1) and Hedges' g = d*J, J = Γ(df/2)/(√(df/2)Γ((df−1)/2)), df=n1+n2−2;
// rank-biserial r = 2U/(n1 n2) − 1
const A_EFFECT: (f64, f64, f64) = (0.5681239058332569, 0.5409981679737453, 0.4320987654320987);
const C_EFFECT: (f64, f64, f64) = (
    -1.2108808250658367,
    -1.1173349632051992,
    -0.6571428571428571,
);
const D_EFFECT: (f64, f64, f64) = (-0.6065872498550136, -0.5926781581948849, -0.36);

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

#[test]
fn special_functions_match_scipy() {
    for &(a, b, x, want) in BETAINC {
        let got = regularized_incomplete_beta(a, b, x);
        assert!(
            close(got, want, 1e-12),
            "I_{x}({a},{b}) = {got}, want {want}"
        );
    }
    for &(t, df, want) in TCDF {
        let got = student_t_cdf(t, df);
        assert!(
            close(got, want, 1e-12),
            "t cdf({t}; {df}) = {got}, want {want}"
        );
    }
    for &(z, want) in NORMSF {
        let got = normal_sf(z);
        assert!(close(got, want, 1e-12), "norm sf({z}) = {got}, want {want}");
    }
    // Γ(n) = (n−1)!, Γ(1/2) = √π.
    assert!(close(ln_gamma(10.0), (362_880.0f64).ln(), 1e-14));
    assert!(close(
        ln_gamma(0.5),
        std::f64::consts::PI.sqrt().ln(),
        1e-13
    ));
    assert!(close(ln_gamma(0.1), 2.252_712_651_734_206, 1e-13));
    assert!(regularized_incomplete_beta(-1.0, 1.0, 0.5).is_nan());
}

#[test]
fn mann_whitney_matches_scipy() {
    for (name, x, y, (u, p_auto, p_exact, p_asym), exact_by_auto) in [
        ("A", A_X, A_Y, A_MWU, false),
        ("B", B_X, B_Y, B_MWU, false),
        ("C", C_X, C_Y, C_MWU, true),
        ("D", D_X, D_Y, D_MWU, false),
    ] {
        let auto = mann_whitney_u(x, y, MwMethod::Auto).unwrap();
        assert_eq!(auto.u, u, "{name}");
        assert!(
            close(auto.p_value, p_auto, 1e-10),
            "{name} auto p {} vs {p_auto}",
            auto.p_value
        );
        assert_eq!(auto.method == MwMethod::Exact, exact_by_auto, "{name}");
        let asym = mann_whitney_u(x, y, MwMethod::Asymptotic).unwrap();
        assert!(
            close(asym.p_value, p_asym, 1e-10),
            "{name} asymptotic p {} vs {p_asym}",
            asym.p_value
        );
        let exact = mann_whitney_u(x, y, MwMethod::Exact).unwrap();
        assert!(
            close(exact.p_value, p_exact, 1e-10),
            "{name} exact p {} vs {p_exact}",
            exact.p_value
        );
        // Swapping the groups: same p, U₂ = n₁n₂ − U₁, opposite effect.
        let sw = mann_whitney_u(y, x, MwMethod::Auto).unwrap();
        assert!(close(sw.p_value, auto.p_value, 1e-12));
        assert_eq!(sw.u, (x.len() * y.len()) as f64 - u);
        assert!(close(sw.rank_biserial, -auto.rank_biserial, 1e-12));
    }
    for (name, x, y, e) in [
        ("A", A_X, A_Y, A_EFFECT),
        ("C", C_X, C_Y, C_EFFECT),
        ("D", D_X, D_Y, D_EFFECT),
    ] {
        let r = mann_whitney_u(x, y, MwMethod::Auto).unwrap();
        assert!(close(r.rank_biserial, e.2, 1e-12), "{name} rank-biserial");
    }
}

/// The exact null distribution sums to one and is symmetric; small cases by
/// enumeration: n1 = n2 = 2 has U ∈ {0,1,2,2,3,4} over the 6 arrangements.
#[test]
fn exact_distribution_by_enumeration() {
    assert!(close(exact_sf(2, 2, 0), 1.0, 1e-15));
    assert!(close(exact_sf(2, 2, 3), 2.0 / 6.0, 1e-15));
    assert!(close(exact_sf(2, 2, 4), 1.0 / 6.0, 1e-15));
    assert_eq!(exact_sf(2, 2, 5), 0.0);
    // Complete separation of 5 vs 5: p = 2/C(10,5) = 2/252.
    let r = mann_whitney_u(
        &[1.0, 2.0, 3.0, 4.0, 5.0],
        &[6.0, 7.0, 8.0, 9.0, 10.0],
        MwMethod::Auto,
    )
    .unwrap();
    assert!(close(r.p_value, 2.0 / 252.0, 1e-13));
    assert_eq!(r.rank_biserial, -1.0);
    for u in 0..=24 {
        // Symmetry P(U ≥ u) = P(U ≤ n1n2 − u).
        let le = 1.0 - exact_sf(4, 6, 24 - u + 1);
        assert!(close(exact_sf(4, 6, u), le, 1e-12), "u = {u}");
    }
}

#[test]
fn welch_and_effect_sizes_match_scipy() {
    for (name, x, y, (t, p, df)) in [
        ("A", A_X, A_Y, A_WELCH),
        ("B", B_X, B_Y, B_WELCH),
        ("C", C_X, C_Y, C_WELCH),
        ("D", D_X, D_Y, D_WELCH),
    ] {
        let r = welch_t_test(x, y).unwrap();
        assert!(close(r.t, t, 1e-12), "{name} t {} vs {t}", r.t);
        assert!(close(r.df, df, 1e-12), "{name} df {} vs {df}", r.df);
        assert!(close(r.p_value, p, 1e-10), "{name} p {} vs {p}", r.p_value);
    }
    for (name, x, y, (d, g, _)) in [
        ("A", A_X, A_Y, A_EFFECT),
        ("C", C_X, C_Y, C_EFFECT),
        ("D", D_X, D_Y, D_EFFECT),
    ] {
        let r = welch_t_test(x, y).unwrap();
        assert!(close(r.cohen_d, d, 1e-12), "{name} d {} vs {d}", r.cohen_d);
        assert!(
            close(r.hedges_g, g, 1e-12),
            "{name} g {} vs {g}",
            r.hedges_g
        );
    }
}

#[test]
fn summaries_match_numpy() {
    for (x, e) in [
        (A_X, A_DESC_X),
        (B_X, B_DESC_X),
        (C_X, C_DESC_X),
        (D_X, D_DESC_X),
    ] {
        let s = describe(x).unwrap();
        let got = [s.mean, s.sd, s.median, s.q1, s.q3];
        for (g, w) in got.iter().zip(e) {
            assert!(close(*g, w, 1e-12), "{got:?} vs {e:?}");
        }
        assert!(close(s.iqr, e[4] - e[3], 1e-12));
    }
    let one = describe(&[3.0]).unwrap();
    assert_eq!((one.mean, one.median, one.iqr), (3.0, 3.0, 0.0));
    assert!(one.sd.is_nan());
}

#[test]
fn benjamini_hochberg_matches_scipy() {
    let q = benjamini_hochberg(BH_P).unwrap();
    for (a, b) in q.iter().zip(BH_ADJ) {
        assert!(close(*a, *b, 1e-14), "{q:?}");
    }
    assert!(benjamini_hochberg(&[]).unwrap().is_empty());
    assert!(matches!(
        benjamini_hochberg(&[0.1, 1.2]),
        Err(StatsError::InvalidP { index: 1, .. })
    ));
    assert!(benjamini_hochberg(&[f64::NAN]).is_err());
}

#[test]
fn errors_not_panics() {
    let e = welch_t_test(&[1.0], &[1.0, 2.0]).unwrap_err();
    assert!(e.to_string().contains("group `x` has 1 value"), "{e}");
    assert!(welch_t_test(&[1.0, 1.0], &[2.0, 2.0]).is_err());
    let e = mann_whitney_u(&[1.0, f64::NAN], &[1.0], MwMethod::Auto).unwrap_err();
    assert!(matches!(e, StatsError::NonFinite { index: 1, .. }));
    assert!(mann_whitney_u(&[], &[1.0], MwMethod::Auto).is_err());
    assert!(mann_whitney_u(&[1.0, 1.0], &[1.0, 1.0], MwMethod::Asymptotic).is_err());
    assert!(describe(&[]).is_err());
    let big: Vec<f64> = (0..200).map(f64::from).collect();
    assert!(mann_whitney_u(&big, &big, MwMethod::Exact).is_err());
}

/// A planted group difference is detected and a null one mostly is not.
#[test]
fn compare_groups_detects_a_planted_shift() {
    let a: Vec<f64> = (0..12)
        .map(|i| 0.2 + 0.01 * ((i * 7) % 12) as f64)
        .collect();
    let b: Vec<f64> = (0..12)
        .map(|i| 0.35 + 0.01 * ((i * 5) % 12) as f64)
        .collect();
    for test in [GroupTest::MannWhitney, GroupTest::WelchT] {
        let c = compare_groups(&a, &b, test).unwrap();
        assert!(c.p_value < 1e-4, "{test:?} p {}", c.p_value);
        assert!(c.effect_size < 0.0);
        assert_eq!(c.first.n, 12);
    }
    let c = compare_groups(&a, &a, GroupTest::MannWhitney).unwrap();
    assert!(c.p_value > 0.9);
}
