//! N-signal stochastic event synchrony (SES Part III) as a plugin: all channels (or
//! regions) of the set aligned at once by integer programming ([`crate::ses::multi`]).

use super::{
    InputKind, Measure, MeasureError, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues,
    SetInput, Target, Value,
};
use crate::bumps::Bump;
use crate::ses::multi::{
    ses_multi, BumpEvent, MultiEvents, MultiInput, MultiOptions, MultiResult, WidthNormalisation,
};

/// `ses-multi`: N-signal bump SES.
pub struct SesMulti;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "kappa",
        unit: "",
        kind: ParamKind::FloatOrAuto {
            default: None,
            min: -1e6,
            max: 1e6,
        },
        doc: "Cost κ_N of opening a cluster; auto: −ln(λ̂·p_d^N) with the prior p_d (spec §4.6).",
    },
    ParamSpec {
        name: "pd_prior",
        unit: "",
        kind: ParamKind::Float {
            default: 0.2,
            min: 1e-6,
            max: 0.999,
        },
        doc: "Prior guess of the deletion probability used by the automatic κ_N.",
    },
    ParamSpec {
        name: "nu",
        unit: "",
        kind: ParamKind::Float {
            default: 2.0,
            min: 0.0,
            max: 1e6,
        },
        doc: "Prior degrees of freedom of the per-copy timing variance s.",
    },
    ParamSpec {
        name: "s0",
        unit: "s²",
        kind: ParamKind::Float {
            default: 0.01,
            min: 1e-12,
            max: 1e6,
        },
        doc: "Prior scale of the per-copy timing variance s (s²; normalised units² with a width normalisation). Also s(0)/4.",
    },
    ParamSpec {
        name: "s0_f",
        unit: "Hz²",
        kind: ParamKind::Float {
            default: 4.0,
            min: 1e-12,
            max: 1e6,
        },
        doc: "Prior scale of the per-copy frequency variance (Hz²; normalised units² with a width normalisation).",
    },
    ParamSpec {
        name: "normalisation",
        unit: "",
        kind: ParamKind::Choice {
            default: "none",
            options: &["none", "sum_of_widths", "root_sum_squares"],
        },
        doc: "Offsets absolute (none: δ in s and Hz; exact lossless candidate window) or divided by the cluster's bump widths (the pairwise default; no exact window, can be slow on dense bump sets).",
    },
    ParamSpec {
        name: "time_limit",
        unit: "s",
        kind: ParamKind::Float {
            default: 120.0,
            min: 0.001,
            max: 1e7,
        },
        doc: "Wall-clock limit of the whole alignment; exceeding it is an error, not a hang.",
    },
];

static OUTPUTS: &[OutputSpec] = &[
    OutputSpec { name: "delta_t", unit: "s", doc: "Per channel: time offset δ_i relative to the first channel (normalised with a width normalisation)." },
    OutputSpec { name: "delta_f", unit: "Hz", doc: "Per channel: frequency offset relative to the first channel (normalised with a width normalisation)." },
    OutputSpec { name: "rho_single", unit: "", doc: "Per channel: fraction of its bumps left in singleton clusters; for the set: of all bumps." },
    OutputSpec { name: "s", unit: "s²", doc: "Set: per-copy timing variance (normalised with a width normalisation)." },
    OutputSpec { name: "st", unit: "s²", doc: "Set: pairwise-equivalent timing variance 2s." },
    OutputSpec { name: "sf", unit: "Hz²", doc: "Set: per-copy frequency variance (normalised with a width normalisation)." },
    OutputSpec { name: "pd", unit: "", doc: "Set: estimated deletion probability p̂_d." },
    OutputSpec { name: "n_events", unit: "", doc: "Set: bumps of all channels." },
    OutputSpec { name: "mip_gap", unit: "", doc: "Set: largest relative optimality gap of the integer programmes (0: optimal)." },
];

fn options(p: &ParamValues) -> Result<MultiOptions, MeasureError> {
    Ok(MultiOptions {
        kappa_n: p.f64_or_auto("kappa")?,
        pd_prior: p.f64("pd_prior")?,
        nu: p.f64("nu")?,
        s0: p.f64("s0")?,
        s0_f: p.f64("s0_f")?,
        s_init: Some(p.f64("s0")?),
        s_init_f: Some(p.f64("s0_f")?),
        time_limit_s: p.f64("time_limit")?,
        normalisation: match p.text("normalisation")? {
            "sum_of_widths" => WidthNormalisation::SumOfWidths,
            "root_sum_squares" => WidthNormalisation::RootSumSquares,
            _ => WidthNormalisation::None,
        },
        ..MultiOptions::bumps()
    })
}

fn run(
    bumps: &[&[Bump]],
    window: (f64, f64),
    p: &ParamValues,
) -> Result<MultiResult, MeasureError> {
    let events: Vec<BumpEvent> = BumpEvent::from_sets(bumps);
    let input = MultiInput {
        n_signals: bumps.len(),
        events: MultiEvents::Bumps(events),
        duration: Some(window.1 - window.0).filter(|d| *d > 0.0),
    };
    ses_multi(&input, &options(p)?).map_err(|e| MeasureError::Invalid(e.to_string()))
}

fn set_values(r: &MultiResult) -> Vec<Value> {
    vec![
        Value::new("rho_single", r.rho_single),
        Value::new("s", r.s),
        Value::new("st", r.st),
        Value::new("sf", r.s_f.unwrap_or(f64::NAN)),
        Value::new("pd", r.pd_hat),
        Value::new("n_events", r.n_events as f64),
        Value::new("mip_gap", r.solver.max_gap),
    ]
}

impl Measure for SesMulti {
    fn id(&self) -> &'static str {
        "ses-multi"
    }
    fn title(&self) -> &'static str {
        "N-signal stochastic event synchrony (bumps)"
    }
    fn doc(&self) -> &'static str {
        "Aligns the bumps of all channels (or regions) at once: clusters hold at most one bump \
         per channel, found by a set-partitioning integer programme (HiGHS), alternated with MAP \
         updates of the per-channel offsets, the jitter variance and the deletion probability \
         (SES Part III). Offsets are absolute (s, Hz) by default, optionally normalised by the bump widths."
    }
    fn input(&self) -> InputKind {
        InputKind::Bumps
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn outputs(&self) -> &'static [OutputSpec] {
        OUTPUTS
    }

    /// On a pair: the N = 2 case, reported as set values.
    fn compute(&self, pair: &PairInput, params: &ParamValues) -> Result<Vec<Value>, MeasureError> {
        match pair {
            PairInput::Bumps { x, y, window } => Ok(set_values(&run(&[x, y], *window, params)?)),
            _ => Err(MeasureError::Invalid("ses-multi reads bumps".into())),
        }
    }

    fn compute_set(
        &self,
        set: &SetInput,
        params: &ParamValues,
    ) -> Result<Vec<(Target, Vec<Value>)>, MeasureError> {
        let SetInput::Bumps { bumps, window } = set else {
            return Err(MeasureError::Invalid("ses-multi reads bumps".into()));
        };
        let slices: Vec<&[Bump]> = bumps.iter().map(Vec::as_slice).collect();
        let r = run(&slices, *window, params)?;
        let mut out: Vec<(Target, Vec<Value>)> = (0..r.n_signals)
            .map(|i| {
                let mut v = vec![
                    Value::new("delta_t", r.delta[i]),
                    Value::new("rho_single", r.rho_single_per_signal[i]),
                ];
                if let Some(df) = &r.delta_f {
                    v.push(Value::new("delta_f", df[i]));
                }
                (Target::Channel(i), v)
            })
            .collect();
        out.push((Target::Set, set_values(&r)));
        Ok(out)
    }
}
