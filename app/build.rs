//! Records the commit the binary is built from, for `sesame --version`, and links the
//! C++ runtime statically into the Windows (MinGW-w64) executable.
//!
//! The commit, in order: the `SESAME_COMMIT` environment variable (for packagers
//! building from a copy without history), the `HEAD` of the git checkout, the hash
//! `git archive` writes into `app/commit.txt`, else `unknown`. Never fails the build.

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
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu")
    {
        static_libstdcxx();
    }
}

/// MinGW-w64: makes the link find `libstdc++.a` where it would take `libstdc++-6.dll`.
///
/// `highs-sys` asks for the C++ runtime HiGHS needs as a plain `-lstdc++`, which rustc
/// puts after `-Wl,-Bdynamic`, so the linker takes the import library of
/// `libstdc++-6.dll` from the compiler's folder even when `-static` is given, and the
/// executable would not start on a Windows machine without MinGW's DLLs. GNU ld looks
/// for a library folder by folder, trying the import library and then the archive in
/// each, so a folder holding only a copy of `libstdc++.a`, searched before the
/// compiler's own, links the archive instead. (`libwinpthread` and `libgcc_eh`, which
/// it needs, Rust's standard library already links statically.) When the archive
/// cannot be found, the build goes on with a warning and the executable needs
/// `libstdc++-6.dll` beside it.
fn static_libstdcxx() {
    let target = std::env::var("TARGET").unwrap_or_default();
    let host = std::env::var("HOST").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let underscored = target.replace('-', "_");
    let names = [
        format!("CXX_{target}"),
        format!("CXX_{underscored}"),
        "TARGET_CXX".to_string(),
        "CXX".to_string(),
    ];
    for name in &names {
        println!("cargo:rerun-if-env-changed={name}");
    }
    // The same compiler the `cc` and `cmake` crates build HiGHS with.
    let cxx = names
        .iter()
        .filter(|name| name.as_str() != "CXX" || host == target)
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| {
            if host == target {
                "g++".to_string()
            } else {
                format!("{arch}-w64-mingw32-g++")
            }
        });
    match copy_libstdcxx(&cxx) {
        Ok(dir) => println!("cargo:rustc-link-search=native={}", dir.display()),
        Err(why) => println!(
            "cargo:warning=libstdc++ is linked dynamically: {why}; \
             sesame.exe will need libstdc++-6.dll beside it"
        ),
    }
}

/// Copies the archive `cxx -print-file-name=libstdc++.a` names into its own folder in
/// `OUT_DIR`; that folder.
fn copy_libstdcxx(cxx: &str) -> Result<PathBuf, String> {
    let mut words = cxx.split_whitespace();
    let program = words.next().ok_or("no C++ compiler named")?;
    let out = Command::new(program)
        .args(words)
        .arg("-print-file-name=libstdc++.a")
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let printed = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let archive = PathBuf::from(&printed);
    // gcc prints the bare name back when it has no such file.
    if !out.status.success() || !archive.is_absolute() || !archive.is_file() {
        return Err(format!("{program} does not know libstdc++.a"));
    }
    println!("cargo:rerun-if-changed={}", archive.display());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let dir = out_dir.join("static-libstdcxx");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::copy(&archive, dir.join("libstdc++.a"))
        .map_err(|e| format!("cannot copy {}: {e}", archive.display()))?;
    Ok(dir)
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

/// `commit.txt` holds `$Format:%H$`, which `git archive` replaces by the commit's hash
/// (the `export-subst` attribute; shortened here to 12 digits, as from git); in a
/// checkout it stays unreplaced.
fn from_archive(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("commit.txt")).ok()?;
    let c = text.trim();
    let is_hash = c.len() >= 7 && c.len() <= 64 && c.chars().all(|ch| ch.is_ascii_hexdigit());
    is_hash.then(|| c[..c.len().min(12)].to_string())
}
