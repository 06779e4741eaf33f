//! Publication figures drawn without a display (`sesame plot`), PNG or SVG by the output
//! file's extension: one module per figure, sharing the font, colour scales, colour bar
//! and the atomic writer here.
//!
//! Text is drawn with the interface font built into the binary (Ubuntu Light from
//! `epaint_default_fonts`), so no system font is needed; SVG files name the generic
//! `sans-serif` family and are rendered with the reader's font.

pub mod aligned;
pub mod boxplot;
pub mod matrix;
pub mod scalp;
pub mod table;
pub mod tfmap;

use anyhow::{anyhow, bail, Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use sesame_core::measures::Direction;
use std::path::Path;

/// Default figure size in pixels (width, height).
pub const DEFAULT_SIZE: (u32, u32) = (1200, 800);

/// Font family every figure uses.
pub const FONT: &str = "sans-serif";
/// Title size, pixels.
pub const TITLE_SIZE: u32 = 28;
/// Axis description size, pixels.
pub const LABEL_SIZE: u32 = 22;
/// Tick label size, pixels.
pub const TICK_SIZE: u32 = 18;

/// Okabe–Ito colours (safe for colour-blind readers).
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
pub const VERMILION: RGBColor = RGBColor(213, 94, 0);
pub const GREY: RGBColor = RGBColor(120, 120, 120);

/// Image format, chosen by the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Svg,
}

impl ImageFormat {
    /// `.png` or `.svg` (any case); anything else is an error naming the file.
    pub fn from_path(path: &Path) -> Result<Self> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("png") => Ok(ImageFormat::Png),
            Some("svg") => Ok(ImageFormat::Svg),
            other => bail!(
                "{}: unknown image extension {:?}: use .png or .svg",
                path.display(),
                other.unwrap_or("")
            ),
        }
    }
}

/// A figure that can draw itself on any plotters backend.
pub trait Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static;
}

/// Registers the built-in font under [`FONT`] (once).
pub fn ensure_font() -> Result<()> {
    static ONCE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *ONCE.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, epaint_default_fonts::UBUNTU_LIGHT)
            .is_ok()
    });
    if !ok {
        bail!("cannot load the plot font");
    }
    Ok(())
}

/// Parses a figure size `WIDTHxHEIGHT` in pixels (each 200–8000).
pub fn parse_size(text: &str) -> Result<(u32, u32)> {
    let parsed = text
        .split_once(['x', 'X'])
        .and_then(|(w, h)| Some((w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?)));
    match parsed {
        Some((w, h)) if (200..=8000).contains(&w) && (200..=8000).contains(&h) => Ok((w, h)),
        _ => bail!("--size {text:?}: expected WIDTHxHEIGHT in pixels, each 200 to 8000"),
    }
}

/// Draws `fig` into an encoded image of `size` pixels.
pub fn render(fig: &impl Figure, format: ImageFormat, size: (u32, u32)) -> Result<Vec<u8>> {
    ensure_font()?;
    match format {
        ImageFormat::Png => {
            let (w, h) = size;
            let mut rgb = vec![0u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
                fig.draw(&root)?;
                root.present()?;
            }
            let mut bytes = Vec::new();
            {
                let mut enc = png::Encoder::new(&mut bytes, w, h);
                enc.set_color(png::ColorType::Rgb);
                enc.set_depth(png::BitDepth::Eight);
                enc.set_compression(png::Compression::High);
                let mut writer = enc.write_header().context("PNG header")?;
                writer.write_image_data(&rgb).context("PNG data")?;
            }
            Ok(bytes)
        }
        ImageFormat::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
                fig.draw(&root)?;
                root.present()?;
            }
            Ok(text.into_bytes())
        }
    }
}

/// Draws `fig` to `path` (.png or .svg), written to a temporary file then renamed.
pub fn save(fig: &impl Figure, path: &Path, size: (u32, u32)) -> Result<()> {
    let format = ImageFormat::from_path(path)?;
    let bytes = render(fig, format, size)?;
    sesame_core::analysis::write_atomic(path, &bytes).map_err(|e| anyhow!("{e}"))
}

/// Viridis colour scale (matplotlib's anchor colours), `v` in [0, 1].
pub fn viridis(v: f64) -> RGBColor {
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
    let v = if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = v * 7.0;
    let i = (x.floor() as usize).min(6);
    let w = x - i as f64;
    let mix = |a: f64, b: f64| (a + (b - a) * w).round() as u8;
    RGBColor(
        mix(A[i].0, A[i + 1].0),
        mix(A[i].1, A[i + 1].1),
        mix(A[i].2, A[i + 1].2),
    )
}

/// A value range for a colour scale: `(lo, hi)` of the finite values, widened when they
/// are all equal; `None` without a finite value.
pub fn value_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo > hi {
        return None;
    }
    if hi - lo < 1e-12 * lo.abs().max(1.0) {
        let pad = 0.5 * lo.abs().max(1e-3);
        return Some((lo - pad, hi + pad));
    }
    Some((lo, hi))
}

/// Position of `v` in `(lo, hi)`, in [0, 1].
pub fn unit(v: f64, (lo, hi): (f64, f64)) -> f64 {
    ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
}

/// A vertical colour bar in `area` for values `lo..hi` with the viridis scale (its first
/// `span` fraction, 1 for all of it) and the description `label` (name and unit) beside
/// its ticks.
pub fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    range: (f64, f64),
    label: &str,
    margin_top: u32,
    margin_bottom: u32,
    span: f64,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (lo, hi) = range;
    let mut cb = ChartBuilder::on(area)
        .margin_top(margin_top)
        .margin_bottom(margin_bottom)
        .margin_right(10)
        .margin_left(4)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    cb.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(8)
        .y_label_formatter(&|v| format_tick(*v))
        .y_desc(label)
        .axis_desc_style((FONT, LABEL_SIZE))
        .label_style((FONT, TICK_SIZE))
        .draw()?;
    let steps = 200;
    cb.draw_series((0..steps).map(|i| {
        let a = lo + (hi - lo) * i as f64 / steps as f64;
        let b = lo + (hi - lo) * (i + 1) as f64 / steps as f64;
        Rectangle::new(
            [(0.0, a), (1.0, b)],
            viridis(span * (i as f64 + 0.5) / steps as f64).filled(),
        )
    }))?;
    cb.draw_series(std::iter::once(Rectangle::new(
        [(0.0, lo), (1.0, hi)],
        BLACK.stroke_width(1),
    )))?;
    Ok(())
}

/// A tick label: at most three decimals without trailing zeros, scientific notation for
/// very small or large values.
pub fn format_tick(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{v:.1e}")
    } else {
        let s = format!("{v:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" {
            "0".into()
        } else {
            s.to_string()
        }
    }
}

/// Draws `title` centred at the top of `area`.
pub fn draw_title<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str) -> Result<()>
where
    DB::ErrorType: 'static,
{
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let (w, _) = area.dim_in_pixel();
    let style =
        TextStyle::from((FONT, TITLE_SIZE).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    area.draw_text(title, &style, (w as i32 / 2, 16))?;
    Ok(())
}

/// A value for a title or legend: four significant digits.
pub fn format_value(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    if v != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

/// Greek or conventional symbol of an SES parameter name, for labels (`rho` → `ρ`).
pub fn parameter_symbol(name: &str) -> &str {
    match name {
        "rho" => "ρ",
        "delay_t" => "δt",
        "delay_f" => "δf",
        "sigma_t" => "σt",
        "sigma_f" => "σf",
        other => other,
    }
}

/// `symbol (unit)` or `symbol` when dimensionless.
pub fn with_unit(name: &str, unit: &str) -> String {
    let s = parameter_symbol(name);
    if unit.trim().is_empty() {
        s.to_string()
    } else {
        format!("{s} ({unit})")
    }
}

/// The suffixes the surrogate test (`[significance]`) adds to an output `o`'s name:
/// `o.p`, `o.q`, `o.p_fwer`, `o.null_mean`, `o.null_sd`.
pub const TEST_SUFFIXES: [&str; 5] = ["p", "q", "p_fwer", "null_mean", "null_sd"];

/// What a figure of `rows` shows, for its title: the recording's name when the rows
/// come from one recording, "mean over N recordings" otherwise.
pub fn source_of(rows: &[&table::TableRow]) -> String {
    let recordings: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.recording.as_str()).collect();
    match recordings.iter().next() {
        Some(one) if recordings.len() == 1 => one.to_string(),
        _ => format!("mean over {} recordings", recordings.len()),
    }
}

/// `(o, suffix)` when `parameter` is a surrogate-test output `o.suffix`.
pub fn split_test(parameter: &str) -> Option<(&str, &str)> {
    let (o, s) = parameter.rsplit_once('.')?;
    (!o.is_empty() && TEST_SUFFIXES.contains(&s)).then_some((o, s))
}

/// Whether `parameter` is a p-value of the surrogate test (`o.p`, `o.q`, `o.p_fwer`).
pub fn is_test_p(parameter: &str) -> bool {
    split_test(parameter).is_some_and(|(_, s)| matches!(s, "p" | "q" | "p_fwer"))
}

/// Which way output `parameter` of `measure` moves with synchrony, as the measure
/// declares it in the registry (`OutputSpec::direction`): the test's p-values
/// (`o.p`, `o.q`, `o.p_fwer`) read smaller as stronger, `o.null_mean` reads as `o`,
/// `o.null_sd` has no direction. `None` for a measure or output the registry does not
/// know.
pub fn output_direction(measure: &str, parameter: &str) -> Option<Direction> {
    if let Some((base, suffix)) = split_test(parameter) {
        return match suffix {
            "null_mean" => output_direction(measure, base),
            "null_sd" => Some(Direction::Neither),
            _ => Some(Direction::Lower),
        };
    }
    sesame_core::measures::find(measure)?
        .outputs()
        .iter()
        .find(|o| o.name == parameter)
        .map(|o| o.direction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_extension() {
        assert_eq!(
            ImageFormat::from_path(Path::new("a.PNG")).unwrap(),
            ImageFormat::Png
        );
        assert_eq!(
            ImageFormat::from_path(Path::new("a.svg")).unwrap(),
            ImageFormat::Svg
        );
        let e = ImageFormat::from_path(Path::new("a.bmp"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("use .png or .svg"), "{e}");
        assert!(ImageFormat::from_path(Path::new("noext")).is_err());
    }

    #[test]
    fn sizes_and_ranges() {
        assert_eq!(parse_size("800x600").unwrap(), (800, 600));
        assert!(parse_size("800").is_err());
        assert!(parse_size("10x10").is_err());
        assert_eq!(value_range([f64::NAN, 2.0, 1.0]), Some((1.0, 2.0)));
        assert_eq!(value_range([f64::NAN]), None);
        let (lo, hi) = value_range([3.0, 3.0]).unwrap();
        assert!(lo < 3.0 && hi > 3.0);
        assert_eq!(unit(5.0, (0.0, 10.0)), 0.5);
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(254, 232, 37));
        assert_eq!(format_tick(0.25), "0.25");
        assert_eq!(format_tick(12.5), "12.5");
        assert_eq!(format_tick(5.0), "5");
        assert_eq!(format_tick(-0.0004), "-4.0e-4");
    }

    #[test]
    fn directions_come_from_the_registry() {
        assert_eq!(
            output_direction("ses-bumps", "sync"),
            Some(Direction::Higher)
        );
        assert_eq!(output_direction("ses-bumps", "rho"), Some(Direction::Lower));
        assert_eq!(
            output_direction("ses-bumps", "st"),
            Some(Direction::Neither)
        );
        assert_eq!(
            output_direction("ses-bumps", "sync.q"),
            Some(Direction::Lower)
        );
        assert_eq!(
            output_direction("ses-bumps", "rho.p_fwer"),
            Some(Direction::Lower)
        );
        assert_eq!(
            output_direction("ses-bumps", "rho.null_mean"),
            Some(Direction::Lower)
        );
        assert_eq!(
            output_direction("ses-bumps", "sync.null_sd"),
            Some(Direction::Neither)
        );
        assert_eq!(output_direction("ses-bumps", "nothing"), None);
        assert_eq!(output_direction("no-such-measure", "rho"), None);
        assert_eq!(split_test("coh.q"), Some(("coh", "q")));
        assert_eq!(split_test("coh"), None);
        assert_eq!(split_test(".p"), None);
        assert!(is_test_p("coh.p_fwer") && !is_test_p("coh.null_mean") && !is_test_p("p"));
        // No registered output name looks like a test output, so the suffixes are
        // unambiguous.
        for m in sesame_core::measures::registry() {
            for o in m.outputs() {
                assert!(split_test(o.name).is_none(), "{} / {}", m.id(), o.name);
            }
        }
    }
}
