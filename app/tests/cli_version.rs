//! `sesame --version`: the version and the commit the binary was built from.

use std::path::Path;
use std::process::Command;

fn version_line() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sesame"))
        .arg("--version")
        .output()
        .expect("sesame starts");
    assert!(out.status.success(), "--version failed: {out:?}");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The commit recorded in the binary: 12 hex digits, `unknown`, or what a packager set.
fn recorded_commit(line: &str) -> &str {
    let prefix = format!("sesame {} (commit ", env!("CARGO_PKG_VERSION"));
    let rest = line
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{line:?} does not start with {prefix:?}"));
    rest.strip_suffix(")\n")
        .unwrap_or_else(|| panic!("{line:?} does not end with \")\""))
}

#[test]
fn version_names_the_package_version_and_a_commit() {
    let line = version_line();
    let commit = recorded_commit(&line);
    assert!(!commit.is_empty(), "empty commit in {line:?}");
    // A packager's `SESAME_COMMIT` may be any text; otherwise git's 12 digits or `unknown`.
    if std::env::var_os("SESAME_COMMIT").is_none() {
        assert!(
            commit == "unknown"
                || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
            "the commit {commit:?} is neither 12 hex digits nor \"unknown\""
        );
    }
}

/// Built from a git checkout, the binary names that checkout's `HEAD`.
#[test]
fn version_names_the_checkout_head() {
    if std::env::var_os("SESAME_COMMIT").is_some() {
        println!("skipped: SESAME_COMMIT overrides the recorded commit");
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(dir)
        .output();
    let head = match head {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        _ => {
            println!("skipped: not built from a git checkout (or git is missing)");
            return;
        }
    };
    let line = version_line();
    assert_eq!(recorded_commit(&line), head, "--version printed {line:?}");
}
