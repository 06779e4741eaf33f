//! The output folder, a BIDS derivative dataset: top-level description files, per
//! recording the bumps as events and one connectivity table per measure with a JSON
//! sidecar carrying provenance; resume detection; merged long tables.

use super::discover::WorkItem;
use super::BatchError;
use crate::analysis::provenance::{sha256_file, sha256_hex};
use crate::analysis::{config_doc, write_atomic, ChannelBumps, Config, Provenance, Row};
use crate::measures;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// File name of the merged long table of a run.
pub const RESULTS_TABLE: &str = "sesame_results.tsv";
/// File name of the failure list of an unsharded run.
pub const FAILURES_TABLE: &str = "failures.tsv";
/// File name of the resolved configuration.
pub const RESOLVED_CONFIG: &str = "config.resolved.toml";

/// One row of a batch table: a result [`Row`] with the recording's subject, session and
/// group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRow {
    /// BIDS entity string of the recording.
    pub recording: String,
    /// BIDS subject label (without `sub-`).
    pub subject: String,
    /// BIDS session label (without `ses-`), empty when none.
    pub session: String,
    /// Group of the subject (`participants.tsv` or the manifest), empty when unknown.
    pub group: String,
    /// First channel or region of the pair (source of a directed measure; `*` for a
    /// set-level value).
    pub channel_a: String,
    /// Second channel or region of the pair (target of a directed measure; empty for
    /// set-level and per-channel values).
    pub channel_b: String,
    /// Measure id from the registry (`ses-bumps`, `victor-purpura`…).
    pub measure: String,
    /// Output name of the measure (`rho`, `st`, `distance`…).
    pub parameter: String,
    /// Value in `unit` (empty: dimensionless).
    pub value: f64,
    /// Unit of `value`, empty when dimensionless.
    pub unit: String,
    /// Number of events (both sides) that entered the value, when the measure reads events.
    pub n_events: Option<u64>,
    /// For SES alignments: whether the alignment is certified optimal.
    pub certified: Option<bool>,
}

const TABLE_HEADER: [&str; 12] = [
    "recording",
    "subject",
    "session",
    "group",
    "channel_a",
    "channel_b",
    "measure",
    "parameter",
    "value",
    "unit",
    "n_events",
    "certified",
];

impl BatchRow {
    fn from_row(item: &WorkItem, r: &Row) -> BatchRow {
        BatchRow {
            recording: r.recording.clone(),
            subject: item.subject.clone(),
            session: item.session.clone(),
            group: item.group.clone(),
            channel_a: r.channel_a.clone(),
            channel_b: r.channel_b.clone(),
            measure: r.measure.clone(),
            parameter: r.parameter.clone(),
            value: r.value,
            unit: r.unit.clone(),
            n_events: r.n_events,
            certified: r.certified,
        }
    }
}

/// Sorts rows by (recording, measure, channel_a, channel_b, parameter).
pub fn sort_rows(rows: &mut [BatchRow]) {
    fn key(r: &BatchRow) -> crate::analysis::results::SortKey<'_> {
        (
            &r.recording,
            &r.measure,
            &r.channel_a,
            &r.channel_b,
            &r.parameter,
        )
    }
    rows.sort_by(|a, b| key(a).cmp(&key(b)));
}

/// Rows as TSV bytes, header first (also when there are no rows).
pub fn table_bytes(rows: &[BatchRow]) -> Result<Vec<u8>, BatchError> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .has_headers(false)
        .from_writer(Vec::new());
    let fail = |e: csv::Error| BatchError::Format(e.to_string());
    w.write_record(TABLE_HEADER).map_err(fail)?;
    for r in rows {
        w.serialize(r).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| BatchError::Format(e.to_string()))
}

/// Reads a batch table (TSV).
pub fn read_table(path: &Path) -> Result<Vec<BatchRow>, BatchError> {
    let mut rd = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .from_path(path)
        .map_err(|e| BatchError::Format(format!("{}: {e}", path.display())))?;
    rd.deserialize()
        .collect::<Result<Vec<BatchRow>, _>>()
        .map_err(|e| BatchError::Format(format!("{}: {e}", path.display())))
}

/// Reads a per-recording table after checking it against its sidecar's
/// `TableIntegrity` ([`read_verified`]); `path` names it in messages.
pub fn read_verified_table(path: &Path) -> Result<Vec<BatchRow>, BatchError> {
    let bytes = read_verified(path)?;
    csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .from_reader(bytes.as_slice())
        .deserialize()
        .collect::<Result<Vec<BatchRow>, _>>()
        .map_err(|e| BatchError::Format(format!("{}: {e}", path.display())))
}

/// `ses-bumps` → `sesbumps`: a measure id as a BIDS `desc` label (letters and digits).
pub fn desc_label(measure: &str) -> String {
    measure
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// Output folder of a recording: `OUTPUT/sub-X[/ses-Y]/eeg`.
pub fn item_dir(out: &Path, item: &WorkItem) -> PathBuf {
    let mut d = out.join(format!("sub-{}", item.subject));
    if !item.session.is_empty() {
        d = d.join(format!("ses-{}", item.session));
    }
    d.join("eeg")
}

/// Path of the bumps events table of a recording.
pub fn events_path(out: &Path, item: &WorkItem) -> PathBuf {
    item_dir(out, item).join(format!("{}_desc-bumps_events.tsv", item.entities))
}

/// Path of the connectivity table of a recording and measure.
pub fn conn_path(out: &Path, item: &WorkItem, measure: &str) -> PathBuf {
    item_dir(out, item).join(format!(
        "{}_desc-{}_conn.tsv",
        item.entities,
        desc_label(measure)
    ))
}

/// `x.tsv` → `x.json`.
pub fn json_sidecar(tsv: &Path) -> PathBuf {
    tsv.with_extension("json")
}

/// The configuration one recording is analysed with: the batch configuration plus the
/// recording's bad channels in `input.exclude`.
pub fn item_config(config: &Config, item: &WorkItem) -> Config {
    let mut c = config.clone();
    for b in &item.bad_channels {
        if !c.input.exclude.iter().any(|e| e.eq_ignore_ascii_case(b)) {
            c.input.exclude.push(b.clone());
        }
    }
    c
}

/// Whether every measure of `config` reads continuous signals (no bumps needed).
fn needs_bumps(config: &Config) -> bool {
    config
        .measures
        .ids
        .iter()
        .any(|id| measures::find(id).is_none_or(|m| m.input() != measures::InputKind::Continuous))
}

/// The files (TSV, JSON sidecar) a finished recording has.
pub fn expected_outputs(out: &Path, item: &WorkItem, config: &Config) -> Vec<(PathBuf, PathBuf)> {
    let mut v = Vec::new();
    if needs_bumps(config) {
        let e = events_path(out, item);
        v.push((e.clone(), json_sidecar(&e)));
    }
    for id in &config.measures.ids {
        let id = measures::find(id).map(|m| m.id()).unwrap_or(id);
        let c = conn_path(out, item, id);
        v.push((c.clone(), json_sidecar(&c)));
    }
    v
}

#[derive(Deserialize)]
struct SidecarProvenance {
    #[serde(rename = "Provenance")]
    provenance: Provenance,
    #[serde(rename = "TableIntegrity", default)]
    integrity: Option<TableIntegrity>,
}

/// What a table held when it was written, recorded in its sidecar
/// (`TableIntegrity`): a table truncated or altered afterwards (a full disk, an
/// interrupted copy) no longer matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableIntegrity {
    /// Data rows (lines after the header).
    #[serde(rename = "Rows")]
    pub rows: u64,
    /// Length of the file, bytes.
    #[serde(rename = "Bytes")]
    pub bytes: u64,
    /// SHA-256 of the file's bytes, lowercase hex.
    #[serde(rename = "SHA256")]
    pub sha256: String,
}

impl TableIntegrity {
    /// The integrity record of a table's bytes (`rows` data rows after its header).
    pub fn of(bytes: &[u8], rows: usize) -> TableIntegrity {
        TableIntegrity {
            rows: rows as u64,
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        }
    }
}

/// What `sesame batch` suggests when a table fails its check outside a batch run.
const RERUN_ADVICE: &str = "rerun `sesame batch` on this output to recompute it";

/// Reads a table's bytes and checks them against the `TableIntegrity` of its sidecar
/// (row count, byte length, SHA-256). The error names the table and what differs, and
/// says to rerun `sesame batch`.
pub fn read_verified(tsv: &Path) -> Result<Vec<u8>, BatchError> {
    verified(tsv).map_err(|e| match e {
        BatchError::Integrity(m) => BatchError::Integrity(format!("{m}; {RERUN_ADVICE}")),
        other => other,
    })
}

/// [`read_verified`] without the advice.
fn verified(tsv: &Path) -> Result<Vec<u8>, BatchError> {
    let json = json_sidecar(tsv);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |error| BatchError::Io { path, error }
    };
    let side_bytes = std::fs::read(&json).map_err(io(&json))?;
    let side: SidecarProvenance = serde_json::from_slice(&side_bytes)
        .map_err(|e| BatchError::Format(format!("{}: {e}", json.display())))?;
    let Some(want) = side.integrity else {
        return Err(BatchError::Integrity(format!(
            "{}: its sidecar {} records no row count and SHA-256 (written by an older sesame?)",
            tsv.display(),
            json.display()
        )));
    };
    let bytes = std::fs::read(tsv).map_err(io(tsv))?;
    // The length and hash decide; the row count is what the sidecar promises a reader.
    let got = TableIntegrity::of(&bytes, want.rows as usize);
    if got != want {
        return Err(BatchError::Integrity(format!(
            "{}: the table is not the one its sidecar describes ({} bytes, SHA-256 {}…; the sidecar says {} rows in {} bytes, SHA-256 {}…): it was truncated or altered after it was written",
            tsv.display(),
            got.bytes,
            &got.sha256[..12],
            want.rows,
            want.bytes,
            want.sha256.get(..12).unwrap_or(&want.sha256),
        )));
    }
    Ok(bytes)
}

/// Whether a recording's existing outputs can be kept when a batch resumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resume {
    /// Every output exists for the same input bytes, configuration and version, and
    /// each table is the one its sidecar describes.
    Keep,
    /// Outputs are missing or were made from another input, configuration or version:
    /// run the recording (nothing unusual to report).
    Run,
    /// The outputs are there for this input and configuration but a table does not
    /// match its sidecar's row count, length and SHA-256 (truncated or altered, or a
    /// sidecar without them): rerun the recording; the text says why.
    Rerun(String),
}

/// Decides whether a recording's outputs can be kept on resume ([`Resume`]): every
/// output must exist, its sidecar's provenance must name the same input hash,
/// configuration hash and version, and its table must have the row count, length and
/// SHA-256 its sidecar records. The input is hashed only when every sidecar matches the
/// configuration; the tables are read last.
pub fn resume_state(out: &Path, item: &WorkItem, config: &Config) -> Resume {
    let config_hash = sha256_hex(item_config(config, item).to_toml().as_bytes());
    let mut input_hash: Option<String> = None;
    let outputs = expected_outputs(out, item, config);
    for (tsv, json) in &outputs {
        if !tsv.is_file() {
            return Resume::Run;
        }
        let Ok(bytes) = std::fs::read(json) else {
            return Resume::Run;
        };
        let Ok(side) = serde_json::from_slice::<SidecarProvenance>(&bytes) else {
            return Resume::Run;
        };
        if side.provenance.config_sha256 != config_hash || side.provenance.version != crate::VERSION
        {
            return Resume::Run;
        }
        if input_hash.is_none() {
            match sha256_file(&item.path) {
                Ok(h) => input_hash = Some(h),
                Err(_) => return Resume::Run,
            }
        }
        if input_hash.as_deref() != Some(side.provenance.input_sha256.as_str()) {
            return Resume::Run;
        }
    }
    for (tsv, _) in &outputs {
        if let Err(e) = verified(tsv) {
            return Resume::Rerun(e.to_string());
        }
    }
    Resume::Keep
}

/// True when the recording's outputs can be kept on resume ([`resume_state`] is
/// [`Resume::Keep`]).
pub fn is_done(out: &Path, item: &WorkItem, config: &Config) -> bool {
    resume_state(out, item, config) == Resume::Keep
}

/// Removes temporary files (`.NAME.tmp-PID`, left by an interrupted atomic write) in
/// `dir` whose target name starts with `prefix`. Returns how many were removed.
pub fn remove_stale_temporaries(dir: &Path, prefix: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix('.') else {
            continue;
        };
        if rest.starts_with(prefix)
            && rest.contains(".tmp-")
            && e.path().is_file()
            && std::fs::remove_file(e.path()).is_ok()
        {
            n += 1;
        }
    }
    n
}

fn pretty(value: &serde_json::Value) -> Result<Vec<u8>, BatchError> {
    let mut v = serde_json::to_vec_pretty(value).map_err(|e| BatchError::Format(e.to_string()))?;
    v.push(b'\n');
    Ok(v)
}

fn provenance_json(p: &Provenance) -> serde_json::Value {
    serde_json::to_value(p).unwrap_or(serde_json::Value::Null)
}

/// Writes a finished recording's outputs (each TSV before its sidecar, so a sidecar with
/// matching provenance proves its table complete). Returns the rows written.
pub fn write_item(
    out: &Path,
    item: &WorkItem,
    config: &Config,
    provenance: &Provenance,
    rows: &[Row],
    bumps: Option<&ChannelBumps>,
) -> Result<Vec<BatchRow>, BatchError> {
    let dir = item_dir(out, item);
    std::fs::create_dir_all(&dir).map_err(|error| BatchError::Io {
        path: dir.clone(),
        error,
    })?;
    let prov = provenance_json(provenance);
    if needs_bumps(config) {
        let path = events_path(out, item);
        let mut tsv = String::from(
            "onset\tduration\tchannel\tcentre\tfrequency\tfrequency_halfwidth\tamplitude\tpeak\n",
        );
        let mut events: Vec<(f64, String, String)> = Vec::new();
        if let Some(cb) = bumps {
            for (label, list) in cb.labels.iter().zip(&cb.bumps) {
                for b in list {
                    events.push((
                        b.t - b.dt,
                        label.clone(),
                        format!(
                            "{}\t{}\t{label}\t{}\t{}\t{}\t{}\t{}\n",
                            b.t - b.dt,
                            2.0 * b.dt,
                            b.t,
                            b.f,
                            b.df,
                            b.amplitude,
                            b.peak
                        ),
                    ));
                }
            }
        }
        events.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let n_events = events.len();
        for (_, _, line) in events {
            tsv.push_str(&line);
        }
        write_atomic(&path, tsv.as_bytes())?;
        let integrity = TableIntegrity::of(tsv.as_bytes(), n_events);
        let side = serde_json::json!({
            "Description": "Bumps: half-ellipsoid models of oscillatory bursts in each channel's normalised wavelet time-frequency map (one row per bump).",
            "onset": {"Description": "Start of the bump's time extent (centre minus time semi-axis), seconds from the start of the recording.", "Units": "s"},
            "duration": {"Description": "Time extent of the bump (twice the time semi-axis).", "Units": "s"},
            "channel": {"Description": "Channel label (after re-referencing)."},
            "centre": {"Description": "Centre time of the bump, seconds from the start of the recording.", "Units": "s"},
            "frequency": {"Description": "Centre frequency of the bump.", "Units": "Hz"},
            "frequency_halfwidth": {"Description": "Frequency semi-axis of the bump.", "Units": "Hz"},
            "amplitude": {"Description": "Height of the half-ellipsoid in normalised map units (map maximum = 1).", "Units": "n/a"},
            "peak": {"Description": "Peak of the normalised map under the bump centre (map maximum = 1).", "Units": "n/a"},
            "TableIntegrity": integrity,
            "Provenance": prov,
        });
        write_atomic(&json_sidecar(&path), &pretty(&side)?)?;
    }
    let mut all = Vec::new();
    for id in &config.measures.ids {
        let m = measures::find(id);
        let id = m.map(|m| m.id()).unwrap_or(id);
        let mut table: Vec<BatchRow> = rows
            .iter()
            .filter(|r| r.measure == id)
            .map(|r| BatchRow::from_row(item, r))
            .collect();
        sort_rows(&mut table);
        let path = conn_path(out, item, id);
        let bytes = table_bytes(&table)?;
        write_atomic(&path, &bytes)?;
        let integrity = TableIntegrity::of(&bytes, table.len());
        let outputs: serde_json::Map<String, serde_json::Value> = m
            .map(|m| {
                m.outputs()
                    .iter()
                    .map(|o| {
                        (
                            o.name.to_string(),
                            serde_json::json!({"Description": o.doc, "Units": if o.unit.is_empty() { "n/a" } else { o.unit }}),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let side = serde_json::json!({
            "Description": format!("Long table of measure `{id}` ({}) on every channel or region pair: one row per pair and output parameter.", m.map(|m| m.title()).unwrap_or("")),
            "Measure": id,
            "Directed": m.map(|m| m.directed()).unwrap_or(false),
            "Parameters": config.param_overrides(id).into_iter().collect::<std::collections::BTreeMap<_, _>>(),
            "Columns": {
                "recording": "BIDS entity string of the recording.",
                "subject": "Subject label.",
                "session": "Session label (empty when none).",
                "group": "Group of the subject (participants.tsv), empty when unknown.",
                "channel_a": "First channel or region of the pair (source of a directed measure); `*` for a set-level value.",
                "channel_b": "Second channel or region (target of a directed measure); empty for per-channel or set-level values.",
                "measure": "Measure id.",
                "parameter": "Output name of the measure (see Outputs).",
                "value": "Value, in `unit`.",
                "unit": "Unit of value, empty when dimensionless.",
                "n_events": "Events (both sides) that entered the value, when the measure reads events.",
                "certified": "For SES alignments: whether the alignment is certified optimal.",
            },
            "Outputs": outputs,
            "TableIntegrity": integrity,
            "Provenance": prov,
        });
        write_atomic(&json_sidecar(&path), &pretty(&side)?)?;
        all.extend(table);
    }
    Ok(all)
}

/// Reads back a finished recording's rows from its connectivity tables, each checked
/// against its sidecar ([`read_verified`]).
pub fn read_item(
    out: &Path,
    item: &WorkItem,
    config: &Config,
) -> Result<Vec<BatchRow>, BatchError> {
    let mut rows = Vec::new();
    for id in &config.measures.ids {
        let id = measures::find(id).map(|m| m.id()).unwrap_or(id);
        rows.extend(read_verified_table(&conn_path(out, item, id))?);
    }
    Ok(rows)
}

/// Writes `bytes` to `path` atomically unless the file already holds exactly them (the
/// shards of a job array all write the same top-level files; most find them in place).
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), BatchError> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    Ok(write_atomic(path, bytes)?)
}

/// The `file:` URL (RFC 8089) of an absolute path, the same form on every platform:
/// `file:///data/eeg` for a Unix path, `file:///C:/data/eeg` for a Windows drive path
/// (also in the `\\?\C:\` form `canonicalize` returns there), `file://server/share/eeg`
/// for a UNC path. Components are joined by `/` and every byte outside the characters
/// a URL path may hold is percent-encoded (a space as `%20`).
fn file_url(path: &Path) -> String {
    use std::path::{Component, Prefix};
    let mut host = String::new();
    let mut drive = None;
    let mut segments = Vec::new();
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => match prefix.kind() {
                Prefix::Disk(letter) | Prefix::VerbatimDisk(letter) => {
                    drive = Some(format!("{}:", char::from(letter)));
                }
                Prefix::UNC(server, share) | Prefix::VerbatimUNC(server, share) => {
                    host = percent_encode(server.as_encoded_bytes());
                    segments.push(percent_encode(share.as_encoded_bytes()));
                }
                Prefix::Verbatim(name) | Prefix::DeviceNS(name) => {
                    segments.push(percent_encode(name.as_encoded_bytes()));
                }
            },
            Component::RootDir | Component::CurDir => {}
            Component::ParentDir => segments.push("..".to_string()),
            Component::Normal(name) => segments.push(percent_encode(name.as_encoded_bytes())),
        }
    }
    let mut url = format!("file://{host}");
    if let Some(drive) = drive {
        url.push('/');
        url.push_str(&drive);
    }
    for segment in &segments {
        url.push('/');
        url.push_str(segment);
    }
    if segments.is_empty() {
        // the root of a drive or of the file system
        url.push('/');
    }
    url
}

/// `bytes` with every byte but the unreserved characters and the sub-delimiters, `:`
/// and `@` of RFC 3986 written as `%XX`.
fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Writes the top-level files of the derivative dataset: `dataset_description.json`,
/// `descriptions.tsv` and `config.resolved.toml`.
pub fn write_dataset_files(out: &Path, input: &Path, config: &Config) -> Result<(), BatchError> {
    std::fs::create_dir_all(out).map_err(|error| BatchError::Io {
        path: out.to_path_buf(),
        error,
    })?;
    let abs = std::fs::canonicalize(input)
        .or_else(|_| std::path::absolute(input))
        .unwrap_or_else(|_| input.to_path_buf());
    let mut source = serde_json::json!({"URL": file_url(&abs)});
    // Carry the source dataset's DOI and version when it declares them.
    if let Ok(bytes) = std::fs::read(input.join("dataset_description.json")) {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            if let Some(doi) = v.get("DatasetDOI") {
                source["DOI"] = doi.clone();
            }
            if let Some(ver) = v.get("DatasetVersion") {
                source["Version"] = ver.clone();
            }
        }
    }
    let desc = serde_json::json!({
        "Name": "SESAME synchrony analysis",
        "BIDSVersion": "1.9.0",
        "DatasetType": "derivative",
        "GeneratedBy": [{
            "Name": "sesame",
            "Version": crate::VERSION,
            "Description": "Bumps and stochastic event synchrony (and classical synchrony measures) per channel or region pair.",
        }],
        "SourceDatasets": [source],
    });
    write_if_changed(&out.join("dataset_description.json"), &pretty(&desc)?)?;
    let mut d = String::from("desc_id\tdescription\n");
    if needs_bumps(config) {
        d.push_str("bumps\tBumps of each channel's normalised wavelet time-frequency map (events: onset, duration, frequency, amplitude).\n");
    }
    for id in &config.measures.ids {
        let (id, title) = match measures::find(id) {
            Some(m) => (m.id(), m.title()),
            None => (id.as_str(), ""),
        };
        d.push_str(&format!(
            "{}\tMeasure {id} ({title}), long table over channel or region pairs.\n",
            desc_label(id)
        ));
    }
    write_if_changed(&out.join("descriptions.tsv"), d.as_bytes())?;
    write_if_changed(
        &out.join(RESOLVED_CONFIG),
        config_doc::commented(config).as_bytes(),
    )?;
    Ok(())
}

/// One failed recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The file as named in the work list.
    pub file: String,
    /// Why it failed (one line).
    pub reason: String,
}

/// Failures as TSV (`file`, `reason`), header first, sorted by file.
pub fn failures_bytes(failures: &[Failure]) -> Vec<u8> {
    let mut f = failures.to_vec();
    f.sort_by(|a, b| a.file.cmp(&b.file));
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let mut s = String::from("file\treason\n");
    for x in f {
        s.push_str(&format!("{}\t{}\n", clean(&x.file), clean(&x.reason)));
    }
    s.into_bytes()
}

/// Reads a failures table.
pub fn read_failures(path: &Path) -> Result<Vec<Failure>, BatchError> {
    let text = std::fs::read_to_string(path).map_err(|error| BatchError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once('\t'))
        .map(|(f, r)| Failure {
            file: f.to_string(),
            reason: r.to_string(),
        })
        .collect())
}

/// Every connectivity table below `out` (sorted), restricted to the measures of `config`.
pub fn find_conn_tables(out: &Path, config: &Config) -> Result<Vec<PathBuf>, BatchError> {
    let suffixes: Vec<String> = config
        .measures
        .ids
        .iter()
        .map(|id| {
            let id = measures::find(id).map(|m| m.id()).unwrap_or(id);
            format!("_desc-{}_conn.tsv", desc_label(id))
        })
        .collect();
    let mut found = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|error| BatchError::Io {
            path: dir.clone(),
            error,
        })?;
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if dir != out || name.starts_with("sub-") {
                    stack.push(p);
                }
            } else if name.starts_with("sub-") && suffixes.iter().any(|s| name.ends_with(s)) {
                found.push(p);
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn file_url_of_a_unix_path() {
        assert_eq!(file_url(Path::new("/")), "file:///");
        assert_eq!(file_url(Path::new("/data/eeg")), "file:///data/eeg");
        assert_eq!(
            file_url(Path::new("/data/my eeg/50%/é")),
            "file:///data/my%20eeg/50%25/%C3%A9"
        );
        assert_eq!(file_url(Path::new("/data/a:b")), "file:///data/a:b");
    }

    #[test]
    #[cfg(windows)]
    fn file_url_of_a_windows_path() {
        assert_eq!(file_url(Path::new(r"C:\data\eeg")), "file:///C:/data/eeg");
        assert_eq!(
            file_url(Path::new(r"\\?\C:\data\my eeg")),
            "file:///C:/data/my%20eeg"
        );
        assert_eq!(file_url(Path::new(r"\\?\C:\")), "file:///C:/");
        assert_eq!(
            file_url(Path::new(r"\\?\UNC\server\share\eeg")),
            "file://server/share/eeg"
        );
        assert_eq!(
            file_url(Path::new(r"\\server\share\eeg")),
            "file://server/share/eeg"
        );
    }

    fn item() -> WorkItem {
        WorkItem {
            path: PathBuf::from("in.edf"),
            display: "in.edf".into(),
            subject: "01".into(),
            session: "2".into(),
            entities: "sub-01_ses-2_task-rest".into(),
            group: "control".into(),
            bad_channels: vec!["T3".into()],
        }
    }

    #[test]
    fn paths_follow_bids_derivatives() {
        let out = Path::new("out");
        let it = item();
        assert_eq!(
            conn_path(out, &it, "ses-bumps"),
            Path::new("out/sub-01/ses-2/eeg/sub-01_ses-2_task-rest_desc-sesbumps_conn.tsv")
        );
        assert_eq!(
            json_sidecar(&events_path(out, &it)),
            Path::new("out/sub-01/ses-2/eeg/sub-01_ses-2_task-rest_desc-bumps_events.json")
        );
        assert_eq!(
            item_config(&Config::default(), &it).input.exclude,
            vec!["T3".to_string()]
        );
    }

    #[test]
    fn table_round_trips_and_empty_table_has_header() {
        let r = BatchRow {
            recording: "sub-01".into(),
            subject: "01".into(),
            session: String::new(),
            group: "g".into(),
            channel_a: "F3".into(),
            channel_b: "F4".into(),
            measure: "ses-bumps".into(),
            parameter: "rho".into(),
            value: 0.1 + 0.2,
            unit: String::new(),
            n_events: Some(3),
            certified: None,
        };
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.tsv");
        std::fs::write(&p, table_bytes(std::slice::from_ref(&r)).unwrap()).unwrap();
        let back = read_table(&p).unwrap();
        assert_eq!(back, vec![r]);
        // Re-serialising gives the same bytes.
        assert_eq!(table_bytes(&back).unwrap(), std::fs::read(&p).unwrap());
        let empty = String::from_utf8(table_bytes(&[]).unwrap()).unwrap();
        assert_eq!(empty.trim_end(), TABLE_HEADER.join("\t"));
    }

    #[test]
    fn a_table_truncated_at_a_line_boundary_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut it = item();
        it.path = dir.path().join("in.edf");
        std::fs::write(&it.path, b"recording bytes").unwrap();
        let mut config = Config::default();
        config.measures.ids = vec!["ses-bumps".into()];
        let cfg = item_config(&config, &it);
        let prov = Provenance::new(Some(&it.path), &cfg.to_toml()).unwrap();
        let rows: Vec<Row> = (0..5)
            .map(|k| Row {
                recording: it.entities.clone(),
                channel_a: "F3".into(),
                channel_b: format!("C{k}"),
                measure: "ses-bumps".into(),
                parameter: "rho".into(),
                value: 0.1 * k as f64,
                unit: String::new(),
                n_events: Some(10),
                certified: Some(true),
            })
            .collect();
        let written = write_item(&out, &it, &config, &prov, &rows, None).unwrap();
        assert_eq!(written.len(), 5);
        assert!(is_done(&out, &it, &config));
        assert_eq!(read_item(&out, &it, &config).unwrap(), written);
        let table = conn_path(&out, &it, "ses-bumps");
        let side: serde_json::Value =
            serde_json::from_slice(&std::fs::read(json_sidecar(&table)).unwrap()).unwrap();
        assert_eq!(side["TableIntegrity"]["Rows"], 5);
        // Truncated at a line boundary: two rows lost, still a well-formed table.
        let bytes = std::fs::read(&table).unwrap();
        let cut = bytes
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b'\n')
            .nth(3)
            .unwrap()
            .0
            + 1;
        std::fs::write(&table, &bytes[..cut]).unwrap();
        assert_eq!(read_table(&table).unwrap().len(), 3);
        // Resume reruns it; reading it back (the merged table) names it.
        assert!(!is_done(&out, &it, &config));
        let err = read_item(&out, &it, &config).unwrap_err();
        assert!(matches!(err, BatchError::Integrity(_)), "{err}");
        let msg = err.to_string();
        assert!(msg.starts_with(&table.display().to_string()), "{msg}");
        assert!(msg.contains("the sidecar says 5 rows"), "{msg}");
        // Restored, it is trusted again; a sidecar without the record is not.
        std::fs::write(&table, &bytes).unwrap();
        assert!(is_done(&out, &it, &config));
        let mut side = side;
        side.as_object_mut().unwrap().remove("TableIntegrity");
        std::fs::write(json_sidecar(&table), serde_json::to_vec(&side).unwrap()).unwrap();
        assert!(!is_done(&out, &it, &config));
        assert!(matches!(
            read_verified(&table),
            Err(BatchError::Integrity(_))
        ));
    }

    #[test]
    fn stale_temporaries_are_removed_by_prefix() {
        let dir = tempfile::tempdir().unwrap();
        for n in [
            ".sub-01_x.tsv.tmp-12",
            ".sub-02_x.tsv.tmp-12",
            "sub-01_x.tsv",
        ] {
            std::fs::write(dir.path().join(n), b"").unwrap();
        }
        assert_eq!(remove_stale_temporaries(dir.path(), "sub-01"), 1);
        assert!(dir.path().join(".sub-02_x.tsv.tmp-12").exists());
        assert!(dir.path().join("sub-01_x.tsv").exists());
    }

    #[test]
    fn failures_are_sorted_and_one_line_each() {
        let b = failures_bytes(&[
            Failure {
                file: "b.edf".into(),
                reason: "x\ny".into(),
            },
            Failure {
                file: "a.edf".into(),
                reason: "bad\theader".into(),
            },
        ]);
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "file\treason\na.edf\tbad header\nb.edf\tx y\n"
        );
    }
}
