//! Time-frequency maps: complex Morlet wavelet transform by FFT convolution and the
//! z-score normalisation of the bump pipeline.
