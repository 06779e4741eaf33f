//! Stochastic event synchrony (SES): 1-D point processes (Part I), bumps (Part II)
//! and N > 2 signals (Part III).
pub mod multi;
