//! `sesame ses --kind multi`: N-signal SES from the command line on planted event lists.

use std::fmt::Write as _;
use std::process::Command;

fn sesame(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sesame"))
        .args(args)
        .output()
        .expect("run sesame");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Three signals that share 40 events, one every 0.5 s, copied with planted delays of
/// 0, +20 ms and −30 ms and a deterministic jitter of at most ±2 ms.
fn planted_csv() -> String {
    let delays = [0.0, 0.020, -0.030];
    let mut csv = String::from("signal,time\n");
    for (sig, d) in delays.iter().enumerate() {
        for k in 0..40 {
            let jitter = 0.002 * (((k * 7 + sig * 3) % 5) as f64 - 2.0) / 2.0;
            let t = 1.0 + 0.5 * k as f64 + d + jitter;
            let _ = writeln!(csv, "s{sig},{t:.6}");
        }
    }
    csv
}

#[test]
fn kind_multi_recovers_planted_delays() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("events.csv");
    std::fs::write(&path, planted_csv()).expect("write csv");
    let p = path.to_str().expect("utf-8 path");
    let (code, out, err) = sesame(&["ses", "--events", p, "--kind", "multi", "--json"]);
    assert_eq!(code, 0, "stderr: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON output");
    assert_eq!(v["signals"], serde_json::json!(["s0", "s1", "s2"]));
    let delta: Vec<f64> = v["delta"]
        .as_array()
        .expect("delta array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect();
    assert_eq!(delta.len(), 3);
    // The gauge fixes the reference signal's delay at 0; the others are recovered
    // relative to it within the ±2 ms jitter.
    let rel = [delta[1] - delta[0], delta[2] - delta[0]];
    assert!((rel[0] - 0.020).abs() < 0.003, "delta {delta:?}");
    assert!((rel[1] + 0.030).abs() < 0.003, "delta {delta:?}");
    // Every event is in a full cluster: nothing non-coincident.
    let rho = v["rho_single"].as_f64().expect("rho_single");
    assert!(rho < 0.05, "rho_single {rho}");
    assert_eq!(
        v["cluster_sizes"][2].as_u64(),
        Some(40),
        "{}",
        v["cluster_sizes"]
    );
    assert!(v["solver"]["status"].is_string());

    // The alias gives the same document.
    let (code2, out2, _) = sesame(&["ses-multi", p, "--json"]);
    assert_eq!(code2, 0);
    assert_eq!(out, out2);
}

#[test]
fn kind_multi_on_bumps_uses_absolute_offsets() {
    // The same planted times as bumps at 10 Hz (signal 2 shifted by +0.5 Hz).
    let mut csv = String::from("signal,t,f,dt,df,amplitude\n");
    for line in planted_csv().lines().skip(1) {
        let (sig, t) = line.split_once(',').expect("two columns");
        let f = if sig == "s2" { 10.5 } else { 10.0 };
        let _ = writeln!(csv, "{sig},{t},{f},0.1,2.0,1.0");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bumps.csv");
    std::fs::write(&path, csv).expect("write csv");
    let p = path.to_str().expect("utf-8 path");
    let (code, out, err) = sesame(&["ses", "--events", p, "--kind", "multi", "--json"]);
    assert_eq!(code, 0, "stderr: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON output");
    let d: Vec<f64> = ["delta", "delta_f"]
        .iter()
        .map(|k| {
            let a = v[k].as_array().expect("array");
            a[2].as_f64().expect("number") - a[0].as_f64().expect("number")
        })
        .collect();
    assert!((d[0] + 0.030).abs() < 0.003, "time offset {d:?}");
    assert!((d[1] - 0.5).abs() < 0.05, "frequency offset {d:?} (Hz)");
    assert_eq!(
        v["cluster_sizes"][2].as_u64(),
        Some(40),
        "{}",
        v["cluster_sizes"]
    );
}

#[test]
fn kind_flags_that_do_not_apply_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("events.csv");
    std::fs::write(&path, planted_csv()).expect("write csv");
    let p = path.to_str().expect("utf-8 path");

    let (code, _, err) = sesame(&["ses", "--events", p, "--kind", "multi", "--beta", "0.1"]);
    assert_eq!(code, 2);
    assert!(err.contains("--beta applies to pairwise SES only"), "{err}");

    let (code, _, err) = sesame(&["ses", "--events", p, "--pair", "s0,s1", "--kappa", "3"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--kappa applies to --kind multi only"),
        "{err}"
    );

    let (code, _, err) = sesame(&["ses", "--events", p, "--kind", "multi", "--s0", "abc"]);
    assert_eq!(code, 2);
    assert!(err.contains("abc"), "{err}");
}

/// The scale flags: `--s-max` bounds the jitter estimate, `--pd-prior auto` estimates the
/// deletion probability from coincidences, `--max-programme-events` is accepted and
/// reported, and bad values are refused with the option's name.
#[test]
fn kind_multi_scale_flags() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("events.csv");
    std::fs::write(&path, planted_csv()).expect("write csv");
    let p = path.to_str().expect("utf-8 path");
    let json = |extra: &[&str]| {
        let mut args = vec!["ses", "--events", p, "--kind", "multi", "--json"];
        args.extend_from_slice(extra);
        let (code, out, err) = sesame(&args);
        assert_eq!(code, 0, "{extra:?}: {err}");
        serde_json::from_str::<serde_json::Value>(&out).expect("JSON output")
    };
    // The smallest bound allowed is the prior scale s0 (default 1e-4 s²).
    let bound = 1e-4;
    let bounded = json(&["--s-max", "1e-4"]);
    let s_bounded = bounded["s"].as_f64().expect("s");
    assert!(
        s_bounded <= bound * (1.0 + 1e-12),
        "s {s_bounded} above the bound {bound}"
    );
    let auto = json(&["--pd-prior", "auto", "--max-programme-events", "10"]);
    let c = &auto["coincidences"];
    assert!(c["pairs"].as_u64().expect("coincident pairs") > 0, "{c}");
    let pd = c["pd"].as_f64().expect("pd");
    assert!((0.0..1.0).contains(&pd), "pd {pd}");
    assert!(auto["solver"]["windows"].is_u64());
    // Every event is planted in all three signals: almost nothing is non-coincident.
    assert!(auto["rho_single"].as_f64().expect("rho_single") < 0.05);
    for (flag, value) in [("--pd-prior", "1.5"), ("--s-max", "abc")] {
        let (code, _, err) = sesame(&["ses", "--events", p, "--kind", "multi", flag, value]);
        assert_eq!(code, 2, "{flag} {value}");
        let name = flag.trim_start_matches("--").replace('-', "_");
        assert!(
            err.contains(flag) || err.contains(&name),
            "{flag} {value}: {err}"
        );
    }
}

/// `ses 1d|bumps|multi` are typed subcommands; `--kind` still works and gives the same
/// output; negative values are accepted with or without `=`.
#[test]
fn subcommands_kind_alias_and_negative_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("events.csv");
    std::fs::write(&path, planted_csv()).expect("write csv");
    let p = path.to_str().expect("utf-8 path");
    let ok = |args: &[&str]| {
        let (code, out, err) = sesame(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    };
    // before: "error: unexpected argument '-5'", with or without `=`
    let multi = ok(&["ses", "multi", "--events", p, "--kappa", "-5", "--json"]);
    assert_eq!(
        ok(&[
            "ses",
            "--events",
            p,
            "--kind",
            "multi",
            "--kappa=-5",
            "--json"
        ]),
        multi
    );
    assert_eq!(
        ok(&["ses", "--events", p, "--kind", "multi", "--kappa", "-5", "--json"]),
        multi
    );
    assert_eq!(ok(&["ses-multi", p, "--kappa", "-5", "--json"]), multi);
    let v: serde_json::Value = serde_json::from_str(&multi).expect("JSON");
    assert_eq!(v["kappa_n"].as_f64(), Some(-5.0), "{v}");
    // before: `--init-delay -0.03` was refused as an unknown argument
    let one_d = ok(&[
        "ses",
        "1d",
        "--events",
        p,
        "--pair",
        "s0,s1",
        "--init-delay",
        "-0.03",
        "--json",
    ]);
    assert_eq!(
        ok(&[
            "ses",
            "--events",
            p,
            "--pair",
            "s0,s1",
            "--init-delay=-0.03",
            "--json"
        ]),
        one_d
    );
    // the subcommands take only their own flags, and the file must be of their kind
    let (code, _, err) = sesame(&["ses", "1d", "--events", p, "--kappa", "3"]);
    assert_eq!(code, 2);
    assert!(err.contains("--kappa"), "{err}");
    let (code, _, err) = sesame(&["ses", "bumps", "--events", p, "--pair", "s0,s1"]);
    assert_eq!(code, 2);
    assert!(err.contains("sesame ses 1d"), "{err}");
    let (code, _, err) = sesame(&["ses"]);
    assert_eq!(code, 2);
    assert!(err.contains("--events"), "{err}");
}
