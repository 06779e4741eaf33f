use super::Measure;

/// Every measure SESAME knows, in the order `sesame measures` lists them.
/// Adding a measure: write its file, then add one line here.
static REGISTRY: &[&dyn Measure] = &[
    &super::ses::Ses1d,
    &super::ses::SesBumps,
];

/// All registered measures.
pub fn registry() -> &'static [&'static dyn Measure] {
    REGISTRY
}

/// The measure with this id (case-insensitive), if any.
pub fn find(id: &str) -> Option<&'static dyn Measure> {
    REGISTRY.iter().copied().find(|m| m.id().eq_ignore_ascii_case(id.trim()))
}
