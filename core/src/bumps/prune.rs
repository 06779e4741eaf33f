//! Post-processing of fitted bumps (docs/model.md §5.6).

use super::{BumpFit, BumpOptions};

/// Applies the pruning rules of `opts` to `fits` (in fitting order), returning the kept
/// indices in fitting order:
/// - `th` (`min_energy_decrease`): walking in fitting order, stop after 3 consecutive bumps
///   whose energy decrease is below the threshold × `initial_energy` (the 3 are dropped);
/// - `ab` (`min_amplitude`): drop bumps of normalised amplitude below the threshold (the
///   semi-axes are at least one pixel by construction of the fit);
/// - `lm` (`keep_first`): keep the first N in fitting order;
/// - `or` (`keep_first_in_time`): keep the first A in time order.
pub fn prune(fits: &[BumpFit], initial_energy: f64, opts: &BumpOptions) -> Vec<usize> {
    let mut end = fits.len();
    if let Some(th) = opts.min_energy_decrease {
        let mut run = 0;
        for (i, f) in fits.iter().enumerate() {
            if f.energy_decrease < th * initial_energy {
                run += 1;
                if run == 3 {
                    end = i + 1 - 3;
                    break;
                }
            } else {
                run = 0;
            }
        }
    }
    let mut kept: Vec<usize> = (0..end)
        .filter(|&i| fits[i].shape.height >= opts.min_amplitude)
        .collect();
    if let Some(n) = opts.keep_first {
        kept.truncate(n);
    }
    if let Some(a) = opts.keep_first_in_time {
        if kept.len() > a {
            let mut by_time = kept.clone();
            by_time.sort_by(|&i, &j| {
                fits[i]
                    .shape
                    .col
                    .total_cmp(&fits[j].shape.col)
                    .then(i.cmp(&j))
            });
            by_time.truncate(a);
            by_time.sort_unstable();
            kept = by_time;
        }
    }
    kept
}
