//! EDF, EDF+C, EDF+D, BDF, BDF+C and BDF+D files.
//!
//! Opening reads the header and the annotation channels only; samples are read on
//! demand, record by record, with positioned reads (`read_at`), so opening a 2 GB file
//! costs its header and annotations.
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
    labels, Annotation, Format, Gap, ReadOptions, Recording, RecordingError, SignalInfo, Store,
};
use std::fs::File;
use std::os::unix::fs::FileExt;
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

impl Source {
    fn read_at(&self, buf: &mut [u8], offset: u64, file: Option<&File>) -> std::io::Result<()> {
        match self {
            Source::File(p) => match file {
                Some(f) => f.read_exact_at(buf, offset),
                None => File::open(p)?.read_exact_at(buf, offset),
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
            source: e,
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
        source: e,
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
    file.read_exact_at(&mut fixed, 0).map_err(io)?;
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
    file.read_exact_at(&mut head, 0).map_err(io)?;
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

    // Annotations and record onsets.
    let mut annotations: Vec<Annotation> = Vec::new();
    let mut onsets: Vec<Option<f64>> = vec![
        None;
        if annot_offsets.is_empty() {
            0
        } else {
            header.n_records
        }
    ];
    if !annot_offsets.is_empty() {
        let file = match &store.source {
            Source::File(p) => Some(File::open(p).map_err(|e| store.io_err(e))?),
            Source::Bytes(_) => None,
        };
        let mut bad_utf8 = 0;
        let mut recovered = 0;
        let mut buf = Vec::new();
        for (ci, (aoff, abytes, label)) in annot_offsets.iter().enumerate() {
            buf.resize(*abytes, 0);
            for (r, onset_slot) in onsets.iter_mut().enumerate() {
                let pos = store.data_offset + r as u64 * record_bytes as u64 + *aoff as u64;
                store
                    .source
                    .read_at(&mut buf, pos, file.as_ref())
                    .map_err(|e| store.io_err(e))?;
                match parse_record(&buf) {
                    Ok(t) => {
                        if ci == 0 {
                            *onset_slot = t.record_onset;
                        }
                        bad_utf8 += t.invalid_utf8;
                        recovered += t.recovered;
                        annotations.extend(t.annotations);
                    }
                    Err(msg) => {
                        let msg = format!(
                            "data record {} of annotation channel {} ('{label}'): {msg}",
                            r + 1,
                            ci + 1
                        );
                        if options.lenient || !is_plus {
                            warnings
                                .push(format!("{msg}; the annotations of that record are skipped"));
                        } else {
                            return Err(malformed(path, msg));
                        }
                    }
                }
            }
        }
        if recovered > 0 {
            warnings.push(format!("{recovered} time-keeping annotations lack their closing NUL byte; the onset written right after each was read as the start of a new annotation list"));
        }
        if bad_utf8 > 0 {
            warnings.push(format!("{bad_utf8} annotation texts are not valid UTF-8; shown with replacement characters"));
        }
    }

    // Record onsets: sub-second start, EDF+D gaps.
    let dur = header.record_duration;
    let mut record_onsets: Vec<f64> = Vec::new();
    if !onsets.is_empty() {
        let missing = onsets.iter().filter(|o| o.is_none()).count();
        if missing > 0 && is_plus {
            let msg = format!("{missing} of {} data records lack the time-keeping annotation that gives their onset", onsets.len());
            if matches!(format, Format::EdfPlusD | Format::BdfPlusD) && !options.lenient {
                return Err(malformed(path, msg));
            }
            warnings.push(format!(
                "{msg}; those records are taken to follow the previous one"
            ));
        }
        let mut prev: Option<f64> = None;
        for o in &onsets {
            let v = match (o, prev) {
                (Some(v), _) => *v,
                (None, Some(p)) => p + dur,
                (None, None) => 0.0,
            };
            record_onsets.push(v);
            prev = Some(v);
        }
    }
    let mut offset = 0.0;
    if let Some(&first) = record_onsets.first() {
        if (0.0..1.0).contains(&first) {
            offset = first;
        } else if is_plus {
            warnings.push(format!(
                "the first data record starts {first} s after the header's start time; times are given from the header's start time"
            ));
        }
    }
    header.start.subsecond = offset;
    for o in &mut record_onsets {
        *o -= offset;
    }
    for a in &mut annotations {
        a.onset -= offset;
    }
    annotations.sort_by(|a, b| a.onset.total_cmp(&b.onset));
    let mut gaps = Vec::new();
    let discontinuous = matches!(format, Format::EdfPlusD | Format::BdfPlusD);
    if !record_onsets.is_empty() {
        let mut noncontiguous = 0;
        for r in 1..record_onsets.len() {
            let expected = record_onsets[r - 1] + dur;
            let d = record_onsets[r] - expected;
            let tol = 1e-6 * dur.max(1.0);
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
                warnings.push(format!(
                    "data record {} starts at {} s, before the end of the previous record ({} s)",
                    r + 1,
                    record_onsets[r],
                    expected
                ));
            }
        }
        if noncontiguous > 0 {
            warnings.push(format!(
                "{noncontiguous} data records do not follow their predecessor although the file says it is continuous; samples are read contiguously"
            ));
        }
    }
    if !is_plus {
        record_onsets = (0..header.n_records).map(|r| r as f64 * dur).collect();
    }

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
}
