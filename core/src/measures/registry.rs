use super::{spike_train, Measure};

/// Every measure SESAME knows, in the order `sesame measures` lists them.
/// Adding a measure: write its file, then add one line here.
static REGISTRY: &[&dyn Measure] = &[
    &super::ses::Ses1d,
    &super::ses::SesBumps,
    // point processes (spike_train/)
    &spike_train::VictorPurpura,
    &spike_train::VanRossum,
    &spike_train::Schreiber,
    &spike_train::HunterMilton,
    &spike_train::EventSync,
    &spike_train::IsiDistance,
    &spike_train::SpikeDistance,
    &spike_train::SpikeSync,
    &spike_train::Sttc,
];

/// All registered measures.
pub fn registry() -> &'static [&'static dyn Measure] {
    REGISTRY
}

/// The measure with this id (case-insensitive), if any.
pub fn find(id: &str) -> Option<&'static dyn Measure> {
    REGISTRY.iter().copied().find(|m| m.id().eq_ignore_ascii_case(id.trim()))
}
