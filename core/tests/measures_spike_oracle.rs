//! Point-process measures against the reference numbers of
//! `oracles/measures/spike_example_a.json` (Elephant, PySpike, spykeutils and NumPy
//! references) at 1e-5 relative. The numbers are also written below as constants so a
//! fresh clone checks them; the JSON test reads the shared file when it is present and
//! checks every row that a registered measure covers.

use sesame_core::measures::{find, PairInput, ParamValues};

const X: [f64; 4] = [0.10, 0.50, 1.20, 2.00];
const Y: [f64; 4] = [0.12, 0.55, 1.50, 2.02];
const WINDOW: (f64, f64) = (0.0, 2.5);

/// (measure id, parameters, output name, reference value), from spike_example_a.json.
const EXAMPLE_A: &[(&str, &[(&str, &str)], &str, f64)] = &[
    ("victor-purpura", &[("q", "1")], "distance", 0.39),
    ("victor-purpura", &[("q", "10")], "distance", 2.9),
    ("van-rossum", &[("tau", "0.1"), ("normalisation", "elephant")], "distance", 1.84548),
    ("van-rossum", &[("tau", "0.1"), ("normalisation", "paper")], "distance", 1.30495),
    ("van-rossum", &[("tau", "0.5"), ("normalisation", "elephant")], "distance", 1.09776),
    ("van-rossum", &[("tau", "0.5"), ("normalisation", "paper")], "distance", 0.776232),
    ("schreiber", &[("sigma", "0.05")], "similarity", 0.675126),
    ("schreiber", &[("sigma", "0.1")], "similarity", 0.759499),
    ("hunter-milton", &[("tau", "0.1")], "similarity", 0.573445),
    ("event-sync", &[("tau", "auto")], "Q", 0.75),
    ("event-sync", &[("tau", "auto")], "q", 0.75),
    ("event-sync", &[("tau", "0.04")], "Q", 0.5),
    ("event-sync", &[("tau", "0.04")], "q", 0.5),
    ("event-sync", &[("tau", "0.1")], "Q", 0.75),
    ("event-sync", &[("tau", "0.1")], "q", 0.75),
    ("isi-distance", &[], "distance", 0.249036),
    ("spike-distance", &[], "distance", 0.152387),
    ("spike-sync", &[], "sync", 0.75),
    ("sttc", &[("dt", "0.03")], "sttc", 0.42437),
    ("sttc", &[("dt", "0.1")], "sttc", 0.565789),
];

/// Runs a registered measure on example A and returns the named output.
fn run(id: &str, params: &[(&str, &str)], output: &str) -> f64 {
    let m = find(id).unwrap_or_else(|| panic!("measure {id} is not registered"));
    let p = ParamValues::parse(m.params(), params.iter().copied()).expect("valid parameters");
    let pair = PairInput::PointProcess { x: &X, y: &Y, window: WINDOW };
    let values = m.compute(&pair, &p).expect("computes");
    values
        .iter()
        .find(|v| v.name == output)
        .unwrap_or_else(|| panic!("{id} has no output {output}"))
        .value
}

fn assert_rel(got: f64, want: f64, what: &str) {
    let tol = 1e-5 * want.abs().max(1e-12);
    assert!((got - want).abs() <= tol, "{what}: got {got}, reference {want}");
}

#[test]
fn example_a_constants() {
    for &(id, params, output, want) in EXAMPLE_A {
        assert_rel(run(id, params, output), want, &format!("{id} {params:?} {output}"));
    }
}

/// Maps one row of the JSON (measure, params) to (id, parameters, output), or `None`
/// for rows no registered measure covers (adaptive/RI SPIKE variants, SPIKE-order,
/// spike contrast, pyunicorn's variant of event synchronization, PySpike's `max_tau`).
fn map_row(measure: &str, params: &str) -> Option<(&'static str, Vec<(String, String)>, &'static str)> {
    let num = |prefix: &str, suffix: &str| -> Option<String> {
        params.strip_prefix(prefix)?.strip_suffix(suffix).map(str::to_string)
    };
    let one = |k: &str, v: String| vec![(k.to_string(), v)];
    match measure {
        "Victor-Purpura distance" => Some(("victor-purpura", one("q", num("q=", "/s")?), "distance")),
        "Schreiber similarity" => Some(("schreiber", one("sigma", num("gaussian filter sd=", "s")?), "similarity")),
        "Hunter-Milton similarity" => Some(("hunter-milton", one("tau", num("tau=", "s")?), "similarity")),
        "Quiroga ES Q" | "Quiroga ES q" => {
            let tau = if params == "tau=adaptive" { "auto".to_string() } else { num("tau=", "s")? };
            Some(("event-sync", one("tau", tau), if measure.ends_with('Q') { "Q" } else { "q" }))
        }
        "STTC" => Some(("sttc", one("dt", num("dt=", "s")?), "sttc")),
        "ISI-distance" => Some(("isi-distance", vec![], "distance")),
        "SPIKE-distance" => Some(("spike-distance", vec![], "distance")),
        "SPIKE-synchronization" if params.ends_with("max_tau=None") => Some(("spike-sync", vec![], "sync")),
        _ => None,
    }
}

#[test]
fn example_a_json_every_covered_row() {
    let dir = std::env::var_os("SESAME_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared").into());
    let path = dir.join("oracles/measures/spike_example_a.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipping: {} not found (set SESAME_SHARED_DIR)", path.display());
        return;
    };
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).expect("oracle JSON parses");
    let mut checked = 0;
    let mut ids = std::collections::BTreeSet::new();
    for row in &rows {
        let measure = row["measure"].as_str().expect("measure");
        let impl_ = row["impl"].as_str().expect("impl");
        let params = row["params"].as_str().expect("params");
        let want = row["value"].as_f64().expect("value");
        let Some((id, p, output)) = map_row(measure, params) else { continue };
        let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_rel(run(id, &refs, output), want, &format!("{measure} [{params}] ({impl_})"));
        checked += 1;
        ids.insert(id);
    }
    // van Rossum rows: the normalisation is named in `impl`
    for row in rows.iter().filter(|r| r["measure"] == "van Rossum distance") {
        let impl_ = row["impl"].as_str().expect("impl");
        let params = row["params"].as_str().expect("params");
        let tau = params.strip_prefix("tau=").and_then(|s| s.strip_suffix('s')).expect("tau");
        let norm = if impl_.contains("paper") { "paper" } else { "elephant" };
        let got = run("van-rossum", &[("tau", tau), ("normalisation", norm)], "distance");
        assert_rel(got, row["value"].as_f64().expect("value"), &format!("van Rossum [{params}] ({impl_})"));
        checked += 1;
        ids.insert("van-rossum");
    }
    assert_eq!(ids.len(), 9, "every point-process measure has oracle rows: {ids:?}");
    assert!(checked >= 50, "only {checked} oracle rows checked");
    eprintln!("{checked} oracle rows matched at 1e-5 relative");
}
