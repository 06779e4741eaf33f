//! Min/max pyramid for drawing long signals: a page of any length costs O(width) to
//! draw, never O(samples).
//!
//! Level `j` of a channel's pyramid holds, for consecutive blocks of
//! `BASE · 2^j` samples, the minimum and maximum sample of the block (non-finite
//! samples are skipped). The pyramid is built once per recording in a background job
//! (about half the memory of the samples, since `BASE = 8`). The min/max of any run
//! of whole base blocks is then found in O(log n) by the bottom-up segment-tree walk
//! of [`ChannelPyramid::block_range_min_max`].
//!
//! [`page_trace`] turns a page `[t0, t1)` seconds drawn `width` pixels wide into
//! what the browser draws: the raw samples when each sample gets at least two pixel
//! columns (a polyline of at most `width / 2` points), else one `(min, max)` pair per
//! column. Below `2·BASE` samples per
//! column the pairs come from the raw samples of the page (exact); above, from the
//! pyramid with each column's sample range widened to whole base blocks (at most
//! `BASE − 1` samples at either end, i.e. under half a column), which keeps every drawn
//! extreme a true sample value.

use super::jobs::{JobContext, JobError};
use sesame_core::recording::Recording;

/// Samples per block of level 0.
pub const BASE: usize = 8;

/// Samples read per chunk while building (bounded memory, progress, cancel points).
const CHUNK: usize = BASE * 65_536;

/// The min/max pyramid of one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelPyramid {
    n_samples: usize,
    /// `levels[j][i]` = (min, max) of samples `[i·BASE·2^j, (i+1)·BASE·2^j)`;
    /// `(+inf, −inf)` for a block with no finite sample.
    levels: Vec<Vec<(f32, f32)>>,
}

fn merge(a: (f32, f32), b: (f32, f32)) -> (f32, f32) {
    (a.0.min(b.0), a.1.max(b.1))
}

const EMPTY: (f32, f32) = (f32::INFINITY, f32::NEG_INFINITY);

fn min_max(samples: &[f32]) -> (f32, f32) {
    samples
        .iter()
        .filter(|v| v.is_finite())
        .fold(EMPTY, |acc, &v| (acc.0.min(v), acc.1.max(v)))
}

impl ChannelPyramid {
    /// Starts an empty pyramid; feed it with [`push`](Self::push), end with
    /// [`finish`](Self::finish).
    fn builder() -> Self {
        ChannelPyramid {
            n_samples: 0,
            levels: vec![Vec::new()],
        }
    }

    /// Appends samples; every call but the last must hold a multiple of `BASE`.
    fn push(&mut self, samples: &[f32]) {
        debug_assert!(
            self.n_samples.is_multiple_of(BASE),
            "only the last chunk may be partial"
        );
        self.n_samples += samples.len();
        self.levels[0].extend(samples.chunks(BASE).map(min_max));
    }

    /// Builds the levels above 0.
    fn finish(mut self) -> Self {
        while self.levels.last().is_some_and(|l| l.len() > 1) {
            let below = &self.levels[self.levels.len() - 1];
            let up: Vec<(f32, f32)> = below
                .chunks(2)
                .map(|p| {
                    if p.len() == 2 {
                        merge(p[0], p[1])
                    } else {
                        p[0]
                    }
                })
                .collect();
            self.levels.push(up);
        }
        self
    }

    /// The pyramid of `samples`.
    pub fn from_samples(samples: &[f32]) -> Self {
        let mut p = Self::builder();
        p.push(samples);
        p.finish()
    }

    /// Number of samples of the channel.
    pub fn n_samples(&self) -> usize {
        self.n_samples
    }

    /// Number of base blocks.
    pub fn n_blocks(&self) -> usize {
        self.levels[0].len()
    }

    /// (min, max) over base blocks `[lo, hi)` (clipped to the channel); `None` when
    /// the range holds no finite sample.
    pub fn block_range_min_max(&self, lo: usize, hi: usize) -> Option<(f32, f32)> {
        let (mut lo, mut hi) = (lo.min(self.n_blocks()), hi.min(self.n_blocks()));
        let mut acc = EMPTY;
        let mut level = 0;
        while lo < hi {
            let l = &self.levels[level];
            if lo & 1 == 1 {
                acc = merge(acc, l[lo]);
                lo += 1;
            }
            if hi & 1 == 1 {
                hi -= 1;
                acc = merge(acc, l[hi]);
            }
            lo >>= 1;
            hi >>= 1;
            level += 1;
        }
        (acc.0 <= acc.1).then_some(acc)
    }

    /// (min, max) over samples `[a, b)` widened outwards to whole base blocks.
    pub fn sample_range_min_max(&self, a: usize, b: usize) -> Option<(f32, f32)> {
        self.block_range_min_max(a / BASE, b.div_ceil(BASE))
    }
}

/// The pyramids of every signal of a recording, in signal order.
#[derive(Debug, Clone, PartialEq)]
pub struct Pyramid {
    pub channels: Vec<ChannelPyramid>,
}

/// Builds the pyramid of every signal of `rec`, reading it in chunks; reports
/// progress per chunk and stops when cancelled.
pub fn build_pyramid(rec: &Recording, ctx: &JobContext) -> Result<Pyramid, JobError> {
    let signals = rec.signals();
    let total: usize = signals.iter().map(|s| s.n_samples).sum::<usize>().max(1);
    let mut done = 0usize;
    let mut channels = Vec::with_capacity(signals.len());
    for (i, info) in signals.iter().enumerate() {
        let mut p = ChannelPyramid::builder();
        let mut a = 0usize;
        while a < info.n_samples {
            ctx.check_cancelled()?;
            let b = (a + CHUNK).min(info.n_samples);
            let chunk = rec
                .read_signal(i, a as f64 / info.sample_rate, b as f64 / info.sample_rate)
                .map_err(|e| JobError::Failed(format!("reading signal `{}`: {e}", info.label)))?;
            if chunk.is_empty() {
                break;
            }
            let n = chunk.len();
            p.push(&chunk);
            a += n;
            done += n;
            ctx.progress(
                done as f32 / total as f32,
                format!("overview of `{}` ({}/{})", info.label, i + 1, signals.len()),
            );
            if !n.is_multiple_of(BASE) {
                break;
            }
        }
        channels.push(p.finish());
    }
    Ok(Pyramid { channels })
}

/// What the browser draws for one channel over one page.
#[derive(Debug, Clone, PartialEq)]
pub enum Trace {
    /// Raw samples: sample `k` is at `t0 + k·dt` seconds.
    Samples { t0: f64, dt: f64, values: Vec<f32> },
    /// One `(min, max)` pair per pixel column, `None` where the column holds no
    /// sample (past the end of the recording).
    Envelope { columns: Vec<Option<(f32, f32)>> },
}

impl Trace {
    /// Mean of the drawn values (midpoints of envelope columns), for removing the DC
    /// offset on screen; `0` when nothing is drawn.
    pub fn mean(&self) -> f32 {
        let (s, n) = match self {
            Trace::Samples { values, .. } => values
                .iter()
                .filter(|v| v.is_finite())
                .fold((0.0f64, 0usize), |(s, n), &v| (s + v as f64, n + 1)),
            Trace::Envelope { columns } => columns
                .iter()
                .flatten()
                .fold((0.0f64, 0usize), |(s, n), &(lo, hi)| {
                    (s + 0.5 * (lo + hi) as f64, n + 1)
                }),
        };
        if n == 0 {
            0.0
        } else {
            (s / n as f64) as f32
        }
    }
}

/// Sample index range of column `c` of `width` columns over samples `[s0, s1)`.
fn column_range(s0: f64, s1: f64, width: usize, c: usize) -> (f64, f64) {
    let per = (s1 - s0) / width as f64;
    (s0 + per * c as f64, s0 + per * (c + 1) as f64)
}

/// The trace of signal `index` over `[t0, t1)` seconds drawn `width` pixels wide.
/// `pyramid` is that signal's pyramid when built (without it the raw samples of the
/// page are read, which is exact but slow for long pages).
pub fn page_trace(
    rec: &Recording,
    pyramid: Option<&ChannelPyramid>,
    index: usize,
    t0: f64,
    t1: f64,
    width: usize,
) -> Result<Trace, String> {
    let info = rec
        .signals()
        .get(index)
        .ok_or_else(|| format!("signal index {index} out of range"))?;
    let fs = info.sample_rate;
    let width = width.max(1);
    let (s0, s1) = (t0 * fs, t1 * fs);
    let per_column = (s1 - s0) / width as f64;
    let use_pyramid = pyramid.is_some() && per_column >= 2.0 * BASE as f64;
    if let (true, Some(p)) = (use_pyramid, pyramid) {
        let n = p.n_samples();
        let columns = (0..width)
            .map(|c| {
                let (a, b) = column_range(s0, s1, width, c);
                let a = a.floor().max(0.0) as usize;
                let b = (b.ceil().max(0.0) as usize).min(n);
                if a >= b {
                    None
                } else {
                    p.sample_range_min_max(a, b)
                }
            })
            .collect();
        return Ok(Trace::Envelope { columns });
    }
    // Raw samples of the page, starting at the first sample at or after t0.
    let first = s0.max(0.0).ceil();
    let values = rec
        .read_signal(index, first / fs, t1.max(first / fs))
        .map_err(|e| format!("reading `{}`: {e}", info.label))?;
    Ok(trace_of_samples(values, first / fs, fs, t0, t1, width))
}

/// The trace of `values` (sample `k` at `start + k/fs` seconds, `fs` in Hz) over the
/// page `[t0, t1)` seconds drawn `width` pixels wide: the samples themselves when each
/// gets at least two columns, else the exact (min, max) of each column's samples.
pub fn trace_of_samples(
    values: Vec<f32>,
    start: f64,
    fs: f64,
    t0: f64,
    t1: f64,
    width: usize,
) -> Trace {
    let width = width.max(1);
    let (s0, s1) = (t0 * fs, t1 * fs);
    let per_column = (s1 - s0) / width as f64;
    // The index of the first sample (an integer, up to rounding of `start`).
    let first = {
        let f = start * fs;
        if (f - f.round()).abs() < 1e-6 {
            f.round()
        } else {
            f
        }
    };
    if per_column <= 0.5 {
        return Trace::Samples {
            t0: start,
            dt: 1.0 / fs,
            values,
        };
    }
    let columns = (0..width)
        .map(|c| {
            let (a, b) = column_range(s0, s1, width, c);
            let a = (a - first).floor().max(0.0) as usize;
            let b = ((b - first).ceil().max(0.0) as usize).min(values.len());
            if a >= b {
                return None;
            }
            let mm = min_max(&values[a..b]);
            (mm.0 <= mm.1).then_some(mm)
        })
        .collect();
    Trace::Envelope { columns }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// Deterministic pseudo-random samples (xorshift), with a few NaNs.
    fn samples(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed | 1;
        (0..n)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                if i % 997 == 5 {
                    f32::NAN
                } else {
                    (s % 20_000) as f32 / 100.0 - 100.0
                }
            })
            .collect()
    }

    fn brute(x: &[f32]) -> Option<(f32, f32)> {
        let mm = min_max(x);
        (mm.0 <= mm.1).then_some(mm)
    }

    #[test]
    fn block_ranges_match_brute_force() {
        for n in [1usize, 7, 8, 9, 100, 1000, 4097, 12_345] {
            let x = samples(n, n as u64);
            let p = ChannelPyramid::from_samples(&x);
            assert_eq!(p.n_blocks(), n.div_ceil(BASE));
            let nb = p.n_blocks();
            let step = (nb / 37).max(1);
            for lo in (0..nb).step_by(step) {
                for hi in (lo..=nb).step_by(step.max(1)) {
                    let want = brute(&x[lo * BASE..(hi * BASE).min(n)]);
                    assert_eq!(
                        p.block_range_min_max(lo, hi),
                        want,
                        "n={n} blocks {lo}..{hi}"
                    );
                }
            }
        }
    }

    fn recording(x: &[f32], fs: f64) -> Recording {
        let data = Array2::from_shape_vec((1, x.len()), x.to_vec()).expect("shape matches");
        Recording::from_samples(vec!["X".into()], fs, "uV", data).expect("valid recording")
    }

    #[test]
    fn envelope_from_pyramid_equals_brute_force_on_block_aligned_columns() {
        // 256 Hz, 64 s; 1024 columns over 64 s: 16 samples = 2 blocks per column.
        let fs = 256.0;
        let x = samples(256 * 64, 3);
        let rec = recording(&x, fs);
        let p = ChannelPyramid::from_samples(&x);
        for width in [1024usize, 512, 100] {
            let from_pyr = page_trace(&rec, Some(&p), 0, 0.0, 64.0, width).expect("trace");
            let raw = page_trace(&rec, None, 0, 0.0, 64.0, width).expect("trace");
            if x.len().is_multiple_of(width * BASE) {
                assert_eq!(from_pyr, raw, "width {width}");
            }
            match from_pyr {
                Trace::Envelope { columns } => {
                    assert_eq!(columns.len(), width);
                    for (c, col) in columns.iter().enumerate() {
                        let (a, b) = column_range(0.0, x.len() as f64, width, c);
                        let a = (a.floor() as usize / BASE) * BASE;
                        let b = ((b.ceil() as usize).div_ceil(BASE) * BASE).min(x.len());
                        assert_eq!(*col, brute(&x[a..b]), "width {width} column {c}");
                    }
                }
                other => panic!("expected an envelope, got {other:?}"),
            }
        }
    }

    #[test]
    fn short_pages_give_raw_samples_and_past_the_end_is_empty() {
        let fs = 100.0;
        let x: Vec<f32> = (0..1000).map(|i| i as f32).collect();
        let rec = recording(&x, fs);
        let p = ChannelPyramid::from_samples(&x);
        match page_trace(&rec, Some(&p), 0, 1.0, 2.0, 800).expect("trace") {
            Trace::Samples { t0, dt, values } => {
                assert!((t0 - 1.0).abs() < 1e-12);
                assert!((dt - 0.01).abs() < 1e-12);
                assert_eq!(values, x[100..200].to_vec());
            }
            other => panic!("expected samples, got {other:?}"),
        }
        // Page 5..15 s of a 10 s recording, 100 columns: the second half is empty.
        match page_trace(&rec, Some(&p), 0, 5.0, 15.0, 10).expect("trace") {
            Trace::Envelope { columns } => {
                // Samples 500..600, widened to whole base blocks: 496..600.
                assert_eq!(columns[0], Some((496.0, 599.0)));
                assert!(columns[5..].iter().all(Option::is_none), "{columns:?}");
            }
            other => panic!("expected an envelope, got {other:?}"),
        }
    }

    #[test]
    fn build_pyramid_in_chunks_equals_one_shot() {
        let fs = 512.0;
        let x = samples(CHUNK * 2 + 1234, 9);
        let rec = recording(&x, fs);
        let mut jobs = super::super::jobs::Jobs::<Pyramid>::new();
        let rec2 = rec.clone();
        let id = jobs.spawn("pyramid", move |ctx| build_pyramid(&rec2, ctx));
        let done = jobs.wait_for(id, std::time::Duration::from_secs(60));
        let built = done
            .into_iter()
            .next()
            .expect("job finished")
            .result
            .expect("built");
        assert_eq!(built.channels[0], ChannelPyramid::from_samples(&x));
    }
}
