//! `sesame measure`: runs one registered measure on one pair of channels given in a
//! file. Point-process measures read a CSV of events (`--events`, rows `signal,time`).
//!
//! The flow is: find the measure, parse its parameters, load the pair for the
//! measure's input kind ([`load_pair`] — one branch per input kind), compute, print.

use anyhow::{anyhow, bail, Context, Result};
use sesame_core::events::{read_event_csv, within, EventTable};
use sesame_core::measures::{find, registry, InputKind, Measure, PairInput, ParamValues, Value};
use serde_json::json;
use std::path::PathBuf;

use super::measures::input_name;

/// Run one synchrony measure on two given signals or event lists.
#[derive(Debug, clap::Args)]
pub struct MeasureArgs {
    /// CSV of events, one per row: `signal,time` (time in s); optional header
    /// `signal,time`, `#` comment lines.
    #[arg(long, value_name = "EVENTS.csv")]
    pub events: Option<PathBuf>,
    /// Measure id (see `sesame measures`).
    #[arg(long, value_name = "ID")]
    pub measure: String,
    /// A parameter of the measure, `name=value` (repeatable); the others take their
    /// defaults.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Observation window `T0:T1` in s; events outside it are left out. Default: from 0
    /// (or the first event if earlier) to the last event of the file.
    #[arg(long, value_name = "T0:T1")]
    pub window: Option<String>,
    /// The two signals to compare, `A,B`; needed when the file holds more than two.
    #[arg(long, value_name = "A,B")]
    pub pair: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The data of one pair, owned, for the measure's input kind.
enum LoadedPair {
    PointProcess { x: Vec<f64>, y: Vec<f64>, window: (f64, f64) },
}

impl LoadedPair {
    fn as_input(&self) -> PairInput<'_> {
        match self {
            LoadedPair::PointProcess { x, y, window } => PairInput::PointProcess { x, y, window: *window },
        }
    }
}

/// What was loaded, for the report.
struct Loaded {
    names: (String, String),
    pair: LoadedPair,
}

pub fn run(args: MeasureArgs) -> Result<()> {
    let measure = find(&args.measure).ok_or_else(|| {
        let known: Vec<&str> = registry().iter().map(|m| m.id()).collect();
        anyhow!("unknown measure `{}` (known: {})", args.measure, known.join(", "))
    })?;
    let given = args
        .params
        .iter()
        .map(|p| {
            p.split_once('=')
                .ok_or_else(|| anyhow!("--param `{p}`: expected NAME=VALUE"))
        })
        .collect::<Result<Vec<_>>>()?;
    let params = ParamValues::parse(measure.params(), given)
        .with_context(|| format!("measure `{}`", measure.id()))?;
    let loaded = load_pair(measure, &args)?;
    let values = measure
        .compute(&loaded.pair.as_input(), &params)
        .with_context(|| format!("measure `{}`", measure.id()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report_json(measure, &params, &loaded, &values))?);
    } else {
        print!("{}", report_text(measure, &params, &loaded, &values));
    }
    Ok(())
}

/// Loads the pair from the file that matches the measure's input kind.
fn load_pair(measure: &dyn Measure, args: &MeasureArgs) -> Result<Loaded> {
    match measure.input() {
        InputKind::PointProcess => {
            let path = args.events.as_ref().ok_or_else(|| {
                anyhow!("measure `{}` reads event times: give them with --events EVENTS.csv", measure.id())
            })?;
            load_events(path, args.pair.as_deref(), args.window.as_deref())
        }
        other => bail!(
            "measure `{}` reads {} input; `sesame measure` runs it from a signal file, \
             not from --events",
            measure.id(),
            input_name(other)
        ),
    }
}

/// Parses `T0:T1` (seconds).
fn parse_window(text: &str) -> Result<(f64, f64)> {
    let (a, b) = text
        .split_once(':')
        .ok_or_else(|| anyhow!("--window `{text}`: expected T0:T1 in seconds"))?;
    let num = |s: &str| -> Result<f64> {
        let v: f64 = s
            .trim()
            .parse()
            .map_err(|_| anyhow!("--window `{text}`: `{}` is not a number", s.trim()))?;
        if !v.is_finite() {
            bail!("--window `{text}`: `{}` is not a finite number", s.trim());
        }
        Ok(v)
    };
    let (t0, t1) = (num(a)?, num(b)?);
    if t0 >= t1 {
        bail!("--window `{text}`: the start must be before the end");
    }
    Ok((t0, t1))
}

/// The two signals of the pair: `--pair A,B`, or the only two of the file.
fn choose_pair<'t>(table: &'t EventTable, pair: Option<&str>, origin: &str) -> Result<(&'t str, &'t str)> {
    let names = table.names();
    let lookup = |name: &str| -> Result<&'t str> {
        table
            .signals
            .iter()
            .find(|(n, _)| n == name.trim())
            .or_else(|| table.signals.iter().find(|(n, _)| n.eq_ignore_ascii_case(name.trim())))
            .map(|(n, _)| n.as_str())
            .ok_or_else(|| anyhow!("--pair: no signal `{}` in {origin} (signals: {})", name.trim(), names.join(", ")))
    };
    match pair {
        Some(p) => {
            let (a, b) = p.split_once(',').ok_or_else(|| anyhow!("--pair `{p}`: expected A,B"))?;
            Ok((lookup(a)?, lookup(b)?))
        }
        None if names.len() == 2 => Ok((names[0], names[1])),
        None => bail!(
            "{origin} holds {} signal(s) ({}); a measure needs exactly two: choose them with --pair A,B",
            names.len(),
            names.join(", ")
        ),
    }
}

fn load_events(path: &std::path::Path, pair: Option<&str>, window: Option<&str>) -> Result<Loaded> {
    let origin = path.display().to_string();
    let table = read_event_csv(path)?;
    let (a, b) = choose_pair(&table, pair, &origin)?;
    let window = match window {
        Some(w) => parse_window(w)?,
        None => {
            let (lo, hi) = table
                .span()
                .ok_or_else(|| anyhow!("{origin} holds no events; give the window with --window T0:T1"))?;
            let t0 = lo.min(0.0);
            if hi <= t0 {
                bail!("{origin}: cannot infer a window from events ending at {hi} s; give it with --window T0:T1");
            }
            (t0, hi)
        }
    };
    let pick = |name: &str| -> Vec<f64> {
        within(table.get(name).unwrap_or(&[]), window.0, window.1).to_vec()
    };
    Ok(Loaded {
        names: (a.to_string(), b.to_string()),
        pair: LoadedPair::PointProcess { x: pick(a), y: pick(b), window },
    })
}

fn report_json(measure: &dyn Measure, params: &ParamValues, loaded: &Loaded, values: &[Value]) -> serde_json::Value {
    let mut j = json!({
        "measure": measure.id(),
        "title": measure.title(),
        "pair": [loaded.names.0, loaded.names.1],
        "params": params.0,
        "values": values.iter().map(|v| (v.name.clone(), json!(v.value))).collect::<serde_json::Map<_, _>>(),
    });
    match &loaded.pair {
        LoadedPair::PointProcess { x, y, window } => {
            j["window"] = json!([window.0, window.1]);
            j["events"] = json!([x.len(), y.len()]);
        }
    }
    j
}

fn report_text(measure: &dyn Measure, params: &ParamValues, loaded: &Loaded, values: &[Value]) -> String {
    let mut out = format!("measure  {} ({})\n", measure.id(), measure.title());
    match &loaded.pair {
        LoadedPair::PointProcess { x, y, window } => {
            out.push_str(&format!(
                "pair     {} ({} events), {} ({} events)\nwindow   [{}, {}] s\n",
                loaded.names.0,
                x.len(),
                loaded.names.1,
                y.len(),
                window.0,
                window.1
            ));
        }
    }
    if !params.0.is_empty() {
        let p: Vec<String> = params.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out.push_str(&format!("params   {}\n", p.join(" ")));
    }
    for v in values {
        out.push_str(&format!("{} = {}\n", v.name, v.value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_parsing() {
        assert_eq!(parse_window("0:2.5").unwrap(), (0.0, 2.5));
        assert!(parse_window("2.5").is_err());
        assert!(parse_window("3:1").is_err());
        assert!(parse_window("a:1").unwrap_err().to_string().contains("`a`"));
    }

    #[test]
    fn pair_choice() {
        let t = sesame_core::events::parse_event_csv("a,1\nb,2\nc,3\n", "f.csv").unwrap();
        let e = choose_pair(&t, None, "f.csv").unwrap_err().to_string();
        assert!(e.contains("3 signal(s)") && e.contains("--pair"), "{e}");
        assert_eq!(choose_pair(&t, Some("C, a"), "f.csv").unwrap(), ("c", "a"));
        assert!(choose_pair(&t, Some("a,z"), "f.csv").unwrap_err().to_string().contains("no signal `z`"));
    }
}
