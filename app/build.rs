//! Records the commit the binary is built from, for `sesame --version`.
//!
//! In order: the `SESAME_COMMIT` environment variable (for packagers building from a
//! copy without history), the `HEAD` of the git checkout, the hash `git archive` writes
//! into `app/commit.txt`, else `unknown`. Never fails the build.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=SESAME_COMMIT");
    println!("cargo:rerun-if-changed=commit.txt");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = from_env()
        .or_else(|| from_git(&manifest_dir))
        .or_else(|| from_archive(&manifest_dir))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=SESAME_COMMIT={commit}");
}

fn from_env() -> Option<String> {
    let c = std::env::var("SESAME_COMMIT").ok()?;
    let c = c.trim();
    (!c.is_empty()).then(|| c.to_string())
}

/// Runs `git args…` in `dir`; its trimmed output when it succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn from_git(dir: &Path) -> Option<String> {
    let commit = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    // Rebuild when HEAD moves: HEAD itself (a checkout, a detached commit), the branch
    // it points to, and the packed refs a branch may live in. Only files that exist are
    // named: cargo reruns a build script on every build while a named file is missing.
    let absolute = |p: String| {
        let p = PathBuf::from(p);
        if p.is_absolute() {
            p
        } else {
            dir.join(p)
        }
    };
    if let Some(git_dir) = git(dir, &["rev-parse", "--git-dir"]).map(absolute) {
        watch(&git_dir.join("HEAD"));
    }
    if let Some(common) = git(dir, &["rev-parse", "--git-common-dir"]).map(absolute) {
        watch(&common.join("packed-refs"));
        if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
            watch(&common.join(branch));
        }
    }
    Some(commit)
}

fn watch(file: &Path) {
    if file.is_file() {
        println!("cargo:rerun-if-changed={}", file.display());
    }
}

/// `commit.txt` holds `$Format:%H$`, which `git archive` replaces by the commit's
/// hash (shortened here to 12 digits, as from git) (the `export-subst` attribute); in a checkout it stays unreplaced.
fn from_archive(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("commit.txt")).ok()?;
    let c = text.trim();
    let is_hash = c.len() >= 7 && c.len() <= 64 && c.chars().all(|ch| ch.is_ascii_hexdigit());
    is_hash.then(|| c[..c.len().min(12)].to_string())
}
