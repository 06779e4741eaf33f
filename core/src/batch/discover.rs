//! Input discovery: a BIDS dataset, a folder of EDF/BDF files or a manifest becomes a
//! sorted, deterministic work list; sharding takes one contiguous slice of it.

use super::BatchError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One recording to analyse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkItem {
    /// The recording file.
    pub path: PathBuf,
    /// The file as named in outputs: relative to the input folder (or as the manifest
    /// lists it), `/`-separated.
    pub display: String,
    /// BIDS subject label (without `sub-`).
    pub subject: String,
    /// BIDS session label (without `ses-`), empty when none.
    pub session: String,
    /// BIDS entity string of the recording (`sub-01_ses-1_task-rest`): the file name prefix
    /// of every derivative, and the `recording` column of result tables.
    pub entities: String,
    /// Group of the subject (`participants.tsv` column `group`, or the manifest's second
    /// column), empty when unknown.
    pub group: String,
    /// Channels marked `status=bad` in the recording's `_channels.tsv`.
    pub bad_channels: Vec<String>,
}

/// What kind of input a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputLayout {
    /// A folder with `sub-*` folders or a `dataset_description.json`.
    Bids,
    /// Any other folder: every EDF/BDF file below it.
    Folder,
    /// A text file: one recording path per line (`#` starts a comment; an optional
    /// second, tab-separated column gives the group).
    Manifest,
}

fn io_err(path: &Path, error: std::io::Error) -> BatchError {
    BatchError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Classifies an input path.
///
/// A manifest may be a pipe (`sesame batch <(find … -name '*.edf') out`), but a FIFO
/// named like a recording (`x.edf`), a device or a socket is refused with what it is,
/// before anything opens it for reading.
pub fn input_kind(input: &Path) -> Result<InputLayout, BatchError> {
    let meta = std::fs::metadata(input).map_err(|e| io_err(input, e))?;
    if !meta.is_dir() {
        if let Some(kind) = crate::recording::special_file_kind(&meta.file_type()) {
            #[cfg(unix)]
            let pipe = std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type());
            #[cfg(not(unix))]
            let pipe = false;
            if !pipe || is_recording(input) {
                return Err(BatchError::Input(format!(
                    "{} is {kind}, not a regular file",
                    input.display()
                )));
            }
        }
        return Ok(InputLayout::Manifest);
    }
    if input.join("dataset_description.json").is_file() {
        return Ok(InputLayout::Bids);
    }
    for entry in std::fs::read_dir(input).map_err(|e| io_err(input, e))? {
        let entry = entry.map_err(|e| io_err(input, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("sub-") && entry.path().is_dir() {
            return Ok(InputLayout::Bids);
        }
    }
    Ok(InputLayout::Folder)
}

fn is_recording(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("edf") | Some("bdf")
    )
}

/// Sorted entries of a folder (paths).
fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, BatchError> {
    let mut v = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_err(dir, e))? {
        v.push(entry.map_err(|e| io_err(dir, e))?.path());
    }
    v.sort();
    Ok(v)
}

/// Letters and digits of `s` (a BIDS label).
fn label(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// BIDS entities of a file name `sub-X[_key-val…]_eeg.ext`: (entity string, subject,
/// session). `None` when the name does not follow BIDS.
fn bids_entities(path: &Path) -> Option<(String, String, String)> {
    let stem = path.file_stem()?.to_str()?;
    let ents = stem.strip_suffix("_eeg")?;
    let mut subject = None;
    let mut session = String::new();
    for part in ents.split('_') {
        let (k, v) = part.split_once('-')?;
        if v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        match k {
            "sub" => subject = Some(v.to_string()),
            "ses" => session = v.to_string(),
            _ => {}
        }
    }
    if !ents.starts_with("sub-") {
        return None;
    }
    Some((ents.to_string(), subject?, session))
}

/// A work item for a file outside a BIDS layout: BIDS entities when its name has them,
/// otherwise `sub-<letters and digits of the file stem>`.
fn plain_item(path: PathBuf, display: String, group: String) -> Result<WorkItem, BatchError> {
    let (entities, subject, session) = match bids_entities(&path) {
        Some(e) => e,
        None => {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let l = label(&stem);
            if l.is_empty() {
                return Err(BatchError::Input(format!(
                    "{display}: the file name has no letters or digits to name the subject"
                )));
            }
            (format!("sub-{l}"), l, String::new())
        }
    };
    Ok(WorkItem {
        path,
        display,
        subject,
        session,
        entities,
        group,
        bad_channels: Vec::new(),
    })
}

/// Reads a BIDS `_channels.tsv`: names whose `status` is `bad`.
pub fn bad_channels(path: &Path) -> Result<Vec<String>, BatchError> {
    let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let (Some(name), Some(status)) = (col("name"), col("status")) else {
        return Ok(Vec::new());
    };
    Ok(lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|cells| {
            cells
                .get(status)
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("bad"))
        })
        .filter_map(|cells| cells.get(name).map(|n| n.trim().to_string()))
        .filter(|n| !n.is_empty())
        .collect())
}

/// Reads a BIDS `participants.tsv`: subject label (without `sub-`) → `group` column.
pub fn participant_groups(path: &Path) -> Result<BTreeMap<String, String>, BatchError> {
    let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let (Some(id), Some(group)) = (col("participant_id"), col("group")) else {
        return Ok(BTreeMap::new());
    };
    Ok(lines
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            let sub = cells.get(id)?.trim();
            let sub = sub.strip_prefix("sub-").unwrap_or(sub);
            Some((sub.to_string(), cells.get(group)?.trim().to_string()))
        })
        .collect())
}

fn bids_items(root: &Path) -> Result<Vec<WorkItem>, BatchError> {
    let participants = root.join("participants.tsv");
    let groups = if participants.is_file() {
        participant_groups(&participants)?
    } else {
        BTreeMap::new()
    };
    let mut eeg_dirs = Vec::new();
    for sub in sorted_entries(root)? {
        let name = sub
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.starts_with("sub-") || !sub.is_dir() {
            continue;
        }
        eeg_dirs.push(sub.join("eeg"));
        for ses in sorted_entries(&sub)? {
            let sname = ses
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if sname.starts_with("ses-") && ses.is_dir() {
                eeg_dirs.push(ses.join("eeg"));
            }
        }
    }
    let mut items = Vec::new();
    for dir in eeg_dirs.into_iter().filter(|d| d.is_dir()) {
        for file in sorted_entries(&dir)? {
            if !is_recording(&file) {
                continue;
            }
            let Some((entities, subject, session)) = bids_entities(&file) else {
                continue;
            };
            let channels = dir.join(format!("{entities}_channels.tsv"));
            let bad = if channels.is_file() {
                bad_channels(&channels)?
            } else {
                Vec::new()
            };
            let display = relative_display(root, &file);
            items.push(WorkItem {
                group: groups.get(&subject).cloned().unwrap_or_default(),
                path: file,
                display,
                subject,
                session,
                entities,
                bad_channels: bad,
            });
        }
    }
    Ok(items)
}

fn relative_display(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn folder_items(root: &Path) -> Result<Vec<WorkItem>, BatchError> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for p in sorted_entries(&dir)? {
            if p.is_dir() {
                stack.push(p);
            } else if is_recording(&p) {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let display = relative_display(root, &f);
            plain_item(f, display, String::new())
        })
        .collect()
}

fn manifest_items(manifest: &Path) -> Result<Vec<WorkItem>, BatchError> {
    let text = std::fs::read_to_string(manifest).map_err(|e| io_err(manifest, e))?;
    if text.contains('\0') {
        return Err(BatchError::Input(format!(
            "{}: not a manifest (a text file with one recording path per line)",
            manifest.display()
        )));
    }
    let base = manifest.parent().unwrap_or(Path::new("."));
    let mut items = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (path_text, group) = match line.split_once('\t') {
            Some((p, g)) => (p.trim(), g.trim().to_string()),
            None => (line, String::new()),
        };
        let p = Path::new(path_text);
        let path = if p.is_absolute() {
            p.to_path_buf()
        } else {
            base.join(p)
        };
        if !is_recording(&path) {
            return Err(BatchError::Input(format!(
                "{} line {}: `{path_text}` is not an .edf or .bdf file",
                manifest.display(),
                n + 1
            )));
        }
        items.push(plain_item(path, path_text.to_string(), group)?);
    }
    Ok(items)
}

/// The sorted work list of an input (by entity string, then path). Two recordings that
/// would share an entity string (and so overwrite each other's outputs) are an error.
pub fn discover(input: &Path) -> Result<Vec<WorkItem>, BatchError> {
    let mut items = match input_kind(input)? {
        InputLayout::Bids => bids_items(input)?,
        InputLayout::Folder => folder_items(input)?,
        InputLayout::Manifest => manifest_items(input)?,
    };
    items.sort_by(|a, b| (&a.entities, &a.path).cmp(&(&b.entities, &b.path)));
    for w in items.windows(2) {
        if w[0].entities == w[1].entities {
            return Err(BatchError::Input(format!(
                "{} and {} would both be named {}: rename one",
                w[0].display, w[1].display, w[0].entities
            )));
        }
    }
    Ok(items)
}

/// A shard `K/N` of a work list (K from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// `K`: which shard this task runs, 1 ≤ K ≤ N.
    pub index: usize,
    /// `N`: the number of shards the work list is split into.
    pub count: usize,
}

impl Shard {
    /// Parses `K/N` with 1 ≤ K ≤ N.
    pub fn parse(text: &str) -> Result<Shard, BatchError> {
        let bad = || BatchError::Input(format!("shard `{text}`: expected K/N with 1 ≤ K ≤ N"));
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        Shard::new(index, count).ok_or_else(bad)
    }

    /// Shard `index`/`count`, when 1 ≤ index ≤ count.
    pub fn new(index: usize, count: usize) -> Option<Shard> {
        (count >= 1 && (1..=count).contains(&index)).then_some(Shard { index, count })
    }

    /// The K-th of N contiguous slices of `len` items: `[⌊(K−1)·len/N⌋, ⌊K·len/N⌋)`.
    pub fn range(&self, len: usize) -> std::ops::Range<usize> {
        let (k, n) = (self.index, self.count);
        ((k - 1) * len / n)..(k * len / n)
    }

    /// `shard-K-of-N`, used in shard file names.
    pub fn tag(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_list() {
        for len in 0..20 {
            for n in 1..6 {
                let mut all = Vec::new();
                for k in 1..=n {
                    all.extend(Shard::new(k, n).unwrap().range(len));
                }
                assert_eq!(all, (0..len).collect::<Vec<_>>(), "len {len} n {n}");
            }
        }
        assert!(Shard::parse("0/3").is_err());
        assert!(Shard::parse("4/3").is_err());
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 2, count: 3 });
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_named_like_a_recording_is_refused_as_input_and_listed_in_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.edf");
        match std::process::Command::new("mkfifo").arg(&fifo).status() {
            Ok(s) if s.success() => {}
            _ => {
                eprintln!("skipped: the mkfifo command is not available");
                return;
            }
        }
        let err = input_kind(&fifo).unwrap_err().to_string();
        assert!(
            err.ends_with("x.edf is a FIFO (named pipe), not a regular file"),
            "{err}"
        );
        // In a folder it is a work item; opening it fails with the reason, and its hash
        // is refused rather than read.
        let items = discover(dir.path()).unwrap();
        assert_eq!(items.len(), 1);
        assert!(crate::analysis::provenance::sha256_file(&fifo)
            .unwrap_err()
            .to_string()
            .contains("is a FIFO (named pipe), not a regular file"));
        if Path::new("/dev/null").exists() {
            let err = input_kind(Path::new("/dev/null")).unwrap_err().to_string();
            assert_eq!(err, "/dev/null is a character device, not a regular file");
        }
    }

    #[test]
    fn bids_names_parse() {
        let e = bids_entities(Path::new("sub-01_ses-2_task-rest_eeg.edf")).unwrap();
        assert_eq!(
            e,
            ("sub-01_ses-2_task-rest".into(), "01".into(), "2".into())
        );
        assert!(bids_entities(Path::new("Subject1_1.edf")).is_none());
        let it = plain_item(
            "x/Subject1_1.edf".into(),
            "Subject1_1.edf".into(),
            String::new(),
        )
        .unwrap();
        assert_eq!(it.entities, "sub-Subject11");
    }

    #[test]
    fn bids_dataset_is_discovered_with_bad_channels_and_groups() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("participants.tsv"),
            "participant_id\tage\tgroup\nsub-02\t70\tpatient\nsub-01\t71\tcontrol\n",
        )
        .unwrap();
        for (sub, ses) in [("01", None), ("02", Some("1")), ("02", Some("2"))] {
            let mut d = root.join(format!("sub-{sub}"));
            let mut ents = format!("sub-{sub}");
            if let Some(s) = ses {
                d = d.join(format!("ses-{s}"));
                ents.push_str(&format!("_ses-{s}"));
            }
            let d = d.join("eeg");
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join(format!("{ents}_task-rest_eeg.edf")), b"x").unwrap();
            std::fs::write(
                d.join(format!("{ents}_task-rest_channels.tsv")),
                "name\ttype\tunits\tstatus\nFp1\tEEG\tuV\tgood\nT3\tEEG\tuV\tbad\n",
            )
            .unwrap();
        }
        assert_eq!(input_kind(root).unwrap(), InputLayout::Bids);
        let items = discover(root).unwrap();
        let ents: Vec<&str> = items.iter().map(|i| i.entities.as_str()).collect();
        assert_eq!(
            ents,
            [
                "sub-01_task-rest",
                "sub-02_ses-1_task-rest",
                "sub-02_ses-2_task-rest"
            ]
        );
        assert_eq!(items[0].group, "control");
        assert_eq!(items[1].group, "patient");
        assert_eq!(items[1].session, "1");
        assert_eq!(items[2].bad_channels, vec!["T3".to_string()]);
        assert_eq!(
            items[1].display,
            "sub-02/ses-1/eeg/sub-02_ses-1_task-rest_eeg.edf"
        );
    }

    #[test]
    fn manifest_with_comments_and_groups() {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("list.txt");
        std::fs::write(&m, "# cohort\nb.edf\tpatient\n\na.bdf # first\n").unwrap();
        assert_eq!(input_kind(&m).unwrap(), InputLayout::Manifest);
        let items = discover(&m).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].entities, "sub-a");
        assert_eq!(items[1].group, "patient");
        assert_eq!(items[1].path, dir.path().join("b.edf"));
        std::fs::write(&m, "a.edf\nA.edf\n").unwrap();
        assert!(discover(&m).is_ok());
        std::fs::write(&m, "a.edf\nx/a.edf\n").unwrap();
        let e = discover(&m).unwrap_err().to_string();
        assert!(e.contains("would both be named sub-a"), "{e}");
    }
}
