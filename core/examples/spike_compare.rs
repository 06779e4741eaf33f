//! Timing side of `bench/spike_compare.sh`: runs Victor–Purpura and van Rossum on all
//! pairs of the trains in an events CSV (`signal,time`) through the registry and prints
//! one line per workload: `id seconds checksum` (best of 3 runs; checksum = sum over
//! the pairs i < j, to compare with the other implementation).
//!
//! Usage: `spike_compare EVENTS.csv T_END Q TAU`

use sesame_core::events::read_event_csv;
use sesame_core::measures::{find, ParamValues, SetInput};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        return Err("usage: spike_compare EVENTS.csv T_END Q TAU".into());
    }
    let table = read_event_csv(std::path::Path::new(&args[1]))?;
    let t_end: f64 = args[2].parse()?;
    let trains: Vec<Vec<f64>> = table.signals.into_iter().map(|(_, t)| t).collect();
    let set = SetInput::PointProcess { trains: &trains, window: (0.0, t_end) };
    for (id, name, value) in [("victor-purpura", "q", &args[3]), ("van-rossum", "tau", &args[4])] {
        let m = find(id).ok_or("measure not registered")?;
        let p = ParamValues::parse(m.params(), [(name, value.as_str())])?;
        let mut best = f64::INFINITY;
        let mut checksum = 0.0;
        for _ in 0..3 {
            let start = Instant::now();
            let rows = m.compute_set(&set, &p)?;
            best = best.min(start.elapsed().as_secs_f64());
            checksum = rows.iter().map(|(_, v)| v[0].value).sum::<f64>();
        }
        println!("{id} {best:.6} {checksum:.9}");
    }
    Ok(())
}
