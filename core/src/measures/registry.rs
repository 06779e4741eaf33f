use super::{granger, information, phase, spectral, spike_train, state_space, Measure};

/// Every measure SESAME knows, in the order `sesame measures` lists them.
/// Adding a measure: write its file, then add one line here.
static REGISTRY: &[&dyn Measure] = &[
    &super::ses::Ses1d,
    &super::ses::SesBumps,
    &super::ses_multi::SesMulti,
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
    // continuous signals: correlation and coherence (spectral.rs)
    &spectral::Pearson,
    &spectral::PearsonLagged,
    &spectral::COH,
    &spectral::MSC,
    &spectral::IMCOH,
    &spectral::COHERENCY_PHASE,
    // continuous signals: phase synchrony (phase.rs)
    &phase::PLV,
    &phase::CIPLV,
    &phase::PPC,
    &phase::PLI,
    &phase::DPLI,
    &phase::WPLI,
    &phase::WPLI2_DEBIASED,
    &phase::PLI2_UNBIASED,
    &phase::PLV_HILBERT,
    &phase::PLI_HILBERT,
    &phase::WPLI_HILBERT,
    // continuous signals: wavelet coherence and phase synchrony (wavelet.rs)
    &super::wavelet::COH_WAVELET,
    &super::wavelet::IMCOH_WAVELET,
    &super::wavelet::PLV_WAVELET,
    &super::wavelet::PLI_WAVELET,
    &super::wavelet::WPLI_WAVELET,
    // continuous signals: MVAR / Granger family (granger.rs)
    &granger::GrangerTime,
    &granger::DTF,
    &granger::PDC,
    &granger::GPDC,
    &granger::DC,
    &granger::PCOH,
    &granger::FFDTF,
    &granger::DDTF,
    // continuous signals: information and state space (information.rs, state_space.rs)
    &information::MutualInformation,
    &state_space::SyncLikelihood,
    &state_space::NonlinearInterdependence,
    &super::divergence::SpectralDivergence,
    &state_space::OMEGA,
    &state_space::GFS,
    &state_space::S_ESTIMATOR,
];

/// All registered measures.
pub fn registry() -> &'static [&'static dyn Measure] {
    REGISTRY
}

/// Short names accepted wherever a measure id is (`--measure vp,vr`, `--param vp.q=5`,
/// a configuration file): `(alias, id)`. Results always carry the full id.
pub static ALIASES: &[(&str, &str)] = &[("vp", "victor-purpura"), ("vr", "van-rossum")];

/// The measure with this id or alias (case-insensitive), if any.
pub fn find(id: &str) -> Option<&'static dyn Measure> {
    let id = id.trim();
    let id = ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(id))
        .map_or(id, |(_, full)| full);
    REGISTRY
        .iter()
        .copied()
        .find(|m| m.id().eq_ignore_ascii_case(id))
}

/// The aliases of the measure with this full id.
pub fn aliases(id: &str) -> impl Iterator<Item = &'static str> + '_ {
    ALIASES
        .iter()
        .filter(move |(_, full)| full.eq_ignore_ascii_case(id))
        .map(|(alias, _)| *alias)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_name_their_measure() {
        for (alias, full) in ALIASES {
            let m = find(alias).expect("an alias resolves");
            assert_eq!(m.id(), *full);
            assert_eq!(find(&alias.to_uppercase()).map(|m| m.id()), Some(*full));
            assert!(aliases(full).any(|a| a == *alias));
            assert!(
                REGISTRY.iter().all(|m| !m.id().eq_ignore_ascii_case(alias)),
                "alias `{alias}` shadows a measure id"
            );
        }
        assert!(find("vpx").is_none());
    }
}
