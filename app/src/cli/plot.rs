//! `sesame plot`: publication figures (PNG or SVG by the output extension) of a
//! recording (time-frequency map, aligned bumps of a pair) or of a results table
//! (synchrony matrix, scalp map, box plot per group). Drawing lives in `sesame::plot`.

use super::analyze::{resolve_config, AnalysisFlags};
use super::tfmap::{self, TfmapArgs};
use super::values::{self, Band, BumpThreshold, TimeWindow};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use sesame::plot::aligned::AlignedFigure;
use sesame::plot::boxplot::{BoxFigure, Points};
use sesame::plot::matrix::MatrixFigure;
use sesame::plot::scalp::{ScalpFigure, Selection, Strong};
use sesame::plot::table::Table;
use sesame::plot::{parse_size, save, ImageFormat};
use sesame_core::analysis::config::MergeChoice;
use sesame_core::analysis::{pipeline, prepare};
use sesame_core::measures::ses::bump_options;
use sesame_core::recording::labels::canonical_name;
use sesame_core::recording::{terminal_safe, terminal_safe_path, ReadOptions, Recording};
use sesame_core::ses::bumps::ses_bumps;
use sesame_core::ses::regions::{self, RegionTable};
use std::path::{Path, PathBuf};

/// Draw a figure for a paper (PNG or SVG, chosen by the extension of --out).
#[derive(Debug, Clone, Args)]
pub struct PlotArgs {
    #[command(subcommand)]
    pub kind: PlotKind,
}

#[derive(Debug, Clone, Subcommand)]
pub enum PlotKind {
    /// One channel's normalised time-frequency map with its bumps outlined.
    Tfmap(TfmapPlotArgs),
    /// The aligned bumps of a channel (or region) pair with its SES parameters.
    Aligned(AlignedArgs),
    /// Channel × channel (or region × region) heatmap of a parameter from a results table.
    Matrix(MatrixArgs),
    /// Head with the 10-20 electrodes and the strongest pairs of a results table.
    Scalp(ScalpArgs),
    /// Box plot of a parameter per group from a results table, every point shown.
    Box(BoxArgs),
}

/// Figure size.
#[derive(Debug, Clone, Args)]
pub struct SizeArg {
    /// Figure size WIDTHxHEIGHT in pixels (SVG: user units).
    #[arg(long)]
    pub size: Option<String>,
}

impl SizeArg {
    fn get(&self, default: (u32, u32)) -> Result<(u32, u32)> {
        self.size.as_deref().map_or(Ok(default), parse_size)
    }
}

#[derive(Debug, Clone, Args)]
pub struct TfmapPlotArgs {
    #[command(flatten)]
    pub map: TfmapArgs,
    #[command(flatten)]
    pub size: SizeArg,
}

#[derive(Debug, Clone, Args)]
pub struct AlignedArgs {
    /// Recording (EDF, EDF+, BDF, BDF+, CSV/TSV).
    pub file: PathBuf,
    /// The pair A,B: channel labels or 10-20 names (region names with --regions).
    #[arg(long)]
    pub pair: String,
    /// Analysis window START:END in seconds, as in `sesame analyze`.
    #[arg(long, value_name = "START:END", value_parser = values::parse_window)]
    pub window: Option<TimeWindow>,
    /// Time range drawn START:END in seconds (default: the first 10 s of the window).
    #[arg(long, value_name = "START:END", value_parser = values::parse_window)]
    pub view: Option<TimeWindow>,
    /// Align region bumps: `default` (the five regions of the SES papers) or a region
    /// table (TOML).
    #[arg(long)]
    pub regions: Option<String>,
    /// Analysis configuration (TOML), as in `sesame analyze`.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Frequency band of the bump maps, LOW-HIGH in Hz, 0 < LOW (default 4-30).
    #[arg(long, value_name = "LOW-HIGH", value_parser = values::parse_band)]
    pub band: Option<Band>,
    /// Prune bumps below this fraction of the map maximum, in [0, 1) (default 0.4).
    #[arg(long, value_name = "FRACTION", value_parser = values::parse_threshold)]
    pub threshold: Option<BumpThreshold>,
    /// SES parameter `ses-bumps.name=value` (repeatable), e.g. `ses-bumps.beta=0.02`.
    #[arg(long = "param")]
    pub params: Vec<String>,
    /// Read files that EDFbrowser would repair, with a warning per repair.
    #[arg(long)]
    pub lenient: bool,
    /// Sample rate of a CSV/TSV recording without a `# fs=` line, Hz.
    #[arg(long)]
    pub fs: Option<f64>,
    /// Output image: .png or .svg.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub size: SizeArg,
}

/// Which rows of a table a figure reads.
#[derive(Debug, Clone, Args)]
pub struct TableArgs {
    /// Results table: the .tsv/.csv/.json of `sesame analyze --out`, or a cohort table
    /// with the same columns.
    pub table: PathBuf,
    /// Measure id (e.g. ses-bumps).
    #[arg(long)]
    pub measure: String,
    /// Parameter (output) of the measure (e.g. rho).
    #[arg(long)]
    pub parameter: String,
    /// Region table (TOML) naming the regions of a region analysis (default: the five
    /// regions of the SES papers).
    #[arg(long)]
    pub regions: Option<PathBuf>,
}

impl TableArgs {
    fn regions(&self) -> Result<RegionTable> {
        match &self.regions {
            Some(p) => Ok(RegionTable::from_file(p)?),
            None => Ok(RegionTable::default()),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    pub table: TableArgs,
    /// Only this recording (default: the mean over every recording of the table).
    #[arg(long)]
    pub recording: Option<String>,
    /// Output image: .png or .svg.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub size: SizeArg,
}

/// Whether strong synchrony is a low or a high value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrongArg {
    Low,
    High,
}

#[derive(Debug, Clone, Args)]
pub struct ScalpArgs {
    #[command(flatten)]
    pub table: TableArgs,
    /// Only this recording (default: the mean over every recording of the table).
    #[arg(long)]
    pub recording: Option<String>,
    /// Draw the K strongest pairs (default 20).
    #[arg(long, conflicts_with = "threshold")]
    pub top: Option<usize>,
    /// Draw every pair at least as strong as this value.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Whether strong synchrony is a low or a high value (default: low for the outputs
    /// the measure declares smaller-is-more-synchronous, such as ρ and distances, and
    /// for surrogate p-values; high otherwise).
    #[arg(long, value_enum)]
    pub strong: Option<StrongArg>,
    /// Output image: .png or .svg.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub size: SizeArg,
}

/// What a point of the box plot is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PointsArg {
    /// One point per recording (the pair's value, or the mean over pairs).
    Recordings,
    /// One point per pair and recording.
    Pairs,
}

#[derive(Debug, Clone, Args)]
pub struct BoxArgs {
    #[command(flatten)]
    pub table: TableArgs,
    /// Column holding the groups (e.g. group, session, recording).
    #[arg(long, default_value = "group")]
    pub group_by: String,
    /// Only the pair A,B (default: every pair).
    #[arg(long)]
    pub pair: Option<String>,
    /// What a point is.
    #[arg(long, value_enum, default_value = "recordings")]
    pub points: PointsArg,
    /// Output image: .png or .svg.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub size: SizeArg,
}

fn parse_pair(text: &str) -> Result<(String, String)> {
    match text.split_once(',') {
        Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => {
            Ok((a.trim().to_string(), b.trim().to_string()))
        }
        _ => bail!("--pair {text:?}: expected two names A,B"),
    }
}

fn wrote(out: &Path, size: (u32, u32)) {
    println!("wrote {} ({}×{})", terminal_safe_path(out), size.0, size.1);
}

pub fn run(args: PlotArgs) -> Result<()> {
    match args.kind {
        PlotKind::Tfmap(a) => run_tfmap(a),
        PlotKind::Aligned(a) => run_aligned(a),
        PlotKind::Matrix(a) => run_matrix(a),
        PlotKind::Scalp(a) => run_scalp(a),
        PlotKind::Box(a) => run_box(a),
    }
}

fn run_tfmap(a: TfmapPlotArgs) -> Result<()> {
    ImageFormat::from_path(&a.map.out)?;
    let size = a.size.get(tfmap::DEFAULT_SIZE)?;
    let map = a.map;
    let rec = Recording::open(&map.file, &ReadOptions::default())
        .with_context(|| format!("cannot read {}", map.file.display()))?;
    let (label, set) = tfmap::compute(&rec, &map)?;
    for w in &set.warnings {
        eprintln!(
            "sesame: warning: channel {}: {}",
            terminal_safe(&label),
            terminal_safe(w)
        );
    }
    let band = (map.band.low, map.band.high);
    tfmap::render_sized(&map.out, &label, &set, Some(band), size)?;
    wrote(&map.out, size);
    Ok(())
}

/// Finds `name` among the analysed units (labels or region names).
fn find_unit(labels: &[String], name: &str) -> Result<usize> {
    let canon = canonical_name(name);
    labels
        .iter()
        .position(|l| {
            l.eq_ignore_ascii_case(name)
                || canon
                    .as_deref()
                    .is_some_and(|c| canonical_name(l).as_deref() == Some(c))
        })
        .with_context(|| {
            format!(
                "no channel or region named {name:?} in the analysis (it has: {})",
                labels.join(", ")
            )
        })
}

fn run_aligned(a: AlignedArgs) -> Result<()> {
    ImageFormat::from_path(&a.out)?;
    let size = a.size.get((1200, 800))?;
    let (name_a, name_b) = parse_pair(&a.pair)?;
    let mut config = resolve_config(&AnalysisFlags {
        config: a.config.clone(),
        regions: a.regions.clone(),
        window: a.window,
        band: a.band,
        threshold: a.threshold,
        measure: vec!["ses-bumps".into()],
        params: a.params.clone(),
        ..AnalysisFlags::default()
    })?;
    config.measures.ids = vec!["ses-bumps".into()];
    config.measures.params.retain(|k, _| k == "ses-bumps");
    if !config.regions.enabled && config.preprocess.reference.is_none() {
        // Only the pair is needed (no reference mixes other channels in).
        config.input.channels = vec![name_a.clone(), name_b.clone()];
    }
    let read = ReadOptions {
        lenient: a.lenient,
        csv_sample_rate: a.fs,
    };
    let rec = Recording::open(&a.file, &read)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    for w in &rec.warnings {
        eprintln!(
            "sesame: warning: {}: {}",
            terminal_safe_path(&a.file),
            terminal_safe(w)
        );
    }
    let measures = pipeline::resolve_measures(&config)?;
    let params = &measures
        .first()
        .context("the SES measure is not registered")?
        .1;
    let opts = bump_options(params)?;
    let prep = prepare(&rec, &config).with_context(|| format!("{}", a.file.display()))?;
    let bumps = pipeline::channel_bumps(&prep, &config)?;
    let (labels, bumps) = if config.regions.enabled {
        let table = match &config.regions.table {
            Some(p) => RegionTable::from_file(p)?,
            None => RegionTable::default(),
        };
        let merged = match config.regions.merge {
            MergeChoice::Union => regions::region_bumps_union(
                &table,
                &prep.labels,
                &bumps,
                config.regions.union_radius,
            )?,
            MergeChoice::AverageMaps => pipeline::region_bumps_average(&table, &prep, &config)?,
        };
        let names: Vec<String> = table.names().iter().map(|s| s.to_string()).collect();
        (names, merged)
    } else {
        (prep.labels.clone(), bumps)
    };
    let (i, j) = (find_unit(&labels, &name_a)?, find_unit(&labels, &name_b)?);
    if i == j {
        bail!("--pair {}: the two sides are the same", a.pair);
    }
    let result = ses_bumps(&bumps[i], &bumps[j], &opts)
        .with_context(|| format!("SES of {} and {}", labels[i], labels[j]))?;
    let (w0, w1) = prep.window;
    let view = match &a.view {
        Some(v) => {
            let (v0, v1) = v.within(rec.duration());
            if v1 <= w0 || v0 >= w1 {
                bail!("--view {v}: outside the analysis window {w0}–{w1} s");
            }
            (v0.max(w0), v1.min(w1))
        }
        None => (w0, w1.min(w0 + 10.0)),
    };
    let fig = AlignedFigure {
        labels: [&labels[i], &labels[j]],
        bumps: [&bumps[i], &bumps[j]],
        result: &result,
        window: prep.window,
        view,
        band: (config.bumps.f_min, config.bumps.f_max),
    };
    save(&fig, &a.out, size)?;
    println!("{}", fig.parameter_line());
    wrote(&a.out, size);
    Ok(())
}

fn run_matrix(a: MatrixArgs) -> Result<()> {
    ImageFormat::from_path(&a.out)?;
    let size = a.size.get((1100, 900))?;
    let table = Table::read(&a.table.table)?;
    let rows = table.select(&a.table.measure, &a.table.parameter, a.recording.as_deref())?;
    let fig = MatrixFigure::from_rows(&rows, &a.table.regions()?)?;
    save(&fig, &a.out, size)?;
    wrote(&a.out, size);
    Ok(())
}

fn run_scalp(a: ScalpArgs) -> Result<()> {
    ImageFormat::from_path(&a.out)?;
    let size = a.size.get((1100, 900))?;
    let table = Table::read(&a.table.table)?;
    let rows = table.select(&a.table.measure, &a.table.parameter, a.recording.as_deref())?;
    let selection = match (a.top, a.threshold) {
        (_, Some(x)) if !x.is_finite() => bail!("--threshold {x}: must be a finite number"),
        (_, Some(x)) => Selection::Threshold(x),
        (Some(k), None) => Selection::Top(k),
        (None, None) => Selection::Top(20),
    };
    let strong = match a.strong {
        Some(StrongArg::Low) => Strong::Low,
        Some(StrongArg::High) => Strong::High,
        None => Strong::of(&a.table.measure, &a.table.parameter),
    };
    let fig = ScalpFigure::from_rows(&rows, &a.table.regions()?, selection, strong)?;
    if !fig.unplaced.is_empty() {
        eprintln!(
            "sesame: warning: no scalp position for {} (not drawn)",
            terminal_safe(&fig.unplaced.join(", "))
        );
    }
    save(&fig, &a.out, size)?;
    wrote(&a.out, size);
    Ok(())
}

fn run_box(a: BoxArgs) -> Result<()> {
    ImageFormat::from_path(&a.out)?;
    let size = a.size.get((1100, 800))?;
    let table = Table::read(&a.table.table)?;
    if !table.has_column(&a.group_by) {
        bail!(
            "{}: no column `{}` to group by (the table has: {}); use --group-by",
            a.table.table.display(),
            a.group_by,
            table.columns.join(", ")
        );
    }
    let rows = table.select(&a.table.measure, &a.table.parameter, None)?;
    let pair = a.pair.as_deref().map(parse_pair).transpose()?;
    let points = match a.points {
        PointsArg::Recordings => Points::Recordings,
        PointsArg::Pairs => Points::Pairs,
    };
    let fig = BoxFigure::from_rows(
        &rows,
        &a.group_by,
        pair.as_ref().map(|(x, y)| (x.as_str(), y.as_str())),
        points,
    )?;
    save(&fig, &a.out, size)?;
    wrote(&a.out, size);
    Ok(())
}
