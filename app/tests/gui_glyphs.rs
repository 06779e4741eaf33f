//! Every character the GUI writes is in the fonts bundled with egui: text from the
//! GUI's string literals, and the measure, parameter and output descriptions of the
//! registry that the views show as hover text (passed through
//! [`displayable`], as the views do). A character missing from the fonts is drawn as
//! an empty box.

use sesame::gui::glyphs::displayable;
use sesame_core::measures::registry;
use std::collections::BTreeSet;

/// The GUI's sources, read at build time.
const SOURCES: &[(&str, &str)] = &[
    ("aligned.rs", include_str!("../src/gui/aligned.rs")),
    ("analysis.rs", include_str!("../src/gui/analysis.rs")),
    ("app.rs", include_str!("../src/gui/app.rs")),
    ("browser.rs", include_str!("../src/gui/browser.rs")),
    ("command.rs", include_str!("../src/gui/command.rs")),
    ("dialog.rs", include_str!("../src/gui/dialog.rs")),
    ("display.rs", include_str!("../src/gui/display.rs")),
    ("document.rs", include_str!("../src/gui/document.rs")),
    ("export.rs", include_str!("../src/gui/export.rs")),
    ("help.rs", include_str!("../src/gui/help.rs")),
    ("info.rs", include_str!("../src/gui/info.rs")),
    ("jobs.rs", include_str!("../src/gui/jobs.rs")),
    ("matrix.rs", include_str!("../src/gui/matrix.rs")),
    ("mod.rs", include_str!("../src/gui/mod.rs")),
    ("montage.rs", include_str!("../src/gui/montage.rs")),
    ("open.rs", include_str!("../src/gui/open.rs")),
    ("pyramid.rs", include_str!("../src/gui/pyramid.rs")),
    ("results.rs", include_str!("../src/gui/results.rs")),
    ("scalp.rs", include_str!("../src/gui/scalp.rs")),
    ("settings.rs", include_str!("../src/gui/settings.rs")),
    ("tfmap.rs", include_str!("../src/gui/tfmap.rs")),
    ("timeline.rs", include_str!("../src/gui/timeline.rs")),
];

/// The contents of the string literals of Rust source `src` (comments, char literals
/// and lifetimes skipped; escapes kept as written, which are ASCII).
fn string_literals(src: &str) -> Vec<String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\'' => {
                // A char literal ('x', '\n', '"') is skipped whole; a lifetime is one
                // quote.
                if chars.get(i + 1) == Some(&'\\') {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        s.push(chars[i]);
                        i += 1;
                    }
                    if let Some(&c) = chars.get(i) {
                        s.push(c);
                    }
                    i += 1;
                }
                i += 1;
                out.push(s);
            }
            _ => i += 1,
        }
    }
    out
}

#[test]
fn the_literal_scanner_finds_strings_only() {
    let src = "// “comment” \n let c = '\"'; let s = \"a ≤ b\"; fn f<'a>() {} let t = \"x\\\"ρ\";";
    assert_eq!(string_literals(src), ["a ≤ b", "x\\\"ρ"]);
}

#[test]
fn every_character_the_gui_writes_is_in_the_bundled_fonts() {
    let mut texts: Vec<(String, String)> = Vec::new();
    for (file, src) in SOURCES {
        for s in string_literals(src) {
            texts.push((file.to_string(), s));
        }
    }
    for m in registry() {
        texts.push((m.id().to_string(), m.title().to_string()));
        texts.push((m.id().to_string(), displayable(m.doc()).into_owned()));
        for p in m.params() {
            let doc = displayable(p.doc).into_owned();
            texts.push((format!("{}.{}", m.id(), p.name), doc));
        }
        for o in m.outputs() {
            let doc = displayable(o.doc).into_owned();
            texts.push((format!("{} output {}", m.id(), o.name), doc));
        }
    }
    assert!(
        texts.iter().any(|(_, t)| t.contains('ρ')),
        "the scan sees the GUI's text"
    );
    let ctx = egui::Context::default();
    let mut out = ctx.run_ui(Default::default(), |_| {});
    out.textures_delta.clear();
    let mut missing: BTreeSet<(char, String)> = BTreeSet::new();
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        let font = egui::FontId::new(12.0, family);
        ctx.fonts_mut(|f| {
            assert!(
                !f.has_glyph(&font, '\u{10FFFD}'),
                "the probe tells a missing glyph"
            );
            for (from, text) in &texts {
                for c in text.chars().filter(|c| !c.is_ascii()) {
                    if !f.has_glyph(&font, c) {
                        missing.insert((c, from.clone()));
                    }
                }
            }
        });
    }
    assert!(
        missing.is_empty(),
        "characters not in the bundled fonts: {:?}",
        missing
            .iter()
            .map(|(c, from)| format!("{c:?} U+{:04X} in {from}", *c as u32))
            .collect::<Vec<_>>()
    );
}
