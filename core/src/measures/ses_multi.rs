//! N-signal stochastic event synchrony (SES Part III) as a plugin: all channels (or
//! regions) of the set aligned at once by integer programming ([`crate::ses::multi`]).

use super::{
    InputKind, Measure, MeasureError, OutputSpec, PairInput, ParamKind, ParamSpec, ParamValues,
    SetInput, Target, Value,
};
use crate::bumps::Bump;
use crate::measures::Direction;
use crate::ses::multi::{
    ses_multi, BumpEvent, MultiEvents, MultiInput, MultiOptions, MultiResult, PdPrior,
    WidthNormalisation,
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
        doc: "Cost κ_N of opening a cluster; auto: −ln(λ̂·p_d^N) with the prior p_d (docs/model.md §4.6).",
    },
    ParamSpec {
        name: "pd_prior",
        unit: "",
        kind: ParamKind::FloatOrAuto {
            default: None,
            min: 1e-6,
            max: 0.999,
        },
        doc: "Deletion probability used by the automatic κ_N; auto: estimated once from the chance-corrected rate of bump coincidences within two prior SDs (the spec's fixed guess is 0.2).",
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
        doc: "Prior scale of the per-copy timing variance s (s²; normalised units² with a width normalisation). Also the starting value of s: this measure starts the alternation at s0 (the library's `MultiOptions` default start is 4·s0).",
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
        name: "s_max",
        unit: "s²",
        kind: ParamKind::FloatOrAuto {
            default: None,
            min: 1e-12,
            max: 1e6,
        },
        doc: "Upper bound on the per-copy timing variance s (s²; auto: 4·s0 — 0.04 s², jitter ≤ 0.2 s, by default): the prior on s is truncated there, which also bounds the candidate window. Must be ≥ s0.",
    },
    ParamSpec {
        name: "s_max_f",
        unit: "Hz²",
        kind: ParamKind::FloatOrAuto {
            default: None,
            min: 1e-12,
            max: 1e6,
        },
        doc: "Upper bound on the per-copy frequency variance (Hz²; auto: 4·s0_f — 16 Hz², jitter ≤ 4 Hz, by default). Must be ≥ s0_f.",
    },
    ParamSpec {
        name: "max_programme_events",
        unit: "",
        kind: ParamKind::Int {
            default: 2000,
            min: 1,
            max: 1_000_000_000,
        },
        doc: "Largest block of chained bumps solved as one integer programme; larger blocks are solved in overlapping time windows of this many bumps (reported, with a certified bound on the loss).",
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
    OutputSpec { name: "delta_t", unit: "s", doc: "Per channel: time offset δ_i relative to the first channel (normalised with a width normalisation).", direction: Direction::Neither },
    OutputSpec { name: "delta_f", unit: "Hz", doc: "Per channel: frequency offset relative to the first channel (normalised with a width normalisation).", direction: Direction::Neither },
    OutputSpec { name: "rho_single", unit: "", doc: "Per channel: fraction of its bumps left in singleton clusters; for the set: of all bumps.", direction: Direction::Lower },
    OutputSpec { name: "s", unit: "s²", doc: "Set: per-copy timing variance (normalised with a width normalisation).", direction: Direction::Neither },
    OutputSpec { name: "st", unit: "s²", doc: "Set: pairwise-equivalent timing variance 2s.", direction: Direction::Neither },
    OutputSpec { name: "sf", unit: "Hz²", doc: "Set: per-copy frequency variance (normalised with a width normalisation).", direction: Direction::Neither },
    OutputSpec { name: "pd", unit: "", doc: "Set: estimated deletion probability p̂_d.", direction: Direction::Neither },
    OutputSpec { name: "n_events", unit: "", doc: "Set: bumps of all channels.", direction: Direction::Neither },
    OutputSpec { name: "mip_gap", unit: "", doc: "Set: largest relative optimality gap of the integer programmes (0: optimal).", direction: Direction::Neither },
    OutputSpec { name: "components", unit: "", doc: "Set: independent programmes (connected blocks of chained bumps) of the final alignment.", direction: Direction::Neither },
    OutputSpec { name: "largest_component", unit: "", doc: "Set: bumps in the largest of them.", direction: Direction::Neither },
    OutputSpec { name: "windows", unit: "", doc: "Set: overlapping time windows solved for blocks larger than max_programme_events (0: every block solved as one programme).", direction: Direction::Neither },
    OutputSpec { name: "window_gap", unit: "", doc: "Set: certified bound on the relative loss of the windowed solve (0: none or proven optimal).", direction: Direction::Neither },
];

fn options(p: &ParamValues) -> Result<MultiOptions, MeasureError> {
    Ok(MultiOptions {
        kappa_n: p.f64_or_auto("kappa")?,
        pd_prior: match p.f64_or_auto("pd_prior")? {
            Some(v) => PdPrior::Fixed(v),
            None => PdPrior::Coincidences,
        },
        nu: p.f64("nu")?,
        s0: p.f64("s0")?,
        s0_f: p.f64("s0_f")?,
        s_init: Some(p.f64("s0")?),
        s_init_f: Some(p.f64("s0_f")?),
        time_limit_s: p.f64("time_limit")?,
        s_max: Some(p.f64_or_auto("s_max")?.unwrap_or(4.0 * p.f64("s0")?)),
        s_max_f: Some(p.f64_or_auto("s_max_f")?.unwrap_or(4.0 * p.f64("s0_f")?)),
        max_programme_events: usize::try_from(p.int("max_programme_events")?)
            .map_err(|e| MeasureError::Invalid(format!("max_programme_events: {e}")))?,
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
        Value::new("components", r.solver.components as f64),
        Value::new("largest_component", r.solver.largest_component as f64),
        Value::new("windows", r.solver.windows as f64),
        Value::new("window_gap", r.solver.window_gap),
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
