//! `sesame batch`, `merge` and `stats` end to end on a small BIDS dataset built here from
//! the simulator: two groups that differ in planted synchrony, plus one corrupt file.

use sesame_core::recording::{write_edf, Resolution};
use sesame_core::simulate::{
    simulate_cohort, CohortGroup, CohortSimulationOptions, SimulationOptions,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn sesame(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sesame"))
        .args(args)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env_remove("SLURM_CPUS_PER_TASK")
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Channels analysed: four electrodes of the simulator's fronto-central synchronous group.
const CHANNELS: &str = "F3,Fz,F4,C3";
/// The corrupt recording's path inside the dataset.
const CORRUPT: &str = "sub-broken01/eeg/sub-broken01_task-rest_eeg.edf";

/// A BIDS dataset: 3 controls (strong synchrony: 5 % deletions, 5 ms jitter) and 3
/// patients (70 % deletions, 30 ms jitter), 30 s each, one bad channel marked in a
/// `_channels.tsv`, and a corrupt EDF.
fn build_dataset(root: &Path) {
    let mut base = SimulationOptions {
        duration: 30.0,
        seed: 7,
        ..SimulationOptions::default()
    };
    base.groups.truncate(1);
    base.groups[0].rate = 1.0;
    let cohort = simulate_cohort(&CohortSimulationOptions {
        base,
        groups: vec![
            CohortGroup {
                name: "control".into(),
                subjects: 3,
                jitter_sd: 0.005,
                deletion_probability: 0.05,
            },
            CohortGroup {
                name: "patient".into(),
                subjects: 3,
                jitter_sd: 0.03,
                deletion_probability: 0.7,
            },
        ],
    })
    .expect("cohort");
    std::fs::write(
        root.join("dataset_description.json"),
        r#"{"Name": "simulated cohort", "BIDSVersion": "1.9.0", "DatasetType": "raw"}"#,
    )
    .expect("write");
    let mut participants = String::from("participant_id\tgroup\n");
    for s in &cohort {
        let dir = root.join(format!("sub-{}", s.id)).join("eeg");
        std::fs::create_dir_all(&dir).expect("mkdir");
        let stem = format!("sub-{}_task-rest", s.id);
        write_edf(
            &dir.join(format!("{stem}_eeg.edf")),
            &s.recording,
            Resolution::Edf16,
        )
        .expect("edf");
        participants.push_str(&format!("sub-{}\t{}\n", s.id, s.group));
    }
    // A bad channel outside the analysed set would change nothing; mark one inside it for
    // the first control, whose tables must then lack it.
    std::fs::write(
        root.join("sub-control01/eeg/sub-control01_task-rest_channels.tsv"),
        "name\ttype\tunits\tstatus\nF3\tEEG\tuV\tgood\nC3\tEEG\tuV\tbad\n",
    )
    .expect("write");
    std::fs::write(root.join("participants.tsv"), participants).expect("write");
    let bad = root.join(CORRUPT);
    std::fs::create_dir_all(bad.parent().expect("parent")).expect("mkdir");
    std::fs::write(&bad, b"0       this is not an EDF header at all").expect("write");
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Every file below `root` (relative path → bytes), except the listed top-level names.
fn tree(root: &Path, skip: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).expect("prefix").display().to_string();
            if p.is_dir() {
                stack.push(p);
            } else if !skip.contains(&rel.as_str()) {
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

fn sorted_lines(bytes: &[u8]) -> Vec<String> {
    let mut v: Vec<String> = String::from_utf8_lossy(bytes)
        .lines()
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

fn batch_args<'a>(input: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "batch",
        input,
        out,
        "--channels",
        CHANNELS,
        "--progress",
        "plain",
    ];
    v.extend_from_slice(extra);
    v
}

#[test]
fn cohort_end_to_end_threads_shards_and_stats() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("bids");
    std::fs::create_dir_all(&input).expect("mkdir");
    build_dataset(&input);
    let inp = s(&input);

    // The work list: sorted, the corrupt file included.
    let (code, list, err) = sesame(&["batch", &inp, &s(&dir.path().join("x")), "--list"]);
    assert_eq!(code, 0, "{err}");
    let names: Vec<&str> = list
        .lines()
        .map(|l| l.split('\t').next().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        [
            "sub-broken01_task-rest",
            "sub-control01_task-rest",
            "sub-control02_task-rest",
            "sub-control03_task-rest",
            "sub-patient01_task-rest",
            "sub-patient02_task-rest",
            "sub-patient03_task-rest"
        ]
    );

    // Two threads.
    let out2 = dir.path().join("out2");
    let o2 = s(&out2);
    let (code, _, err) = sesame(&batch_args(&inp, &o2, &["--threads", "2"]));
    assert_ne!(code, 0, "a corrupt file must make the run fail: {err}");
    assert!(
        err.contains("done 6, skipped 0, failed 1"),
        "summary missing: {err}"
    );
    // BIDS derivative shape.
    let desc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out2.join("dataset_description.json")).expect("description"),
    )
    .expect("json");
    assert_eq!(desc["DatasetType"], "derivative");
    assert_eq!(desc["GeneratedBy"][0]["Name"], "sesame");
    assert!(desc["GeneratedBy"][0]["Version"].is_string());
    assert!(desc["SourceDatasets"][0]["URL"]
        .as_str()
        .expect("url")
        .starts_with("file://"));
    let descriptions = std::fs::read_to_string(out2.join("descriptions.tsv")).expect("tsv");
    assert!(descriptions.starts_with("desc_id\tdescription\n"));
    assert!(descriptions.contains("\nsesbumps\t"));
    let resolved =
        std::fs::read_to_string(out2.join("config.resolved.toml")).expect("resolved config");
    let cfg = sesame_core::analysis::Config::from_toml(&resolved).expect("parses");
    assert_eq!(cfg.input.channels, ["F3", "Fz", "F4", "C3"]);
    let eeg = out2.join("sub-patient02/eeg");
    let conn = eeg.join("sub-patient02_task-rest_desc-sesbumps_conn.tsv");
    let events = eeg.join("sub-patient02_task-rest_desc-bumps_events.tsv");
    for p in [&conn, &events] {
        assert!(p.is_file(), "{} missing", p.display());
        assert!(p.with_extension("json").is_file());
    }
    let ev = std::fs::read_to_string(&events).expect("events");
    assert!(ev.starts_with("onset\tduration\tchannel\t"), "{ev}");
    assert!(ev.lines().count() > 10, "few bumps: {ev}");
    let side: serde_json::Value =
        serde_json::from_slice(&std::fs::read(conn.with_extension("json")).expect("sidecar"))
            .expect("json");
    assert_eq!(
        side["Provenance"]["input_sha256"].as_str().map(str::len),
        Some(64)
    );
    assert_eq!(
        side["Provenance"]["config_sha256"].as_str().map(str::len),
        Some(64)
    );
    assert_eq!(
        side["Provenance"]["input"],
        "sub-patient02/eeg/sub-patient02_task-rest_eeg.edf"
    );
    assert_eq!(side["Measure"], "ses-bumps");
    assert_eq!(side["Outputs"]["rho"]["Units"], "n/a");
    assert!(side["Outputs"]["rho"]["Description"].is_string());
    // The bad channel of control01 is excluded: 3 channels, 3 pairs, no C3.
    let c1 = std::fs::read_to_string(
        out2.join("sub-control01/eeg/sub-control01_task-rest_desc-sesbumps_conn.tsv"),
    )
    .expect("conn");
    assert!(!c1.contains("\tC3\t"), "{c1}");
    assert!(c1.contains("\tF3\tFz\t"), "{c1}");
    // Failures.
    let failures = std::fs::read_to_string(out2.join("failures.tsv")).expect("failures");
    let lines: Vec<&str> = failures.lines().collect();
    assert_eq!(lines[0], "file\treason");
    assert_eq!(lines.len(), 2, "{failures}");
    assert!(lines[1].starts_with(&format!("{CORRUPT}\t")), "{failures}");
    // The merged table: group column, six recordings, 3 + 5×6 pairs.
    let table = std::fs::read(out2.join("sesame_results.tsv")).expect("merged table");
    let text = String::from_utf8_lossy(&table);
    let header = text.lines().next().expect("header");
    assert_eq!(
        header,
        "recording\tsubject\tsession\tgroup\tchannel_a\tchannel_b\tmeasure\tparameter\tvalue\tunit\tn_events\tcertified"
    );
    let recs: std::collections::BTreeSet<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap_or(""))
        .collect();
    assert_eq!(recs.len(), 6);
    let rho_rows = text
        .lines()
        .filter(|l| l.contains("\tses-bumps\trho\t"))
        .count();
    assert_eq!(rho_rows, 3 + 5 * 6);
    assert!(text.lines().any(|l| l.contains("\tcontrol\t")));
    // No temporary files anywhere.
    let all = tree(&out2, &[]);
    assert!(
        all.keys().all(|k| !k.contains(".tmp-")),
        "{:?}",
        all.keys().collect::<Vec<_>>()
    );

    // One thread: identical outputs, file for file.
    let out1 = dir.path().join("out1");
    let (code, _, err) = sesame(&batch_args(&inp, &s(&out1), &["--threads", "1"]));
    assert_ne!(code, 0, "{err}");
    assert_eq!(tree(&out1, &[]), all, "1 and 2 threads differ");

    // Three shards then merge: the same table, byte for byte after sorting.
    let out3 = dir.path().join("out3");
    let o3 = s(&out3);
    let mut failed_shards = 0;
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let (code, _, err) = sesame(&batch_args(
            &inp,
            &o3,
            &["--shard", &shard, "--threads", "2"],
        ));
        if code != 0 {
            failed_shards += 1;
        }
        assert!(
            out3.join(format!("sesame_results.shard-{k}-of-3.tsv"))
                .is_file(),
            "{err}"
        );
    }
    assert_eq!(
        failed_shards, 1,
        "only the shard with the corrupt file fails"
    );
    let (code, _, err) = sesame(&["merge", &o3]);
    assert_eq!(code, 0, "{err}");
    let merged = std::fs::read(out3.join("sesame_results.tsv")).expect("merged");
    assert_eq!(sorted_lines(&merged), sorted_lines(&table));
    assert_eq!(merged, table, "merge sorts like the unsharded run");
    assert_eq!(
        std::fs::read(out3.join("failures.tsv")).expect("failures"),
        failures.as_bytes()
    );

    // Group statistics: SES rho (fraction of non-coincident bumps) differs.
    let (code, stats, err) = sesame(&["stats", &o2, "--group-by", "group", "--test", "t"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = stats.lines();
    let head: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |n: &str| head.iter().position(|h| *h == n).expect(n);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    let find = |scope: &str, a: &str, b: &str| {
        rows.iter()
            .find(|r| {
                r[col("scope")] == scope
                    && r[col("measure")] == "ses-bumps"
                    && r[col("parameter")] == "rho"
                    && r[col("channel_a")] == a
                    && r[col("channel_b")] == b
            })
            .unwrap_or_else(|| panic!("no rho row {scope} {a} {b}:\n{stats}"))
    };
    let num = |r: &Vec<&str>, c: &str| -> f64 { r[col(c)].parse().expect("number") };
    let avg = find("average", "", "");
    assert_eq!(avg[col("group_1")], "control");
    assert_eq!(avg[col("group_2")], "patient");
    assert_eq!((num(avg, "n_1"), num(avg, "n_2")), (3.0, 3.0));
    assert!(
        num(avg, "mean_1") < num(avg, "mean_2"),
        "controls must have fewer non-coincident bumps:\n{stats}"
    );
    assert!(num(avg, "p") < 0.05, "region-averaged rho p:\n{stats}");
    let pair = find("pair", "F3", "Fz");
    assert!(num(pair, "p") < 0.05, "F3–Fz rho p:\n{stats}");
    assert!(num(pair, "q") >= num(pair, "p"));
    eprintln!(
        "end-to-end test took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn interrupted_batch_resumes_to_identical_results() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("bids");
    std::fs::create_dir_all(&input).expect("mkdir");
    build_dataset(&input);
    std::fs::remove_file(input.join(CORRUPT)).expect("remove corrupt");
    let inp = s(&input);
    let out = dir.path().join("out");
    let o = s(&out);

    let mut child = Command::new(env!("CARGO_BIN_EXE_sesame"))
        .args(batch_args(&inp, &o, &["--threads", "1"]))
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let first = out.join("sub-control01/eeg/sub-control01_task-rest_desc-sesbumps_conn.json");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !first.exists() {
        assert!(Instant::now() < deadline, "no output after 120 s");
        if let Ok(Some(status)) = child.try_wait() {
            panic!("batch ended before it could be interrupted: {status}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(
        !out.join("sesame_results.tsv").exists(),
        "killed too late to test resuming"
    );

    let (code, _, err) = sesame(&batch_args(&inp, &o, &["--threads", "2"]));
    assert_eq!(code, 0, "{err}");
    let summary = err
        .lines()
        .find(|l| l.starts_with("done "))
        .unwrap_or_else(|| panic!("no summary: {err}"));
    let skipped: usize = summary
        .split("skipped ")
        .nth(1)
        .and_then(|t| t.split(',').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no summary: {err}"));
    assert!(
        skipped >= 1,
        "the finished recording must be skipped: {err}"
    );
    assert!(err.contains("failed 0"), "{err}");

    // A run that was never interrupted gives the same files.
    let fresh = dir.path().join("fresh");
    let (code, _, err) = sesame(&batch_args(&inp, &s(&fresh), &["--threads", "2"]));
    assert_eq!(code, 0, "{err}");
    let resumed = tree(&out, &[]);
    assert!(
        resumed.keys().all(|k| !k.contains(".tmp-")),
        "temporary files left: {:?}",
        resumed.keys().collect::<Vec<_>>()
    );
    assert_eq!(resumed, tree(&fresh, &[]));

    // A third run skips everything; a changed configuration reruns everything.
    let (code, _, err) = sesame(&batch_args(&inp, &o, &[]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("done 0, skipped 6, failed 0"), "{err}");

    // A table truncated at a line boundary behind an intact sidecar (a full disk, an
    // interrupted copy): merge names it and fails, resume recomputes it.
    let table = out.join("sub-control02/eeg/sub-control02_task-rest_desc-sesbumps_conn.tsv");
    let bytes = std::fs::read(&table).expect("table");
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    assert!(lines > 2, "too few rows to truncate");
    let cut = bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(lines / 2)
        .map(|(i, _)| i + 1)
        .expect("a line end");
    std::fs::write(&table, &bytes[..cut]).expect("truncate");
    let merged = std::fs::read(out.join("sesame_results.tsv")).expect("merged");
    let (code, _, err) = sesame(&["merge", &o]);
    assert_eq!(code, 2, "a truncated table must fail the merge: {err}");
    assert!(
        err.contains("sub-control02_task-rest_desc-sesbumps_conn.tsv")
            && err.contains("truncated or altered"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(out.join("sesame_results.tsv")).expect("merged"),
        merged,
        "a failed merge leaves the merged table as it was"
    );
    let (code, _, err) = sesame(&batch_args(&inp, &o, &[]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("done 1, skipped 5, failed 0"), "{err}");
    // The rerun says why.
    assert!(
        err.lines().any(|l| l.contains("done (sub-control02")
            && l.contains("recomputed: ")
            && l.contains("truncated or altered")),
        "{err}"
    );
    assert_eq!(std::fs::read(&table).expect("table"), bytes);
    let (code, _, err) = sesame(&["merge", &o]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read(out.join("sesame_results.tsv")).expect("merged"),
        merged
    );

    let (code, _, err) = sesame(&batch_args(&inp, &o, &["--threshold", "0.35"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("done 6, skipped 0"), "{err}");
}

#[test]
fn config_print_default_parses_back_and_check_names_bad_keys() {
    let (code, text, err) = sesame(&["config", "--print-default"]);
    assert_eq!(code, 0, "{err}");
    let back = sesame_core::analysis::Config::from_toml(&text).expect("parses");
    assert_eq!(back, sesame_core::analysis::Config::default());
    // Every non-blank, non-header line is a comment or a key with a comment above it.
    let lines: Vec<&str> = text.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if !l.is_empty() && !l.starts_with('#') && !l.starts_with('[') {
            assert!(
                i > 0 && lines[i - 1].starts_with('#'),
                "key without a comment: {l}"
            );
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good.toml");
    std::fs::write(&good, &text).expect("write");
    let (code, out, err) = sesame(&["config", "--check", &s(&good)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("valid"));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[bumps]\nf_maxx = 20.0\n").expect("write");
    let (code, _, err) = sesame(&["config", "--check", &s(&bad)]);
    assert_ne!(code, 0);
    assert!(err.contains("f_maxx"), "{err}");
    let bad_measure = dir.path().join("m.toml");
    std::fs::write(&bad_measure, "[measures]\nids = [\"ses-bump\"]\n").expect("write");
    let (code, _, err) = sesame(&["config", "--check", &s(&bad_measure)]);
    assert_ne!(code, 0);
    assert!(err.contains("ses-bump"), "{err}");
}

/// `sesame stats` checks every option before it writes: a pairing that does not hold
/// (a subject with two recordings in one session) fails after the Mann–Whitney table
/// could have been computed, and leaves the output folder without any file.
#[test]
fn stats_writes_nothing_when_an_option_is_bad() {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = dir.path().join("results.tsv");
    let mut text = String::from(
        "recording\tsubject\tsession\tgroup\tchannel_a\tchannel_b\tmeasure\tparameter\tvalue\tunit\tn_events\tcertified\n",
    );
    // s1 has two recordings in session `a`: no valid pairing by subject
    let recordings = [
        ("r1", "s1", "a", 0.61),
        ("r2", "s1", "a", 0.58),
        ("r3", "s1", "b", 0.42),
        ("r4", "s2", "a", 0.66),
        ("r5", "s2", "b", 0.40),
        ("r6", "s3", "a", 0.63),
        ("r7", "s3", "b", 0.45),
    ];
    for (rec, sub, ses, v) in recordings {
        for (a, b, shift) in [("F3", "Fz", 0.0), ("F3", "C3", 0.05), ("Fz", "C3", -0.03)] {
            text.push_str(&format!(
                "{rec}\t{sub}\t{ses}\tall\t{a}\t{b}\tcoh\tcoh\t{}\t\t\t\n",
                v + shift
            ));
        }
    }
    std::fs::write(&table, text).expect("write table");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("out dir");
    let cmp = out.join("cmp.tsv");
    let (t, c) = (table.to_str().expect("utf-8"), cmp.to_str().expect("utf-8"));
    let listing = || -> Vec<String> {
        std::fs::read_dir(&out)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    };

    let (code, _, err) = sesame(&[
        "stats",
        t,
        "--group-by",
        "session",
        "--paired-by",
        "subject",
        "--permutations",
        "99",
        "--out",
        c,
    ]);
    assert_ne!(code, 0, "a broken pairing must fail:\n{err}");
    assert!(err.contains("two recordings"), "says why:\n{err}");
    assert!(listing().is_empty(), "files written: {:?}", listing());

    // --paired-by without a test that uses it, and an unknown pairing column
    for extra in [
        &["--paired-by", "subject"][..],
        &["--paired-by", "site", "--permutations", "99"][..],
        &["--nbs-threshold", "2.0"][..],
    ] {
        let mut args = vec!["stats", t, "--group-by", "session", "--out", c];
        args.extend_from_slice(extra);
        let (code, _, err) = sesame(&args);
        assert_ne!(code, 0, "{extra:?} must fail:\n{err}");
        assert!(listing().is_empty(), "{extra:?} wrote {:?}", listing());
    }

    // the same table without the extra recording is a valid paired design
    let valid: String = std::fs::read_to_string(&table)
        .expect("read")
        .lines()
        .filter(|l| !l.starts_with("r2\t"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&table, valid).expect("write table");
    let (code, _, err) = sesame(&[
        "stats",
        t,
        "--group-by",
        "session",
        "--paired-by",
        "subject",
        "--permutations",
        "99",
        "--out",
        c,
    ]);
    assert_eq!(code, 0, "{err}");
    let mut files = listing();
    files.sort();
    assert_eq!(files, ["cmp.permutation.tsv", "cmp.tsv"]);
}
