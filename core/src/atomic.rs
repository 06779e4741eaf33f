//! Atomic file writes, at the bottom of the crate so that every layer that writes a file
//! (EDF export, montages, result tables, batch sidecars) uses this one implementation:
//! no reader ever sees a half-written file, and a failed write leaves no temporary file.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: to a hidden temporary file in the same folder
/// (`.NAME.tmp-PID`), flushed and synced, then renamed over `path`. On error the
/// temporary file is removed and `path` is left as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::write_atomic;

    #[test]
    fn writes_whole_files_and_leaves_nothing_behind_on_failure() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"first").expect("write");
        write_atomic(&path, b"second").expect("overwrite");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        // A folder in the way: the rename fails, the temporary file is removed.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir(&blocked).expect("folder");
        std::fs::write(blocked.join("x"), b"x").expect("file in folder");
        assert!(write_atomic(&blocked, b"data").is_err());
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
    }
}
