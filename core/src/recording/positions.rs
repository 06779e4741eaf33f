//! Electrode positions of the standard 10-20/10-10 names, on a unit sphere, from the
//! table `assets/electrodes_1020.tsv` (built into the library).
//!
//! Convention: head coordinates with the origin at the centre of the sphere, `x`
//! towards the right pre-auricular point, `y` towards the nasion, `z` towards the
//! vertex (Cz = (0, 0, 1)); radius 1. The positions are the idealised spherical 10-10
//! system (as in Oostenveld & Praamstra 2001, Clin. Neurophysiol. 112:713): Nz, T9,
//! Iz, T10 on the equator; Fpz, T7, Oz, T8 on the circle 10 % (18°) above it; the
//! midline at 10 % steps of the nasion–inion arc; the other electrodes of a row (e.g.
//! F7, F5, F3, F1, Fz) equally spaced on the circle through the row's two outer
//! electrodes (F7, F8) and its midline electrode (Fz). A1/A2 (ear lobes) sit 18° below
//! the pre-auricular points and M1/M2 (mastoids) 18° below and 18° behind them; those
//! four are approximate. T3, T4, T5, T6 sit at T7, T8, P7, P8.

use super::labels::canonical_name;
use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../../assets/electrodes_1020.tsv");

fn table() -> &'static HashMap<String, [f64; 3]> {
    static T: OnceLock<HashMap<String, [f64; 3]>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::new();
        for line in TABLE.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("name") {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 4 {
                continue;
            }
            let xyz: Vec<f64> = f[1..4].iter().filter_map(|v| v.trim().parse().ok()).collect();
            if xyz.len() == 3 {
                m.insert(f[0].to_ascii_uppercase(), [xyz[0], xyz[1], xyz[2]]);
            }
        }
        m
    })
}

/// Position on the unit sphere (x right, y nasion, z vertex) of a standard electrode
/// name or of a label that names one (`EEG Fp1-Ref`); `None` otherwise.
pub fn electrode_position(name: &str) -> Option<[f64; 3]> {
    let canonical = canonical_name(name)?;
    table().get(&canonical.to_ascii_uppercase()).copied()
}

/// Azimuthal equidistant projection from the vertex for scalp maps: Cz at (0, 0),
/// the equator (Nz, T9, Iz, T10) on the unit circle, the 10 % circle (Fpz, T7, Oz,
/// T8) at radius 0.8; x to the right, y towards the nose.
pub fn project_2d(p: [f64; 3]) -> [f64; 2] {
    let n = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).sqrt();
    if n == 0.0 {
        return [0.0, 0.0];
    }
    let theta = (p[2] / n).clamp(-1.0, 1.0).acos();
    let h = (p[0] * p[0] + p[1] * p[1]).sqrt();
    if h < 1e-12 {
        return [0.0, 0.0];
    }
    let r = theta / std::f64::consts::FRAC_PI_2;
    [r * p[0] / h, r * p[1] / h]
}

/// Every name in the table, canonical spelling.
pub fn known_names() -> Vec<&'static str> {
    super::labels::STANDARD_NAMES.iter().copied().filter(|n| table().contains_key(&n.to_ascii_uppercase())).collect()
}

#[cfg(test)]
mod geometry {
    //! The construction of the table, recomputed independently of the file.
    use std::collections::BTreeMap;

    type V = [f64; 3];
    fn sph(elev: f64, az: f64) -> V {
        let (e, a) = (elev.to_radians(), az.to_radians());
        [e.cos() * a.cos(), e.cos() * a.sin(), e.sin()]
    }
    fn sub(a: V, b: V) -> V {
        [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
    }
    fn dot(a: V, b: V) -> f64 {
        a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
    }
    fn cross(a: V, b: V) -> V {
        [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    }
    fn scale(a: V, s: f64) -> V {
        [a[0] * s, a[1] * s, a[2] * s]
    }
    fn add(a: V, b: V) -> V {
        [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
    }
    /// Point at fraction `t` of the arc from `l` to `m` on the circle through `l`, `m`, `r`.
    fn on_arc(l: V, m: V, r: V, t: f64) -> V {
        let n = cross(sub(m, l), sub(r, l));
        let n = scale(n, 1.0 / dot(n, n).sqrt());
        let c = scale(n, dot(n, l));
        let (u, v) = (sub(l, c), sub(m, c));
        let alpha = (dot(u, v) / dot(u, u)).clamp(-1.0, 1.0).acos();
        let (a, b) = (((1.0 - t) * alpha).sin() / alpha.sin(), (t * alpha).sin() / alpha.sin());
        add(c, add(scale(u, a), scale(v, b)))
    }

    pub fn positions() -> BTreeMap<String, V> {
        let mut p = BTreeMap::new();
        let eq_l = ["Nz", "N1", "AF9", "F9", "FT9", "T9", "TP9", "P9", "PO9", "I1", "Iz"];
        let eq_r = ["Nz", "N2", "AF10", "F10", "FT10", "T10", "TP10", "P10", "PO10", "I2", "Iz"];
        let r10_l = ["Fpz", "Fp1", "AF7", "F7", "FT7", "T7", "TP7", "P7", "PO7", "O1", "Oz"];
        let r10_r = ["Fpz", "Fp2", "AF8", "F8", "FT8", "T8", "TP8", "P8", "PO8", "O2", "Oz"];
        for k in 0..=10 {
            let (al, ar) = (90.0 + 18.0 * k as f64, 90.0 - 18.0 * k as f64);
            p.insert(eq_l[k].to_string(), sph(0.0, al));
            p.insert(eq_r[k].to_string(), sph(0.0, ar));
            p.insert(r10_l[k].to_string(), sph(18.0, al));
            p.insert(r10_r[k].to_string(), sph(18.0, ar));
        }
        p.remove("N1");
        p.remove("N2");
        for (i, m) in ["AFz", "Fz", "FCz", "Cz", "CPz", "Pz", "POz"].iter().enumerate() {
            let a = (36.0 + 18.0 * i as f64).to_radians();
            p.insert(m.to_string(), [0.0, a.cos(), a.sin()]);
        }
        let rows = [("AF", 2), ("F", 3), ("FC", 4), ("C", 5), ("CP", 6), ("P", 7), ("PO", 8)];
        for (row, k) in rows {
            let l = p[r10_l[k]];
            let r = p[r10_r[k]];
            let m = p[&format!("{row}z")];
            for (j, (nl, nr)) in [(5, 6), (3, 4), (1, 2)].iter().enumerate() {
                let t = (j + 1) as f64 / 4.0;
                p.insert(format!("{row}{nl}"), on_arc(l, m, r, t));
                p.insert(format!("{row}{nr}"), on_arc(r, m, l, t));
            }
        }
        for (old, new) in [("T3", "T7"), ("T4", "T8"), ("T5", "P7"), ("T6", "P8")] {
            let v = p[new];
            p.insert(old.to_string(), v);
        }
        p.insert("A1".into(), sph(-18.0, 180.0));
        p.insert("A2".into(), sph(-18.0, 0.0));
        p.insert("M1".into(), sph(-18.0, 198.0));
        p.insert("M2".into(), sph(-18.0, -18.0));
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_construction() {
        let g = geometry::positions();
        if std::env::var_os("SESAME_PRINT_ELECTRODES").is_some() {
            for n in crate::recording::labels::STANDARD_NAMES {
                let v = g[*n];
                println!("{n}\t{:.6}\t{:.6}\t{:.6}", v[0], v[1], v[2]);
            }
        }
        for n in crate::recording::labels::STANDARD_NAMES {
            let want = g.get(*n).unwrap_or_else(|| panic!("{n} not constructed"));
            let got = electrode_position(n).unwrap_or_else(|| panic!("{n} missing from the table"));
            for k in 0..3 {
                assert!((want[k] - got[k]).abs() < 2e-6, "{n}: {got:?} vs {want:?}");
            }
        }
    }

    #[test]
    fn analytic_landmarks() {
        let close = |a: [f64; 3], b: [f64; 3]| (0..3).all(|k| (a[k] - b[k]).abs() < 1e-5);
        assert!(close(electrode_position("Cz").unwrap(), [0.0, 0.0, 1.0]));
        let (c18, s18) = (18f64.to_radians().cos(), 18f64.to_radians().sin());
        assert!(close(electrode_position("T7").unwrap(), [-c18, 0.0, s18]));
        assert!(close(electrode_position("EEG T4-A1").unwrap(), [c18, 0.0, s18]));
        assert!(close(electrode_position("Fpz").unwrap(), [0.0, c18, s18]));
        assert!(close(electrode_position("Oz").unwrap(), [0.0, -c18, s18]));
        // C3 halfway between T7 and Cz on the coronal arc: elevation 54°.
        let c3 = electrode_position("C3").unwrap();
        assert!((c3[2] - 54f64.to_radians().sin()).abs() < 1e-5 && c3[1].abs() < 1e-5 && c3[0] < 0.0);
        // Unit norm and left/right mirror symmetry.
        for n in known_names() {
            let p = electrode_position(n).unwrap();
            assert!((p[0] * p[0] + p[1] * p[1] + p[2] * p[2] - 1.0).abs() < 1e-5, "{n}");
        }
        for (l, r) in [("F3", "F4"), ("FC5", "FC6"), ("PO7", "PO8"), ("AF3", "AF4"), ("CP1", "CP2")] {
            let (a, b) = (electrode_position(l).unwrap(), electrode_position(r).unwrap());
            assert!(close(a, [-b[0], b[1], b[2]]), "{l}/{r}");
        }
        // Rows ordered from the side to the midline: F7, F5, F3, F1, Fz rise monotonically.
        let zs: Vec<f64> = ["F7", "F5", "F3", "F1", "Fz"].iter().map(|n| electrode_position(n).unwrap()[2]).collect();
        assert!(zs.windows(2).all(|w| w[0] < w[1]), "{zs:?}");
        assert!(electrode_position("squarewave").is_none());
    }

    #[test]
    fn projection() {
        let p = project_2d(electrode_position("Cz").unwrap());
        assert!(p[0].abs() < 1e-9 && p[1].abs() < 1e-9);
        let p = project_2d(electrode_position("Fpz").unwrap());
        assert!(p[0].abs() < 1e-6 && (p[1] - 0.8).abs() < 1e-6);
        let p = project_2d(electrode_position("T8").unwrap());
        assert!((p[0] - 0.8).abs() < 1e-6 && p[1].abs() < 1e-6);
    }
}
