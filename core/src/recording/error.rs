use std::path::PathBuf;

/// Why a recording could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {reason}", path.display())]
    Unsupported { path: PathBuf, reason: String },
    /// The file is not a valid recording: names the field, its value and the problem.
    #[error("{}: {reason}", path.display())]
    Malformed { path: PathBuf, reason: String },
    /// The path names something other than a regular file (a FIFO, a device, a
    /// socket, a directory); refused before it is opened for reading, since reading a
    /// FIFO or a terminal can block forever and a device such as `/dev/zero` never ends.
    #[error("{} is {kind}, not a regular file", path.display())]
    NotRegularFile {
        path: PathBuf,
        /// What it is instead, with its article: `a FIFO (named pipe)`,
        /// `a character device`…
        kind: &'static str,
    },
    #[error("{0}")]
    InvalidInput(String),
}
