//! The Analysis view's parameter widgets are generated from `ParamSpec`s: each kind
//! gets its widget, edits produce values of the right type, and ranges hold.

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use sesame::gui::analysis::param_row;
use sesame_core::measures::{ParamKind, ParamSpec, ParamValue};

const SPECS: &[ParamSpec] = &[
    ParamSpec {
        name: "tau",
        unit: "s",
        kind: ParamKind::FloatOrAuto {
            default: None,
            min: 0.001,
            max: 1.0,
        },
        doc: "coincidence window",
    },
    ParamSpec {
        name: "taper",
        unit: "",
        kind: ParamKind::Choice {
            default: "hann",
            options: &["hann", "dpss", "none"],
        },
        doc: "window",
    },
    ParamSpec {
        name: "order",
        unit: "",
        kind: ParamKind::Int {
            default: 4,
            min: 1,
            max: 8,
        },
        doc: "model order",
    },
];

fn harness() -> Harness<'static, Vec<ParamValue>> {
    let values: Vec<ParamValue> = SPECS.iter().map(ParamSpec::default_value).collect();
    Harness::builder()
        .with_size(egui::vec2(500.0, 300.0))
        .build_ui_state(
            |ui, values: &mut Vec<ParamValue>| {
                egui::Grid::new("p").show(ui, |ui| {
                    for (spec, v) in SPECS.iter().zip(values.iter_mut()) {
                        param_row(ui, spec, v);
                    }
                });
            },
            values,
        )
}

#[test]
fn auto_toggles_between_the_word_and_a_number_in_range() {
    let mut h = harness();
    h.run();
    assert_eq!(h.state()[0], ParamValue::Text("auto".into()));
    h.get_by_label("auto").click();
    h.run();
    match h.state()[0] {
        ParamValue::Float(x) => assert!((0.001..=1.0).contains(&x), "{x} outside the range"),
        ref other => panic!("expected a number, got {other:?}"),
    }
    // Every produced value parses back through the spec (range-checked).
    let text = h.state()[0].to_string();
    assert!(SPECS[0].parse(&text).is_ok(), "{text}");
}

#[test]
fn choices_offer_exactly_the_spec_options() {
    let mut h = harness();
    h.run();
    h.get_by_label("taper").click();
    h.run();
    for option in ["hann", "none"] {
        h.get_by_label(option);
    }
    h.get_by_label("dpss").click();
    h.run();
    assert_eq!(h.state()[1], ParamValue::Text("dpss".into()));
    assert_eq!(
        h.state()[2],
        ParamValue::Int(4),
        "untouched parameters keep their defaults"
    );
}
