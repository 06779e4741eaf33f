use super::text::{terminal_safe, terminal_safe_path};
use std::path::PathBuf;

/// Why a recording could not be read.
///
/// Messages quote the file's own bytes (a header field, an annotation); every one is
/// shown through [`terminal_safe`], so control characters from a file never reach the
/// terminal raw.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    #[error("{}: {source}", terminal_safe_path(path))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {}", terminal_safe_path(path), terminal_safe(reason))]
    Unsupported { path: PathBuf, reason: String },
    /// The file is not a valid recording: names the field, its value and the problem.
    #[error("{}: {}", terminal_safe_path(path), terminal_safe(reason))]
    Malformed { path: PathBuf, reason: String },
    /// The path names something other than a regular file (a FIFO, a device, a
    /// socket, a directory); refused before it is opened for reading, since reading a
    /// FIFO or a terminal can block forever and a device such as `/dev/zero` never ends.
    #[error("{} is {kind}, not a regular file", terminal_safe_path(path))]
    NotRegularFile {
        path: PathBuf,
        /// What it is instead, with its article: `a FIFO (named pipe)`,
        /// `a character device`…
        kind: &'static str,
    },
    #[error("{}", terminal_safe(.0))]
    InvalidInput(String),
}
