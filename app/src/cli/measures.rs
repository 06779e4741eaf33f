//! `sesame measures`: every registered synchrony measure with its input, parameters
//! (name, unit, default, range, meaning) and outputs.

use anyhow::Result;
use serde_json::{json, Value as Json};
use sesame_core::measures::{registry, Direction, InputKind, Measure, ParamKind, ParamSpec};

/// List the synchrony measures and their parameters.
#[derive(Debug, clap::Args)]
pub struct MeasuresArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: MeasuresArgs) -> Result<()> {
    if args.json {
        let list: Vec<Json> = registry().iter().map(|m| measure_json(*m)).collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        print!("{}", table(registry()));
    }
    Ok(())
}

/// The input kind as written in listings.
pub fn input_name(kind: InputKind) -> &'static str {
    match kind {
        InputKind::PointProcess => "point process",
        InputKind::Bumps => "bumps",
        InputKind::Continuous => "continuous",
    }
}

/// Default and range of a parameter, as text (`default 10, range [0, 1e9]`).
fn default_and_range(p: &ParamSpec) -> (String, String) {
    match p.kind {
        ParamKind::Float { default, min, max } => {
            (fmt(default), format!("[{}, {}]", fmt(min), fmt(max)))
        }
        ParamKind::Int { default, min, max } => (default.to_string(), format!("[{min}, {max}]")),
        ParamKind::FloatOrAuto { default, min, max } => (
            default.map_or("auto".to_string(), fmt),
            format!("auto or [{}, {}]", fmt(min), fmt(max)),
        ),
        ParamKind::Choice { default, options } => (default.to_string(), options.join(" | ")),
        ParamKind::Bool { default } => (default.to_string(), "true | false".to_string()),
    }
}

fn fmt(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e6 || x.abs() < 1e-4) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// The human-readable listing.
pub fn table(measures: &[&dyn Measure]) -> String {
    let mut out = String::new();
    let w_id = measures.iter().map(|m| m.id().len()).max().unwrap_or(0);
    let w_title = measures
        .iter()
        .map(|m| m.title().chars().count())
        .max()
        .unwrap_or(0);
    out.push_str(&format!("{:<w_id$}  {:<w_title$}  INPUT\n", "ID", "TITLE"));
    for m in measures {
        let title_pad = w_title.saturating_sub(m.title().chars().count());
        out.push_str(&format!(
            "{:<w_id$}  {}{}  {}{}\n",
            m.id(),
            m.title(),
            " ".repeat(title_pad),
            input_name(m.input()),
            if m.directed() { " (directed)" } else { "" }
        ));
        let aliases: Vec<&str> = sesame_core::measures::aliases(m.id()).collect();
        if !aliases.is_empty() {
            out.push_str(&format!("    alias  {}\n", aliases.join(", ")));
        }
        for p in m.params() {
            let (default, range) = default_and_range(p);
            let unit = if p.unit.is_empty() {
                String::new()
            } else {
                format!(" [{}]", p.unit)
            };
            out.push_str(&format!(
                "    param  {}{unit}  default {default}, range {range}\n           {}\n",
                p.name, p.doc
            ));
        }
        for o in m.outputs() {
            let unit = if o.unit.is_empty() {
                String::new()
            } else {
                format!(" [{}]", o.unit)
            };
            let side = match direction_name(o.direction) {
                "" => String::new(),
                d => format!(" (tested: {d})"),
            };
            out.push_str(&format!("    output {}{unit}  {}{side}\n", o.name, o.doc));
        }
        let family: Vec<&str> = m.surrogate_methods().iter().map(|s| s.name()).collect();
        out.push_str(&format!("    surrogates  {}\n", family.join(", ")));
    }
    out
}

/// Which values a surrogate test counts as more synchronous, in words (`""`: untested).
fn direction_name(d: Direction) -> &'static str {
    match d {
        Direction::Higher => "higher is more synchronous",
        Direction::Lower => "lower is more synchronous",
        Direction::TwoSided => "larger magnitude is more synchronous",
        Direction::Neither => "",
    }
}

/// One measure as JSON.
pub fn measure_json(m: &dyn Measure) -> Json {
    let params: Vec<Json> = m
        .params()
        .iter()
        .map(|p| {
            let mut j = json!({ "name": p.name, "unit": p.unit, "doc": p.doc });
            let o = j
                .as_object_mut()
                .expect("json! of an object literal is an object");
            match p.kind {
                ParamKind::Float { default, min, max } => {
                    o.insert("type".into(), json!("float"));
                    o.insert("default".into(), json!(default));
                    o.insert("min".into(), json!(min));
                    o.insert("max".into(), json!(max));
                }
                ParamKind::Int { default, min, max } => {
                    o.insert("type".into(), json!("int"));
                    o.insert("default".into(), json!(default));
                    o.insert("min".into(), json!(min));
                    o.insert("max".into(), json!(max));
                }
                ParamKind::FloatOrAuto { default, min, max } => {
                    o.insert("type".into(), json!("float-or-auto"));
                    o.insert(
                        "default".into(),
                        default.map_or(json!("auto"), |d| json!(d)),
                    );
                    o.insert("min".into(), json!(min));
                    o.insert("max".into(), json!(max));
                }
                ParamKind::Choice { default, options } => {
                    o.insert("type".into(), json!("choice"));
                    o.insert("default".into(), json!(default));
                    o.insert("options".into(), json!(options));
                }
                ParamKind::Bool { default } => {
                    o.insert("type".into(), json!("bool"));
                    o.insert("default".into(), json!(default));
                }
            }
            j
        })
        .collect();
    let outputs: Vec<Json> = m
        .outputs()
        .iter()
        .map(|o| {
            let tested = match o.direction {
                Direction::Higher => json!("higher"),
                Direction::Lower => json!("lower"),
                Direction::TwoSided => json!("magnitude"),
                Direction::Neither => Json::Null,
            };
            json!({ "name": o.name, "unit": o.unit, "doc": o.doc, "more_synchronous": tested })
        })
        .collect();
    let surrogates: Vec<&str> = m.surrogate_methods().iter().map(|s| s.name()).collect();
    json!({
        "id": m.id(),
        "title": m.title(),
        "input": input_name(m.input()),
        "directed": m.directed(),
        "doc": m.doc(),
        "params": params,
        "outputs": outputs,
        "surrogates": surrogates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_every_measure_and_parameter() {
        let t = table(registry());
        for m in registry() {
            assert!(t.contains(m.id()), "{}", m.id());
            for p in m.params() {
                assert!(t.contains(p.name));
            }
        }
        assert!(
            t.contains("param  q [1/s]  default 10, range [0, 1e9]"),
            "{t}"
        );
        assert!(t.contains("default auto, range auto or [0, 1e9]"), "{t}");
    }

    #[test]
    fn json_has_units_defaults_and_ranges() {
        let vp = sesame_core::measures::find("victor-purpura").expect("registered");
        let j = measure_json(vp);
        assert_eq!(j["input"], "point process");
        assert_eq!(j["params"][0]["name"], "q");
        assert_eq!(j["params"][0]["unit"], "1/s");
        assert_eq!(j["params"][0]["default"], 10.0);
        let es = sesame_core::measures::find("event-sync").expect("registered");
        assert_eq!(measure_json(es)["params"][0]["default"], "auto");
        assert_eq!(measure_json(es)["outputs"][1]["name"], "q");
    }
}
