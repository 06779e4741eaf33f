//! Malformed inputs: the broken files of `shared/eeg/malformed`, the variants of
//! `shared/tools/make_malformed_edf.py` (the same corruptions generated here in Rust,
//! and the script itself when Python is present), and byte flips, truncations and
//! extensions of valid files. Each gives an error naming the field, or (lenient mode)
//! a warning, never a panic and never garbage samples.

use ndarray::Array2;
use proptest::prelude::*;
use sesame_core::recording::{parse_bytes, write, Annotation, ReadOptions, Recording, Resolution};
use sesame_tests::shared_dir;
use std::path::Path;

const STRICT: ReadOptions = ReadOptions { lenient: false, csv_sample_rate: None };
const LENIENT: ReadOptions = ReadOptions { lenient: true, csv_sample_rate: None };

/// A small valid EDF+C made by our writer: 3 signals at 100 Hz, 5 s, 2 annotations.
fn synthetic(res: Resolution) -> Vec<u8> {
    let n = 500;
    let data = Array2::from_shape_fn((3, n), |(c, t)| ((t as f32) * 0.05 * (c as f32 + 1.0)).sin() * 50.0 + c as f32);
    let rec = Recording::from_samples(vec!["Fp1".into(), "EEG Cz-Ref".into(), "ECG".into()], 100.0, "uV", data)
        .unwrap()
        .with_annotations(vec![
            Annotation { onset: 0.5, duration: None, text: "eyes closed".into() },
            Annotation { onset: 2.25, duration: Some(1.5), text: "artefact".into() },
        ]);
    write::encode(&rec, res).unwrap()
}

fn field(b: &[u8], off: usize, width: usize, val: &str) -> Vec<u8> {
    let mut v = b.to_vec();
    let mut f = val.as_bytes().to_vec();
    f.truncate(width);
    f.resize(width, b' ');
    v[off..off + width].copy_from_slice(&f);
    v
}

fn ns_of(b: &[u8]) -> usize {
    String::from_utf8_lossy(&b[252..256]).trim().parse().unwrap()
}

fn sig_field(b: &[u8], mult: usize, width: usize, i: usize, val: &str) -> Vec<u8> {
    let ns = ns_of(b);
    field(b, 256 + ns * mult + i * width, width, val)
}

/// The corruptions of make_malformed_edf.py, by the same file names.
fn variants(src: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let ns = ns_of(src);
    let ann = (0..ns).find(|&i| src[256 + i * 16..256 + i * 16 + 16].starts_with(b"EDF Annotations")).unwrap();
    let mut non_utf8 = src.to_vec();
    non_utf8[256] = 0xe9;
    non_utf8[257] = 0xff;
    vec![
        ("f01_empty.edf", Vec::new()),
        ("f02_truncated_header_100B.edf", src[..100].to_vec()),
        ("f03_truncated_signal_header.edf", src[..256 + 500].to_vec()),
        ("f04_truncated_data_half.edf", src[..src.len() / 2].to_vec()),
        ("f05_ns_zero.edf", field(src, 252, 4, "0")),
        ("f06_ns_garbage.edf", field(src, 252, 4, "ab")),
        ("f07_nrec_minus1.edf", field(src, 236, 8, "-1")),
        ("f08_nrec_huge.edf", field(src, 236, 8, "99999999")),
        ("f09_recdur_zero.edf", field(src, 244, 8, "0")),
        ("f10_recdur_garbage.edf", field(src, 244, 8, "x.y")),
        ("f11_spr_zero_sig0.edf", sig_field(src, 216, 8, 0, "0")),
        ("f12_spr_negative_sig0.edf", sig_field(src, 216, 8, 0, "-5")),
        ("f13_spr_zero_annot.edf", sig_field(src, 216, 8, ann, "0")),
        ("f14_spr_garbage_sig0.edf", sig_field(src, 216, 8, 0, "abc")),
        ("f15_physmin_eq_max.edf", sig_field(&sig_field(src, 104, 8, 0, "5"), 112, 8, 0, "5")),
        ("f16_digmin_gt_max.edf", sig_field(&sig_field(src, 120, 8, 0, "100"), 128, 8, 0, "-100")),
        ("f17_bad_date.edf", field(src, 168, 8, "32.13.99")),
        ("f18_hdrbytes_wrong.edf", field(src, 184, 8, "1234")),
        ("f19_non_utf8_label.edf", non_utf8),
        ("f20_spr_huge_sig0.edf", sig_field(src, 216, 8, 0, "99999999")),
        ("f21_plain_edf_reserved_blank.edf", field(src, 192, 44, "")),
    ]
}

/// What each variant must give: (strict accepts?, lenient accepts?, words the strict
/// error must contain).
fn expectation(name: &str) -> (bool, bool, &'static str) {
    match &name[..3] {
        "f01" => (false, false, "empty"),
        "f02" => (false, false, "256-byte fixed header"),
        "f03" => (false, false, "shorter than its header"),
        "f04" => (false, true, "shorter than the"),
        "f05" => (false, false, "number of signals (bytes 252-255) is 0"),
        "f06" => (false, false, "number of signals (bytes 252-255) is 'ab'"),
        "f07" => (false, true, "number of data records (bytes 236-243) is -1"),
        "f08" => (false, true, "shorter than the"),
        "f09" => (false, false, "duration of a data record (bytes 244-251) is 0 s"),
        "f10" => (false, false, "duration of a data record (bytes 244-251) is 'x.y'"),
        "f11" => (false, false, "number of samples per data record of signal 1"),
        "f12" => (false, false, "number of samples per data record of signal 1"),
        "f13" => (false, false, "number of samples per data record of signal"),
        "f14" => (false, false, "number of samples per data record of signal 1"),
        "f15" => (false, false, "physical minimum and maximum of signal 1"),
        "f16" => (false, false, "digital minimum of signal 1"),
        "f17" => (false, true, "start date/time '32.13.99"),
        "f18" => (false, true, "number of header bytes (bytes 184-191) is 1234"),
        "f19" => (false, true, "label of signal 1"),
        "f20" => (false, false, "number of samples per data record of signal 1"),
        "f21" => (true, true, ""),
        _ => unreachable!("unknown variant {name}"),
    }
}

/// Every sample of every signal of `rec` equals the same sample of `good` (a repaired
/// file must not give garbage).
fn same_samples(name: &str, rec: &Recording, good: &Recording) {
    assert_eq!(rec.signals().len(), good.signals().len(), "{name}");
    for i in 0..rec.signals().len() {
        let end = rec.duration() + 1.0;
        let a = rec.read_signal(i, 0.0, end).unwrap();
        let b = good.read_signal(i, 0.0, end).unwrap();
        assert!(a.len() <= b.len(), "{name}: signal {i} has more samples than the original");
        assert_eq!(a, b[..a.len()], "{name}: signal {i} differs from the original");
    }
}

fn check_variants(src: &[u8], origin: &str) {
    let good = parse_bytes(src, &STRICT).unwrap();
    for (name, bytes) in variants(src) {
        check_variant(name, &bytes, &good, origin);
    }
}

fn check_variant(name: &str, bytes: &[u8], good: &Recording, origin: &str) {
    let (strict_ok, lenient_ok, words) = expectation(name);
    match parse_bytes(bytes, &STRICT) {
        Ok(rec) => {
            assert!(strict_ok, "{origin}/{name}: accepted in strict mode");
            assert!(!rec.warnings.is_empty(), "{origin}/{name}: accepted without a warning");
            same_samples(name, &rec, good);
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(!strict_ok, "{origin}/{name}: refused: {msg}");
            assert!(msg.contains(words), "{origin}/{name}: error '{msg}' lacks '{words}'");
            assert!(!msg.contains('\n'), "{origin}/{name}: error is not one line: {msg}");
        }
    }
    match parse_bytes(bytes, &LENIENT) {
        Ok(rec) => {
            assert!(lenient_ok, "{origin}/{name}: accepted in lenient mode");
            assert!(!rec.warnings.is_empty(), "{origin}/{name}: repaired without a warning");
            same_samples(name, &rec, good);
        }
        Err(e) => assert!(!lenient_ok, "{origin}/{name}: refused in lenient mode: {e}"),
    }
}

#[test]
fn variants_of_a_synthetic_file() {
    check_variants(&synthetic(Resolution::Edf16), "synthetic");
}

#[test]
fn variants_of_edf_plus_c() {
    let Some(shared) = shared_dir() else { return };
    let src = std::fs::read(shared.join("eeg/edge-cases/edfPlusC.edf")).unwrap();
    check_variants(&src, "edfPlusC.edf");
}

#[test]
fn the_python_generator_variants() {
    let Some(shared) = shared_dir() else { return };
    let ok = std::process::Command::new("python3").arg("--version").output().map(|o| o.status.success());
    if !matches!(ok, Ok(true)) {
        eprintln!("skipping: python3 is not available to run make_malformed_edf.py");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = shared.join("eeg/edge-cases/edfPlusC.edf");
    let status = std::process::Command::new("python3")
        .arg(shared.join("tools/make_malformed_edf.py"))
        .arg(&src)
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let good = Recording::open(&src, &STRICT).unwrap();
    let mut n = 0;
    for e in std::fs::read_dir(dir.path()).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let bytes = std::fs::read(e.path()).unwrap();
        check_variant(&name, &bytes, &good, "make_malformed_edf.py");
        // The same through the file reader.
        let r = Recording::open(&e.path(), &STRICT);
        assert_eq!(r.is_ok(), expectation(&name).0, "{name} from disk");
        if let Err(err) = r {
            assert!(err.to_string().contains(&name), "{name}: the error names the file: {err}");
        }
        n += 1;
    }
    assert_eq!(n, 21);
}

#[test]
fn one_byte_too_many_is_a_lenient_repair() {
    let src = synthetic(Resolution::Bdf24);
    let good = parse_bytes(&src, &STRICT).unwrap();
    let mut b = src.clone();
    b.push(0);
    let e = parse_bytes(&b, &STRICT).unwrap_err().to_string();
    assert!(e.contains("longer than") && e.contains("1 bytes too many"), "{e}");
    let r = parse_bytes(&b, &LENIENT).unwrap();
    assert_eq!(r.warnings.len(), 1);
    same_samples("extra byte", &r, &good);
}

#[test]
fn html_page_saved_as_edf() {
    let Some(shared) = shared_dir() else { return };
    let p = shared.join("eeg/malformed/html-not-edf/S001R02.edf");
    for o in [STRICT, LENIENT] {
        let e = Recording::open(&p, &o).unwrap_err().to_string();
        assert!(e.contains("HTML page, not an EDF file"), "{e}");
        assert!(e.contains("S001R02.edf"), "{e}");
    }
}

#[test]
fn every_file_in_the_malformed_folder_is_refused() {
    let Some(shared) = shared_dir() else { return };
    let mut stack = vec![shared.join("eeg/malformed")];
    let mut n = 0;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                for o in [STRICT, LENIENT] {
                    let r = Recording::open(&p, &o);
                    assert!(r.is_err(), "{} was accepted", p.display());
                }
                n += 1;
            }
        }
    }
    assert!(n >= 1);
}

fn read_everything(rec: &Recording) {
    for i in 0..rec.signals().len() {
        let s = &rec.signals()[i];
        if s.sample_rate > 0.0 {
            let v = rec.read_signal(i, 0.0, s.n_samples as f64 / s.sample_rate + 1.0).unwrap();
            assert!(v.iter().all(|x| x.is_finite()));
        }
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Extend(Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => proptest::collection::vec(any::<u8>(), 1..600).prop_map(Mutation::Extend),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn mutated_files_never_panic(bdf in any::<bool>(), header_bias in any::<bool>(), muts in proptest::collection::vec(mutation(), 1..6)) {
        let mut b = synthetic(if bdf { Resolution::Bdf24 } else { Resolution::Edf16 });
        let hb = 256 * (ns_of(&b) + 1);
        for m in muts {
            match m {
                Mutation::Flip(i, v) => {
                    if b.is_empty() { continue; }
                    // Mostly in the header, where parsing happens.
                    let i = if header_bias { i % hb.min(b.len()) } else { i % b.len() };
                    b[i] = v;
                }
                Mutation::Truncate(n) => { let n = n % (b.len() + 1); b.truncate(n); }
                Mutation::Extend(e) => b.extend(e),
            }
        }
        for o in [STRICT, LENIENT] {
            if let Ok(rec) = parse_bytes(&b, &o) {
                read_everything(&rec);
                let _ = rec.annotations();
            }
        }
    }
}

#[test]
fn error_messages_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("broken.edf");
    let b = field(&synthetic(Resolution::Edf16), 244, 8, "x.y");
    std::fs::write(&p, b).unwrap();
    let e = Recording::open(&p, &STRICT).unwrap_err().to_string();
    assert!(e.starts_with(&p.display().to_string()), "{e}");
    assert!(Path::new(&p).exists());
}
