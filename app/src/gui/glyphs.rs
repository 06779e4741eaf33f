//! Text from outside the GUI (the measure registry's descriptions) made drawable with
//! the fonts bundled with egui, which lack some mathematical signs: those are written
//! out in ASCII instead of being drawn as empty boxes.

use std::borrow::Cow;

/// Signs the bundled fonts lack, and what is drawn instead. Sequences come before the
/// single characters they contain.
const REPLACEMENTS: &[(&str, &str)] = &[
    ("⁻¹", "^-1"),
    ("⁻", "^-"),
    ("ᵀ", "^T"),
    ("ᴴ", "^H"),
    ("⟨", "<"),
    ("⟩", ">"),
    ("‖", "||"),
    ("↔", "<->"),
    ("→", "->"),
    ("∈", "in"),
    // Combining marks over the previous letter: a hat (an estimate) and a bar (a mean).
    ("\u{302}", "^"),
    ("\u{304}", "\u{af}"),
];

/// `text` with the signs the bundled fonts lack replaced (see `REPLACEMENTS`);
/// borrowed unchanged when there are none.
pub fn displayable(text: &str) -> Cow<'_, str> {
    if !REPLACEMENTS.iter().any(|(from, _)| text.contains(from)) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for (from, to) in REPLACEMENTS {
        if out.contains(from) {
            out = out.replace(from, to);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_signs_are_written_out() {
        assert!(matches!(displayable("ρ ≤ 0.5 − x"), Cow::Borrowed(_)));
        assert_eq!(displayable("D = S⁻¹, j → i"), "D = S^-1, j -> i");
        assert_eq!(displayable("β = p\u{302}_d"), "β = p^_d");
        assert_eq!(displayable("⟨x⟩ ‖ y"), "<x> || y");
    }
}
