//! EDF, EDF+C, EDF+D, BDF, BDF+C and BDF+D files.
//!
//! Opening reads the header and the annotation channels only; samples are read on
//! demand, record by record, with positioned reads (`read_at`), so opening a 2 GB file
//! costs its header and annotations. The annotation channels are gathered with few
//! large reads into a bounded buffer, and record onsets are kept as runs of contiguous
//! records, so a file of 100 million tiny records opens in bounded memory.
//!
//! Physical values are computed exactly as EDFlib does:
//! `phys = bitvalue · (offset + digital)`, `bitvalue = (pmax − pmin)/(dmax − dmin)`,
//! `offset = pmax/bitvalue − dmax`, in `f64`, then stored as `f32`. Inverted physical
//! ranges give a negative `bitvalue`; digital values outside `[dmin, dmax]` are not
//! clamped (as in pyedflib and MNE).
//!
//! EDF+D: samples are returned contiguously, record after record, without filling the
//! gaps; the gaps between records are listed in [`Recording::gaps`] and the onset of
//! every record in [`Recording::record_onsets`].

use super::annotations::parse_record;
use super::header::{
    parse_header, signal_count, EdfHeader, SampleWidth, FIXED_HEADER_BYTES, SIGNAL_HEADER_BYTES,
};
use super::{
    labels, Annotation, Format, Gap, ReadOptions, RecordOnsets, Recording, RecordingError,
    SignalInfo, Store,
};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the bytes of an EDF file are.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// A file on disk, opened afresh for every read.
    File(PathBuf),
    /// The whole file in memory (tests, fuzzing, [`parse_bytes`]).
    Bytes(Arc<[u8]>),
}

#[cfg(test)]
thread_local! {
    /// Positioned reads of a file made by [`read_exact_at`] on this thread (tests count
    /// them).
    static READS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl Source {
    fn read_at(&self, buf: &mut [u8], offset: u64, file: Option<&File>) -> std::io::Result<()> {
        match self {
            Source::File(p) => match file {
                Some(f) => read_exact_at(f, buf, offset),
                None => read_exact_at(&File::open(p)?, buf, offset),
            },
            Source::Bytes(b) => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX);
                let end = start.checked_add(buf.len()).filter(|&e| e <= b.len());
                match end {
                    Some(end) => {
                        buf.copy_from_slice(&b[start..end]);
                        Ok(())
                    }
                    None => Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "read past the end",
                    )),
                }
            }
        }
    }
}

/// Where one data signal lies in a data record and how to scale it.
#[derive(Debug, Clone)]
pub(crate) struct ChannelLayout {
    /// Byte offset of the signal's first sample inside a record.
    pub offset_in_record: usize,
    pub samples_per_record: usize,
    pub bitvalue: f64,
    pub offset: f64,
}

/// The data-record layout of an EDF/BDF file: enough to read any sample.
#[derive(Debug, Clone)]
pub(crate) struct EdfStore {
    pub source: Source,
    pub display: PathBuf,
    pub data_offset: u64,
    pub record_bytes: usize,
    pub n_records: usize,
    pub width: SampleWidth,
    pub channels: Vec<ChannelLayout>,
}

/// Largest block read at once when reading samples, bytes.
const CHUNK_BYTES: usize = 4 << 20;

impl EdfStore {
    fn io_err(&self, e: std::io::Error) -> RecordingError {
        RecordingError::Io {
            path: self.display.clone(),
            error: e,
        }
    }

    /// Reads samples `[a, b)` of each requested data signal, physical units.
    pub fn read(
        &self,
        requests: &[(usize, usize, usize)],
    ) -> Result<Vec<Vec<f32>>, RecordingError> {
        let mut out: Vec<Vec<f32>> = requests
            .iter()
            .map(|&(_, a, b)| Vec::with_capacity(b - a))
            .collect();
        let mut r0 = usize::MAX;
        let mut r1 = 0;
        for &(c, a, b) in requests {
            if b > a {
                let spr = self.channels[c].samples_per_record;
                r0 = r0.min(a / spr);
                r1 = r1.max(b.div_ceil(spr));
            }
        }
        if r0 >= r1 {
            return Ok(out);
        }
        r1 = r1.min(self.n_records);
        let file = match &self.source {
            Source::File(p) => Some(File::open(p).map_err(|e| self.io_err(e))?),
            Source::Bytes(_) => None,
        };
        let per_chunk = (CHUNK_BYTES / self.record_bytes.max(1)).max(1);
        let mut buf = Vec::new();
        let w = self.width.bytes();
        let mut r = r0;
        while r < r1 {
            let n = per_chunk.min(r1 - r);
            buf.resize(n * self.record_bytes, 0);
            let off = self.data_offset + (r as u64) * self.record_bytes as u64;
            self.source
                .read_at(&mut buf, off, file.as_ref())
                .map_err(|e| self.io_err(e))?;
            for (dst, &(c, a, b)) in out.iter_mut().zip(requests) {
                let ch = &self.channels[c];
                let spr = ch.samples_per_record;
                for k in 0..n {
                    let rec = r + k;
                    let first = rec * spr;
                    let lo = a.max(first);
                    let hi = b.min(first + spr);
                    if lo >= hi {
                        continue;
                    }
                    let base = k * self.record_bytes + ch.offset_in_record;
                    let bytes = &buf[base + (lo - first) * w..base + (hi - first) * w];
                    decode(bytes, self.width, ch.bitvalue, ch.offset, dst);
                }
            }
            r += n;
        }
        Ok(out)
    }
}

/// Fills `buf` from `file` at byte `offset`: a positioned read (`pread`) on Unix, one
/// or more `ReadFile` calls at an explicit offset on Windows, a seek then a read
/// elsewhere. Every caller holds its own handle, so moving the handle's cursor (as the
/// Windows and fallback paths do) cannot disturb another reader.
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    #[cfg(test)]
    READS.with(|r| r.set(r.get() + 1));
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt;
        let mut done = 0usize;
        while done < buf.len() {
            match file.seek_read(&mut buf[done..], offset + done as u64) {
                Ok(0) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "failed to fill whole buffer",
                    ))
                }
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
    #[cfg(not(any(unix, windows)))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = file;
        f.seek(SeekFrom::Start(offset))?;
        f.read_exact(buf)
    }
}

/// Digital → physical, appending to `dst`.
fn decode(bytes: &[u8], width: SampleWidth, bitvalue: f64, offset: f64, dst: &mut Vec<f32>) {
    match width {
        SampleWidth::Edf16 => dst.extend(
            bytes
                .chunks_exact(2)
                .map(|s| (bitvalue * (offset + i16::from_le_bytes([s[0], s[1]]) as f64)) as f32),
        ),
        SampleWidth::Bdf24 => dst.extend(bytes.chunks_exact(3).map(|s| {
            let v = ((s[0] as i32) | (s[1] as i32) << 8 | (s[2] as i32) << 16) << 8 >> 8;
            (bitvalue * (offset + v as f64)) as f32
        })),
    }
}

fn malformed(path: &Path, reason: impl Into<String>) -> RecordingError {
    RecordingError::Malformed {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Opens an EDF/BDF file from disk: header and annotations now, samples on demand.
/// Anything but a regular file is refused before it is opened
/// ([`check_regular_file`](super::check_regular_file)).
pub fn open(path: &Path, options: &ReadOptions) -> Result<Recording, RecordingError> {
    let io = |e| RecordingError::Io {
        path: path.to_path_buf(),
        error: e,
    };
    super::check_regular_file(path)?;
    let file = File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    // The path may have been replaced between the check and the opening.
    if let Some(kind) = super::special_file_kind(&meta.file_type()) {
        return Err(RecordingError::NotRegularFile {
            path: path.to_path_buf(),
            kind,
        });
    }
    let len = meta.len();
    let fixed_len = (len.min(FIXED_HEADER_BYTES as u64)) as usize;
    let mut fixed = vec![0u8; fixed_len];
    read_exact_at(&file, &mut fixed, 0).map_err(io)?;
    if let Some(reason) = super::header::not_edf_reason(&fixed) {
        return Err(malformed(path, reason));
    }
    let ns = signal_count(&fixed).map_err(|p| malformed(path, p.0))?;
    let hb = FIXED_HEADER_BYTES as u64 + SIGNAL_HEADER_BYTES as u64 * ns as u64;
    if hb > len {
        return Err(malformed(
            path,
            format!("the file is {len} bytes, shorter than its header: {ns} signals need {hb} header bytes"),
        ));
    }
    let mut head = vec![0u8; hb as usize];
    read_exact_at(&file, &mut head, 0).map_err(io)?;
    build(Source::File(path.to_path_buf()), path, &head, len, options)
}

/// Parses a whole EDF/BDF file held in memory (header, annotations, sample layout).
/// The same checks as [`Recording::open`]; `name` is used in messages.
pub fn parse_bytes(
    bytes: &[u8],
    name: &Path,
    options: &ReadOptions,
) -> Result<Recording, RecordingError> {
    if let Some(reason) = super::header::not_edf_reason(bytes) {
        return Err(malformed(name, reason));
    }
    let ns = signal_count(bytes).map_err(|p| malformed(name, p.0))?;
    let hb = (FIXED_HEADER_BYTES as u64 + SIGNAL_HEADER_BYTES as u64 * ns as u64)
        .min(bytes.len() as u64) as usize;
    let source = Source::Bytes(Arc::from(bytes));
    build(source, name, &bytes[..hb], bytes.len() as u64, options)
}

fn build(
    source: Source,
    path: &Path,
    head: &[u8],
    len: u64,
    options: &ReadOptions,
) -> Result<Recording, RecordingError> {
    let parsed = parse_header(head, len, options.lenient).map_err(|p| malformed(path, p.0))?;
    let mut warnings = parsed.warnings;
    let mut header: EdfHeader = parsed.header;

    // Format from the reserved field and the annotation channels.
    let has_annot = header.signals.iter().any(|s| s.is_annotation_channel());
    let reserved = header.reserved.trim().to_string();
    let plus = reserved.get(..5).map(|s| s.to_string());
    let bdf = header.width == SampleWidth::Bdf24;
    let mut format = match (bdf, plus.as_deref()) {
        (false, Some("EDF+C")) => Format::EdfPlusC,
        (false, Some("EDF+D")) => Format::EdfPlusD,
        (true, Some("BDF+C")) => Format::BdfPlusC,
        (true, Some("BDF+D")) => Format::BdfPlusD,
        (true, Some(p @ ("EDF+C" | "EDF+D"))) => {
            if has_annot {
                warnings.push(format!(
                    "the reserved field of this BDF file says '{p}'; read as BDF+{}",
                    &p[4..5]
                ));
            }
            if p == "EDF+C" {
                Format::BdfPlusC
            } else {
                Format::BdfPlusD
            }
        }
        (false, Some(p @ ("BDF+C" | "BDF+D"))) => {
            if has_annot {
                warnings.push(format!(
                    "the reserved field of this 16-bit EDF file says '{p}'; read as EDF+{}",
                    &p[4..5]
                ));
            }
            if p == "BDF+C" {
                Format::EdfPlusC
            } else {
                Format::EdfPlusD
            }
        }
        (false, _) => Format::Edf,
        (true, _) => Format::Bdf,
    };
    let is_plus = !matches!(format, Format::Edf | Format::Bdf);
    if is_plus && !has_annot {
        warnings.push(format!(
            "the reserved field says '{reserved}' but the file has no annotation channel; read as plain {}",
            if bdf { "BDF" } else { "EDF" }
        ));
        format = if bdf { Format::Bdf } else { Format::Edf };
    } else if !is_plus && has_annot {
        warnings.push(
            "a plain EDF/BDF file (blank reserved field) with an annotation channel; its annotations are read as EDF+ annotations"
                .into(),
        );
    }
    let is_plus = !matches!(format, Format::Edf | Format::Bdf);

    // Layout.
    let w = header.width.bytes();
    let mut channels = Vec::new();
    let mut annot_offsets = Vec::new();
    let mut signals = Vec::new();
    let mut off = 0usize;
    for s in &header.signals {
        if s.is_annotation_channel() {
            annot_offsets.push((off, s.samples_per_record * w, s.label.trim().to_string()));
        } else {
            let (bitvalue, offset) = s.scaling();
            channels.push(ChannelLayout {
                offset_in_record: off,
                samples_per_record: s.samples_per_record,
                bitvalue,
                offset,
            });
            let canonical = labels::canonical_name(&s.label);
            let kind = labels::channel_kind(&s.label, &s.unit);
            signals.push(SignalInfo {
                label: s.label.trim().to_string(),
                canonical,
                kind,
                unit: s.unit.trim().to_string(),
                sample_rate: if header.record_duration > 0.0 {
                    s.samples_per_record as f64 / header.record_duration
                } else {
                    0.0
                },
                n_samples: s.samples_per_record * header.n_records,
                physical_min: s.physical_min,
                physical_max: s.physical_max,
                digital_min: s.digital_min,
                digital_max: s.digital_max,
                prefilter: s.prefilter.trim().to_string(),
                transducer: s.transducer.trim().to_string(),
            });
        }
        off += s.samples_per_record * w;
    }
    let record_bytes = off;
    let store = EdfStore {
        source,
        display: path.to_path_buf(),
        data_offset: header.header_bytes as u64,
        record_bytes,
        n_records: header.n_records,
        width: header.width,
        channels,
    };
    // header_bytes was repaired to the computed value in lenient mode.
    debug_assert_eq!(store.data_offset as usize, header.computed_header_bytes());

    // Annotations and record onsets, in one pass over the records.
    let dur = header.record_duration;
    let discontinuous = matches!(format, Format::EdfPlusD | Format::BdfPlusD);
    let mut scan = if annot_offsets.is_empty() {
        AnnotationScan::default()
    } else {
        scan_annotations(
            &store,
            &annot_offsets,
            dur,
            is_plus,
            discontinuous,
            options.lenient,
            path,
        )?
    };
    warnings.append(&mut scan.warnings);
    header.start.subsecond = scan.subsecond;
    let mut annotations = scan.annotations;
    annotations.sort_by(|a, b| a.onset.total_cmp(&b.onset));
    let gaps = scan.gaps;
    let record_onsets = if is_plus {
        scan.onsets
    } else {
        RecordOnsets::regular(header.n_records, dur)
    };

    Ok(Recording {
        path: Some(path.to_path_buf()),
        format,
        signals,
        annotations,
        warnings,
        store: Store::Edf(Arc::new(store)),
        start: Some(header.start),
        header: Some(header),
        gaps,
        record_onsets,
    })
}

/// Largest read when gathering the annotation channels, bytes.
const ANNOTATION_CHUNK_BYTES: usize = 1 << 20;

/// Records whose other bytes (samples between two records' annotation bytes) are at
/// most this many are read whole, many at a time; larger records have their annotation
/// bytes read one record at a time. Reading a few kilobytes of samples costs less than
/// a system call.
const GATHER_MAX_SKIPPED_BYTES: usize = 16 << 10;

/// Warnings of one kind listed one by one before the rest are only counted.
const MAX_LISTED_WARNINGS: usize = 20;

/// What the annotation channels of a file hold, gathered in one pass over its records.
#[derive(Debug, Default)]
struct AnnotationScan {
    /// Every annotation, channel after channel, record after record; onsets from the
    /// start of the recording (the sub-second part removed).
    annotations: Vec<Annotation>,
    warnings: Vec<String>,
    /// Onset of every record, s from the start of the recording.
    onsets: RecordOnsets,
    gaps: Vec<Gap>,
    /// The sub-second part of the start time: the first record's onset when it lies in
    /// [0, 1) s.
    subsecond: f64,
}

/// Reads every annotation channel of every data record with few large reads: runs of
/// whole records of up to [`ANNOTATION_CHUNK_BYTES`] when records are small (at most
/// [`GATHER_MAX_SKIPPED_BYTES`] of samples between two records' annotation bytes), else
/// the annotation bytes of one record per read. The buffer holds one read, so memory
/// is bounded whatever the number of records; record onsets are kept as runs
/// ([`RecordOnsets`]), not one number per record.
///
/// `channels` holds, per annotation channel, its byte offset in a record, its length in
/// bytes and its label. Strict EDF+ refuses a malformed annotation list; lenient mode
/// and plain EDF skip that record's annotations with a warning.
fn scan_annotations(
    store: &EdfStore,
    channels: &[(usize, usize, String)],
    dur: f64,
    is_plus: bool,
    discontinuous: bool,
    lenient: bool,
    path: &Path,
) -> Result<AnnotationScan, RecordingError> {
    let n_records = store.n_records;
    let rb = store.record_bytes;
    let lo = channels.iter().map(|c| c.0).min().unwrap_or(0);
    let hi = channels.iter().map(|c| c.0 + c.1).max().unwrap_or(0);
    let span = hi - lo;
    let per_read = if rb - span <= GATHER_MAX_SKIPPED_BYTES {
        (ANNOTATION_CHUNK_BYTES / rb.max(1)).max(1)
    } else {
        1
    };
    let file = match &store.source {
        Source::File(p) => Some(File::open(p).map_err(|e| store.io_err(e))?),
        Source::Bytes(_) => None,
    };

    let mut per_channel: Vec<Vec<Annotation>> = vec![Vec::new(); channels.len()];
    let mut skipped: Vec<(usize, Vec<String>)> = vec![(0, Vec::new()); channels.len()];
    let (mut bad_utf8, mut recovered, mut missing) = (0usize, 0usize, 0usize);
    let mut onsets = RecordOnsets::new(dur);
    let mut gaps = Vec::new();
    let (mut noncontiguous, mut overlaps) = (0usize, Vec::new());
    let mut n_overlaps = 0usize;
    let mut prev_raw: Option<f64> = None;
    let mut prev: f64 = 0.0;
    let (mut first_raw, mut offset) = (0.0, 0.0);
    let tol = 1e-6 * dur.max(1.0);

    let mut buf = Vec::new();
    let mut r0 = 0;
    while r0 < n_records {
        let k = per_read.min(n_records - r0);
        buf.resize((k - 1) * rb + span, 0);
        let pos = store.data_offset + r0 as u64 * rb as u64 + lo as u64;
        store
            .source
            .read_at(&mut buf, pos, file.as_ref())
            .map_err(|e| store.io_err(e))?;
        for j in 0..k {
            let r = r0 + j;
            let mut onset = None;
            for (ci, (aoff, abytes, label)) in channels.iter().enumerate() {
                let at = j * rb + (aoff - lo);
                match parse_record(&buf[at..at + abytes]) {
                    Ok(t) => {
                        if ci == 0 {
                            onset = t.record_onset;
                        }
                        bad_utf8 += t.invalid_utf8;
                        recovered += t.recovered;
                        per_channel[ci].extend(t.annotations);
                    }
                    Err(msg) => {
                        let msg = format!(
                            "data record {} of annotation channel {} ('{label}'): {msg}",
                            r + 1,
                            ci + 1
                        );
                        if is_plus && !lenient {
                            return Err(malformed(path, msg));
                        }
                        let (count, listed) = &mut skipped[ci];
                        *count += 1;
                        if *count <= MAX_LISTED_WARNINGS {
                            listed
                                .push(format!("{msg}; the annotations of that record are skipped"));
                        }
                    }
                }
            }
            // The record's onset; a record without one follows the previous record.
            let raw = match (onset, prev_raw) {
                (Some(v), _) => v,
                (None, Some(p)) => p + dur,
                (None, None) => 0.0,
            };
            if onset.is_none() {
                missing += 1;
            }
            prev_raw = Some(raw);
            if r == 0 {
                first_raw = raw;
                if (0.0..1.0).contains(&raw) {
                    offset = raw;
                }
            }
            let here = raw - offset;
            if r > 0 {
                let expected = prev + dur;
                let d = here - expected;
                if d > tol {
                    if discontinuous {
                        gaps.push(Gap {
                            start: expected,
                            duration: d,
                            after_record: r - 1,
                            sample_time: r as f64 * dur,
                        });
                    } else {
                        noncontiguous += 1;
                    }
                } else if d < -tol {
                    n_overlaps += 1;
                    if n_overlaps <= MAX_LISTED_WARNINGS {
                        overlaps.push(format!(
                            "data record {} starts at {here} s, before the end of the previous record ({expected} s)",
                            r + 1,
                        ));
                    }
                }
            }
            onsets.push(here);
            prev = here;
        }
        r0 += k;
    }

    let mut warnings = Vec::new();
    for (ci, (count, listed)) in skipped.into_iter().enumerate() {
        warnings.extend(listed);
        if count > MAX_LISTED_WARNINGS {
            warnings.push(format!(
                "annotation channel {}: the annotations of {} more records are skipped for the same kind of fault",
                ci + 1,
                count - MAX_LISTED_WARNINGS
            ));
        }
    }
    if recovered > 0 {
        warnings.push(format!("{recovered} time-keeping annotations lack their closing NUL byte; the onset written right after each was read as the start of a new annotation list"));
    }
    if bad_utf8 > 0 {
        warnings.push(format!(
            "{bad_utf8} annotation texts are not valid UTF-8; shown with replacement characters"
        ));
    }
    if missing > 0 && is_plus {
        let msg = format!(
            "{missing} of {n_records} data records lack the time-keeping annotation that gives their onset"
        );
        if discontinuous && !lenient {
            return Err(malformed(path, msg));
        }
        warnings.push(format!(
            "{msg}; those records are taken to follow the previous one"
        ));
    }
    if n_records > 0 && !(0.0..1.0).contains(&first_raw) && is_plus {
        warnings.push(format!(
            "the first data record starts {first_raw} s after the header's start time; times are given from the header's start time"
        ));
    }
    warnings.extend(overlaps);
    if n_overlaps > MAX_LISTED_WARNINGS {
        warnings.push(format!(
            "{} more data records start before the end of the previous record",
            n_overlaps - MAX_LISTED_WARNINGS
        ));
    }
    if noncontiguous > 0 {
        warnings.push(format!(
            "{noncontiguous} data records do not follow their predecessor although the file says it is continuous; samples are read contiguously"
        ));
    }
    let mut annotations: Vec<Annotation> = per_channel.into_iter().flatten().collect();
    for a in &mut annotations {
        a.onset -= offset;
    }
    Ok(AnnotationScan {
        annotations,
        warnings,
        onsets,
        gaps,
        subsecond: offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bdf_samples_are_sign_extended() {
        let mut v = Vec::new();
        decode(
            &[0xff, 0xff, 0xff, 0x00, 0x00, 0x80, 0xff, 0xff, 0x7f],
            SampleWidth::Bdf24,
            1.0,
            0.0,
            &mut v,
        );
        assert_eq!(v, vec![-1.0, -8_388_608.0, 8_388_607.0]);
        let mut v = Vec::new();
        decode(
            &[0x00, 0x80, 0xff, 0x7f],
            SampleWidth::Edf16,
            2.0,
            1.0,
            &mut v,
        );
        assert_eq!(v, vec![2.0 * (1.0 - 32768.0), 2.0 * (1.0 + 32767.0)]);
    }

    /// An EDF+D file: one data signal of `data_spr` samples per record and annotation
    /// channels of `annot_sprs` samples; `annot(r, ci)` gives the bytes of record `r`'s
    /// annotation channel `ci` (padded with zeros).
    fn edf_plus_d(
        n_records: usize,
        data_spr: usize,
        annot_sprs: &[usize],
        annot: impl Fn(usize, usize) -> Vec<u8>,
    ) -> Vec<u8> {
        let ns = 1 + annot_sprs.len();
        let field = |s: &str, w: usize| format!("{s:<w$}").into_bytes();
        let mut h = Vec::new();
        h.extend(field("0", 8));
        h.extend(field("X X X X", 80));
        h.extend(field("Startdate 01-JAN-2020 X X X", 80));
        h.extend(field("01.01.20", 8));
        h.extend(field("00.00.00", 8));
        h.extend(field(&(256 * (ns + 1)).to_string(), 8));
        h.extend(field("EDF+D", 44));
        h.extend(field(&n_records.to_string(), 8));
        h.extend(field("1", 8));
        h.extend(field(&ns.to_string(), 4));
        let labels: Vec<&str> = std::iter::once("EEG Cz")
            .chain(annot_sprs.iter().map(|_| "EDF Annotations"))
            .collect();
        let sprs: Vec<usize> = std::iter::once(data_spr)
            .chain(annot_sprs.iter().copied())
            .collect();
        for l in &labels {
            h.extend(field(l, 16));
        }
        for _ in 0..ns {
            h.extend(field("", 80));
        }
        for l in &labels {
            h.extend(field(if l.starts_with("EEG") { "uV" } else { "" }, 8));
        }
        for v in ["-100", "100", "-32768", "32767"] {
            for _ in 0..ns {
                h.extend(field(v, 8));
            }
        }
        for _ in 0..ns {
            h.extend(field("", 80));
        }
        for s in &sprs {
            h.extend(field(&s.to_string(), 8));
        }
        for _ in 0..ns {
            h.extend(field("", 32));
        }
        assert_eq!(h.len(), 256 * (ns + 1));
        for r in 0..n_records {
            h.extend(std::iter::repeat_n(0u8, 2 * data_spr));
            for (ci, &spr) in annot_sprs.iter().enumerate() {
                let mut b = annot(r, ci);
                assert!(b.len() <= 2 * spr, "record {r} channel {ci} overflows");
                b.resize(2 * spr, 0);
                h.extend(b);
            }
        }
        h
    }

    /// Opens `bytes` from a file and from memory, checks both readings agree, and
    /// returns the file's reading with the number of positioned reads it made.
    fn opened_counting(bytes: &[u8]) -> (Recording, usize) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("many.edf");
        std::fs::write(&path, bytes).unwrap();
        let before = READS.with(|r| r.get());
        let rec = open(&path, &ReadOptions::default()).unwrap();
        let reads = READS.with(|r| r.get()) - before;
        // The same reading from memory.
        let mem = parse_bytes(bytes, &path, &ReadOptions::default()).unwrap();
        assert_eq!(rec.annotations(), mem.annotations());
        assert_eq!(rec.record_onsets(), mem.record_onsets());
        assert_eq!(rec.gaps(), mem.gaps());
        assert_eq!(rec.warnings, mem.warnings);
        (rec, reads)
    }

    #[test]
    fn many_small_records_are_read_in_large_reads_with_every_annotation() {
        // 150,000 records of 82 bytes: the annotation channels span several large reads.
        let n = 150_000;
        let gap_after = 99_999;
        let onset = |r: usize| 0.25 + r as f64 + if r > gap_after { 3.0 } else { 0.0 };
        let bytes = edf_plus_d(n, 1, &[24, 16], |r, ci| {
            let mut b = Vec::new();
            if ci == 0 {
                b.extend(format!("+{}\x14\x14\0", onset(r)).into_bytes());
                if r % 7919 == 0 {
                    b.extend(format!("+{}\x14A{r}\x14\0", onset(r) + 0.5).into_bytes());
                }
            } else if r % 10007 == 3 {
                b.extend(format!("+{}\x14B{r}\x14\0", onset(r)).into_bytes());
            }
            b
        });
        let (rec, reads) = opened_counting(&bytes);
        // Two header reads, then the annotation channels of 12,787 records (1 MiB of
        // 82-byte records) per read: 12 reads for 150,000 records, not 150,000.
        let per_read = ANNOTATION_CHUNK_BYTES / 82;
        assert_eq!(reads, 2 + n.div_ceil(per_read), "{reads} reads");
        assert!(rec.warnings.is_empty(), "{:?}", rec.warnings);
        assert_eq!(rec.start.unwrap().subsecond, 0.25);
        let mut want: Vec<(f64, String)> = (0..n)
            .filter(|r| r % 7919 == 0)
            .map(|r| (onset(r) + 0.25, format!("A{r}")))
            .chain(
                (0..n)
                    .filter(|r| r % 10007 == 3)
                    .map(|r| (onset(r) - 0.25, format!("B{r}"))),
            )
            .collect();
        want.sort_by(|a, b| a.0.total_cmp(&b.0));
        let got: Vec<(f64, String)> = rec
            .annotations()
            .iter()
            .map(|a| (a.onset, a.text.clone()))
            .collect();
        assert_eq!(got, want);
        let onsets = rec.record_onsets();
        assert_eq!(onsets.len(), n);
        for (r, &o) in onsets.iter().enumerate() {
            assert_eq!(o, onset(r) - 0.25, "record {r}");
            assert_eq!(rec.record_onset(r), Some(o));
        }
        assert_eq!(rec.record_onset(n), None);
        assert_eq!(
            rec.gaps(),
            &[Gap {
                start: (gap_after + 1) as f64,
                duration: 3.0,
                after_record: gap_after,
                sample_time: (gap_after + 1) as f64,
            }]
        );
        assert_eq!(rec.duration(), n as f64);
    }

    #[test]
    fn large_records_have_their_annotations_read_one_record_at_a_time() {
        // 20 kB of samples between two records' annotations: read record by record.
        let n = 40;
        let bytes = edf_plus_d(n, 10_000, &[16], |r, _| {
            let mut b = format!("+{}\x14\x14\0", r + if r >= 30 { 5 } else { 0 }).into_bytes();
            if r % 3 == 0 {
                b.extend(format!("+{r}.5\x150.5\x14x{r}\x14\0").into_bytes());
            }
            b
        });
        let (rec, reads) = opened_counting(&bytes);
        assert_eq!(reads, 2 + n, "two header reads, one per record");
        assert_eq!(
            rec.annotations().len(),
            (0..n).filter(|r| r % 3 == 0).count()
        );
        assert_eq!(rec.annotations()[1].onset, 3.5);
        assert_eq!(rec.annotations()[1].duration, Some(0.5));
        assert_eq!(rec.record_onsets()[29..31], [29.0, 35.0]);
        assert_eq!(rec.gaps().len(), 1);
        assert_eq!(rec.gaps()[0].duration, 5.0);
    }

    #[test]
    fn time_keeping_tals_without_their_nul_are_recovered_in_both_modes() {
        // The bytes of a clinical exporter that omits the NUL closing each record's
        // time-keeping TAL, so the next TAL runs on inside it.
        let records: [&[u8]; 2] = [
            b"+0.000000\x14\x14+0.000000\x14Segment: 1\x14\0",
            b"+1.000000\x14\x14+1.140000\x14A1+A2 OFF\x14\0",
        ];
        let bytes = edf_plus_d(2, 1, &[20], |r, _| records[r].to_vec());
        for lenient in [false, true] {
            let rec = parse_bytes(
                &bytes,
                Path::new("x.edf"),
                &ReadOptions {
                    lenient,
                    ..ReadOptions::default()
                },
            )
            .unwrap();
            let got: Vec<(f64, Option<f64>, &str)> = rec
                .annotations()
                .iter()
                .map(|a| (a.onset, a.duration, a.text.as_str()))
                .collect();
            assert_eq!(
                got,
                vec![(0.0, None, "Segment: 1"), (1.14, None, "A1+A2 OFF")],
                "lenient {lenient}"
            );
            assert_eq!(rec.record_onsets().to_vec(), vec![0.0, 1.0]);
            assert!(rec.gaps().is_empty());
            assert_eq!(
                rec.warnings,
                vec!["2 time-keeping annotations lack their closing NUL byte; the onset written right after each was read as the start of a new annotation list".to_string()],
                "lenient {lenient}"
            );
        }
    }

    #[test]
    fn a_million_tiny_records_take_a_few_reads() {
        // 1,000,000 records of 18 bytes (one 1-sample signal, an 8-sample annotation
        // channel), a time-keeping TAL in each and an annotation every 100,000 records.
        let n = 1_000_000;
        let bytes = edf_plus_d(n, 1, &[8], |r, _| {
            let mut b = format!("+{r}\x14\x14\0").into_bytes();
            if r % 100_000 == 7 {
                b.truncate(b.len() - 1);
                b.extend_from_slice(b"x\x14\0");
            }
            b
        });
        let (rec, reads) = opened_counting(&bytes);
        assert_eq!(
            reads,
            2 + n.div_ceil(ANNOTATION_CHUNK_BYTES / 18),
            "{reads} reads"
        );
        assert!(reads < 25, "{reads} reads");
        assert!(rec.warnings.is_empty(), "{:?}", rec.warnings);
        assert_eq!(rec.record_onsets().len(), n);
        assert!(rec.gaps().is_empty());
        let got: Vec<(f64, &str)> = rec
            .annotations()
            .iter()
            .map(|a| (a.onset, a.text.as_str()))
            .collect();
        let want: Vec<(f64, &str)> = (0..10).map(|k| ((k * 100_000 + 7) as f64, "x")).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn record_onsets_are_kept_as_runs() {
        let mut o = RecordOnsets::new(0.1);
        for r in 0..1000 {
            o.push(r as f64 * 0.1 + if r >= 500 { 2.0 } else { 0.0 });
        }
        assert_eq!(o.len(), 1000);
        assert_eq!(o.runs.len(), 2);
        let v = o.to_vec();
        for (r, x) in v.iter().enumerate() {
            let want = r as f64 * 0.1 + if r >= 500 { 2.0 } else { 0.0 };
            assert!((x - want).abs() < 1e-9, "{r}: {x} vs {want}");
            assert_eq!(o.get(r), Some(*x));
        }
        let reg = RecordOnsets::regular(3, 2.0);
        assert_eq!(reg.to_vec(), vec![0.0, 2.0, 4.0]);
        assert!(RecordOnsets::regular(0, 1.0).is_empty());
    }
}
