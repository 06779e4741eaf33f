//! Recordings: the header, signals and annotations of an EEG file, with samples read
//! on demand in physical units.
//!
//! A [`Recording`] is opened from a file ([`Recording::open`]) or built from samples in
//! memory ([`Recording::from_samples`]). Samples are returned in the channel's physical
//! unit (µV for EEG in practice; see [`SignalInfo::unit`]).
//!
//! Files: EDF, EDF+C, EDF+D, BDF, BDF+C, BDF+D ([`edf`]) and CSV/TSV ([`csv`]); the
//! format is recognised from the content. EDF/BDF samples are read on demand.
//! EDF+D/BDF+D: [`Recording::read_signal`] returns the samples contiguously, record
//! after record, and time arguments count recorded time only; the gaps between
//! records are listed in [`Recording::gaps`].

pub mod annotations;
pub mod csv;
pub mod edf;
mod error;
pub mod header;
pub mod labels;
pub mod positions;
pub mod text;
pub mod write;

pub use error::RecordingError;
pub use header::{EdfHeader, SampleWidth, SignalHeader, StartTime};
pub use text::{terminal_safe, terminal_safe_path};
pub use write::{write_edf, Resolution};

use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// File format of a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// European Data Format, 16-bit samples, continuous (EDF without the `+`).
    Edf,
    /// EDF+ with contiguous data records (`EDF+C`).
    EdfPlusC,
    /// EDF+ with possibly discontinuous data records (`EDF+D`): see [`Recording::gaps`].
    EdfPlusD,
    /// BioSemi Data Format: EDF with 24-bit samples.
    Bdf,
    /// BDF+ with contiguous data records (`BDF+C`).
    BdfPlusC,
    /// BDF+ with possibly discontinuous data records (`BDF+D`).
    BdfPlusD,
    /// Comma- or tab-separated text, one column per channel.
    Csv,
    /// Built from samples in memory ([`Recording::from_samples`]), no file.
    Memory,
}

/// Kind of a channel, from its label and unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelKind {
    /// Electroencephalogram: an `EEG`-typed label, or a standard electrode name with a
    /// voltage unit (reference electrodes A1, A2, M1, M2 excluded).
    Eeg,
    /// Electro-oculogram (eye movements).
    Eog,
    /// Electrocardiogram (`ECG`/`EKG`).
    Ecg,
    /// Electromyogram (muscle).
    Emg,
    /// Anything else, including reference electrodes (A1, A2, M1, M2) recorded as
    /// channels, e.g. `EEG A2-A1`.
    Other,
}

/// One data signal (annotation channels are not signals).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalInfo {
    /// Label as written in the file.
    pub label: String,
    /// Canonical 10-20/10-10 electrode name (`Fp1`, `Cz`…) when the label names one.
    pub canonical: Option<String>,
    /// Channel kind, from the label's type prefix (`EEG`, `EOG`…) and the unit.
    pub kind: ChannelKind,
    /// Physical unit as written in the file (`uV`, `mV`…).
    pub unit: String,
    /// Samples per second, Hz (need not be an integer).
    pub sample_rate: f64,
    /// Number of samples in the whole recording.
    pub n_samples: usize,
    /// Physical value of the lowest digital value, in `unit` (EDF/BDF header); in memory,
    /// the smallest sample.
    pub physical_min: f64,
    /// Physical value of the highest digital value, in `unit` (EDF/BDF header); in memory,
    /// the largest sample.
    pub physical_max: f64,
    /// Lowest digital sample value of the file (EDF/BDF header); the physical value is
    /// `physical_min + (d − digital_min)·(physical_max − physical_min)/(digital_max − digital_min)`.
    pub digital_min: i32,
    /// Highest digital sample value of the file (EDF/BDF header).
    pub digital_max: i32,
    /// Filtering applied at recording, as written in the header (`HP:0.1Hz LP:75Hz`…);
    /// empty when unknown.
    pub prefilter: String,
    /// Transducer type as written in the header (`AgAgCl electrode`…); empty when unknown.
    pub transducer: String,
}

/// One annotation: onset and duration in seconds from the start of the recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    /// Onset, s from the start of the recording.
    pub onset: f64,
    /// Duration, s; `None` when the file gives none.
    pub duration: Option<f64>,
    /// Annotation text.
    pub text: String,
}

/// How strictly to read a file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Read what can be read from files EDFbrowser would repair, with a warning for
    /// every repair, instead of refusing them.
    pub lenient: bool,
    /// Sample rate, Hz, of a CSV/TSV file that has no `# fs=` line.
    pub csv_sample_rate: Option<f64>,
}

/// A gap between two data records of an EDF+D/BDF+D file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    /// Where the gap begins, s from the start of the recording (wall-clock time, the
    /// time base of annotations).
    pub start: f64,
    /// Length of the gap, s.
    pub duration: f64,
    /// Index (from 0) of the data record the gap follows.
    pub after_record: usize,
    /// Where the gap falls in the contiguous samples that
    /// [`Recording::read_signal`] returns, s of recorded time.
    pub sample_time: f64,
}

/// Onsets of the data records of an EDF/BDF file, s from the start of the recording,
/// kept as runs of records that follow each other by one record duration: one entry per
/// run, not one number per record, so a file of 100 million records costs a few bytes.
///
/// A record starts a new run when its onset differs from the run's prediction (the
/// run's first onset plus whole record durations) by more than 1 ns, far below the
/// 100 ns resolution of EDF+ time-keeping annotations; an onset read back may differ
/// from the written one by less than that.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordOnsets {
    /// Record duration, s.
    duration: f64,
    /// Number of records.
    len: usize,
    /// (first record of the run, its onset in s), by record.
    runs: Vec<(usize, f64)>,
}

impl RecordOnsets {
    /// Largest difference, s, between an onset and its run's prediction that does not
    /// start a new run.
    const TOLERANCE: f64 = 1e-9;

    /// No records yet; records last `duration` s.
    pub fn new(duration: f64) -> Self {
        RecordOnsets {
            duration,
            len: 0,
            runs: Vec::new(),
        }
    }

    /// `len` records of `duration` s, one after the other from 0 s.
    pub fn regular(len: usize, duration: f64) -> Self {
        RecordOnsets {
            duration,
            len,
            runs: if len > 0 { vec![(0, 0.0)] } else { Vec::new() },
        }
    }

    /// Appends the next record, starting at `onset` s.
    pub fn push(&mut self, onset: f64) {
        let follows = self.runs.last().is_some_and(|&(k, t)| {
            let predicted = t + (self.len - k) as f64 * self.duration;
            (onset - predicted).abs() <= Self::TOLERANCE
        });
        if !follows {
            self.runs.push((self.len, onset));
        }
        self.len += 1;
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Onset of record `r` (from 0), s; `None` past the last record.
    pub fn get(&self, r: usize) -> Option<f64> {
        if r >= self.len {
            return None;
        }
        let i = self.runs.partition_point(|&(k, _)| k <= r).checked_sub(1)?;
        let (k, t) = self.runs[i];
        Some(t + (r - k) as f64 * self.duration)
    }

    /// Every onset, s, one per record.
    pub fn to_vec(&self) -> Vec<f64> {
        let mut v = Vec::with_capacity(self.len);
        for (i, &(k, t)) in self.runs.iter().enumerate() {
            let end = self.runs.get(i + 1).map_or(self.len, |n| n.0);
            v.extend((0..end - k).map(|m| t + m as f64 * self.duration));
        }
        v
    }
}

/// Where the samples live.
#[derive(Debug, Clone)]
enum Store {
    /// One vector per signal, in physical units.
    Memory(Vec<Vec<f32>>),
    /// Data records of an EDF/BDF file, read on demand.
    Edf(std::sync::Arc<edf::EdfStore>),
}

/// An EEG recording: header, signals, annotations, samples on demand.
#[derive(Debug, Clone)]
pub struct Recording {
    /// The file it was read from (`None` when built in memory).
    pub path: Option<PathBuf>,
    /// File format it was read from ([`Format::Memory`] when built in memory).
    pub format: Format,
    signals: Vec<SignalInfo>,
    annotations: Vec<Annotation>,
    /// Non-fatal problems found while reading (and repairs in lenient mode).
    pub warnings: Vec<String>,
    store: Store,
    /// Start date and time (EDF/BDF), with the EDF+ sub-second part.
    pub start: Option<StartTime>,
    /// The file's header as written (EDF/BDF only), annotation channels included.
    pub header: Option<EdfHeader>,
    gaps: Vec<Gap>,
    record_onsets: RecordOnsets,
}

impl Recording {
    /// Opens a recording file; the format is recognised from its content.
    ///
    /// EDF/BDF files are recognised by their version field, CSV/TSV files by their
    /// extension (`.csv`, `.tsv`, `.txt`); anything else is refused with the reason.
    ///
    /// Anything but a regular file (or a symbolic link to one) is refused before it is
    /// opened: a FIFO named `x.edf` would block the reader forever, and a device such as
    /// `/dev/zero` never ends (see [`check_regular_file`]).
    pub fn open(path: &Path, options: &ReadOptions) -> Result<Recording, RecordingError> {
        use std::io::Read;
        check_regular_file(path)?;
        let mut head = [0u8; 16];
        let n = {
            let mut f = std::fs::File::open(path).map_err(|e| RecordingError::Io {
                path: path.to_path_buf(),
                error: e,
            })?;
            let mut n = 0;
            loop {
                match f.read(&mut head[n..]) {
                    Ok(0) => break,
                    Ok(k) => {
                        n += k;
                        if n == head.len() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        return Err(RecordingError::Io {
                            path: path.to_path_buf(),
                            error: e,
                        })
                    }
                }
            }
            n
        };
        let head = &head[..n];
        let is_edf = head.len() >= 8 && (&head[..8] == b"0       " || &head[..8] == b"\xffBIOSEMI");
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !is_edf && matches!(ext.as_str(), "csv" | "tsv" | "txt") {
            return csv::read(path, options);
        }
        edf::open(path, options)
    }

    /// Gaps between data records (EDF+D/BDF+D), in file order; empty for continuous
    /// recordings.
    pub fn gaps(&self) -> &[Gap] {
        &self.gaps
    }

    /// Onset of every data record, s from the start of the recording (EDF/BDF; for
    /// EDF+ from each record's time-keeping annotation), one per record. Empty for
    /// other sources. Built on each call from runs of contiguous records (see
    /// [`RecordOnsets`]); [`Recording::record_onset`] reads one without building them.
    pub fn record_onsets(&self) -> Vec<f64> {
        self.record_onsets.to_vec()
    }

    /// Onset of data record `r` (from 0), s from the start of the recording; `None`
    /// past the last record or for sources without records.
    pub fn record_onset(&self, r: usize) -> Option<f64> {
        self.record_onsets.get(r)
    }

    /// Duration of one data record, s (EDF/BDF only).
    pub fn record_duration(&self) -> Option<f64> {
        self.header.as_ref().map(|h| h.record_duration)
    }

    /// Number of data records (EDF/BDF only).
    pub fn n_records(&self) -> Option<usize> {
        self.header.as_ref().map(|h| h.n_records)
    }

    /// Builds a recording from per-channel sample vectors that may have different
    /// rates and lengths (used by the CSV reader and tests).
    pub fn from_signal_vectors(
        signals: Vec<SignalInfo>,
        data: Vec<Vec<f32>>,
        format: Format,
        path: Option<PathBuf>,
    ) -> Result<Recording, RecordingError> {
        if signals.len() != data.len()
            || signals
                .iter()
                .zip(&data)
                .any(|(s, d)| s.n_samples != d.len())
        {
            return Err(RecordingError::InvalidInput(
                "signal descriptions and sample vectors do not match".into(),
            ));
        }
        Ok(Recording {
            path,
            format,
            signals,
            annotations: Vec::new(),
            warnings: Vec::new(),
            store: Store::Memory(data),
            start: None,
            header: None,
            gaps: Vec::new(),
            record_onsets: RecordOnsets::default(),
        })
    }

    /// Builds a recording from samples in memory: `data` is channels × samples, in `unit`,
    /// all channels at `sample_rate` Hz.
    pub fn from_samples(
        labels: Vec<String>,
        sample_rate: f64,
        unit: &str,
        data: Array2<f32>,
    ) -> Result<Recording, RecordingError> {
        if labels.len() != data.nrows() {
            return Err(RecordingError::InvalidInput(format!(
                "{} labels for {} channels",
                labels.len(),
                data.nrows()
            )));
        }
        if !(sample_rate.is_finite() && sample_rate > 0.0) {
            return Err(RecordingError::InvalidInput(format!(
                "sample rate must be a positive number of Hz, got {sample_rate}"
            )));
        }
        let n = data.ncols();
        let signals = labels
            .into_iter()
            .zip(data.rows())
            .map(|(label, row)| {
                let (lo, hi) = row
                    .iter()
                    .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
                        (a.min(v), b.max(v))
                    });
                SignalInfo {
                    canonical: labels::canonical_name(&label),
                    kind: labels::channel_kind(&label, unit),
                    label,
                    unit: unit.to_string(),
                    sample_rate,
                    n_samples: n,
                    physical_min: if lo.is_finite() { lo as f64 } else { -1.0 },
                    physical_max: if hi.is_finite() { hi as f64 } else { 1.0 },
                    digital_min: -32768,
                    digital_max: 32767,
                    prefilter: String::new(),
                    transducer: String::new(),
                }
            })
            .collect();
        let store = Store::Memory(data.rows().into_iter().map(|r| r.to_vec()).collect());
        Ok(Recording {
            path: None,
            format: Format::Memory,
            signals,
            annotations: Vec::new(),
            warnings: Vec::new(),
            store,
            start: None,
            header: None,
            gaps: Vec::new(),
            record_onsets: RecordOnsets::default(),
        })
    }

    /// Adds annotations (used by in-memory recordings and the simulator).
    pub fn with_annotations(mut self, mut annotations: Vec<Annotation>) -> Self {
        annotations.sort_by(|a, b| a.onset.total_cmp(&b.onset));
        self.annotations = annotations;
        self
    }

    /// The data signals (annotation channels excluded).
    pub fn signals(&self) -> &[SignalInfo] {
        &self.signals
    }

    /// All annotations, sorted by onset.
    pub fn annotations(&self) -> &[Annotation] {
        &self.annotations
    }

    /// Duration of the recording, seconds.
    pub fn duration(&self) -> f64 {
        self.signals
            .iter()
            .map(|s| s.n_samples as f64 / s.sample_rate)
            .fold(0.0, f64::max)
    }

    /// Index of the signal whose label or canonical name equals `name`
    /// (case-insensitive).
    pub fn channel_index(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.signals.iter().position(|s| {
            s.label.trim().eq_ignore_ascii_case(name)
                || s.canonical
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(name))
        })
    }

    /// Samples of signal `index` from `start` to `end` seconds (physical units).
    /// The range is clipped to the recording.
    pub fn read_signal(
        &self,
        index: usize,
        start: f64,
        end: f64,
    ) -> Result<Vec<f32>, RecordingError> {
        let info = self.signals.get(index).ok_or_else(|| {
            RecordingError::InvalidInput(format!(
                "signal index {index} out of range (the recording has {} signals)",
                self.signals.len()
            ))
        })?;
        let (a, b) = sample_range(info, start, end)?;
        match &self.store {
            Store::Memory(rows) => Ok(rows[index][a..b].to_vec()),
            Store::Edf(store) => Ok(store.read(&[(index, a, b)])?.pop().unwrap_or_default()),
        }
    }

    /// Samples of several signals that share one sample rate, as channels × samples.
    pub fn read_window(
        &self,
        channels: &[usize],
        start: f64,
        end: f64,
    ) -> Result<Array2<f32>, RecordingError> {
        let mut rate = None;
        for &c in channels {
            let info = self.signals.get(c).ok_or_else(|| {
                RecordingError::InvalidInput(format!("signal index {c} out of range"))
            })?;
            match rate {
                None => rate = Some(info.sample_rate),
                Some(r) if (r - info.sample_rate).abs() > 1e-9 => {
                    return Err(RecordingError::InvalidInput(format!(
                        "signals have different sample rates ({r} Hz and {} Hz); resample first",
                        info.sample_rate
                    )))
                }
                _ => {}
            }
        }
        let rows: Vec<Vec<f32>> = match &self.store {
            // One pass over the records for all channels.
            Store::Edf(store) => {
                let requests = channels
                    .iter()
                    .map(|&c| sample_range(&self.signals[c], start, end).map(|(a, b)| (c, a, b)))
                    .collect::<Result<Vec<_>, _>>()?;
                store.read(&requests)?
            }
            Store::Memory(_) => channels
                .iter()
                .map(|&c| self.read_signal(c, start, end))
                .collect::<Result<_, _>>()?,
        };
        let n = rows.iter().map(Vec::len).min().unwrap_or(0);
        let mut out = Array2::<f32>::zeros((rows.len(), n));
        for (mut dst, src) in out.rows_mut().into_iter().zip(&rows) {
            dst.assign(&ndarray::ArrayView1::from(&src[..n]));
        }
        Ok(out)
    }
}

/// What a file type other than a regular file is called in messages, with its
/// article (`a FIFO (named pipe)`, `a character device`…); `None` for a regular file.
pub fn special_file_kind(file_type: &std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    if file_type.is_symlink() {
        return Some("a symbolic link to nothing readable");
    }
    Some("a special file")
}

/// Refuses, before anything opens it for reading, a path that is not a regular file
/// (symbolic links are followed): a FIFO, a character or block device, a socket or a
/// directory, named as such in the error. A path that does not exist gives the
/// operating system's error.
pub fn check_regular_file(path: &Path) -> Result<(), RecordingError> {
    let meta = std::fs::metadata(path).map_err(|e| RecordingError::Io {
        path: path.to_path_buf(),
        error: e,
    })?;
    match special_file_kind(&meta.file_type()) {
        None => Ok(()),
        Some(kind) => Err(RecordingError::NotRegularFile {
            path: path.to_path_buf(),
            kind,
        }),
    }
}

/// Parses an EDF/BDF file held in memory (the same checks as [`Recording::open`]);
/// samples stay in the given bytes. The entry point of the fuzz target.
pub fn parse_bytes(bytes: &[u8], options: &ReadOptions) -> Result<Recording, RecordingError> {
    edf::parse_bytes(bytes, Path::new("<memory>"), options)
}

/// Sample index range `[a, b)` of `info` covering `[start, end)` seconds.
fn sample_range(info: &SignalInfo, start: f64, end: f64) -> Result<(usize, usize), RecordingError> {
    if !(start.is_finite() && end.is_finite()) || end < start {
        return Err(RecordingError::InvalidInput(format!(
            "invalid time window {start}..{end} s"
        )));
    }
    let a = ((start.max(0.0) * info.sample_rate).round() as usize).min(info.n_samples);
    let b = ((end * info.sample_rate).round().max(0.0) as usize).min(info.n_samples);
    Ok((a, b.max(a)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// Opens `path` on a worker thread; `None` if it has not returned after 60 s (a
    /// guard against a hang, not a timing requirement).
    fn open_guarded(path: &Path) -> Option<Result<Recording, RecordingError>> {
        let (tx, rx) = mpsc::channel();
        let p = path.to_path_buf();
        std::thread::spawn(move || {
            let _ = tx.send(Recording::open(&p, &ReadOptions::default()));
        });
        rx.recv_timeout(Duration::from_secs(60)).ok()
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_named_like_a_recording_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["x.edf", "x.csv"] {
            let fifo = dir.path().join(name);
            match std::process::Command::new("mkfifo").arg(&fifo).status() {
                Ok(s) if s.success() => {}
                _ => {
                    eprintln!("skipped: the mkfifo command is not available");
                    return;
                }
            }
            let err = open_guarded(&fifo)
                .expect("opening a FIFO must not block")
                .unwrap_err();
            assert!(
                matches!(err, RecordingError::NotRegularFile { .. }),
                "{err:?}"
            );
            assert!(
                err.to_string().ends_with(&format!(
                    "{name} is a FIFO (named pipe), not a regular file"
                )),
                "{err}"
            );
            // The other entry points refuse it too.
            assert!(matches!(
                edf::open(&fifo, &ReadOptions::default()),
                Err(RecordingError::NotRegularFile { .. })
            ));
            assert!(matches!(
                csv::read(&fifo, &ReadOptions::default()),
                Err(RecordingError::NotRegularFile { .. })
            ));
        }
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_directories_are_named_as_such() {
        let zero = Path::new("/dev/zero");
        if zero.exists() {
            let err = open_guarded(zero).expect("no hang").unwrap_err();
            assert_eq!(
                err.to_string(),
                "/dev/zero is a character device, not a regular file"
            );
        } else {
            eprintln!("skipped /dev/zero: not present on this system");
        }
        let dir = tempfile::tempdir().unwrap();
        let err = open_guarded(dir.path()).expect("no hang").unwrap_err();
        assert!(err
            .to_string()
            .ends_with("is a directory, not a regular file"));
        // A symbolic link to a regular file is followed; a missing file keeps the
        // operating system's error.
        let missing = dir.path().join("missing.edf");
        assert!(matches!(
            open_guarded(&missing).expect("no hang"),
            Err(RecordingError::Io { .. })
        ));
    }
}
