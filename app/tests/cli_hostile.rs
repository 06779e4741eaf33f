//! Unusual and hostile inputs on the command line: special files named like
//! recordings, control bytes in headers and annotations.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `sesame ARGS`; fails (killing it) if it has not finished after 120 s, a guard
/// against a hang, not a timing requirement. Returns (exit code, stdout, stderr).
fn sesame(args: &[&str]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sesame"))
        .args(args)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env_remove("SLURM_CPUS_PER_TASK")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("sesame {args:?} did not finish: it blocks");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Makes a FIFO at `path` with the `mkfifo` command; false (with the reason printed)
/// when the command is missing or fails.
#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    match Command::new("mkfifo").arg(path).status() {
        Ok(st) if st.success() => true,
        Ok(st) => {
            eprintln!("skipped: mkfifo {} failed ({st})", path.display());
            false
        }
        Err(e) => {
            eprintln!("skipped: cannot run mkfifo: {e}");
            false
        }
    }
}

/// A short simulated recording that `sesame batch` analyses in a moment.
fn small_recording(path: &Path) {
    use sesame_core::recording::{write_edf, Resolution};
    use sesame_core::simulate::{simulate, SimulationOptions};
    let (rec, _) = simulate(&SimulationOptions {
        duration: 20.0,
        ..SimulationOptions::default()
    })
    .expect("simulate");
    write_edf(path, &rec, Resolution::Edf16).expect("write");
}

#[cfg(unix)]
#[test]
fn a_fifo_named_x_edf_is_refused_by_info_bumps_and_batch_without_blocking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in");
    std::fs::create_dir(&input).expect("mkdir");
    let fifo = input.join("x.edf");
    if !mkfifo(&fifo) {
        return;
    }
    let reason = "x.edf is a FIFO (named pipe), not a regular file";
    for cmd in [
        vec!["info", &s(&fifo)],
        vec!["info", "--json", &s(&fifo)],
        vec!["bumps", &s(&fifo)],
    ] {
        let (code, _, err) = sesame(&cmd.iter().map(|x| x.as_ref()).collect::<Vec<&str>>());
        assert_eq!(code, 2, "{cmd:?}: {err}");
        assert!(err.contains(reason), "{cmd:?}: {err}");
    }
    // The FIFO as the batch input is refused.
    let out = dir.path().join("out");
    let (code, _, err) = sesame(&["batch", &s(&fifo), &s(&out), "--progress", "plain"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(reason), "{err}");
    // Inside a batch folder, next to a good recording and a damaged one whose name holds
    // an escape sequence: the FIFO and the damaged file fail with their reasons, the
    // good recording is analysed, the run finishes, and no raw control byte reaches
    // the terminal.
    small_recording(&input.join("good.edf"));
    let hostile_name = "bad\u{1b}[2J.edf";
    std::fs::write(input.join(hostile_name), b"0       not an EDF header").expect("write");
    let (code, _, err) = sesame(&[
        "batch",
        &s(&input),
        &s(&out),
        "--channels",
        "F3,Fz,F4,C3",
        "--progress",
        "plain",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("done 1, skipped 0, failed 2"), "{err}");
    assert!(err.contains(reason), "{err}");
    assert!(!err.contains('\u{1b}'), "raw escape on the terminal: {err}");
    assert!(err.contains("bad\\u{1b}[2J.edf"), "{err}");
    let failures = std::fs::read_to_string(out.join("failures.tsv")).expect("failures.tsv");
    assert!(failures.contains(reason), "{failures}");
    assert_eq!(failures.lines().count(), 3, "{failures}");
    let results = std::fs::read_to_string(out.join("sesame_results.tsv")).expect("results");
    assert!(results.lines().count() > 1, "{results}");
}

#[cfg(unix)]
#[test]
fn devices_are_named_as_such() {
    if !Path::new("/dev/zero").exists() {
        eprintln!("skipped: /dev/zero is not present");
        return;
    }
    let (code, _, err) = sesame(&["info", "/dev/zero"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/dev/zero is a character device, not a regular file"),
        "{err}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("folder.edf");
    std::fs::create_dir(&folder).expect("mkdir");
    for cmd in ["info", "bumps"] {
        let (code, _, err) = sesame(&[cmd, &s(&folder)]);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("folder.edf is a directory, not a regular file"),
            "{cmd}: {err}"
        );
    }
}

/// An EDF+ file whose annotation texts hold control characters (escape sequences, a
/// bell) and a bidirectional override.
fn hostile_text_recording(path: &Path) {
    use sesame_core::recording::{write_edf, Annotation, Recording, Resolution};
    let data = ndarray::Array2::from_shape_fn((2, 512), |(c, k)| {
        ((k as f32) * 0.1 + c as f32).sin() * 20.0
    });
    let rec = Recording::from_samples(vec!["Fp1".into(), "C3".into()], 256.0, "uV", data)
        .expect("recording")
        .with_annotations(vec![
            Annotation {
                onset: 0.5,
                duration: None,
                text: "\u{1b}[2J\u{1b}]0;owned\u{7}clear".into(),
            },
            Annotation {
                onset: 1.0,
                duration: Some(0.5),
                text: "left\u{202e}right".into(),
            },
        ]);
    write_edf(path, &rec, Resolution::Edf16).expect("write");
}

#[test]
fn control_characters_from_a_file_are_escaped_on_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("hostile.edf");
    hostile_text_recording(&file);
    let (code, out, err) = sesame(&["info", &s(&file)]);
    assert_eq!(code, 0, "{err}");
    for raw in ['\u{1b}', '\u{7}', '\u{0}', '\u{202e}'] {
        assert!(!out.contains(raw), "raw {raw:?} in: {out}");
        assert!(!err.contains(raw), "raw {raw:?} in: {err}");
    }
    assert!(
        out.contains("\\u{1b}[2J\\u{1b}]0;owned\\u{7}clear"),
        "{out}"
    );
    assert!(out.contains("left\\u{202e}right"), "{out}");
    // JSON keeps the exact text.
    let (code, json, _) = sesame(&["info", "--json", &s(&file)]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(
        v["annotations"][0]["text"],
        "\u{1b}[2J\u{1b}]0;owned\u{7}clear"
    );
    assert!(!json.contains('\u{1b}'), "JSON escapes controls itself");

    // A header field with an escape and a NUL: the refusal quotes it escaped, and so
    // does the lenient reading's warning.
    let mut bytes = std::fs::read(&file).expect("read");
    bytes[8..8 + 12].copy_from_slice(b"X \x1b[31mred\x00 ");
    std::fs::write(&file, &bytes).expect("write");
    let (code, out, err) = sesame(&["info", &s(&file)]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("\\u{1b}[31mred\\u{0}"), "{err}");
    let (code, out, err) = sesame(&["info", "--lenient", &s(&file)]);
    assert_eq!(code, 0, "{err}");
    for text in [&out, &err] {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{0}'),
            "{text}"
        );
    }
    assert!(out.contains("\\u{1b}[31mred"), "{out}");
}

#[test]
fn every_error_message_shows_control_characters_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A file name with an escape sequence and a bell, missing.
    let missing = dir.path().join("c\u{1b}]0;title\u{7}.toml");
    let (code, _, err) = sesame(&["config", "--check", &s(&missing)]);
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err}");
    assert!(err.contains("c\\u{1b}]0;title\\u{7}.toml"), "{err}");
    // A configuration whose bad line holds control bytes: the parser quotes the line.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[input]\nchannels = \"\u{1b}[2J\u{0}\n").expect("write");
    let (code, _, err) = sesame(&["config", "--check", &s(&bad)]);
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{0}'), "{err}");
    // A missing batch output folder named with a NUL-free control sequence.
    let out = dir.path().join("out\u{1b}[31m");
    let (code, _, err) = sesame(&["merge", &s(&out)]);
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains('\u{1b}'), "{err}");
    assert!(err.contains("out\\u{1b}[31m"), "{err}");
}

/// An EDF+C file of `n` one-second data records of 34 bytes: one 1-sample signal and
/// a 16-sample annotation channel holding each record's time-keeping TAL, with an
/// annotation `mK` at R + 0.5 s in record R = K·100,000 + 7.
fn tiny_records(path: &Path, n: usize) {
    let field = |s: &str, w: usize| format!("{s:<w$}").into_bytes();
    let mut b = Vec::with_capacity(768 + 34 * n);
    for (v, w) in [
        ("0", 8),
        ("X X X X", 80),
        ("Startdate 01-JAN-2020 X X X", 80),
        ("01.01.20", 8),
        ("00.00.00", 8),
        ("768", 8),
        ("EDF+C", 44),
        (&n.to_string(), 8),
        ("1", 8),
        ("2", 4),
    ] {
        b.extend(field(v, w));
    }
    let per_signal: [(&str, usize); 10] = [
        ("", 16),
        ("", 80),
        ("", 8),
        ("-100", 8),
        ("100", 8),
        ("-32768", 8),
        ("32767", 8),
        ("", 80),
        ("", 8),
        ("", 32),
    ];
    for (k, (blank, w)) in per_signal.iter().enumerate() {
        let (eeg, annot) = match k {
            0 => ("EEG Cz", "EDF Annotations"),
            2 => ("uV", ""),
            8 => ("1", "16"),
            _ => (*blank, *blank),
        };
        b.extend(field(eeg, *w));
        b.extend(field(annot, *w));
    }
    assert_eq!(b.len(), 768);
    for r in 0..n {
        b.extend_from_slice(&[0, 0]);
        let mut tal = format!("+{r}\x14\x14\0").into_bytes();
        if r % 100_000 == 7 {
            tal.extend(format!("+{r}.5\x14m{}\x14\0", r / 100_000).into_bytes());
        }
        assert!(tal.len() <= 32, "record {r}");
        tal.resize(32, 0);
        b.extend(tal);
    }
    std::fs::write(path, b).expect("write");
}

#[test]
fn info_reads_a_file_of_a_million_tiny_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("tiny.edf");
    let n = 1_000_000;
    tiny_records(&file, n);
    let (code, json, err) = sesame(&["info", "--json", &s(&file)]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["n_records"], n);
    assert_eq!(v["duration_s"], n as f64);
    assert_eq!(v["warnings"].as_array().map(Vec::len), Some(0), "{json}");
    let marks: Vec<(f64, String)> = v["annotations"]
        .as_array()
        .expect("annotations")
        .iter()
        .map(|a| {
            (
                a["onset"].as_f64().expect("onset"),
                a["text"].as_str().expect("text").to_string(),
            )
        })
        .collect();
    let want: Vec<(f64, String)> = (0..10)
        .map(|k| ((k * 100_000 + 7) as f64 + 0.5, format!("m{k}")))
        .collect();
    assert_eq!(marks, want);
    let (code, text, err) = sesame(&["info", &s(&file)]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("Data records:      1000000 x 1 s"), "{text}");
}
