//! The aligned-bumps view shows the alignment computed from the bumps it is given:
//! planted pairs are matched, planted lone bumps are non-coincident, and the SES
//! parameters beside the plot are those of the chosen alignment.

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use sesame::gui::aligned::{self, AlignedPair, AlignedState, ChannelSet, PairAlignment};
use sesame::gui::command::{ui_alone, Command};
use sesame_core::bumps::Bump;
use sesame_core::ses::AlignmentMethod;

fn bump(t: f64, f: f64) -> Bump {
    Bump {
        t,
        f,
        dt: 0.1,
        df: 1.0,
        amplitude: 0.5,
        peak: 0.6,
    }
}

/// Five bumps of x have a partner in y 20 ms later; x's sixth and y's sixth
/// (far away in frequency) have none.
fn planted() -> AlignedPair {
    let mut x: Vec<Bump> = (1..=6).map(|k| bump(k as f64, 10.0)).collect();
    let mut y: Vec<Bump> = (1..=5).map(|k| bump(k as f64 + 0.02, 10.0)).collect();
    y.push(bump(3.5, 30.0));
    x.swap(0, 3);
    AlignedPair {
        label_x: "C3".into(),
        label_y: "C4".into(),
        x,
        y,
    }
}

/// Runs the view's computations here, as the app's jobs would, and hands their
/// output back to the view.
fn run_now(state: &mut AlignedState, commands: Vec<Command>) {
    for c in commands {
        if let Command::Background(bg) = c {
            let ticket = bg.ticket;
            state.deliver(ticket, bg.run_here());
        }
    }
}

/// Shows `pair` and computes its alignment.
fn align(state: &mut AlignedState, pair: AlignedPair) {
    let c = state.set_pair(pair);
    run_now(state, vec![c]);
}

/// Draws the view alone, its computations run at once.
fn draw(ui: &mut egui::Ui, s: &mut AlignedState) {
    let commands = ui_alone(s, ui);
    run_now(s, commands);
}

fn harness(state: AlignedState) -> Harness<'static, AlignedState> {
    Harness::builder()
        .with_size(egui::vec2(900.0, 500.0))
        .build_ui_state(draw, state)
}

#[test]
fn planted_pairs_are_matched_and_lone_bumps_marked() {
    let pair = planted();
    let mut state = AlignedState::default();
    align(&mut state, pair.clone());
    let pa = match &state.outcome {
        Some(Ok(pa)) => pa.clone(),
        other => panic!(
            "alignment did not finish: {:?}",
            other.as_ref().map(|r| r.as_ref().err())
        ),
    };
    // Planted truth: x[k] ↔ y[k-1] for the five shifted bumps (x is permuted by the swap).
    let r = &pa.max_product;
    assert_eq!(r.alignment.pairs.len(), 5);
    for &(i, j) in &r.alignment.pairs {
        assert!(
            (pair.y[j].t - pair.x[i].t - 0.02).abs() < 1e-12,
            "pair ({i}, {j}) is not planted"
        );
    }
    assert_eq!(r.alignment.unmatched_x.len(), 1);
    assert_eq!(pair.x[r.alignment.unmatched_x[0]].t, 6.0);
    assert_eq!(r.alignment.unmatched_y, vec![5]);
    assert!((r.params.rho - 2.0 / 12.0).abs() < 1e-12);
    assert!(!pa.differ());

    let mut h = harness(state);
    h.run();
    h.get_by_label_contains("C3 (6 bumps)");
    h.get_by_label_contains("C4 (6 bumps)");
    h.get_by_label("ρ = 0.1667");
    h.get_by_label("pairs = 5");
    h.get_by_label("non-coincident = 2");
    h.get_by_label("certified = yes");
    h.get_by_label_contains("alignments agree");
    assert!(
        h.query_by_label("Exact").is_none(),
        "no toggle when the alignments agree"
    );
}

#[test]
fn toggle_switches_between_differing_alignments() {
    let pair = planted();
    let mut pa =
        PairAlignment::compute(&pair.x, &pair.y, &Default::default()).expect("valid bumps");
    // Make the exact result differ (as it may when max-product falls short).
    pa.exact.alignment.pairs.pop();
    pa.exact.params.rho = 0.25;
    assert!(pa.differ());
    let mut state = AlignedState::default();
    state.pair = Some(pair);
    state.outcome = Some(Ok(pa));
    let mut h = harness(state);
    h.run();
    h.get_by_label("ρ = 0.1667");
    h.get_by_label("Exact").click();
    h.run();
    assert_eq!(h.state().method, AlignmentMethod::Exact);
    h.get_by_label("ρ = 0.2500");
    h.get_by_label("Max-product").click();
    h.run();
    h.get_by_label("ρ = 0.1667");
}

#[test]
fn invalid_bumps_give_the_error_not_a_panic() {
    let mut pair = planted();
    pair.x[0].dt = 0.0;
    let mut state = AlignedState::default();
    align(&mut state, pair);
    let mut h = harness(state);
    h.run();
    h.get_by_label_contains("Alignment failed");
    h.get_by_label_contains("width");
}

#[test]
fn plane_bounds_cover_every_ellipse() {
    let p = planted();
    let (t, f) = aligned::plane_bounds(&p.x, &p.y).expect("bumps given");
    for b in p.x.iter().chain(&p.y) {
        assert!(t[0] <= b.t - b.dt && b.t + b.dt <= t[1]);
        assert!(f[0] <= b.f - b.df && b.f + b.df <= f[1]);
    }
    assert!(aligned::plane_bounds(&[], &[]).is_none());
}

/// Three analysed channels: C3 and C4 carry the planted pair; Pz is C3 shifted by 50 ms.
fn channel_set() -> std::sync::Arc<ChannelSet> {
    let p = planted();
    let pz: Vec<Bump> = p.x.iter().map(|b| bump(b.t + 0.05, b.f)).collect();
    std::sync::Arc::new(ChannelSet {
        labels: vec!["C3".into(), "C4".into(), "Pz".into()],
        bumps: vec![p.x, p.y, pz],
    })
}

#[test]
fn the_pair_picker_aligns_any_two_channels_and_the_wheel_zooms_time() {
    let set = channel_set();
    let mut state = AlignedState::default();
    state.channels = Some(set.clone());
    align(&mut state, set.pair(0, 1).expect("two channels"));
    // Steps of 1/60 s, as on screen, so that two clicks make a double click.
    let mut h = Harness::builder()
        .with_size(egui::vec2(900.0, 500.0))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(draw, state);
    h.run();
    h.get_by_label_contains("C4 (6 bumps)");

    // Choose Pz as the second channel: its six bumps are aligned with C3's.
    h.get_by_label("Second channel of the pair").click();
    h.run();
    h.get_by_label("Pz").click();
    h.step();
    {
        let s = h.state();
        let pair = s.pair.as_ref().expect("a pair is shown");
        assert_eq!((pair.label_x.as_str(), pair.label_y.as_str()), ("C3", "Pz"));
    }
    h.run();
    h.get_by_label_contains("Pz (6 bumps)");
    h.get_by_label("pairs = 6");
    h.get_by_label("non-coincident = 0");

    // The wheel over the plane zooms the time axis; a double click shows every bump.
    assert_eq!(h.state().view_t, None);
    let plane = h.get_by_label("Aligned bumps plane").rect();
    h.hover_at(plane.center());
    h.run();
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: egui::vec2(0.0, 3.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    });
    // Wheel scrolling is smoothed over several frames: let it finish.
    for _ in 0..60 {
        h.step();
    }
    let (all_t, _) = aligned::plane_bounds(&set.bumps[0], &set.bumps[2]).expect("bumps");
    let t = h.state().view_t.expect("zoomed in");
    assert!(
        t[1] - t[0] < all_t[1] - all_t[0],
        "wheel up narrows the time range: {t:?} within {all_t:?}"
    );
    // Two clicks.
    for pressed in [true, false, true, false] {
        h.event(egui::Event::PointerButton {
            pos: plane.center(),
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.step();
    h.step();
    assert_eq!(h.state().view_t, None, "double click shows every bump");
}
