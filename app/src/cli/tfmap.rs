//! `sesame tfmap`: draws the normalised time-frequency map of one channel with its bumps
//! outlined (PNG or SVG).

use super::bumps::{options, parse_window, write_atomic};
use anyhow::{bail, Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use sesame_core::bumps::{extract_bumps, BumpSet};
use sesame_core::recording::{ReadOptions, Recording};
use std::path::{Path, PathBuf};

/// Draw the time-frequency map of one channel with its bumps.
#[derive(Debug, Clone, clap::Args)]
pub struct TfmapArgs {
    /// Recording file (EDF, EDF+, BDF, CSV).
    pub file: PathBuf,
    /// Channel label.
    #[arg(long)]
    pub channel: String,
    /// Time window START:END in seconds.
    #[arg(long)]
    pub window: Option<String>,
    /// Frequency band LOW-HIGH in Hz.
    #[arg(long, default_value = "4-30")]
    pub band: String,
    /// Minimum normalised bump amplitude kept (default 0.3, the toolbox's is 0.05).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Output image: .png or .svg.
    #[arg(long)]
    pub out: PathBuf,
}

/// Most columns drawn; longer maps are shown by the maximum over groups of columns.
const MAX_DRAWN_COLS: usize = 1600;

/// Viridis colour scale (matplotlib's anchor colours), `v` in [0, 1].
fn viridis(v: f64) -> RGBColor {
    const A: [(f64, f64, f64); 8] = [
        (68.0, 1.0, 84.0),
        (70.0, 50.0, 127.0),
        (54.0, 92.0, 141.0),
        (39.0, 127.0, 143.0),
        (31.0, 162.0, 136.0),
        (74.0, 194.0, 110.0),
        (160.0, 219.0, 57.0),
        (254.0, 232.0, 37.0),
    ];
    let x = v.clamp(0.0, 1.0) * 7.0;
    let i = (x.floor() as usize).min(6);
    let w = x - i as f64;
    let mix = |a: f64, b: f64| (a + (b - a) * w).round() as u8;
    RGBColor(
        mix(A[i].0, A[i + 1].0),
        mix(A[i].1, A[i + 1].1),
        mix(A[i].2, A[i + 1].2),
    )
}

/// Registers the interface font for plot text (once).
fn ensure_font() -> Result<()> {
    static ONCE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *ONCE.get_or_init(|| {
        plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        )
        .is_ok()
    });
    if !ok {
        bail!("cannot load the plot font");
    }
    Ok(())
}

/// Extracts the bumps of `channel` in the window and keeps the map.
pub fn compute(rec: &Recording, args: &TfmapArgs) -> Result<(String, BumpSet)> {
    let idx = rec
        .channel_index(&args.channel)
        .with_context(|| format!("no channel named {:?}", args.channel))?;
    let (start, end) = match &args.window {
        Some(w) => parse_window(w, rec.duration())?,
        None => (0.0, rec.duration()),
    };
    let info = &rec.signals()[idx];
    let x = rec.read_signal(idx, start, end)?;
    let mut opts = options(&args.band, args.threshold, None)?;
    opts.keep_map = true;
    let set = extract_bumps(&x, info.sample_rate, start, &opts)
        .with_context(|| format!("channel {}", info.label))?;
    Ok((info.label.clone(), set))
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, label: &str, set: &BumpSet) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let map = set
        .map
        .as_ref()
        .context("the channel is flat: there is no map to draw")?;
    root.fill(&WHITE)?;
    let (w, _) = root.dim_in_pixel();
    let (main, bar) = root.split_horizontally(w.saturating_sub(110));
    let (t0, t1) = (map.t_start, map.t_start + map.duration());
    let f_lo = map.frequency_of(-0.5);
    let f_hi = map.frequency_of(map.n_rows() as f64 - 0.5);
    let mut chart = ChartBuilder::on(&main)
        .caption(
            format!("{label}: normalised time-frequency map and bumps"),
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(t0..t1, f_lo..f_hi)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("time (s)")
        .y_desc("frequency (Hz)")
        .label_style(("sans-serif", 14))
        .draw()?;
    let n_cols = map.n_cols();
    let group = n_cols.div_ceil(MAX_DRAWN_COLS).max(1);
    let cell_t = group as f64 / map.rate;
    chart.draw_series((0..map.n_rows()).flat_map(|r| {
        (0..n_cols.div_ceil(group)).map(move |g| {
            let c0 = g * group;
            let c1 = (c0 + group).min(n_cols);
            let v = (c0..c1).map(|c| map.values[(r, c)]).fold(0.0f32, f32::max) as f64;
            let t = map.time_of(c0 as f64 - 0.5);
            let f = map.frequency_of(r as f64 - 0.5);
            Rectangle::new([(t, f), (t + cell_t, f + map.f_step)], viridis(v).filled())
        })
    }))?;
    for b in &set.bumps {
        let pts: Vec<(f64, f64)> = (0..=48)
            .map(|k| {
                let th = k as f64 / 48.0 * std::f64::consts::TAU;
                (b.t + b.dt * th.cos(), b.f + b.df * th.sin())
            })
            .collect();
        chart.draw_series(std::iter::once(PathElement::new(
            pts,
            WHITE.stroke_width(2),
        )))?;
    }
    // Colour bar.
    let mut cb = ChartBuilder::on(&bar)
        .margin_top(40)
        .margin_bottom(50)
        .margin_right(10)
        .y_label_area_size(45)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
    cb.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc("map value (max = 1)")
        .label_style(("sans-serif", 12))
        .draw()?;
    cb.draw_series((0..100).map(|i| {
        let v = i as f64 / 100.0;
        Rectangle::new([(0.0, v), (1.0, v + 0.01)], viridis(v + 0.005).filled())
    }))?;
    root.present()?;
    Ok(())
}

/// Draws `set` to `path` (.png or .svg), through a temporary file.
pub fn render(path: &Path, label: &str, set: &BumpSet) -> Result<()> {
    ensure_font()?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let size = (1200, 600);
    match ext.as_str() {
        "png" => write_atomic(path, |tmp| {
            draw(
                BitMapBackend::new(tmp, size).into_drawing_area(),
                label,
                set,
            )
        }),
        "svg" => write_atomic(path, |tmp| {
            draw(SVGBackend::new(tmp, size).into_drawing_area(), label, set)
        }),
        _ => bail!(
            "--out {}: the extension must be .png or .svg",
            path.display()
        ),
    }
}

pub fn run(args: TfmapArgs) -> Result<()> {
    let rec = Recording::open(&args.file, &ReadOptions::default())
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let (label, set) = compute(&rec, &args)?;
    for w in &set.warnings {
        eprintln!("sesame: warning: channel {label}: {w}");
    }
    render(&args.out, &label, &set)?;
    println!(
        "{}: {} bumps drawn to {}",
        label,
        set.bumps.len(),
        args.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use std::f64::consts::PI;

    #[test]
    fn draws_png_and_svg() {
        let fs = 200.0;
        let n = (fs * 20.0) as usize;
        let data = Array2::from_shape_fn((1, n), |(_, i)| {
            let t = i as f64 / fs;
            let noise: f64 = (1..30)
                .map(|k| 0.2 * (2.0 * PI * (2.5 + 0.93 * k as f64) * t + k as f64).sin())
                .sum();
            (noise + 10.0 * (-(t - 9.0).powi(2) / 0.08).exp() * (2.0 * PI * 12.0 * t).cos()) as f32
        });
        let rec = Recording::from_samples(vec!["O1".into()], fs, "uV", data).unwrap();
        let args = TfmapArgs {
            file: PathBuf::from("memory"),
            channel: "o1".into(),
            window: None,
            band: "4-30".into(),
            threshold: None,
            out: PathBuf::from("unused.png"),
        };
        let (label, set) = compute(&rec, &args).unwrap();
        assert_eq!(label, "O1");
        assert!(set
            .bumps
            .iter()
            .any(|b| (b.t - 9.0).abs() < 0.3 && (b.f - 12.0).abs() < 2.0));
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("m.png");
        render(&png, &label, &set).unwrap();
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        let svg = dir.path().join("m.svg");
        render(&svg, &label, &set).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.contains("<svg") && text.contains("time (s)"));
        assert!(render(&dir.path().join("m.bmp"), &label, &set).is_err());
        assert!(compute(
            &rec,
            &TfmapArgs {
                channel: "Cz".into(),
                ..args
            }
        )
        .is_err());
    }
}
