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

/// The measure with this id (case-insensitive), if any.
pub fn find(id: &str) -> Option<&'static dyn Measure> {
    REGISTRY
        .iter()
        .copied()
        .find(|m| m.id().eq_ignore_ascii_case(id.trim()))
}
