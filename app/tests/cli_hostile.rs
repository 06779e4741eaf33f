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
