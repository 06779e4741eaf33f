//! `sesame analyze` end to end on the bundled sample recording.

use std::path::PathBuf;
use std::process::Command;

mod common;

fn sesame(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sesame"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sample() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../sample-data/sesame-sample.edf")
        .display()
        .to_string()
}

#[test]
fn analyze_writes_tidy_rows_with_provenance() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("results.json");
    let out_s = out.display().to_string();
    let s = sample();
    let (code, _, err) = sesame(&[
        "analyze",
        &s,
        "--channels",
        "Fz,F3,O1",
        "--window",
        "0:60",
        "--measure",
        "ses-bumps,victor-purpura",
        "--param",
        "victor-purpura.q=5",
        "--out",
        &out_s,
    ]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("written")).expect("json");
    assert_eq!(
        doc["provenance"]["input_sha256"].as_str().map(str::len),
        Some(64)
    );
    assert!(doc["provenance"]["config"]
        .as_str()
        .expect("config")
        .contains("victor-purpura"));
    let rows = doc["rows"].as_array().expect("rows");
    let vp: Vec<_> = rows
        .iter()
        .filter(|r| r["measure"] == "victor-purpura")
        .collect();
    assert_eq!(vp.len(), 3, "three pairs, one distance each");
    assert!(rows
        .iter()
        .any(|r| r["measure"] == "ses-bumps" && r["parameter"] == "rho"));
}

#[test]
fn analyze_prints_a_table_without_out() {
    let s = sample();
    let (code, out, err) = sesame(&["analyze", &s, "--channels", "Fz,Cz", "--window", "0:40"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("ses-bumps") && out.contains("Fz") && out.contains("rho"),
        "{out}"
    );
}

#[test]
fn analyze_user_errors_exit_2() {
    let s = sample();
    let cases: &[(&[&str], &str)] = &[
        (&["--channels", "Fz,Xx9"], "Xx9"),
        (&["--window", "10:5"], "--window"),
        (&["--measure", "nope"], "unknown measure"),
        (&["--param", "ses-bumps.nope=1"], "nope"),
        (
            &[
                "--out",
                "/nonexistent-dir/x.csv",
                "--channels",
                "Fz,Cz",
                "--window",
                "0:20",
            ],
            "nonexistent-dir",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["analyze", s.as_str()];
        args.extend_from_slice(extra);
        let (code, _, err) = sesame(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let (code, _, err) = sesame(&["analyze", "/no/such/file.edf"]);
    assert_eq!(code, 2);
    assert!(err.contains("/no/such/file.edf"), "{err}");
}

/// `vp` and `vr` name Victor–Purpura and van Rossum, also in `--param`; the rows carry
/// the full ids and equal those of the full names.
#[test]
fn measure_aliases_give_the_rows_of_the_full_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = sample();
    let run = |measures: &str, param: &str, name: &str| {
        let out = dir.path().join(name);
        let out_s = out.display().to_string();
        let (code, _, err) = sesame(&[
            "analyze",
            &s,
            "--channels",
            "Fz,F3,O1",
            "--window",
            "0:60",
            "--measure",
            measures,
            "--param",
            param,
            "--out",
            &out_s,
        ]);
        assert_eq!(code, 0, "{err}");
        std::fs::read_to_string(out).expect("written")
    };
    let short = run("vp,vr", "vp.q=3", "short.csv");
    let full = run(
        "victor-purpura,van-rossum",
        "victor-purpura.q=3",
        "full.csv",
    );
    let default_q = run("victor-purpura,van-rossum", "van-rossum.tau=0.1", "q.csv");
    let rows = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(rows(&short), rows(&full));
    assert!(rows(&short).iter().any(|l| l.contains("victor-purpura")));
    assert!(rows(&short).iter().any(|l| l.contains("van-rossum")));
    assert!(!rows(&short).iter().any(|l| l.contains(",vp,")));
    // The alias's parameter was applied: q = 3 differs from the default q.
    assert_ne!(rows(&short), rows(&default_q));
    let (code, list, _) = sesame(&["measures"]);
    assert_eq!(code, 0);
    assert!(list.contains("alias  vp"), "{list}");
}

#[test]
fn analyze_adds_surrogate_tests_and_refuses_a_method_a_measure_cannot_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("results.csv");
    let out_s = out.display().to_string();
    let s = sample();
    let args = [
        "analyze",
        &s,
        "--channels",
        "Fz,F3,O1",
        "--window",
        "0:60",
        "--measure",
        "van-rossum",
        "--surrogates",
        "19",
        "--fwer",
        "--seed",
        "4",
        "--out",
        &out_s,
    ];
    let (code, _, err) = sesame(&args);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&out).expect("written");
    for name in [
        "distance.p",
        "distance.q",
        "distance.null_mean",
        "distance.null_sd",
        "distance.p_fwer",
    ] {
        let n = text
            .lines()
            .filter(|l| l.split(',').nth(4) == Some(name))
            .count();
        assert_eq!(n, 3, "{name} rows in\n{text}");
    }
    // the same seed gives the same file
    let (code, _, err) = sesame(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&out).expect("written"), text);

    let (code, _, err) = sesame(&[
        "analyze",
        &s,
        "--measure",
        "van-rossum",
        "--surrogates",
        "9",
        "--surrogate-method",
        "phase",
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains("phase") && err.contains("van-rossum") && err.contains("shift, dither"),
        "{err}"
    );
}

/// A recording whose labels are not 10-20 names (`E1`, `E2`, `E3`): the default selection
/// matches none, and the refusal lists the labels and says what to type; `--channels all`
/// takes every signal.
#[test]
fn channels_all_and_a_refusal_that_lists_the_labels() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("e.csv");
    let mut text = String::from("# fs=100\nE1,E2,E3\n");
    for i in 0..2000 {
        let t = i as f64 / 100.0;
        let w = 2.0 * std::f64::consts::PI * 10.0 * t;
        let noise = (i as f64 * 0.7311).sin() * 0.3;
        text.push_str(&format!(
            "{},{},{}\n",
            w.sin() + noise,
            (w - 0.5).sin() - noise,
            (w + 1.0).cos() + 0.5 * noise
        ));
    }
    std::fs::write(&path, text).expect("write");
    let p = path.display().to_string();
    let (code, _, err) = sesame(&["analyze", &p, "--measure", "coh"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("0 channel(s) selected")
            && err.contains("E1, E2, E3")
            && err.contains("--channels all"),
        "{err}"
    );
    let (code, out, err) = sesame(&["analyze", &p, "--measure", "coh", "--channels", "all"]);
    assert_eq!(code, 0, "{err}");
    for pair in ["E1–E2", "E1–E3", "E2–E3"] {
        assert!(out.contains(pair), "{out}");
    }
    // the window's open end is the end of the recording, as in every command
    let (code, out2, err) = sesame(&[
        "analyze",
        &p,
        "--measure",
        "coh",
        "--channels",
        "ALL",
        "--window",
        "0:",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out2, out);
}

/// A flat channel is analysed (no bumps) and said so on stderr, naming the file and the
/// channel.
#[test]
fn analyze_warns_about_a_flat_channel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = common::flat_channel_csv(dir.path());
    let (code, _, err) = sesame(&[
        "analyze",
        &csv.display().to_string(),
        "--channels",
        "Fp1,Fz,Cz",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.lines().any(|l| l.starts_with("sesame: warning: ")
            && l.contains("flat.csv")
            && l.contains("Fz: flat signal")),
        "{err}"
    );
}

/// `--max-map-mb` has one rule in `analyze` and `bumps`: a number of MB ≥ 0.
#[test]
fn max_map_mb_is_checked_the_same_way_by_analyze_and_bumps() {
    let s = sample();
    for cmd in ["analyze", "bumps"] {
        let (code, _, err) = sesame(&[cmd, &s, "--channels", "Fz,Cz", "--max-map-mb", "-1"]);
        assert_eq!(code, 2, "{cmd}: {err}");
        assert!(err.contains("not a memory size"), "{cmd}: {err}");
        let (code, out, err) = sesame(&[cmd, &s, "--channels", "Fz,Cz", "--max-map-mb", "0"]);
        assert_eq!(code, 0, "{cmd}: {err}");
        assert!(out.contains("Fz"), "{cmd}: {out}");
    }
}
