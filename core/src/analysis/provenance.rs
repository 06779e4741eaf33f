//! Provenance carried by every export: program version, input file hash, the full
//! configuration and its hash.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Where a result came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// `sesame` version that produced the result.
    pub version: String,
    /// Input file name as given.
    pub input: String,
    /// SHA-256 of the input file's bytes (hex), empty for in-memory recordings.
    pub input_sha256: String,
    /// SHA-256 of `config` (hex).
    pub config_sha256: String,
    /// The full analysis configuration, as TOML.
    pub config: String,
    /// What the desktop application's signal browser showed (montage, display
    /// filters); absent for exports made without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<crate::signal::montage::DisplayRecord>,
}

impl Provenance {
    /// Provenance for `input` analysed with the configuration `config_toml`.
    pub fn new(input: Option<&Path>, config_toml: &str) -> std::io::Result<Self> {
        let (name, hash) = match input {
            Some(p) => (p.display().to_string(), sha256_file(p)?),
            None => (String::new(), String::new()),
        };
        Ok(Provenance {
            version: crate::VERSION.to_string(),
            input: name,
            input_sha256: hash,
            config_sha256: sha256_hex(config_toml.as_bytes()),
            config: config_toml.to_string(),
            display: None,
        })
    }
}

/// SHA-256 of bytes, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 of a file, streamed (no need to hold the file in memory), as lowercase hex.
/// Anything but a regular file (a FIFO, a device…) is refused before it is opened, with
/// an error of kind `InvalidInput` that says what it is.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let meta = std::fs::metadata(path)?;
    if let Some(kind) = crate::recording::special_file_kind(&meta.file_type()) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{} is {kind}, not a regular file", path.display()),
        ));
    }
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_string() {
        // FIPS 180-2 example "abc".
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn file_hash_equals_bytes_hash() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.bin");
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&p, &data).unwrap();
        assert_eq!(sha256_file(&p).unwrap(), sha256_hex(&data));
    }
}
