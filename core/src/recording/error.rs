use super::text::{terminal_safe, terminal_safe_path};
use std::path::PathBuf;

/// Why a recording could not be read.
///
/// Messages quote the file's own bytes (a header field, an annotation); every one is
/// shown through [`terminal_safe`], so control characters from a file never reach the
/// terminal raw.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    /// The file could not be opened, read or written. The message ends with the I/O
    /// error, which is therefore not also given as the error's `source` (an error
    /// chain would print it twice).
    #[error("{}: {error}", terminal_safe_path(path))]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The file is in a format, or uses a feature of one, that is not supported.
    #[error("{}: {}", terminal_safe_path(path), terminal_safe(reason))]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What is not supported.
        reason: String,
    },
    /// The file is not a valid recording: names the field, its value and the problem.
    #[error("{}: {}", terminal_safe_path(path), terminal_safe(reason))]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The field, its value and what is wrong with it.
        reason: String,
    },
    /// The path names something other than a regular file (a FIFO, a device, a
    /// socket, a directory); refused before it is opened for reading, since reading a
    /// FIFO or a terminal can block forever and a device such as `/dev/zero` never ends.
    #[error("{} is {kind}, not a regular file", terminal_safe_path(path))]
    NotRegularFile {
        /// The path.
        path: PathBuf,
        /// What it is instead, with its article: `a FIFO (named pipe)`,
        /// `a character device`…
        kind: &'static str,
    },
    /// Arguments that describe no valid recording or range: labels and data of different
    /// lengths, a non-positive sample rate, a signal index out of range, or a recording
    /// that EDF/BDF cannot store (non-printable text, non-finite samples, gaps in EDF+C…);
    /// the message says which.
    #[error("{}", terminal_safe(.0))]
    InvalidInput(String),
}
