//! Fuzz target: EDF/BDF header and annotation parsing, then reading every sample of
//! whatever was accepted. Strict and lenient modes. Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame_core::recording::{parse_bytes, ReadOptions};

fuzz_target!(|data: &[u8]| {
    for lenient in [false, true] {
        let opts = ReadOptions { lenient, csv_sample_rate: None };
        if let Ok(rec) = parse_bytes(data, &opts) {
            for (i, s) in rec.signals().iter().enumerate() {
                if s.sample_rate > 0.0 {
                    let _ = rec.read_signal(i, 0.0, s.n_samples as f64 / s.sample_rate + 1.0);
                }
            }
        }
    }
});
