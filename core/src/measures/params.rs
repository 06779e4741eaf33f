use super::MeasureError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The type, default and range of a parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// A real number in `[min, max]`.
    Float {
        /// Value when the parameter is not given, in the parameter's unit.
        default: f64,
        /// Smallest accepted value (inclusive).
        min: f64,
        /// Largest accepted value (inclusive).
        max: f64,
    },
    /// An integer in `[min, max]`.
    Int {
        /// Value when the parameter is not given.
        default: i64,
        /// Smallest accepted value (inclusive).
        min: i64,
        /// Largest accepted value (inclusive).
        max: i64,
    },
    /// A real number in `[min, max]`, or the word `auto` (an adaptive choice, e.g.
    /// the adaptive τ of event synchronization). `default: None` means `auto`.
    FloatOrAuto {
        /// Value when the parameter is not given (`None`: `auto`).
        default: Option<f64>,
        /// Smallest accepted number (inclusive).
        min: f64,
        /// Largest accepted number (inclusive).
        max: f64,
    },
    /// One of a fixed set of words.
    Choice {
        /// Word used when the parameter is not given; one of `options`.
        default: &'static str,
        /// The accepted words (matched without regard to case).
        options: &'static [&'static str],
    },
    /// A flag: `true`/`yes`/`1`/`on` or `false`/`no`/`0`/`off`.
    Bool {
        /// Value when the parameter is not given.
        default: bool,
    },
}

/// One parameter of a measure: drives `--param name=value`, `sesame measures` and the
/// GUI's widgets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// Name, as given on the command line (`--param name=value`) and in configs.
    pub name: &'static str,
    /// Unit (`s`, `1/s`, `Hz`…), `""` when dimensionless.
    pub unit: &'static str,
    /// Type, default and accepted range.
    pub kind: ParamKind,
    /// One line: what the parameter does, read by `sesame measures` and the GUI.
    pub doc: &'static str,
}

/// A parameter's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A flag.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A real number, in the parameter's unit.
    Float(f64),
    /// A word: a choice, or `auto`.
    Text(String),
}

impl std::fmt::Display for ParamValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Text(s) => f.write_str(s),
        }
    }
}

impl ParamSpec {
    /// The default value.
    pub fn default_value(&self) -> ParamValue {
        match self.kind {
            ParamKind::Float { default, .. } => ParamValue::Float(default),
            ParamKind::Int { default, .. } => ParamValue::Int(default),
            ParamKind::FloatOrAuto {
                default: Some(d), ..
            } => ParamValue::Float(d),
            ParamKind::FloatOrAuto { default: None, .. } => ParamValue::Text("auto".into()),
            ParamKind::Choice { default, .. } => ParamValue::Text(default.into()),
            ParamKind::Bool { default } => ParamValue::Bool(default),
        }
    }

    /// Parses and range-checks a value given as text (`--param q=10`).
    pub fn parse(&self, text: &str) -> Result<ParamValue, MeasureError> {
        let err = |reason: String| MeasureError::Param {
            name: self.name.into(),
            reason,
        };
        let t = text.trim();
        match self.kind {
            ParamKind::Float { min, max, .. } => {
                let v: f64 = t
                    .parse()
                    .map_err(|_| err(format!("`{t}` is not a number")))?;
                check_range(v, min, max).map_err(err)?;
                Ok(ParamValue::Float(v))
            }
            ParamKind::Int { min, max, .. } => {
                let v: i64 = t
                    .parse()
                    .map_err(|_| err(format!("`{t}` is not an integer")))?;
                if v < min || v > max {
                    return Err(err(format!("{v} is outside [{min}, {max}]")));
                }
                Ok(ParamValue::Int(v))
            }
            ParamKind::FloatOrAuto { min, max, .. } => {
                if t.eq_ignore_ascii_case("auto") || t.eq_ignore_ascii_case("adaptive") {
                    return Ok(ParamValue::Text("auto".into()));
                }
                let v: f64 = t
                    .parse()
                    .map_err(|_| err(format!("`{t}` is neither a number nor `auto`")))?;
                check_range(v, min, max).map_err(err)?;
                Ok(ParamValue::Float(v))
            }
            ParamKind::Choice { options, .. } => options
                .iter()
                .find(|o| o.eq_ignore_ascii_case(t))
                .map(|o| ParamValue::Text((*o).into()))
                .ok_or_else(|| err(format!("`{t}` is not one of {}", options.join(", ")))),
            ParamKind::Bool { .. } => match t.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" | "on" => Ok(ParamValue::Bool(true)),
                "false" | "no" | "0" | "off" => Ok(ParamValue::Bool(false)),
                _ => Err(err(format!("`{t}` is not true or false"))),
            },
        }
    }
}

fn check_range(v: f64, min: f64, max: f64) -> Result<(), String> {
    if !v.is_finite() {
        return Err(format!("{v} is not a finite number"));
    }
    if v < min || v > max {
        return Err(format!("{v} is outside [{min}, {max}]"));
    }
    Ok(())
}

/// The parameter values of one measure: every parameter of its specs, given or default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ParamValues(pub BTreeMap<String, ParamValue>);

impl ParamValues {
    /// Defaults for every parameter of `specs`.
    pub fn defaults(specs: &[ParamSpec]) -> Self {
        ParamValues(
            specs
                .iter()
                .map(|s| (s.name.to_string(), s.default_value()))
                .collect(),
        )
    }

    /// Defaults overridden by `name=value` pairs; unknown names are an error.
    pub fn parse<'s>(
        specs: &[ParamSpec],
        given: impl IntoIterator<Item = (&'s str, &'s str)>,
    ) -> Result<Self, MeasureError> {
        let mut out = Self::defaults(specs);
        for (name, text) in given {
            let spec = specs
                .iter()
                .find(|s| s.name == name.trim())
                .ok_or_else(|| MeasureError::Param {
                    name: name.into(),
                    reason: format!(
                        "unknown parameter (known: {})",
                        specs.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
                    ),
                })?;
            out.0.insert(spec.name.to_string(), spec.parse(text)?);
        }
        Ok(out)
    }

    /// A real-valued parameter (an integer is widened).
    pub fn f64(&self, name: &str) -> Result<f64, MeasureError> {
        match self.0.get(name) {
            Some(ParamValue::Float(x)) => Ok(*x),
            Some(ParamValue::Int(i)) => Ok(*i as f64),
            other => Err(MeasureError::Param {
                name: name.into(),
                reason: format!("expected a number, got {other:?}"),
            }),
        }
    }

    /// A real-valued parameter that may be `auto` (`None`).
    pub fn f64_or_auto(&self, name: &str) -> Result<Option<f64>, MeasureError> {
        match self.0.get(name) {
            Some(ParamValue::Text(t)) if t == "auto" => Ok(None),
            _ => self.f64(name).map(Some),
        }
    }

    /// An integer parameter; an error if it is missing or not an integer.
    pub fn int(&self, name: &str) -> Result<i64, MeasureError> {
        match self.0.get(name) {
            Some(ParamValue::Int(i)) => Ok(*i),
            other => Err(MeasureError::Param {
                name: name.into(),
                reason: format!("expected an integer, got {other:?}"),
            }),
        }
    }

    /// A word parameter (a choice, or `auto`); an error if it is missing or not a word.
    pub fn text(&self, name: &str) -> Result<&str, MeasureError> {
        match self.0.get(name) {
            Some(ParamValue::Text(t)) => Ok(t),
            other => Err(MeasureError::Param {
                name: name.into(),
                reason: format!("expected a word, got {other:?}"),
            }),
        }
    }

    /// A flag; an error if it is missing or not a flag.
    pub fn bool(&self, name: &str) -> Result<bool, MeasureError> {
        match self.0.get(name) {
            Some(ParamValue::Bool(b)) => Ok(*b),
            other => Err(MeasureError::Param {
                name: name.into(),
                reason: format!("expected true or false, got {other:?}"),
            }),
        }
    }
}
