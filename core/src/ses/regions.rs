//! Scalp regions (docs/model.md §6.2) and SES over all pairs of channels or of regions.
//!
//! A [`RegionTable`] is read from TOML (`[[region]] name = "…" channels = […]`); the
//! default is the five zones of the SES papers (`assets/regions.toml`). A region's events
//! are formed by one of two merging rules ([`MergeRule`]): (a) average the z-scored maps of
//! its electrodes, then bump-model the average; (b) union of the electrodes' bumps with
//! near-duplicates removed (the larger amplitude kept). Which rule the papers used is
//! UNCONFIRMED, hence the switch.
//!
//! Pair runs compute every pair `i < j` in parallel with rayon and return them in the
//! order `(0,1), (0,2), …, (1,2), …` whatever the thread count.

use super::bumps::{ses_bumps, BumpResult, BumpSesOptions};
use super::one_d::{ses_1d, OneDOptions, OneDResult};
use super::params::SesError;
use crate::bumps::Bump;
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The default region table (five zones, 21 electrodes).
pub const DEFAULT_REGIONS_TOML: &str = include_str!("../../../assets/regions.toml");

/// One region: a name and its electrodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    /// Region name (`frontal`, `left temporal`…), as written in result tables.
    pub name: String,
    /// Its electrodes, by 10-20/10-10 name (matched without regard to case; T3/T7, T4/T8,
    /// T5/P7 and T6/P8 are the same electrode).
    pub channels: Vec<String>,
}

/// A set of regions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionTable {
    /// The regions, in table order (`[[region]]` entries of the TOML).
    #[serde(rename = "region")]
    pub regions: Vec<Region>,
}

/// Errors of region tables and merging.
#[derive(Debug, thiserror::Error)]
pub enum RegionError {
    /// The region file could not be read.
    #[error("region file {path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The table is not valid TOML, has no region, a region without a name or channel, or a
    /// channel in two regions (or [`average_maps`] was given no map).
    #[error("region table{}: {message}", .path.as_ref().map(|p| format!(" {p}")).unwrap_or_default())]
    Parse {
        /// The file (`None` for a table parsed from a string).
        path: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A region has none of its electrodes among the recording's channels.
    #[error("region `{region}`: none of its channels ({channels}) is in the recording")]
    Empty {
        /// The region's name.
        region: String,
        /// Its electrodes, comma-separated.
        channels: String,
    },
    /// [`average_maps`] was given maps of different shapes (the shapes of the first map and
    /// of the first that differs).
    #[error("maps to average have different shapes: {0:?} and {1:?}")]
    Shape(Vec<usize>, Vec<usize>),
}

/// 10-10 names accepted for the 10-20 temporal electrodes.
const ALIASES: &[(&str, &str)] = &[("T3", "T7"), ("T4", "T8"), ("T5", "P7"), ("T6", "P8")];

fn same_electrode(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    a.eq_ignore_ascii_case(b)
        || ALIASES.iter().any(|&(p, q)| {
            (a.eq_ignore_ascii_case(p) && b.eq_ignore_ascii_case(q))
                || (a.eq_ignore_ascii_case(q) && b.eq_ignore_ascii_case(p))
        })
}

impl Default for RegionTable {
    fn default() -> Self {
        // invariant: the bundled table is valid TOML, checked by a unit test
        Self::from_toml_str(DEFAULT_REGIONS_TOML).expect("bundled region table parses")
    }
}

impl RegionTable {
    /// Parses a table; every region needs a name and at least one channel, and no
    /// channel may belong to two regions.
    pub fn from_toml_str(text: &str) -> Result<Self, RegionError> {
        Self::parse(text, None)
    }

    /// Reads a table from a TOML file.
    pub fn from_file(path: &Path) -> Result<Self, RegionError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| RegionError::Io {
            path: p.clone(),
            error,
        })?;
        Self::parse(&text, Some(p))
    }

    fn parse(text: &str, path: Option<String>) -> Result<Self, RegionError> {
        let err = |message: String| RegionError::Parse {
            path: path.clone(),
            message,
        };
        let t: RegionTable = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if t.regions.is_empty() {
            return Err(err("no [[region]] entry".into()));
        }
        for (k, r) in t.regions.iter().enumerate() {
            if r.name.trim().is_empty() {
                return Err(err(format!("region {} has an empty name", k + 1)));
            }
            if r.channels.is_empty() {
                return Err(err(format!("region `{}` lists no channel", r.name)));
            }
            for c in &r.channels {
                if let Some(o) = t.regions[..k]
                    .iter()
                    .find(|o| o.channels.iter().any(|d| same_electrode(c, d)))
                {
                    return Err(err(format!(
                        "channel `{c}` is in both `{}` and `{}`",
                        o.name, r.name
                    )));
                }
            }
        }
        Ok(t)
    }

    /// For each region, the indices of the recording's channels (`labels`) it contains,
    /// in the order of `labels`. Channels of no region are ignored; a region with none of
    /// its channels present is an error.
    pub fn assign(&self, labels: &[String]) -> Result<Vec<Vec<usize>>, RegionError> {
        self.regions
            .iter()
            .map(|r| {
                let idx: Vec<usize> = labels
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| r.channels.iter().any(|c| same_electrode(c, l)))
                    .map(|(i, _)| i)
                    .collect();
                if idx.is_empty() {
                    Err(RegionError::Empty {
                        region: r.name.clone(),
                        channels: r.channels.join(", "),
                    })
                } else {
                    Ok(idx)
                }
            })
            .collect()
    }

    /// The region names, in table order.
    pub fn names(&self) -> Vec<&str> {
        self.regions.iter().map(|r| r.name.as_str()).collect()
    }
}

/// How a region's events are formed from its electrodes (docs/model.md §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum MergeRule {
    /// (a) Average the z-scored maps of the region's electrodes, then bump-model the
    /// average ([`average_maps`]).
    AverageMaps,
    /// (b) Union of the electrodes' bumps without near-duplicates ([`union_bumps`]):
    /// two bumps are duplicates when their normalised centre distance
    /// `√(((t−t')/(Δt+Δt'))² + ((f−f')/(Δf+Δf'))²)` is below `radius` (dimensionless).
    UnionBumps {
        /// Largest normalised centre distance of two duplicate bumps (dimensionless).
        radius: f64,
    },
}

impl Default for MergeRule {
    fn default() -> Self {
        MergeRule::UnionBumps { radius: 0.5 }
    }
}

/// Element-wise mean of equally shaped maps (frequency × time).
pub fn average_maps(maps: &[ArrayView2<f64>]) -> Result<Array2<f64>, RegionError> {
    let Some(first) = maps.first() else {
        return Err(RegionError::Parse {
            path: None,
            message: "no map to average".into(),
        });
    };
    let mut sum = first.to_owned();
    for m in &maps[1..] {
        if m.shape() != first.shape() {
            return Err(RegionError::Shape(
                first.shape().to_vec(),
                m.shape().to_vec(),
            ));
        }
        sum += m;
    }
    sum /= maps.len() as f64;
    Ok(sum)
}

/// Union of bump sets with near-duplicates removed: bumps are visited by decreasing
/// amplitude (ties: set order, then bump order) and kept unless a kept bump lies within
/// `radius` (normalised distance, see [`MergeRule::UnionBumps`]). Output sorted by time.
pub fn union_bumps(sets: &[&[Bump]], radius: f64) -> Vec<Bump> {
    let mut all: Vec<Bump> = sets.iter().flat_map(|s| s.iter().copied()).collect();
    // stable sort keeps the set/bump order among equal amplitudes
    all.sort_by(|a, b| b.amplitude.total_cmp(&a.amplitude));
    let mut kept: Vec<Bump> = Vec::with_capacity(all.len());
    for b in all {
        let dup = kept.iter().any(|k| {
            let wt = k.dt + b.dt;
            let wf = k.df + b.df;
            let u = if wt > 0.0 {
                (k.t - b.t) / wt
            } else {
                f64::INFINITY
            };
            let v = if wf > 0.0 {
                (k.f - b.f) / wf
            } else {
                f64::INFINITY
            };
            (u * u + v * v).sqrt() < radius || (k.t == b.t && k.f == b.f)
        });
        if !dup {
            kept.push(b);
        }
    }
    kept.sort_by(|a, b| a.t.total_cmp(&b.t).then(a.f.total_cmp(&b.f)));
    kept
}

/// Bumps per region by the union rule from bumps per channel (`channel_bumps[i]` of
/// channel `labels[i]`).
pub fn region_bumps_union(
    table: &RegionTable,
    labels: &[String],
    channel_bumps: &[Vec<Bump>],
    radius: f64,
) -> Result<Vec<Vec<Bump>>, RegionError> {
    Ok(table
        .assign(labels)?
        .iter()
        .map(|idx| {
            let sets: Vec<&[Bump]> = idx
                .iter()
                .filter_map(|&i| channel_bumps.get(i).map(|v| v.as_slice()))
                .collect();
            union_bumps(&sets, radius)
        })
        .collect())
}

/// Averaged map per region by the map rule from maps per channel; bump-model each
/// result to obtain the region's bumps.
pub fn region_maps_average(
    table: &RegionTable,
    labels: &[String],
    channel_maps: &[ArrayView2<f64>],
) -> Result<Vec<Array2<f64>>, RegionError> {
    table
        .assign(labels)?
        .iter()
        .map(|idx| {
            let maps: Vec<ArrayView2<f64>> = idx
                .iter()
                .filter_map(|&i| channel_maps.get(i).cloned())
                .collect();
            average_maps(&maps)
        })
        .collect()
}

/// Every unordered pair `(i, j)`, `i < j`, of `n` items, in lexicographic order.
pub fn all_pairs(n: usize) -> Vec<(usize, usize)> {
    (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .collect()
}

/// Bump SES of every pair of bump sets (channels or regions), in parallel; results in
/// the order of [`all_pairs`].
pub fn ses_bumps_all_pairs(
    sets: &[Vec<Bump>],
    opts: &BumpSesOptions,
) -> Vec<((usize, usize), Result<BumpResult, SesError>)> {
    all_pairs(sets.len())
        .into_par_iter()
        .map(|(i, j)| ((i, j), ses_bumps(&sets[i], &sets[j], opts)))
        .collect()
}

/// 1-D SES of every pair of event trains, in parallel; results in the order of
/// [`all_pairs`].
pub fn ses_1d_all_pairs(
    trains: &[Vec<f64>],
    opts: &OneDOptions,
) -> Vec<((usize, usize), Result<OneDResult, SesError>)> {
    all_pairs(trains.len())
        .into_par_iter()
        .map(|(i, j)| ((i, j), ses_1d(&trains[i], &trains[j], opts)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn default_table_has_five_regions_of_21_electrodes() {
        let t = RegionTable::default();
        assert_eq!(
            t.names(),
            [
                "frontal",
                "left temporal",
                "central",
                "right temporal",
                "posterior"
            ]
        );
        let sizes: Vec<usize> = t.regions.iter().map(|r| r.channels.len()).collect();
        assert_eq!(sizes, [6, 3, 3, 3, 6]);
    }

    #[test]
    fn assign_matches_case_and_10_10_aliases() {
        let t = RegionTable::default();
        let l = labels(&["fp1", "T7", "C3", "T8", "O1", "EKG"]);
        assert_eq!(
            t.assign(&l).unwrap(),
            vec![vec![0], vec![1], vec![2], vec![3], vec![4]]
        );
        let e = t
            .assign(&labels(&["Fp1", "C3", "T4", "O1"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("left temporal"), "{e}");
    }

    #[test]
    fn bad_tables_are_errors() {
        assert!(RegionTable::from_toml_str("").is_err());
        let dup = "[[region]]\nname='a'\nchannels=['C3']\n[[region]]\nname='b'\nchannels=['c3']\n";
        assert!(RegionTable::from_toml_str(dup)
            .unwrap_err()
            .to_string()
            .to_lowercase()
            .contains("c3"));
        assert!(RegionTable::from_toml_str("[[region]]\nname='a'\nchannels=[]\n").is_err());
    }

    fn bump(t: f64, f: f64, a: f64) -> Bump {
        Bump {
            t,
            f,
            dt: 0.2,
            df: 1.0,
            amplitude: a,
            peak: a,
        }
    }

    #[test]
    fn union_removes_near_duplicates_keeping_the_larger() {
        let a = [bump(1.0, 10.0, 0.5), bump(5.0, 10.0, 0.5)];
        let b = [bump(1.05, 10.2, 0.9), bump(3.0, 20.0, 0.1)];
        let u = union_bumps(&[&a, &b], 0.5);
        assert_eq!(u.len(), 3);
        assert_eq!(u[0], b[0]);
        assert_eq!(u[1], b[1]);
        assert_eq!(u[2], a[1]);
    }

    #[test]
    fn average_of_maps() {
        let a = Array2::from_elem((2, 3), 1.0);
        let b = Array2::from_elem((2, 3), 3.0);
        let m = average_maps(&[a.view(), b.view()]).unwrap();
        assert!(m.iter().all(|&v| v == 2.0));
        let c = Array2::from_elem((3, 3), 3.0);
        assert!(average_maps(&[a.view(), c.view()]).is_err());
    }

    #[test]
    fn all_pairs_order_is_lexicographic() {
        assert_eq!(
            all_pairs(4),
            vec![(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
        );
        assert_eq!(all_pairs(21).len(), 210);
    }
}
