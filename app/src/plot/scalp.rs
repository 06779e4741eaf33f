//! Scalp map: a head seen from above (nose up, left ear on the left), the electrodes at
//! their 10-20 positions (regions at the centroid of their electrodes), and the
//! strongest pairs of one measure's parameter as lines whose width and colour follow the
//! value.

use super::table::TableRow;
use super::{
    colour_bar, parameter_symbol, unit, value_range, viridis, with_unit, Figure, FONT, TICK_SIZE,
};
use anyhow::{bail, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use sesame_core::recording::positions::{electrode_position, project_2d};
use sesame_core::ses::regions::RegionTable;
use std::collections::BTreeMap;

/// Part of the viridis scale used for lines (its yellow end is unreadable on white).
const SPAN: f64 = 0.85;

/// Which pairs are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Selection {
    /// The `k` strongest pairs.
    Top(usize),
    /// Every pair at least as strong as the value.
    Threshold(f64),
}

/// Whether strong synchrony means low or high values of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strong {
    Low,
    High,
}

impl Strong {
    /// The convention of output `parameter` of `measure`, from the direction the
    /// measure declares for it ([`super::output_direction`]): low for outputs that
    /// read smaller as more synchronous (SES's ρ, distances, the surrogate test's
    /// p-values), high otherwise (`sync`, coherence, PLV, similarities, and outputs
    /// with no declared direction).
    pub fn of(measure: &str, parameter: &str) -> Self {
        match super::output_direction(measure, parameter) {
            Some(sesame_core::measures::Direction::Lower) => Strong::Low,
            _ => Strong::High,
        }
    }
}

/// A placed node (electrode or region), in projected head coordinates (head radius 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub label: String,
    pub pos: [f64; 2],
    pub region: bool,
}

/// The scalp figure.
#[derive(Debug, Clone)]
pub struct ScalpFigure {
    pub title: String,
    pub nodes: Vec<Node>,
    /// Drawn pairs: node indices and value, weakest first.
    pub lines: Vec<(usize, usize, f64)>,
    pub value_label: String,
    pub strong: Strong,
    /// Labels of the table that have no known position (not drawn).
    pub unplaced: Vec<String>,
}

/// Position of an electrode or of a region (centroid of its electrodes' positions).
pub fn place(label: &str, regions: &RegionTable) -> Option<([f64; 2], bool)> {
    if let Some(r) = regions
        .regions
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(label))
    {
        let pts: Vec<[f64; 2]> = r
            .channels
            .iter()
            .filter_map(|c| electrode_position(c).map(project_2d))
            .collect();
        if pts.is_empty() {
            return None;
        }
        let n = pts.len() as f64;
        let x = pts.iter().map(|p| p[0]).sum::<f64>() / n;
        let y = pts.iter().map(|p| p[1]).sum::<f64>() / n;
        return Some(([x, y], true));
    }
    electrode_position(label).map(|p| (project_2d(p), false))
}

impl ScalpFigure {
    /// Builds the figure of `rows` (one measure/parameter, pairwise; the mean over
    /// recordings per unordered pair).
    pub fn from_rows(
        rows: &[&TableRow],
        regions: &RegionTable,
        selection: Selection,
        strong: Strong,
    ) -> Result<Self> {
        let Some(first) = rows.first() else {
            bail!("no values to draw");
        };
        let mut nodes: Vec<Node> = Vec::new();
        let mut unplaced: Vec<String> = Vec::new();
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        let labels: std::collections::BTreeSet<&str> = rows
            .iter()
            .flat_map(|r| [r.channel_a.as_str(), r.channel_b.as_str()])
            .collect();
        for l in labels {
            match place(l, regions) {
                Some((pos, region)) => {
                    index.insert(l.to_string(), nodes.len());
                    nodes.push(Node {
                        label: l.to_string(),
                        pos,
                        region,
                    });
                }
                None => unplaced.push(l.to_string()),
            }
        }
        if nodes.len() < 2 {
            bail!(
                "fewer than two of the table's channels have a 10-20 position or are known regions (unplaced: {})",
                unplaced.join(", ")
            );
        }
        let mut acc: BTreeMap<(usize, usize), (f64, usize)> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.value.is_finite()) {
            if let (Some(&i), Some(&j)) = (index.get(&r.channel_a), index.get(&r.channel_b)) {
                if i != j {
                    let e = acc.entry((i.min(j), i.max(j))).or_insert((0.0, 0));
                    e.0 += r.value;
                    e.1 += 1;
                }
            }
        }
        let mut pairs: Vec<(usize, usize, f64)> = acc
            .into_iter()
            .map(|((i, j), (s, n))| (i, j, s / n as f64))
            .collect();
        if pairs.is_empty() {
            bail!("no finite value between placed channels");
        }
        // Strongest first, ties by pair for a deterministic figure.
        pairs.sort_by(|a, b| {
            let c = a.2.total_cmp(&b.2);
            let c = if strong == Strong::Low {
                c
            } else {
                c.reverse()
            };
            c.then((a.0, a.1).cmp(&(b.0, b.1)))
        });
        let what = match selection {
            Selection::Top(k) => {
                if k == 0 {
                    bail!("--top must be at least 1");
                }
                pairs.truncate(k);
                format!("{} strongest pairs", pairs.len())
            }
            Selection::Threshold(x) => {
                pairs.retain(|p| match strong {
                    Strong::Low => p.2 <= x,
                    Strong::High => p.2 >= x,
                });
                if pairs.is_empty() {
                    bail!(
                        "no pair is {} {x}",
                        if strong == Strong::Low { "≤" } else { "≥" }
                    );
                }
                let op = if strong == Strong::Low { "≤" } else { "≥" };
                format!(
                    "{} pairs with {} {op} {x}",
                    pairs.len(),
                    parameter_symbol(&first.parameter)
                )
            }
        };
        pairs.reverse();
        let source = super::source_of(rows);
        let direction = if strong == Strong::Low {
            "lowest"
        } else {
            "highest"
        };
        Ok(ScalpFigure {
            title: format!(
                "{} {}: {what} ({direction} values), {source}",
                first.measure,
                parameter_symbol(&first.parameter)
            ),
            nodes,
            lines: pairs,
            value_label: with_unit(&first.parameter, &first.unit),
            strong,
            unplaced,
        })
    }
}

impl Figure for ScalpFigure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let range = value_range(self.lines.iter().map(|l| l.2))
            .ok_or_else(|| anyhow::anyhow!("no pair to draw"))?;
        root.fill(&WHITE)?;
        let (w, h) = root.dim_in_pixel();
        let title_h = 70;
        let (title_area, body) = root.split_vertically(title_h);
        super::draw_title(&title_area, &self.title)?;
        let bar_w = 170;
        let side = (h - title_h).min(w.saturating_sub(bar_w));
        let left = (w.saturating_sub(bar_w + side)) / 2;
        let (_, body) = body.split_horizontally(left);
        let (square, rest) = body.split_horizontally(side);
        let (bar, _) = rest.split_horizontally(bar_w);
        let lim = 1.32;
        let mut chart = ChartBuilder::on(&square)
            .margin(10)
            .build_cartesian_2d(-lim..lim, -(lim - 0.08)..(lim + 0.08))?;
        let outline = BLACK.stroke_width(3);
        // Head, nose and ears.
        let circle = |cx: f64, cy: f64, rx: f64, ry: f64| -> Vec<(f64, f64)> {
            (0..=120)
                .map(|k| {
                    let t = k as f64 / 120.0 * std::f64::consts::TAU;
                    (cx + rx * t.cos(), cy + ry * t.sin())
                })
                .collect()
        };
        chart.draw_series(std::iter::once(Polygon::new(
            circle(0.0, 0.0, 1.0, 1.0),
            RGBColor(250, 246, 240).filled(),
        )))?;
        for sx in [-1.0, 1.0] {
            let ear: Vec<(f64, f64)> = (0..=60)
                .map(|k| {
                    let t = -std::f64::consts::FRAC_PI_2 + k as f64 / 60.0 * std::f64::consts::PI;
                    (sx * (0.98 + 0.1 * t.cos()), 0.24 * t.sin())
                })
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(
                ear.clone(),
                RGBColor(250, 246, 240).filled(),
            )))?;
            chart.draw_series(std::iter::once(PathElement::new(ear, outline)))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(-0.13, 0.991), (0.0, 1.15), (0.13, 0.991)],
            outline,
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            circle(0.0, 0.0, 1.0, 1.0),
            outline,
        )))?;
        // Pairs, weakest first.
        for &(i, j, v) in &self.lines {
            let u = unit(v, range);
            let strength = if self.strong == Strong::Low {
                1.0 - u
            } else {
                u
            };
            let width = (2.0 + 8.0 * strength).round() as u32;
            let (a, b) = (self.nodes[i].pos, self.nodes[j].pos);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(a[0], a[1]), (b[0], b[1])],
                viridis(SPAN * u).stroke_width(width),
            )))?;
        }
        // Electrodes and regions.
        // Dense montages (more than 32 electrodes) get smaller nodes and labels.
        let dense = self.nodes.len() > 32;
        let node_font =
            TextStyle::from((FONT, if dense { TICK_SIZE - 7 } else { TICK_SIZE - 3 }).into_font())
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Center));
        for n in &self.nodes {
            let p = (n.pos[0], n.pos[1]);
            let r = match (n.region, dense) {
                (true, _) => 15,
                (false, false) => 17,
                (false, true) => 12,
            };
            chart.draw_series(std::iter::once(Circle::new(p, r, WHITE.filled())))?;
            chart.draw_series(std::iter::once(Circle::new(p, r, BLACK.stroke_width(2))))?;
            if n.region {
                // The name under the node, on a white label so lines do not cross it.
                let style = TextStyle::from((FONT, TICK_SIZE).into_font())
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Center, VPos::Top));
                let (x, y) = chart.backend_coord(&p);
                let (tw, th) = root
                    .estimate_text_size(&n.label, &style)
                    .unwrap_or((8 * n.label.len() as u32, TICK_SIZE));
                let top = y + r + 4;
                let half = tw as i32 / 2 + 5;
                root.draw(&Rectangle::new(
                    [(x - half, top - 2), (x + half, top + th as i32 + 3)],
                    WHITE.mix(0.9).filled(),
                ))?;
                root.draw_text(&n.label, &style, (x, top))?;
            } else {
                chart.draw_series(std::iter::once(Text::new(
                    n.label.clone(),
                    p,
                    node_font.clone(),
                )))?;
            }
        }
        let bar_margin = (side / 6).max(20);
        colour_bar(&bar, range, &self.value_label, bar_margin, bar_margin, SPAN)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::table::Table;

    fn table() -> Table {
        Table::from_delimited(
            "recording\tchannel_a\tchannel_b\tmeasure\tparameter\tvalue\tunit\n\
             r\tC3\tCz\tses-bumps\trho\t0.1\t\n\
             r\tC3\tO1\tses-bumps\trho\t0.5\t\n\
             r\tCz\tO1\tses-bumps\trho\t0.3\t\n\
             r\tCz\tXx\tses-bumps\trho\t0.0\t\n",
            b'\t',
        )
        .unwrap()
    }

    #[test]
    fn keeps_the_strongest_pairs() {
        let t = table();
        let rows = t.select("ses-bumps", "rho", None).unwrap();
        let regions = RegionTable::default();
        let f = ScalpFigure::from_rows(&rows, &regions, Selection::Top(2), Strong::Low).unwrap();
        let vals: Vec<f64> = f.lines.iter().map(|l| l.2).collect();
        assert_eq!(vals, [0.3, 0.1]);
        assert_eq!(f.unplaced, ["Xx"]);
        let f = ScalpFigure::from_rows(&rows, &regions, Selection::Threshold(0.3), Strong::High)
            .unwrap();
        let vals: Vec<f64> = f.lines.iter().map(|l| l.2).collect();
        assert_eq!(vals, [0.3, 0.5]);
        assert!(
            ScalpFigure::from_rows(&rows, &regions, Selection::Threshold(0.9), Strong::High)
                .is_err()
        );
        // The measure's declared direction, not the output's name.
        assert_eq!(Strong::of("ses-bumps", "rho"), Strong::Low);
        assert_eq!(Strong::of("ses-bumps", "sync"), Strong::High);
        assert_eq!(Strong::of("ses-bumps", "sync.q"), Strong::Low);
        assert_eq!(Strong::of("ses-bumps", "st"), Strong::High, "no direction");
        let low = sesame_core::measures::registry()
            .iter()
            .flat_map(|m| m.outputs().iter().map(move |o| (m.id(), o)))
            .find(|(_, o)| o.direction == sesame_core::measures::Direction::Lower)
            .expect("a measure with a smaller-is-stronger output");
        assert_eq!(Strong::of(low.0, low.1.name), Strong::Low);
        assert_eq!(Strong::of("unknown", "rho"), Strong::High);
    }

    #[test]
    fn regions_sit_at_their_centroids() {
        let regions = RegionTable::default();
        let (p, region) = place("posterior", &regions).unwrap();
        assert!(region && p[1] < -0.4 && p[0].abs() < 1e-9);
        let (p, region) = place("Fz", &regions).unwrap();
        assert!(!region && p[1] > 0.3);
        assert!(place("nowhere", &regions).is_none());
    }
}
