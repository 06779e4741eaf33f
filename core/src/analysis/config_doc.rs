//! The default [`Config`] as commented TOML (`sesame config --print-default`): every key
//! with its meaning, unit and default; optional keys that are absent by default appear
//! commented out with an example value. The text parses back to `Config::default()`.

use super::config::Config;

/// One documented key: name, comment (meaning, unit, default), and for optional keys that
/// are absent by default an example line shown commented out.
struct Key {
    name: &'static str,
    doc: &'static str,
    example: Option<&'static str>,
}

const fn key(name: &'static str, doc: &'static str) -> Key {
    Key {
        name,
        doc,
        example: None,
    }
}

const fn opt(name: &'static str, doc: &'static str, example: &'static str) -> Key {
    Key {
        name,
        doc,
        example: Some(example),
    }
}

struct Section {
    name: &'static str,
    doc: &'static str,
    keys: &'static [Key],
}

const SECTIONS: &[Section] = &[
    Section {
        name: "input",
        doc: "Which channels and which part of each recording.",
        keys: &[
            key(
                "channels",
                "Channels by label or 10-20 name. Default [] = every EEG channel with a 10-20/10-10 name.",
            ),
            key(
                "exclude",
                "Channels to leave out (bad channels), by label or 10-20 name. Default []. In a\n\
                 BIDS batch, channels marked status=bad in _channels.tsv are added to this list.",
            ),
            opt(
                "window",
                "Analysis window [start, end], seconds from the start of the recording.\n\
                 Default: absent = the whole recording.",
                "window = [0.0, 60.0]",
            ),
        ],
    },
    Section {
        name: "preprocess",
        doc: "Filters and reference applied before any measure.",
        keys: &[
            opt(
                "highpass",
                "High-pass cut-off, Hz (zero-phase Butterworth). Default: absent = none.",
                "highpass = 1.0",
            ),
            opt(
                "lowpass",
                "Low-pass cut-off, Hz. Default: absent = none.",
                "lowpass = 40.0",
            ),
            opt(
                "notch",
                "Mains notch, Hz (50 or 60). Default: absent = none.",
                "notch = 50.0",
            ),
            key(
                "order",
                "Butterworth prototype order of the high- and low-pass filters. Default 4.",
            ),
            opt(
                "reference",
                "New reference: \"Average\", \"LinkedEars\", { Channel = \"Cz\" } or\n\
                 { Bipolar = [[\"Fp1\", \"F3\"], …] }. Default: absent = as recorded.",
                "reference = \"Average\"",
            ),
        ],
    },
    Section {
        name: "bumps",
        doc: "Time-frequency map and bump extraction (docs/model.md §5).",
        keys: &[
            key("f_min", "Lowest frequency of the analysis band, Hz. Default 4."),
            key("f_max", "Highest frequency of the analysis band, Hz. Default 30."),
            key("f_step", "Frequency step of the map, Hz. Default 1."),
            key(
                "f_over_sigma_f",
                "Morlet wavelet ratio f/σ_f (dimensionless). Default 7.",
            ),
            key(
                "offset",
                "Offset added to the z-score (dimensionless): +1 bursts, −1 desynchronisation.\n\
                 Default 1.",
            ),
            key(
                "reference",
                "Reference period of the z-score: \"Signal\" (the analysed signal) or\n\
                 { Window = { start = 0.0, end = 10.0 } } (seconds). Default \"Signal\".",
            ),
            key(
                "border_periods",
                "Border removed at each end of the map, periods of the lowest frequency. Default 3.5.",
            ),
            opt(
                "output_rate",
                "Column rate of the map, Hz. Default: absent = 2·f_max, capped at the sampling rate.",
                "output_rate = 60.0",
            ),
            opt(
                "window_periods",
                "Fitting window width, periods. Default: absent = 4 for bursts, 2 for\n\
                 desynchronisation.",
                "window_periods = 4.0",
            ),
            key(
                "extend_band",
                "Extend the computed band by half a window on each side so that windows at the\n\
                 band edges fit (bump centres stay in the band). Default true.",
            ),
            key(
                "energy_limit",
                "Stop fitting when the residual energy falls below this fraction of the initial\n\
                 energy (dimensionless, [0, 1)). Default 0.2.",
            ),
            key(
                "max_bumps",
                "Bump cap per cap_period seconds of map (count). Default 300.",
            ),
            key(
                "cap_period",
                "Map duration, s, that max_bumps applies to; longer maps get a proportional cap.\n\
                 Default 20.",
            ),
            key(
                "max_iterations",
                "Levenberg–Marquardt iteration cap per bump (count). Default 100.",
            ),
            key(
                "tolerance",
                "Levenberg–Marquardt relative cost-decrease tolerance (dimensionless). Default 1e-10.",
            ),
            key(
                "min_amplitude",
                "Prune bumps below this fraction of the map maximum (dimensionless). Analysis\n\
                 default 0.4 (the bump toolbox's is 0.05).",
            ),
            key(
                "prune_patience",
                "Stop fitting after this many consecutive bumps below min_amplitude (count):\n\
                 the rest is background that pruning removes. Default 1000; 0 = fit to the\n\
                 energy limit.",
            ),
            opt(
                "min_energy_decrease",
                "Stop after 3 consecutive bumps whose residual-energy decrease (fraction of the\n\
                 initial energy) is below this. Default: absent = off.",
                "min_energy_decrease = 0.001",
            ),
            opt(
                "keep_first",
                "Keep the first N bumps in fitting order (count). Default: absent = all.",
                "keep_first = 100",
            ),
            opt(
                "keep_first_in_time",
                "Keep the first N bumps in time order (count). Default: absent = all.",
                "keep_first_in_time = 100",
            ),
            key(
                "keep_map",
                "Keep the normalised map in memory (the analysis sets it as it needs). Default true.",
            ),
            key(
                "max_map_mb",
                "Memory above which a channel's map and bump fit are computed block by block\n\
                 (MB, estimated at 24 bytes per map pixel). Default 512.",
            ),
            key(
                "block_seconds",
                "Block length of the block-wise computation (s). Default 600.",
            ),
        ],
    },
    Section {
        name: "regions",
        doc: "Scalp regions (docs/model.md §6.2): analyse region pairs instead of channel pairs.",
        keys: &[
            key("enabled", "Analyse region pairs. Default false."),
            opt(
                "table",
                "Region table file (TOML, [[region]] name = … channels = […]).\n\
                 Default: absent = the five regions of the SES papers.",
                "table = \"regions.toml\"",
            ),
            key(
                "merge",
                "How a region's bumps are merged: \"union\" (union without near-duplicates) or\n\
                 \"average-maps\" (average the z-scored maps, then bump-model). Default \"union\".",
            ),
            key(
                "union_radius",
                "Normalised centre distance under which two bumps of a region are duplicates\n\
                 (dimensionless; union only). Default 0.5.",
            ),
        ],
    },
    Section {
        name: "events",
        doc: "What event-based measures receive from each channel or region.",
        keys: &[opt(
            "max_rate",
            "Cap on events per second per channel or region: keep the largest bumps (by amplitude)\n\
             so that units with different bump counts are comparable by rho. Default: absent = no cap.",
            "max_rate = 0.5",
        )],
    },
    Section {
        name: "measures",
        doc: "The measures to run (`sesame measures` lists them with their parameters).",
        keys: &[
            key(
                "ids",
                "Measure ids from the registry. Default [\"ses-bumps\"].",
            ),
            opt(
                "params",
                "Parameters per measure, as a table per id (units as `sesame measures` states).\n\
                 Default: none (each measure's own defaults).",
                "[measures.params.ses-bumps]\nbeta = 0.02",
            ),
        ],
    },
    Section {
        name: "significance",
        doc: "Per-pair surrogate tests of every measure's synchrony outputs (docs/statistics.md):\n\
              each tested output `o` gains o.null_mean, o.null_sd, o.p and o.q (Benjamini-Hochberg).",
        keys: &[
            key(
                "surrogates",
                "Surrogates per pair K; the smallest possible p is 1/(K+1). Default 0 = no test.",
            ),
            key(
                "method",
                "\"shift\" (circular shift, every measure), \"dither\" (Gaussian jitter of each event,\n\
                 event measures), \"epochs\" (epochs in a random cyclic order) or \"phase\" (phase\n\
                 randomisation; both continuous measures). Default \"shift\".",
            ),
            key(
                "min_shift",
                "Minimum lag of a circular shift, s (at most a quarter of the window). Default 2.",
            ),
            key("dither", "Standard deviation of the dither, s. Default 0.05."),
            key("seed", "Seed, mixed with a hash of each pair's data. Default 0."),
            key(
                "fwer",
                "Also report o.p_fwer, the max-statistic family-wise p over the pairs. Default false.",
            ),
        ],
    },
    Section {
        name: "continuous",
        doc: "How measures on continuous signals cut the window.",
        keys: &[key(
            "epoch",
            "Epoch length, s: the window is cut into consecutive epochs of this length. Default 2.",
        )],
    },
];

fn comment(out: &mut String, text: &str) {
    for line in text.lines() {
        out.push_str("# ");
        out.push_str(line.trim_start());
        out.push('\n');
    }
}

/// The default configuration as commented TOML.
pub fn commented_default() -> String {
    commented(&Config::default())
}

/// `config` as commented TOML: every key of [`Config`] with its meaning, unit and
/// default; absent optional keys commented out with an example.
pub fn commented(config: &Config) -> String {
    let value = toml::Value::try_from(config).unwrap_or(toml::Value::Table(Default::default()));
    let empty = toml::map::Map::new();
    let root = value.as_table().unwrap_or(&empty);
    let mut out = String::from(
        "# SESAME analysis configuration.\n\
         # Precedence: command-line flag > this file > built-in defaults. Every key may be\n\
         # left out (its default applies); unknown keys are an error.\n",
    );
    for s in SECTIONS {
        out.push('\n');
        comment(&mut out, s.doc);
        out.push_str(&format!("[{}]\n", s.name));
        let table = root
            .get(s.name)
            .and_then(|v| v.as_table())
            .unwrap_or(&empty);
        let mut deferred = String::new();
        for k in s.keys {
            let present = table.get(k.name);
            match (present, k.example) {
                // A sub-table (measure parameters) goes after the plain keys.
                (Some(toml::Value::Table(t)), _) if !t.is_empty() => {
                    comment(&mut deferred, k.doc);
                    for (id, params) in t {
                        deferred.push_str(&format!("[{}.{}.{}]\n", s.name, k.name, id));
                        if let Some(p) = params.as_table() {
                            for (name, v) in p {
                                deferred.push_str(&format!("{name} = {v}\n"));
                            }
                        }
                    }
                }
                (Some(toml::Value::Table(_)), Some(example)) | (None, Some(example)) => {
                    comment(&mut out, k.doc);
                    for line in example.lines() {
                        out.push_str(&format!("# {line}\n"));
                    }
                }
                (Some(v), _) => {
                    comment(&mut out, k.doc);
                    out.push_str(&format!("{} = {}\n", k.name, v));
                }
                (None, None) => {}
            }
        }
        out.push_str(&deferred);
    }
    out
}

/// Names of keys of the serialised configuration that have no documentation (empty when
/// the table above covers every field).
pub fn undocumented_keys(config: &Config) -> Vec<String> {
    let mut missing = Vec::new();
    let Ok(toml::Value::Table(root)) = toml::Value::try_from(config) else {
        return vec!["<configuration does not serialise to a table>".into()];
    };
    for (section, v) in &root {
        let Some(s) = SECTIONS.iter().find(|s| s.name == section) else {
            missing.push(section.clone());
            continue;
        };
        if let Some(t) = v.as_table() {
            for k in t.keys() {
                if !s.keys.iter().any(|d| d.name == k) {
                    missing.push(format!("{section}.{k}"));
                }
            }
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commented_default_parses_back_to_the_default() {
        let text = commented_default();
        let back = Config::from_toml(&text).unwrap();
        assert_eq!(back, Config::default());
    }

    #[test]
    fn every_key_is_documented() {
        // A configuration with every optional field set, so absent-by-default keys count.
        let mut c = Config::default();
        c.input.window = Some([0.0, 10.0]);
        c.preprocess.highpass = Some(1.0);
        c.preprocess.lowpass = Some(40.0);
        c.preprocess.notch = Some(50.0);
        c.preprocess.reference = Some(crate::signal::Reference::Average);
        c.bumps.output_rate = Some(60.0);
        c.bumps.window_periods = Some(4.0);
        c.bumps.min_energy_decrease = Some(0.001);
        c.bumps.keep_first = Some(10);
        c.bumps.keep_first_in_time = Some(10);
        c.regions.table = Some("r.toml".into());
        c.measures
            .params
            .entry("ses-bumps".into())
            .or_default()
            .insert("beta".into(), toml::Value::Float(0.02));
        assert_eq!(undocumented_keys(&c), Vec::<String>::new());
        assert!(undocumented_keys(&Config::default()).is_empty());
        // And the commented form of a non-default config parses back to it.
        let back = Config::from_toml(&commented(&c)).unwrap();
        assert_eq!(back, c);
    }
}
