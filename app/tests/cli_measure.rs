//! End-to-end: `sesame measures` and `sesame measure --events` as a user runs them.

use std::process::Command;

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

/// Example A of the shared oracle (x, y over [0, 2.5] s) plus a third signal.
fn events_file(dir: &tempfile::TempDir) -> String {
    let p = dir.path().join("events.csv");
    std::fs::write(
        &p,
        "# example A\nsignal,time\nx,0.10\nx,0.50\nx,1.20\nx,2.00\ny,0.12\ny,0.55\ny,1.50\ny,2.02\nz,0.3\n",
    )
    .expect("write");
    p.display().to_string()
}

#[test]
fn measures_lists_every_point_process_measure() {
    let (code, out, _) = sesame(&["measures"]);
    assert_eq!(code, 0);
    for id in [
        "victor-purpura",
        "van-rossum",
        "schreiber",
        "hunter-milton",
        "event-sync",
        "isi-distance",
        "spike-distance",
        "spike-sync",
        "sttc",
    ] {
        assert!(out.contains(id), "{id} missing from\n{out}");
    }
    let (code, out, _) = sesame(&["measures", "--json"]);
    assert_eq!(code, 0);
    let j: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let vr = j
        .as_array()
        .expect("array")
        .iter()
        .find(|m| m["id"] == "van-rossum")
        .expect("van-rossum");
    assert_eq!(
        vr["params"][1]["options"],
        serde_json::json!(["elephant", "paper"])
    );
}

#[test]
fn measure_on_example_a_matches_the_oracle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = events_file(&dir);
    let (code, out, err) = sesame(&[
        "measure",
        "--events",
        &f,
        "--measure",
        "victor-purpura",
        "--param",
        "q=10",
        "--pair",
        "x,y",
        "--window",
        "0:2.5",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert!((j["values"]["distance"].as_f64().expect("value") - 2.9).abs() < 1e-9);
    assert_eq!(j["events"], serde_json::json!([4, 4]));
    assert_eq!(j["window"], serde_json::json!([0.0, 2.5]));

    let (code, out, err) = sesame(&[
        "measure",
        "--events",
        &f,
        "--measure",
        "isi-distance",
        "--pair",
        "x,y",
        "--window",
        "0:2.5",
    ]);
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("distance = "))
        .expect("value line");
    let v: f64 = line["distance = ".len()..].parse().expect("number");
    assert!((v - 0.249036).abs() < 1e-5 * 0.249036, "{out}");

    let (code, out, _) = sesame(&[
        "measure",
        "--events",
        &f,
        "--measure",
        "van-rossum",
        "--param",
        "normalisation=paper",
        "--pair",
        "x,y",
        "--json",
    ]);
    assert_eq!(code, 0);
    let j: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(j["params"]["normalisation"], "paper");
    assert!((j["values"]["distance"].as_f64().expect("value") - 1.30495).abs() < 1e-5 * 1.30495);
}

#[test]
fn user_errors_exit_2_with_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = events_file(&dir);
    let cases: &[(&[&str], &str)] = &[
        (
            &["--measure", "nope", "--pair", "x,y"],
            "victor-purpura, van-rossum",
        ),
        (
            &[
                "--measure",
                "victor-purpura",
                "--pair",
                "x,y",
                "--param",
                "cost=1",
            ],
            "unknown parameter",
        ),
        (
            &[
                "--measure",
                "victor-purpura",
                "--pair",
                "x,y",
                "--param",
                "q=-1",
            ],
            "outside",
        ),
        (
            &[
                "--measure",
                "victor-purpura",
                "--pair",
                "x,y",
                "--param",
                "q",
            ],
            "NAME=VALUE",
        ),
        (&["--measure", "victor-purpura"], "3 signal(s)"),
        (
            &["--measure", "victor-purpura", "--pair", "x,w"],
            "no signal `w`",
        ),
        (
            &[
                "--measure",
                "victor-purpura",
                "--pair",
                "x,y",
                "--window",
                "2:1",
            ],
            "before the end",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["measure", "--events", &f];
        args.extend_from_slice(extra);
        let (code, _, err) = sesame(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        // a value the shared parsers refuse (`--window 2:1`) is a usage error of clap
        assert!(
            (err.starts_with("sesame: error: ") || err.starts_with("error: invalid value"))
                && err.contains(needle),
            "{args:?}: {err}"
        );
    }
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "signal,time\nx,0.1\nx,zero\n").expect("write");
    let (code, _, err) = sesame(&[
        "measure",
        "--events",
        &bad.display().to_string(),
        "--measure",
        "sttc",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("line 3") && err.contains("zero"), "{err}");
}

/// The oracle inputs (`../shared/oracles/measures/inputs`), or `None` with the reason.
fn oracle_inputs() -> Option<std::path::PathBuf> {
    let shared = std::env::var_os("SESAME_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
        });
    let dir = shared.join("oracles/measures/inputs");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: oracle inputs not found at {} (set SESAME_SHARED_DIR)",
            dir.display()
        );
        None
    }
}

#[test]
fn measure_on_signal_files_matches_the_oracle() {
    let Some(dir) = oracle_inputs() else { return };
    let files = |stem: &str| -> Vec<String> {
        (0..4)
            .flat_map(|e| {
                [
                    "--signals".to_string(),
                    dir.join(format!("{stem}_epoch{e}.csv"))
                        .display()
                        .to_string(),
                ]
            })
            .collect()
    };
    // mne-connectivity mode='fourier', f = 10 Hz: coh 0.934818; 9.5 Hz: wpli 0.651815
    for (id, f, want) in [("coh", "10", 0.934818), ("wpli", "9.5", 0.651815)] {
        let mut args = vec!["measure", "--measure", id, "--json"];
        let fmin = format!("fmin={f}");
        let fmax = format!("fmax={f}");
        args.extend(["--param", &fmin, "--param", &fmax]);
        let fl = files("pair");
        args.extend(fl.iter().map(String::as_str));
        let (code, out, err) = sesame(&args);
        assert_eq!(code, 0, "{err}");
        let j: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        let got = j["values"][id].as_f64().expect("value");
        assert!((got - want).abs() <= 1e-5 * want, "{id}: {got} vs {want}");
        assert_eq!(j["signals"]["epochs"], 4);
        assert_eq!(j["signals"]["samples_per_epoch"], 2560);
    }
    // a set measure on all channels: omega complexity of QUAD, 3.88649
    let fl = files("quad");
    let mut args = vec![
        "measure",
        "--measure",
        "omega-complexity",
        "--channels",
        "all",
    ];
    args.extend(fl.iter().map(String::as_str));
    args.push("--json");
    let (code, out, err) = sesame(&args);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(j["results"][0]["target"], "set");
    let got = j["results"][0]["values"]["omega"].as_f64().expect("value");
    assert!((got - 3.88649).abs() <= 1e-5 * 3.88649, "omega {got}");
    // one long file as one epoch of 40 s (the oracle fits the VAR to the whole series;
    // without --epoch the file would be cut into the 2 s epochs of `analyze`): VAR
    // chain, directed measure, every ordered pair
    let var = dir.join("var_chain.csv").display().to_string();
    let (code, out, err) = sesame(&[
        "measure",
        "--measure",
        "dtf",
        "--signals",
        &var,
        "--epoch",
        "40",
        "--channels",
        "x,y,z",
        "--param",
        "order=2",
        "--param",
        "fmin=10",
        "--param",
        "fmax=10",
    ]);
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("x->y"))
        .expect("x->y line");
    let v: f64 = line
        .rsplit(' ')
        .next()
        .expect("value")
        .parse()
        .expect("number");
    assert!((v - 0.59061).abs() <= 1e-5 * 0.59061, "{out}");
    assert_eq!(out.lines().filter(|l| l.contains("->")).count(), 6, "{out}");
}

#[test]
fn signal_errors_exit_2_with_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let three = dir.path().join("three.csv");
    std::fs::write(&three, "# fs=100\na,b,c\n1,2,3\n2,3,1\n3,1,2\n4,4,4\n").expect("write");
    let short = dir.path().join("short.tsv");
    std::fs::write(&short, "# fs=100\na\tb\n1\t2\n2\t3\n").expect("write");
    let norate = dir.path().join("norate.csv");
    std::fs::write(&norate, "a,b\n1,2\n").expect("write");
    let events = events_file(&dir);
    let p = |f: &std::path::PathBuf| f.display().to_string();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--signals".into(), p(&three)], "3 channel(s)"),
        (
            vec!["--signals".into(), p(&three), "--pair".into(), "a,z".into()],
            "no channel `z`",
        ),
        (vec!["--signals".into(), p(&norate)], "fs="),
        (
            vec![
                "--signals".into(),
                p(&three),
                "--pair".into(),
                "a,b".into(),
                "--epoch".into(),
                "1".into(),
            ],
            "--epoch 1 s is 100 samples",
        ),
        (
            vec![
                "--signals".into(),
                p(&three),
                "--pair".into(),
                "a,b".into(),
                "--signals".into(),
                p(&short),
            ],
            "same length",
        ),
        (
            vec![
                "--signals".into(),
                p(&three),
                "--pair".into(),
                "a,b".into(),
                "--window".into(),
                "5:6".into(),
            ],
            "holds no sample",
        ),
        (vec!["--events".into(), events], "give them with --signals"),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["measure", "--measure", "coh"];
        args.extend(extra.iter().map(String::as_str));
        let (code, _, err) = sesame(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.starts_with("sesame: error: ") && err.contains(needle),
            "{args:?}: {err}"
        );
    }
}

/// A reader that closes the pipe early (`sesame measures | head -c 1`) ends the listing
/// quietly instead of making every later write panic. The pipe is shrunk to one page so
/// that the listing (about 38 kB) cannot fit in it before the reader goes away.
#[test]
#[cfg(target_os = "linux")]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::Read;
    use std::os::fd::AsRawFd;
    use std::process::Stdio;
    let (mut reader, writer) = std::io::pipe().expect("a pipe");
    // SAFETY: `reader` is an open pipe descriptor owned by this function.
    let size = unsafe { libc::fcntl(reader.as_raw_fd(), libc::F_SETPIPE_SZ, 4096) };
    assert!(size >= 4096, "could not shrink the pipe");
    let child = Command::new(env!("CARGO_BIN_EXE_sesame"))
        .arg("measures")
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .spawn()
        .expect("sesame starts");
    let mut first = [0u8; 1];
    reader.read_exact(&mut first).expect("one byte of output");
    drop(reader);
    let out = child.wait_with_output().expect("sesame ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "a closed pipe made sesame panic: {stderr}"
    );
    assert!(
        size < 38_000,
        "the pipe ({size} bytes) holds the whole listing: the test would prove nothing"
    );
}

/// Two channels of 10 Hz with a steady phase lag and a little deterministic noise, at
/// 100 Hz for `seconds` s, as a `# fs=` CSV.
fn signal_file(dir: &std::path::Path, seconds: usize) -> String {
    let mut text = String::from("# fs=100\na,b\n");
    for i in 0..seconds * 100 {
        let t = i as f64 / 100.0;
        let w = 2.0 * std::f64::consts::PI * 10.0 * t;
        let noise = (i as f64 * 0.7311).sin() * 0.3 + (i as f64 * 1.913).cos() * 0.2;
        text.push_str(&format!(
            "{},{}\n",
            w.sin() + noise,
            (w - 0.8).sin() - noise
        ));
    }
    let path = dir.join(format!("sig{seconds}.csv"));
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

/// `--signals` cuts one file into the 2 s epochs of `analyze` (or `--epoch`), and an
/// estimate across epochs from a single epoch is refused with the reason.
#[test]
fn signals_are_cut_into_epochs_and_one_epoch_is_refused_for_across_epoch_estimates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let five = signal_file(dir.path(), 5);
    let run = |extra: &[&str]| {
        let mut args = vec!["measure", "--measure", "coh", "--pair", "a,b", "--json"];
        args.extend_from_slice(extra);
        sesame(&args)
    };
    // default: 5 s cut into two epochs of 2 s (the remainder dropped), as `analyze` does
    let (code, out, err) = run(&["--signals", &five]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(j["signals"]["epochs"], 2);
    assert_eq!(j["signals"]["samples_per_epoch"], 200);
    // one epoch: coherence across epochs would be 1 whatever the signals
    for epoch in ["5", "3"] {
        let extra = ["--signals", five.as_str(), "--epoch", epoch];
        let (code, _, err) = run(&extra);
        assert_eq!(code, 2, "{extra:?}");
        assert!(
            err.contains("at least two epochs") && err.contains("--param estimate=time"),
            "{err}"
        );
    }
    let (code, _, err) = sesame(&[
        "measure",
        "--measure",
        "plv",
        "--param",
        "estimate=epochs",
        "--signals",
        &five,
        "--epoch",
        "5",
        "--pair",
        "a,b",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("at least two epochs"), "{err}");
    // over time, one epoch is fine
    let (code, _, err) = run(&[
        "--signals",
        &five,
        "--epoch",
        "5",
        "--param",
        "estimate=time",
    ]);
    assert_eq!(code, 0, "{err}");
    // a file shorter than the default epoch says what to type
    let one = signal_file(dir.path(), 1);
    let (code, _, err) = run(&["--signals", &one]);
    assert_eq!(code, 2);
    assert!(err.contains("--epoch"), "{err}");
}

/// `--window` has the open ends of every other command.
#[test]
fn window_open_ends_on_events() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = events_file(&dir);
    let window = |w: &str| {
        let (code, out, err) = sesame(&[
            "measure",
            "--events",
            &f,
            "--measure",
            "victor-purpura",
            "--pair",
            "x,y",
            "--window",
            w,
            "--json",
        ]);
        assert_eq!(code, 0, "{w}: {err}");
        let j: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        (
            j["window"][0].as_f64().expect("t0"),
            j["window"][1].as_f64().expect("t1"),
        )
    };
    let (_, full_end) = window("0:");
    assert_eq!(window(":1"), (0.0, 1.0));
    assert_eq!(window("0.5:").1, full_end);
}
