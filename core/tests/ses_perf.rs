//! Run time of SES on a realistic workload, printed (never asserted): all 210 pairs of 21
//! channels of bump sets for a 20-minute recording, certificates included.
//! `cargo test -p sesame-core --test ses_perf -- --ignored --nocapture`
//! (the criterion benchmarks in `benches/ses.rs` measure the same workloads).

use sesame_core::ses::bumps::{ses_bumps, BumpSesOptions};
use sesame_core::ses::regions::ses_bumps_all_pairs;
use sesame_core::ses::surrogate::{seeded, Surrogate2d};
use std::time::Instant;

#[test]
#[ignore = "timing report; run explicitly"]
fn all_pairs_of_21_channels_20_minutes() {
    let g = Surrogate2d {
        n_hidden: 2600.0,
        duration: 1200.0,
        ..Surrogate2d::spec([0.0, 0.02, 0.0, 0.02], 0.25)
    };
    let rec = g.generate_copies(21, &mut seeded(1));
    let per: usize = rec.iter().map(Vec::len).sum::<usize>() / rec.len();
    let t = Instant::now();
    let r = ses_bumps(&rec[0], &rec[1], &BumpSesOptions::default()).unwrap();
    println!(
        "one pair, {} + {} bumps: {:.1} ms, {} iterations, certified {}",
        rec[0].len(),
        rec[1].len(),
        t.elapsed().as_secs_f64() * 1e3,
        r.params.iterations,
        r.params.certified
    );
    let t = Instant::now();
    let all = ses_bumps_all_pairs(&rec, &BumpSesOptions::default());
    let secs = t.elapsed().as_secs_f64();
    let certified = all
        .iter()
        .filter(|(_, r)| r.as_ref().is_ok_and(|r| r.params.certified))
        .count();
    println!(
        "210 pairs, {per} bumps per channel, {} threads: {secs:.2} s; certified {certified}/210",
        rayon::current_num_threads()
    );
    assert_eq!(all.len(), 210);
}
