//! `sesame plot` end to end: every figure kind as PNG and SVG on the bundled sample
//! recording and on a small results table, and the errors a user can make.

use std::path::{Path, PathBuf};
use std::process::Command;

fn sesame(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sesame"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sample() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../sample-data/sesame-sample.edf")
        .display()
        .to_string()
}

/// A tidy cohort table: two groups of three recordings, five electrodes; group B has
/// lower ρ (stronger synchrony) on every pair.
fn write_table(dir: &Path) -> String {
    let chans = ["Fz", "Cz", "Pz", "O1", "C3"];
    let mut text = String::from(
        "recording\tchannel_a\tchannel_b\tmeasure\tparameter\tvalue\tunit\tn_events\tcertified\tsubject\tgroup\n",
    );
    for (r, group) in ["A", "A", "A", "B", "B", "B"].iter().enumerate() {
        for i in 0..chans.len() {
            for j in i + 1..chans.len() {
                let base = if *group == "A" { 0.8 } else { 0.4 };
                let rho = base - 0.03 * (i + j) as f64 + 0.01 * r as f64;
                let st = 0.01 * (1 + i + j + r) as f64;
                for (param, v) in [("rho", rho), ("st", st)] {
                    text.push_str(&format!(
                        "sub-{r:02}\t{}\t{}\tses-bumps\t{param}\t{v}\t\t40\ttrue\t{r:02}\t{group}\n",
                        chans[i], chans[j]
                    ));
                }
            }
        }
    }
    let path = dir.join("results.tsv");
    std::fs::write(&path, text).expect("write table");
    path.display().to_string()
}

/// Checks the PNG signature, the IHDR dimensions, that it decodes, and that it is not a
/// blank page.
fn check_png(path: &Path, size: (u32, u32)) {
    let bytes = std::fs::read(path).expect("png written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
    assert_eq!(&bytes[12..16], b"IHDR");
    let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let h = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    assert_eq!((w, h), size, "{}", path.display());
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("valid PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("valid PNG data");
    let pixels = &buf[..info.buffer_size()];
    let non_white = pixels
        .chunks(3)
        .filter(|p| p.iter().any(|&c| c < 200))
        .count();
    assert!(
        non_white > pixels.len() / 3 / 100,
        "{}: almost blank ({non_white} non-white pixels)",
        path.display()
    );
}

/// Checks that an SVG is a complete document holding the given texts.
fn check_svg(path: &Path, texts: &[&str]) {
    let text = std::fs::read_to_string(path).expect("svg written");
    let t = text.trim();
    assert!(
        t.starts_with("<svg") || t.starts_with("<?xml"),
        "{}",
        path.display()
    );
    assert!(t.ends_with("</svg>"), "{}", path.display());
    assert_eq!(
        t.matches("<text").count(),
        t.matches("</text>").count(),
        "unbalanced text elements"
    );
    for s in texts {
        assert!(t.contains(s), "{}: no text {s:?}", path.display());
    }
}

/// No temporary file is left next to the outputs.
fn no_temporaries(dir: &Path) {
    for e in std::fs::read_dir(dir).expect("dir") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp"), "left over: {name}");
    }
}

fn run_ok(args: &[&str]) -> String {
    let (code, out, err) = sesame(args);
    assert_eq!(code, 0, "{args:?}\nstdout: {out}\nstderr: {err}");
    out
}

#[test]
fn tfmap_png_and_svg_on_the_sample() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = sample();
    let png = dir.path().join("tf.png");
    let out = run_ok(&[
        "plot",
        "tfmap",
        &s,
        "--channel",
        "Fz",
        "--window",
        "20,30",
        "--out",
        png.to_str().unwrap(),
    ]);
    assert!(out.contains("1200×700"), "{out}");
    check_png(&png, (1200, 700));
    let svg = dir.path().join("tf.svg");
    run_ok(&[
        "plot",
        "tfmap",
        &s,
        "--channel",
        "Fz",
        "--window",
        "20:30",
        "--size",
        "900x500",
        "--out",
        svg.to_str().unwrap(),
    ]);
    check_svg(&svg, &["time (s)", "frequency (Hz)", "map value", "Fz"]);
    no_temporaries(dir.path());
}

#[test]
fn aligned_png_and_svg_on_the_sample() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = sample();
    let png = dir.path().join("al.png");
    let out = run_ok(&[
        "plot",
        "aligned",
        &s,
        "--pair",
        "Fz,Cz",
        "--window",
        "0,30",
        "--view",
        "10,20",
        "--out",
        png.to_str().unwrap(),
    ]);
    // The parameter line is printed: ρ and the pair counts.
    assert!(out.contains("ρ = ") && out.contains("pairs = "), "{out}");
    check_png(&png, (1200, 800));
    let svg = dir.path().join("al.svg");
    run_ok(&[
        "plot",
        "aligned",
        &s,
        "--pair",
        "Fz,Cz",
        "--window",
        "0,30",
        "--out",
        svg.to_str().unwrap(),
    ]);
    check_svg(
        &svg,
        &[
            "time (s)",
            "frequency (Hz)",
            "ρ = ",
            "Fz matched",
            "Cz non-coincident",
        ],
    );
}

/// A figure kind, its extra flags, the expected PNG size and texts its SVG must hold.
type FigureCase<'a> = (&'a str, &'a [&'a str], (u32, u32), &'a [&'a str]);

#[test]
fn table_figures_png_and_svg() {
    let dir = tempfile::tempdir().expect("tempdir");
    let table = write_table(dir.path());
    let cases: [FigureCase; 4] = [
        (
            "matrix",
            &[],
            (1100, 900),
            &["channel", "ρ", "Fz", "mean over 6 recordings"],
        ),
        (
            "scalp",
            &["--top", "4"],
            (1100, 900),
            &["ρ", "4 strongest pairs", "O1"],
        ),
        (
            "box",
            &[],
            (1100, 800),
            &["group", "ρ", "A (n = 3)", "B (n = 3)"],
        ),
        (
            "box",
            &["--pair", "Cz,Fz", "--points", "recordings"],
            (1100, 800),
            &["Cz–Fz", "one point per recording"],
        ),
    ];
    for (k, (kind, extra, size, texts)) in cases.iter().enumerate() {
        for ext in ["png", "svg"] {
            let out = dir.path().join(format!("{kind}{k}.{ext}"));
            let mut args = vec![
                "plot",
                kind,
                &table,
                "--measure",
                "ses-bumps",
                "--parameter",
                "rho",
                "--out",
                out.to_str().unwrap(),
            ];
            args.extend_from_slice(extra);
            run_ok(&args);
            if ext == "png" {
                check_png(&out, *size);
            } else {
                check_svg(&out, texts);
            }
        }
    }
    no_temporaries(dir.path());
}

#[test]
fn figures_are_deterministic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let table = write_table(dir.path());
    let mut images = Vec::new();
    for name in ["a.png", "b.png"] {
        let out = dir.path().join(name);
        run_ok(&[
            "plot",
            "box",
            &table,
            "--measure",
            "ses-bumps",
            "--parameter",
            "st",
            "--points",
            "pairs",
            "--out",
            out.to_str().unwrap(),
        ]);
        images.push(std::fs::read(&out).expect("png"));
    }
    assert_eq!(images[0], images[1]);
}

#[test]
fn errors_are_clear_with_exit_code_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let table = write_table(dir.path());
    let s = sample();
    let out = |name: &str| dir.path().join(name).display().to_string();
    let empty = dir.path().join("empty.tsv");
    std::fs::write(
        &empty,
        "recording\tchannel_a\tchannel_b\tmeasure\tparameter\tvalue\tunit\n",
    )
    .unwrap();
    let no_value = dir.path().join("novalue.tsv");
    std::fs::write(
        &no_value,
        "recording\tchannel_a\tchannel_b\tmeasure\tparameter\nr\tFz\tCz\tses-bumps\trho\n",
    )
    .unwrap();
    let (empty_s, no_value_s) = (empty.display().to_string(), no_value.display().to_string());
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "plot",
                "tfmap",
                &s,
                "--channel",
                "Xy9",
                "--out",
                &out("a.png"),
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            "no channel named \"Xy9\"",
        ),
        (
            vec![
                "plot",
                "aligned",
                &s,
                "--pair",
                "Fz,Xy9",
                "--window",
                "0,10",
                "--out",
                &out("b.png"),
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            "Xy9",
        ),
        (
            vec![
                "plot",
                "matrix",
                &table,
                "--measure",
                "ses-bumps",
                "--parameter",
                "rho",
                "--out",
                &out("c.bmp"),
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            "use .png or .svg",
        ),
        (
            vec![
                "plot",
                "matrix",
                &empty_s,
                "--measure",
                "ses-bumps",
                "--parameter",
                "rho",
                "--out",
                &out("d.png"),
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            "the table has no rows",
        ),
        (
            vec![
                "plot",
                "scalp",
                &no_value_s,
                "--measure",
                "ses-bumps",
                "--parameter",
                "rho",
                "--out",
                &out("e.png"),
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            "missing column `value`",
        ),
        (
            vec![
                "plot",
                "matrix",
                &table,
                "--measure",
                "coherence",
                "--parameter",
                "rho",
                "--out",
                &out("f.png"),
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            "no rows of measure `coherence` (the table has: ses-bumps)",
        ),
        (
            vec![
                "plot",
                "matrix",
                &table,
                "--measure",
                "ses-bumps",
                "--parameter",
                "nu",
                "--out",
                &out("g.png"),
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            "has no parameter `nu` (it has: rho, st)",
        ),
        (
            vec![
                "plot",
                "box",
                &table,
                "--measure",
                "ses-bumps",
                "--parameter",
                "rho",
                "--group-by",
                "site",
                "--out",
                &out("h.png"),
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            "no column `site`",
        ),
        (
            vec![
                "plot",
                "scalp",
                &table,
                "--measure",
                "ses-bumps",
                "--parameter",
                "rho",
                "--threshold",
                "0.01",
                "--out",
                &out("i.png"),
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            "no pair is ≤ 0.01",
        ),
    ];
    for (args, expected) in &cases {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, err) = sesame(&refs);
        assert_eq!(code, 2, "{refs:?}: {err}");
        assert!(
            err.contains(expected),
            "{refs:?}: expected {expected:?} in\n{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    // Nothing was written by the failed runs.
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".tsv"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn region_pairs_are_drawn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = sample();
    let svg = dir.path().join("al.svg");
    run_ok(&[
        "plot",
        "aligned",
        &s,
        "--regions",
        "default",
        "--pair",
        "frontal,posterior",
        "--window",
        "0,20",
        "--out",
        svg.to_str().unwrap(),
    ]);
    check_svg(
        &svg,
        &["frontal matched", "posterior non-coincident", "ρ = "],
    );
    // A region × region table: the matrix is labelled by region, the scalp map places
    // regions at the centroid of their electrodes.
    let regions = ["frontal", "central", "posterior"];
    let mut text =
        String::from("recording\tchannel_a\tchannel_b\tmeasure\tparameter\tvalue\tunit\n");
    for i in 0..3 {
        for j in i + 1..3 {
            text.push_str(&format!(
                "r\t{}\t{}\tses-bumps\trho\t{}\t\n",
                regions[i],
                regions[j],
                0.2 + 0.1 * (i + j) as f64
            ));
        }
    }
    let table = dir.path().join("regions.csv");
    std::fs::write(&table, text.replace('\t', ",")).unwrap();
    let table = table.display().to_string();
    for kind in ["matrix", "scalp"] {
        let out = dir.path().join(format!("{kind}.svg"));
        run_ok(&[
            "plot",
            kind,
            &table,
            "--measure",
            "ses-bumps",
            "--parameter",
            "rho",
            "--out",
            out.to_str().unwrap(),
        ]);
        check_svg(&out, &["frontal", "posterior"]);
    }
    let m = std::fs::read_to_string(dir.path().join("matrix.svg")).unwrap();
    assert!(
        m.contains(">\nregion\n<") || m.contains(">region<"),
        "no region axis"
    );
}

#[test]
fn json_tables_and_one_recording() {
    let dir = tempfile::tempdir().expect("tempdir");
    let row = |rec: &str, a: &str, b: &str, v: f64| {
        format!(
            r#"{{"recording":"{rec}","channel_a":"{a}","channel_b":"{b}","measure":"ses-bumps","parameter":"rho","value":{v},"unit":"","n_events":10,"certified":true}}"#
        )
    };
    let rows = [
        row("rec-1", "Fz", "Cz", 0.2),
        row("rec-1", "Fz", "Pz", 0.5),
        row("rec-1", "Cz", "Pz", 0.3),
        row("rec-2", "Fz", "Cz", 0.9),
    ];
    let json = format!(r#"{{"provenance":{{}},"rows":[{}]}}"#, rows.join(","));
    let table = dir.path().join("results.json");
    std::fs::write(&table, json).unwrap();
    let table = table.display().to_string();
    let out = dir.path().join("m.svg");
    run_ok(&[
        "plot",
        "matrix",
        &table,
        "--measure",
        "ses-bumps",
        "--parameter",
        "rho",
        "--recording",
        "rec-1",
        "--out",
        out.to_str().unwrap(),
    ]);
    check_svg(&out, &["rec-1", "Pz"]);
    let (code, _, err) = sesame(&[
        "plot",
        "matrix",
        &table,
        "--measure",
        "ses-bumps",
        "--parameter",
        "rho",
        "--recording",
        "rec-3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no rows of recording `rec-3` (the table has: rec-1, rec-2)"),
        "{err}"
    );
}
