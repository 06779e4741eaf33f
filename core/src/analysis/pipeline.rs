//! Runs a [`Config`] on one recording: channel selection, window, preprocessing, one bump
//! extraction per channel (shared by every event-based measure), then every measure on
//! every channel or region pair, in parallel, into tidy [`Results`].

use super::config::{Config, MergeChoice};
use super::results::{Results, Row};
use super::significance;
use crate::bumps::{extract_channels, Bump, BumpError};
use crate::measures::spectral::{self, SpectralMeasure};
use crate::measures::{self, InputKind, MeasureError, ParamValues, SetInput, Target};
use crate::recording::{ChannelKind, Recording, RecordingError};
use crate::ses::regions::{self, RegionTable};
use crate::signal::{self, FilterKind, FilterSpec};
use ndarray::{Array2, Array3};
use rayon::prelude::*;

/// Why an analysis failed.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The recording could not be read.
    #[error(transparent)]
    Recording(#[from] RecordingError),
    /// A preprocessing step (filter, re-reference) refused its input.
    #[error(transparent)]
    Signal(#[from] signal::SignalError),
    // `error` (not `source`): the message already carries it, so an error chain does not
    // print it twice.
    /// Bump extraction failed on one channel.
    #[error("channel {channel}: bump extraction: {error}")]
    Bumps {
        /// Label of the channel.
        channel: String,
        /// Why its bump extraction failed.
        error: BumpError,
    },
    /// The region table could not be read or does not match the channels.
    #[error(transparent)]
    Regions(#[from] regions::RegionError),
    /// A measure refused its parameters or failed on the data.
    #[error("measure `{measure}`: {error}")]
    Measure {
        /// Id of the measure.
        measure: String,
        /// Why it failed.
        error: MeasureError,
    },
    /// The configuration does not allow the analysis (the message says why).
    #[error("{0}")]
    Config(String),
    /// The analysis was stopped because [`Progress::cancelled`] returned true.
    #[error("cancelled")]
    Cancelled,
}

/// Progress of a long analysis, and the way to cancel it.
pub trait Progress: Sync {
    /// `fraction` in [0, 1] of the whole analysis is done; `message` says what runs now.
    fn report(&self, fraction: f64, message: &str) {
        let _ = (fraction, message);
    }
    /// True when the user asked to stop; checked between stages.
    fn cancelled(&self) -> bool {
        false
    }
    /// A non-fatal problem met on the way, for the user to see (a flat channel, a bump
    /// cap reached, a block-wise fit that stopped early); `message` names the channel.
    fn warn(&self, message: &str) {
        let _ = message;
    }
}

/// Progress that nobody watches.
pub struct Silent;
impl Progress for Silent {}

/// Progress that keeps the warnings of a run, for callers that show them afterwards.
#[derive(Debug, Default)]
pub struct WarningLog(std::sync::Mutex<Vec<String>>);

impl WarningLog {
    /// The warnings so far, in the order they came; the log is left empty.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        // a poisoned lock only means a pipeline thread panicked mid-push; the list holds
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Progress for WarningLog {
    fn warn(&self, message: &str) {
        self.lock().push(message.to_string());
    }
}

/// Reports the warnings of one channel's bump extraction, naming the channel.
fn warn_channel(progress: &dyn Progress, label: &str, warnings: &[String]) {
    for w in warnings {
        progress.warn(&format!("{label}: {w}"));
    }
}

/// What the pipeline prepared before running measures (also used by the GUI views).
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Labels of the analysed channels (after re-referencing).
    pub labels: Vec<String>,
    /// Preprocessed samples, channels × samples, physical units.
    pub data: Array2<f32>,
    /// Sample rate, Hz.
    pub fs: f64,
    /// Analysis window, seconds from the start of the recording.
    pub window: (f64, f64),
}

/// The measures of a configuration with their parameter values, checked.
pub fn resolve_measures(
    config: &Config,
) -> Result<Vec<(&'static dyn measures::Measure, ParamValues)>, AnalysisError> {
    if config.measures.ids.is_empty() {
        return Err(AnalysisError::Config("no measure selected".into()));
    }
    for id in config.measures.params.keys() {
        if !config
            .measures
            .ids
            .iter()
            .any(|m| super::config::same_measure(m, id))
        {
            return Err(AnalysisError::Config(format!(
                "parameters given for measure `{id}`, which is not selected"
            )));
        }
    }
    let resolved = config
        .measures
        .ids
        .iter()
        .map(|id| {
            let m = measures::find(id).ok_or_else(|| {
                let known: Vec<&str> = measures::registry().iter().map(|m| m.id()).collect();
                AnalysisError::Config(format!(
                    "unknown measure `{id}` (known: {})",
                    known.join(", ")
                ))
            })?;
            let given = config.param_overrides(m.id());
            let values = ParamValues::parse(
                m.params(),
                given.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            )
            .map_err(|source| AnalysisError::Measure {
                measure: m.id().into(),
                error: source,
            })?;
            Ok((m, values))
        })
        .collect::<Result<Vec<(&'static dyn measures::Measure, ParamValues)>, AnalysisError>>()?;
    // Checked here, before any recording is read, so that a batch refuses the
    // configuration once instead of failing every file.
    if config.significance.surrogates > 0 {
        config.significance.validate()?;
        let method = config.significance.method;
        if let Some((m, _)) = resolved
            .iter()
            .find(|(m, _)| !m.surrogate_methods().contains(&method))
        {
            let family: Vec<&str> = m.surrogate_methods().iter().map(|s| s.name()).collect();
            return Err(AnalysisError::Config(format!(
                "surrogate method `{}` does not apply to measure `{}` (its methods: {})",
                method.name(),
                m.id(),
                family.join(", ")
            )));
        }
    }
    if config.regions.enabled {
        if let Some((m, _)) = resolved
            .iter()
            .find(|(m, _)| matches!(m.input(), measures::InputKind::Continuous))
        {
            return Err(continuous_without_regions(m.id()));
        }
    }
    Ok(resolved)
}

fn continuous_without_regions(id: &str) -> AnalysisError {
    AnalysisError::Config(format!(
        "measure `{id}` reads continuous signals, which have no regions; run it on channels"
    ))
}

/// Indices of the channels the configuration selects.
/// `input.channels`: empty, every EEG channel with a 10-20 name; `["all"]`, every
/// signal; `["eeg"]`, every EEG channel whatever its label; else labels or 10-20 names.
pub fn select_channels(rec: &Recording, config: &Config) -> Result<Vec<usize>, AnalysisError> {
    let keyword = match config.input.channels.as_slice() {
        [one] => one.trim().to_ascii_lowercase(),
        _ => String::new(),
    };
    let eeg = |s: &&crate::recording::SignalInfo| s.kind == ChannelKind::Eeg;
    let mut chosen: Vec<usize> = if keyword == "all" {
        (0..rec.signals().len()).collect()
    } else if keyword == "eeg" {
        rec.signals()
            .iter()
            .enumerate()
            .filter(|(_, s)| eeg(s))
            .map(|(i, _)| i)
            .collect()
    } else if config.input.channels.is_empty() {
        rec.signals()
            .iter()
            .enumerate()
            .filter(|(_, s)| eeg(s) && s.canonical.is_some())
            .map(|(i, _)| i)
            .collect()
    } else {
        let mut unknown = Vec::new();
        let idx: Vec<usize> = config
            .input
            .channels
            .iter()
            .filter_map(|name| {
                let i = rec.channel_index(name);
                if i.is_none() {
                    unknown.push(name.clone());
                }
                i
            })
            .collect();
        if !unknown.is_empty() {
            return Err(AnalysisError::Config(format!(
                "unknown channel(s) {}; the recording has {}",
                unknown.join(", "),
                rec.signals()
                    .iter()
                    .map(|s| s.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        idx
    };
    for name in &config.input.exclude {
        if let Some(i) = rec.channel_index(name) {
            chosen.retain(|&c| c != i);
        }
    }
    let mut seen = std::collections::HashSet::new();
    chosen.retain(|c| seen.insert(*c));
    if chosen.len() < 2 {
        let labels: Vec<&str> = rec.signals().iter().map(|s| s.label.as_str()).collect();
        let why = if config.input.channels.is_empty() {
            " (by default, the EEG channels with a 10-20 name)"
        } else {
            ""
        };
        return Err(AnalysisError::Config(format!(
            "{} channel(s) selected{why}; synchrony needs at least two. The recording has {}: \
             select every channel with `--channels all` (`channels = [\"all\"]`), the EEG \
             channels with `--channels eeg`, or list labels (`--channels E1,E2,…`)",
            chosen.len(),
            labels.join(", ")
        )));
    }
    Ok(chosen)
}

/// The analysis window `[t0, t1)` of the configuration, seconds from the start.
fn analysis_window(rec: &Recording, config: &Config) -> Result<(f64, f64), AnalysisError> {
    let duration = rec.duration();
    let (t0, t1) = match config.input.window {
        Some([a, b]) => (a, b.min(duration)),
        None => (0.0, duration),
    };
    if !(t0.is_finite() && t1.is_finite()) || t0 < 0.0 || t1 <= t0 {
        return Err(AnalysisError::Config(format!(
            "empty analysis window {t0}..{t1} s (the recording lasts {duration:.3} s)"
        )));
    }
    Ok((t0, t1))
}

/// The labels of the selected channels (10-20 name when known).
fn channel_labels(rec: &Recording, channels: &[usize]) -> Vec<String> {
    channels
        .iter()
        .map(|&i| {
            let s = &rec.signals()[i];
            s.canonical
                .clone()
                .unwrap_or_else(|| s.label.trim().to_string())
        })
        .collect()
}

/// The zero-phase filters of the configuration, in the order they are applied.
fn filter_specs(config: &Config, fs: f64) -> Vec<FilterSpec> {
    let p = &config.preprocess;
    let mut filters = Vec::new();
    match (p.highpass, p.lowpass) {
        (Some(low), Some(high)) => filters.push(FilterKind::BandPass { low, high }),
        (Some(cutoff), None) => filters.push(FilterKind::HighPass { cutoff }),
        (None, Some(cutoff)) => filters.push(FilterKind::LowPass { cutoff }),
        (None, None) => {}
    }
    if let Some(frequency) = p.notch {
        filters.push(FilterKind::Notch {
            frequency,
            width: 2.0,
        });
    }
    filters
        .into_iter()
        .map(|kind| FilterSpec {
            kind,
            order: p.order,
            sample_rate: fs,
        })
        .collect()
}

/// Reads `channels` over `[t0, t1)` s and applies the filters: channels × samples.
fn read_filtered(
    rec: &Recording,
    channels: &[usize],
    (t0, t1): (f64, f64),
    filters: &[FilterSpec],
) -> Result<Array2<f32>, AnalysisError> {
    let mut data = rec.read_window(channels, t0, t1)?;
    if let Some(bad) = data.iter().position(|v| !v.is_finite()) {
        let ch = &rec.signals()[channels[bad / data.ncols().max(1)]].label;
        return Err(AnalysisError::Config(format!(
            "channel {ch} holds a non-finite sample in the window"
        )));
    }
    for spec in filters {
        data = signal::zero_phase(&data, spec)?;
    }
    Ok(data)
}

/// Reads and preprocesses the configured channels and window.
pub fn prepare(rec: &Recording, config: &Config) -> Result<Prepared, AnalysisError> {
    let channels = select_channels(rec, config)?;
    let window = analysis_window(rec, config)?;
    let fs = rec.signals()[channels[0]].sample_rate;
    let mut data = read_filtered(rec, &channels, window, &filter_specs(config, fs))?;
    let mut labels = channel_labels(rec, &channels);
    if let Some(reference) = &config.preprocess.reference {
        let (d, l) = signal::rereference(&data, &labels, reference)?;
        data = d;
        labels = l;
    }
    Ok(Prepared {
        labels,
        data,
        fs,
        window,
    })
}

/// Whether [`run_detailed`] reads, preprocesses and bump-models the channels one at a
/// time instead of preparing the whole sample matrix: when that matrix (f32) would
/// exceed `bumps.max_map_mb` and every measure reads bumps, with per-channel bumps (no
/// `average-maps` regions) and a reference that one channel at a time allows (none or
/// the common average). The results are those of the whole-matrix path up to the
/// order in which the common average sums the channels.
pub fn streams(rec: &Recording, config: &Config) -> Result<bool, AnalysisError> {
    let measures = resolve_measures(config)?;
    if measures
        .iter()
        .any(|(m, _)| m.input() == InputKind::Continuous)
    {
        return Ok(false);
    }
    if config.regions.enabled && config.regions.merge == MergeChoice::AverageMaps {
        return Ok(false);
    }
    if !matches!(
        config.preprocess.reference,
        None | Some(signal::Reference::Average)
    ) {
        return Ok(false);
    }
    let channels = select_channels(rec, config)?;
    let (t0, t1) = analysis_window(rec, config)?;
    let fs = rec.signals()[channels[0]].sample_rate;
    let bytes = channels.len() as f64 * (t1 - t0) * fs * 4.0;
    Ok(bytes > config.bumps.max_map_mb * 1024.0 * 1024.0)
}

/// The bumps of every configured channel, read, preprocessed and bump-modelled one
/// channel at a time (in parallel across channels), holding only a channel's samples
/// per worker thread and, for the common average reference, the running mean signal
/// (f64, summed over the channels in their order in a first pass). Returns what was
/// prepared (labels, sample rate, window; no samples) and the bumps sorted by time then
/// frequency.
fn streamed_bumps(
    rec: &Recording,
    config: &Config,
    progress: &dyn Progress,
    span: (f64, f64),
) -> Result<(Prepared, Vec<Vec<Bump>>), AnalysisError> {
    let channels = select_channels(rec, config)?;
    let window = analysis_window(rec, config)?;
    let fs = rec.signals()[channels[0]].sample_rate;
    let filters = filter_specs(config, fs);
    let labels = channel_labels(rec, &channels);
    let mean: Option<Vec<f32>> = match config.preprocess.reference {
        Some(signal::Reference::Average) => {
            let mut sum: Vec<f64> = Vec::new();
            for &c in &channels {
                check_cancel(progress)?;
                let row = read_filtered(rec, &[c], window, &filters)?;
                if sum.is_empty() {
                    sum = vec![0.0; row.ncols()];
                }
                for (s, &v) in sum.iter_mut().zip(row.iter()) {
                    *s += v as f64;
                }
            }
            let n = channels.len() as f64;
            Some(sum.into_iter().map(|s| (s / n) as f32).collect())
        }
        _ => None,
    };
    let mut opts = config.bumps;
    opts.keep_map = false;
    let n = channels.len();
    let batch = rayon::current_num_threads().max(1);
    let mut bumps = Vec::with_capacity(n);
    for start in (0..n).step_by(batch) {
        check_cancel(progress)?;
        let end = (start + batch).min(n);
        // each channel's bumps with the extraction's warnings
        type Extracted = (Vec<Bump>, Vec<String>);
        let part: Vec<Result<Extracted, AnalysisError>> = (start..end)
            .into_par_iter()
            .map(|k| {
                let row = read_filtered(rec, &[channels[k]], window, &filters)?;
                let mut x: Vec<f32> = row.into_raw_vec_and_offset().0;
                if let Some(m) = &mean {
                    for (v, &r) in x.iter_mut().zip(m) {
                        *v -= r;
                    }
                    x.truncate(m.len());
                }
                let set =
                    crate::bumps::extract_bumps(&x, fs, window.0, &opts).map_err(|source| {
                        AnalysisError::Bumps {
                            channel: labels[k].clone(),
                            error: source,
                        }
                    })?;
                let mut b = set.bumps;
                b.sort_by(|x, y| x.t.total_cmp(&y.t).then(x.f.total_cmp(&y.f)));
                Ok((b, set.warnings))
            })
            .collect();
        // in channel order, whatever the threads
        for (k, b) in (start..end).zip(part) {
            let (b, warnings) = b?;
            warn_channel(progress, &labels[k], &warnings);
            bumps.push(b);
        }
        progress.report(
            span.0 + (span.1 - span.0) * end as f64 / n as f64,
            &format!("extracting bumps: {end} of {n} channels"),
        );
    }
    let prep = Prepared {
        data: Array2::zeros((labels.len(), 0)),
        labels,
        fs,
        window,
    };
    Ok((prep, bumps))
}

/// Runs the configured measures on a recording. `recording_id` names the recording in
/// the rows (file stem, or a BIDS entity string).
pub fn run(
    rec: &Recording,
    recording_id: &str,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Results, AnalysisError> {
    run_detailed(rec, recording_id, config, progress).map(|(results, _)| results)
}

/// The bumps of every analysed channel (what event-based measures read).
#[derive(Debug, Clone, Default)]
pub struct ChannelBumps {
    /// Channel labels (after re-referencing).
    pub labels: Vec<String>,
    /// Bumps per channel, sorted by time then frequency.
    pub bumps: Vec<Vec<Bump>>,
}

/// [`run`], also returning the channel bumps when a measure needed them (`None` when every
/// measure reads continuous signals).
pub fn run_detailed(
    rec: &Recording,
    recording_id: &str,
    config: &Config,
    progress: &dyn Progress,
) -> Result<(Results, Option<ChannelBumps>), AnalysisError> {
    let measures = resolve_measures(config)?;
    progress.report(0.0, "reading and preprocessing");
    let needs_events = measures
        .iter()
        .any(|(m, _)| m.input() != InputKind::Continuous);
    // Long recordings: channels read, preprocessed and bump-modelled one at a time.
    let mut streamed = None;
    let prep = if needs_events && streams(rec, config)? {
        progress.report(0.05, "extracting bumps");
        let (prep, bumps) = streamed_bumps(rec, config, progress, (0.05, 0.4))?;
        streamed = Some(bumps);
        prep
    } else {
        prepare(rec, config)?
    };
    check_cancel(progress)?;

    let table = if config.regions.enabled {
        Some(match &config.regions.table {
            Some(path) => RegionTable::from_file(path)?,
            None => RegionTable::from_toml_str(regions::DEFAULT_REGIONS_TOML)?,
        })
    } else {
        None
    };
    let mut kept_bumps = None;
    let (unit_labels, unit_bumps) = if needs_events {
        let bumps = match streamed.take() {
            Some(bumps) => bumps,
            None => {
                progress.report(0.05, "extracting bumps");
                channel_bumps_reporting(&prep, config, progress, (0.05, 0.4))?
            }
        };
        check_cancel(progress)?;
        kept_bumps = Some(ChannelBumps {
            labels: prep.labels.clone(),
            bumps: bumps.clone(),
        });
        match &table {
            None => (prep.labels.clone(), bumps),
            Some(t) => {
                let names: Vec<String> = t.names().iter().map(|s| s.to_string()).collect();
                let merged = match config.regions.merge {
                    MergeChoice::Union => regions::region_bumps_union(
                        t,
                        &prep.labels,
                        &bumps,
                        config.regions.union_radius,
                    )?,
                    MergeChoice::AverageMaps => region_bumps_average(t, &prep, config)?,
                };
                (names, merged)
            }
        }
    } else {
        (prep.labels.clone(), Vec::new())
    };
    let unit_bumps = match config.events.max_rate {
        Some(rate) => cap_rate(unit_bumps, rate, prep.window.1 - prep.window.0)?,
        None => unit_bumps,
    };

    let mut results = Results::default();
    let n = measures.len() as f64;
    // outputs of spectral measures computed ahead, together with an earlier one
    let mut computed: Vec<Option<measures::SetValues>> = vec![None; measures.len()];
    // the epochs of the continuous signals, cut once for every continuous measure
    let mut continuous: Option<Array3<f64>> = None;
    for (k, (m, params)) in measures.iter().enumerate() {
        check_cancel(progress)?;
        progress.report(0.4 + 0.6 * k as f64 / n, &format!("computing {}", m.id()));
        let err = |source| AnalysisError::Measure {
            measure: m.id().into(),
            error: source,
        };
        let trains: Vec<Vec<f64>>;
        let (labels, set) = match m.input() {
            InputKind::Bumps => (
                &unit_labels,
                SetInput::Bumps {
                    bumps: &unit_bumps,
                    window: prep.window,
                },
            ),
            InputKind::PointProcess => {
                trains = unit_bumps.iter().map(|b| centre_times(b)).collect();
                (
                    &unit_labels,
                    SetInput::PointProcess {
                        trains: &trains,
                        window: prep.window,
                    },
                )
            }
            InputKind::Continuous => {
                if table.is_some() {
                    return Err(continuous_without_regions(m.id()));
                }
                let data = match continuous {
                    Some(ref d) => d,
                    None => continuous.insert(epochs(&prep, config.continuous.epoch)?),
                };
                (
                    &prep.labels,
                    SetInput::Continuous {
                        data: data.view(),
                        fs: prep.fs,
                    },
                )
            }
        };
        let outputs = match computed[k].take() {
            Some(outputs) => outputs,
            None => {
                let group = spectral_group(&measures, k);
                if group.len() > 1 {
                    let ms: Vec<_> = group.iter().map(|&(_, s)| s).collect();
                    let mut all = spectral::shared_set(&ms, &set, params)
                        .map_err(err)?
                        .into_iter();
                    let first = all.next().unwrap_or_default();
                    for (&(q, _), o) in group.iter().skip(1).zip(all) {
                        computed[q] = Some(o);
                    }
                    first
                } else {
                    m.compute_set(&set, params).map_err(err)?
                }
            }
        };
        let outputs = if config.significance.surrogates > 0 {
            let span = (0.4 + 0.6 * k as f64 / n, 0.4 + 0.6 * (k + 1) as f64 / n);
            significance::test_set(
                *m,
                params,
                &set,
                outputs,
                &config.significance,
                progress,
                span,
            )?
        } else {
            outputs
        };
        push_rows(
            &mut results,
            recording_id,
            m.id(),
            m.outputs(),
            labels,
            outputs,
        );
    }
    results.sort();
    progress.report(1.0, "done");
    Ok((results, kept_bumps))
}

/// Keeps at most `⌊rate·duration⌋` bumps per unit, the largest by amplitude (ties: the
/// earlier bump), in their original order.
pub fn cap_rate(
    units: Vec<Vec<Bump>>,
    rate: f64,
    duration: f64,
) -> Result<Vec<Vec<Bump>>, AnalysisError> {
    if !(rate.is_finite() && rate > 0.0) {
        return Err(AnalysisError::Config(format!(
            "events.max_rate = {rate} must be a finite number of events per second > 0"
        )));
    }
    let keep = (rate * duration).floor().max(0.0) as usize;
    Ok(units
        .into_iter()
        .map(|bumps| {
            if bumps.len() <= keep {
                return bumps;
            }
            let mut order: Vec<usize> = (0..bumps.len()).collect();
            order.sort_by(|&a, &b| {
                bumps[b]
                    .amplitude
                    .total_cmp(&bumps[a].amplitude)
                    .then(a.cmp(&b))
            });
            let mut kept = order[..keep].to_vec();
            kept.sort_unstable();
            kept.into_iter().map(|i| bumps[i]).collect()
        })
        .collect())
}

/// The spectral measure `k` of `measures` (as [`resolve_measures`] returns them) and
/// every later one with the same spectra source and parameters, with their indices:
/// what [`run`] computes from one set of spectra (see [`spectral::shared_set`]). Empty
/// when measure `k` is not spectral.
pub fn spectral_group<'a>(
    measures: &'a [(&'static dyn measures::Measure, ParamValues)],
    k: usize,
) -> Vec<(usize, &'a SpectralMeasure)> {
    let (m, params) = &measures[k];
    let Some(s) = m.as_spectral() else {
        return Vec::new();
    };
    std::iter::once((k, s))
        .chain(
            measures
                .iter()
                .enumerate()
                .skip(k + 1)
                .filter(|(_, (_, p))| p == params)
                .filter_map(|(q, (o, _))| o.as_spectral().map(|t| (q, t)))
                .filter(|(_, t)| t.shares_spectra(s)),
        )
        .collect()
}

fn check_cancel(progress: &dyn Progress) -> Result<(), AnalysisError> {
    if progress.cancelled() {
        Err(AnalysisError::Cancelled)
    } else {
        Ok(())
    }
}

/// Bumps of every prepared channel (one extraction per channel, in parallel).
pub fn channel_bumps(prep: &Prepared, config: &Config) -> Result<Vec<Vec<Bump>>, AnalysisError> {
    bumps_of_channels(prep, config, 0..prep.data.nrows(), &Silent)
}

/// [`channel_bumps`] by batches of as many channels as there are worker threads,
/// checking for cancel before each batch and reporting after it. The fraction reported
/// goes from `span.0` to `span.1` (fractions of the whole analysis) in proportion to the
/// channels done. Each channel's extraction is independent of the others, so the
/// bumps are those of [`channel_bumps`] whatever the batch size.
fn channel_bumps_reporting(
    prep: &Prepared,
    config: &Config,
    progress: &dyn Progress,
    span: (f64, f64),
) -> Result<Vec<Vec<Bump>>, AnalysisError> {
    let n = prep.data.nrows();
    let batch = rayon::current_num_threads().max(1);
    let mut bumps = Vec::with_capacity(n);
    for start in (0..n).step_by(batch) {
        check_cancel(progress)?;
        let end = (start + batch).min(n);
        bumps.extend(bumps_of_channels(prep, config, start..end, progress)?);
        progress.report(
            span.0 + (span.1 - span.0) * end as f64 / n as f64,
            &format!("extracting bumps: {end} of {n} channels"),
        );
    }
    Ok(bumps)
}

/// Bumps of the prepared channels (rows of `prep.data`) in `channels`, in parallel; the
/// extraction's warnings go to `progress`, in channel order.
fn bumps_of_channels(
    prep: &Prepared,
    config: &Config,
    channels: std::ops::Range<usize>,
    progress: &dyn Progress,
) -> Result<Vec<Vec<Bump>>, AnalysisError> {
    let rows: Vec<Vec<f32>> = prep
        .data
        .rows()
        .into_iter()
        .skip(channels.start)
        .take(channels.len())
        .map(|r| r.to_vec())
        .collect();
    let slices: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
    let mut opts = config.bumps;
    opts.keep_map = config.regions.enabled && config.regions.merge == MergeChoice::AverageMaps;
    extract_channels(&slices, prep.fs, prep.window.0, &opts)
        .into_iter()
        .zip(prep.labels.iter().skip(channels.start))
        .map(|(r, label)| {
            r.map(|set| {
                warn_channel(progress, label, &set.warnings);
                let mut b = set.bumps;
                b.sort_by(|x, y| x.t.total_cmp(&y.t).then(x.f.total_cmp(&y.f)));
                b
            })
            .map_err(|source| AnalysisError::Bumps {
                channel: label.clone(),
                error: source,
            })
        })
        .collect()
}

/// Region bumps by rule (a) of §6.2: the normalised maps of a region's electrodes are
/// averaged, and the average is bump-modelled.
pub fn region_bumps_average(
    table: &RegionTable,
    prep: &Prepared,
    config: &Config,
) -> Result<Vec<Vec<Bump>>, AnalysisError> {
    let groups = table.assign(&prep.labels)?;
    let mut opts = config.bumps;
    opts.keep_map = true;
    // the average needs every channel's whole map, which block-wise channels never hold
    let n = prep.data.ncols();
    if crate::bumps::blockwise::needs_blocks(n, prep.fs, &opts) {
        return Err(AnalysisError::Config(format!(
            "regions with merge = \"average-maps\" need each channel's whole map, and a map \
             of {:.0} s is {:.0} MB, over max_map_mb = {} MB: raise max_map_mb \
             (`--max-map-mb`), analyse a shorter window, or merge by \"union\"",
            n as f64 / prep.fs,
            crate::bumps::blockwise::whole_map_bytes(n, prep.fs, &opts) / 1048576.0,
            opts.max_map_mb
        )));
    }
    let rows: Vec<Vec<f32>> = prep.data.rows().into_iter().map(|r| r.to_vec()).collect();
    let slices: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
    let sets: Vec<_> = extract_channels(&slices, prep.fs, prep.window.0, &opts)
        .into_iter()
        .zip(&prep.labels)
        .map(|(r, label)| {
            r.map_err(|source| AnalysisError::Bumps {
                channel: label.clone(),
                error: source,
            })
        })
        .collect::<Result<_, _>>()?;
    opts.keep_map = false;
    groups
        .iter()
        .zip(table.names())
        .map(|(idx, name)| {
            let maps: Vec<&crate::tf::TfMap> =
                idx.iter().filter_map(|&i| sets[i].map.as_ref()).collect();
            let Some(first) = maps.first() else {
                // Every electrode of the region is flat: no bumps.
                return Ok(Vec::new());
            };
            let mut avg = (*first).clone();
            for m in &maps[1..] {
                if m.values.dim() != avg.values.dim() {
                    return Err(AnalysisError::Config(format!(
                        "region {name}: electrode maps differ in shape"
                    )));
                }
                avg.values += &m.values;
            }
            avg.values /= maps.len() as f32;
            let mut b = crate::bumps::bumps_from_map(avg, prep.fs, &opts)
                .map_err(|source| AnalysisError::Bumps {
                    channel: name.to_string(),
                    error: source,
                })?
                .bumps;
            b.sort_by(|x, y| x.t.total_cmp(&y.t).then(x.f.total_cmp(&y.f)));
            Ok(b)
        })
        .collect()
}

/// Centre times of bumps, sorted ascending (seconds).
pub fn centre_times(bumps: &[Bump]) -> Vec<f64> {
    let mut t: Vec<f64> = bumps.iter().map(|b| b.t).collect();
    t.sort_by(f64::total_cmp);
    t
}

/// The window cut into consecutive epochs: channels × epochs × samples (f64).
fn epochs(prep: &Prepared, epoch_s: f64) -> Result<Array3<f64>, AnalysisError> {
    let len = (epoch_s * prep.fs).round() as usize;
    if !(epoch_s.is_finite() && epoch_s > 0.0) || len < 2 {
        return Err(AnalysisError::Config(format!(
            "epoch length {epoch_s} s is too short"
        )));
    }
    let n_ep = prep.data.ncols() / len;
    if n_ep == 0 {
        return Err(AnalysisError::Config(format!(
            "the window ({:.3} s) is shorter than one epoch ({epoch_s} s)",
            prep.data.ncols() as f64 / prep.fs
        )));
    }
    let n_ch = prep.data.nrows();
    Ok(Array3::from_shape_fn((n_ch, n_ep, len), |(c, e, s)| {
        prep.data[[c, e * len + s]] as f64
    }))
}

fn push_rows(
    results: &mut Results,
    recording: &str,
    measure: &str,
    specs: &[measures::OutputSpec],
    labels: &[String],
    outputs: Vec<(Target, Vec<measures::Value>)>,
) {
    for (target, values) in outputs {
        let (a, b) = match target {
            Target::Pair(i, j) => (labels[i].clone(), labels[j].clone()),
            Target::Channel(i) => (labels[i].clone(), String::new()),
            Target::Set => ("*".to_string(), String::new()),
        };
        let n_events = values
            .iter()
            .find(|v| v.name == "n_events")
            .map(|v| v.value as u64);
        let certified = values
            .iter()
            .find(|v| v.name == "certified")
            .map(|v| v.value != 0.0);
        for v in values {
            // `o.null_mean` and `o.null_sd` carry the unit of `o`; `o.p`, `o.q` none
            let base = v
                .name
                .strip_suffix(".null_mean")
                .or_else(|| v.name.strip_suffix(".null_sd"))
                .unwrap_or(&v.name);
            let unit = specs
                .iter()
                .find(|s| s.name == base)
                .map(|s| s.unit)
                .unwrap_or("");
            results.rows.push(Row {
                recording: recording.to_string(),
                channel_a: a.clone(),
                channel_b: b.clone(),
                measure: measure.to_string(),
                parameter: v.name,
                value: v.value,
                unit: unit.to_string(),
                n_events,
                certified,
            });
        }
    }
}

#[cfg(test)]
mod progress_tests {
    use super::*;
    use crate::simulate::{simulate, SimulationOptions};
    use std::sync::Mutex;

    /// Keeps every report.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<(f64, String)>>);
    impl Progress for Recorder {
        fn report(&self, fraction: f64, message: &str) {
            if let Ok(mut v) = self.0.lock() {
                v.push((fraction, message.to_string()));
            }
        }
    }

    #[test]
    fn progress_moves_per_batch_of_channels_and_the_bumps_are_unchanged() {
        let rec = simulate(&SimulationOptions {
            duration: 20.0,
            ..SimulationOptions::default()
        })
        .expect("simulation")
        .0;
        let mut config = Config::default();
        config.input.channels = ["F3", "Fz", "F4", "C3", "Cz", "C4", "O1", "O2"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        config.measures.ids = vec!["ses-bumps".into(), "victor-purpura".into()];
        let recorder = Recorder::default();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .expect("pool");
        let (results, kept) = pool
            .install(|| run_detailed(&rec, "sim", &config, &recorder))
            .expect("analysis");
        let reports = recorder.0.into_inner().expect("reports");
        let fractions: Vec<f64> = reports.iter().map(|r| r.0).collect();
        // Stages: preprocessing, bumps, one per measure, done = 5 reports; 8 channels in
        // batches of 2 add 4 more.
        assert_eq!(fractions.len(), 9, "{reports:?}");
        assert!(
            fractions.windows(2).all(|w| w[0] <= w[1]),
            "non-decreasing: {fractions:?}"
        );
        assert!(fractions.iter().all(|f| (0.0..=1.0).contains(f)));
        assert_eq!(fractions.last(), Some(&1.0));
        assert_eq!(reports[2].1, "extracting bumps: 2 of 8 channels");
        assert_eq!(reports[5].1, "extracting bumps: 8 of 8 channels");
        assert!((reports[5].0 - 0.4).abs() < 1e-12, "{reports:?}");

        // The batched extraction gives the bumps of one extraction of every channel.
        let prep = prepare(&rec, &config).expect("prepared");
        let all = channel_bumps(&prep, &config).expect("bumps");
        let kept = kept.expect("bump measures keep their bumps");
        assert_eq!(kept.bumps, all);
        assert!(all.iter().all(|b| !b.is_empty()), "every channel has bumps");
        assert!(!results.rows.is_empty());
    }
}
