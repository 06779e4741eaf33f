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

/// Makes a FIFO at `path`; false (with the reason printed) when the system refuses.
#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    if rc != 0 {
        eprintln!(
            "skipped: mkfifo failed: {}",
            std::io::Error::last_os_error()
        );
    }
    rc == 0
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
    // The FIFO as the batch input, and inside a batch folder (a failed recording with
    // its reason, the run finishing).
    let out = dir.path().join("out");
    let (code, _, err) = sesame(&["batch", &s(&fifo), &s(&out), "--progress", "plain"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(reason), "{err}");
    let (code, _, err) = sesame(&["batch", &s(&input), &s(&out), "--progress", "plain"]);
    assert_eq!(code, 2, "{err}");
    let failures = std::fs::read_to_string(out.join("failures.tsv")).expect("failures.tsv");
    assert!(failures.contains(reason), "{failures}");
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
