//! Writing one Permission into a file registry (`registry.db`, one serialized
//! `feast.core.Registry`) at the wire level, so every other byte of the file is kept as it
//! was, then `version_id` and `last_updated` set as Feast's `FileRegistryStore` sets them.
//! The new file is written beside the old one under a random name, synced and renamed over it
//! (atomic on POSIX), so a reader, or another writer, only ever sees a whole file.
//!
//! Each read-modify-write holds an advisory lock (`flock`) on a sibling lock file,
//! `<registry>.lock`, so console writers in any process (replicas sharing a volume, the
//! command line, threads with their own handles) are serialised, and each checks the
//! permission's version under the lock. Feast's own `feast apply` does not take this lock: it
//! replaces the file whole as well, so the file always decodes, but a console write and a
//! `feast apply` at the same instant can still overwrite each other (last rename wins).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use prost::Message;
use sha2::{Digest, Sha256};

use super::proto::permission::Permission;
use super::proto::wire::fields;
use super::proto::Timestamp;
use super::write::model::{conflict, version_of, StoredRow, WriteError, ABSENT};

/// `Registry.permissions`, `Registry.projects`, `version_id`, `last_updated`.
const PERMISSIONS: u32 = 16;
const PROJECTS: u32 = 17;
const VERSION_ID: u32 = 4;
const LAST_UPDATED: u32 = 5;

fn invalid(e: impl std::fmt::Display) -> WriteError {
    WriteError::Invalid(format!("the file registry cannot be read: {e}"))
}

fn io(e: std::io::Error) -> WriteError {
    WriteError::Io(e)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn length_delimited(out: &mut Vec<u8>, number: u32, payload: &[u8]) {
    put_varint(out, (u64::from(number) << 3) | 2);
    put_varint(out, payload.len() as u64);
    out.extend_from_slice(payload);
}

/// (project, name) of a stored permission entry.
fn key_of(payload: &[u8]) -> Option<(String, String)> {
    let p = Permission::decode(payload).ok()?.spec?;
    Some((p.project, p.name))
}

fn project_names(bytes: &[u8]) -> Result<Vec<String>, WriteError> {
    #[derive(Clone, PartialEq, prost::Message)]
    struct ProjectName {
        #[prost(message, optional, tag = "1")]
        spec: Option<Spec>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    struct Spec {
        #[prost(string, tag = "1")]
        name: String,
    }
    Ok(fields(bytes)
        .map_err(invalid)?
        .iter()
        .filter(|f| f.number == PROJECTS)
        .filter_map(|f| ProjectName::decode(f.payload?).ok()?.spec)
        .map(|s| s.name)
        .collect())
}

/// The stored entry of one permission.
pub fn read(bytes: &[u8], project: &str, name: &str) -> Result<Option<StoredRow>, WriteError> {
    Ok(fields(bytes)
        .map_err(invalid)?
        .iter()
        .filter(|f| f.number == PERMISSIONS)
        .filter_map(|f| f.payload)
        .find(|p| key_of(p).is_some_and(|(pr, n)| pr == project && n == name))
        .map(|p| StoredRow {
            bytes: p.to_vec(),
            version: version_of(p),
            last_updated: 0,
        }))
}

pub async fn read_path(
    path: &Path,
    project: &str,
    name: &str,
) -> Result<Option<StoredRow>, WriteError> {
    let bytes = tokio::fs::read(path).await.map_err(io)?;
    read(&bytes, project, name)
}

/// A random-looking uuid4-shaped id (Feast only compares it).
fn new_version_id() -> String {
    let mut seed = [0u8; 16];
    if getrandom::fill(&mut seed).is_err() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        seed[..16].copy_from_slice(&now.as_nanos().to_le_bytes());
    }
    let h: Vec<u8> = Sha256::digest(seed).to_vec();
    let hex: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// Replaces (or appends, or removes) the entry of `original` in `bytes`. `new_entry` None
/// deletes. Returns the new file contents.
pub fn rewrite(
    bytes: &[u8],
    project: &str,
    original: Option<&str>,
    expected: &str,
    new_entry: Option<(&str, &[u8])>,
) -> Result<Vec<u8>, WriteError> {
    if !project_names(bytes)?.iter().any(|p| p == project) {
        return Err(WriteError::Invalid(format!(
            "project `{project}` does not exist in this registry"
        )));
    }
    let current = match original {
        Some(o) => read(bytes, project, o)?,
        None => None,
    };
    let actual = current.as_ref().map_or(ABSENT, |r| r.version.as_str());
    if actual != expected {
        return Err(conflict(original.unwrap_or_default(), expected, actual));
    }
    if let Some((new_name, _)) = new_entry {
        if original != Some(new_name) && read(bytes, project, new_name)?.is_some() {
            return Err(WriteError::Conflict(format!(
                "a permission named `{new_name}` already exists in `{project}`; nothing was written"
            )));
        }
    }
    let stamp = Timestamp::now().encode_to_vec();
    let mut out = Vec::with_capacity(bytes.len() + 256);
    let mut placed = false;
    for f in fields(bytes).map_err(invalid)? {
        match f.number {
            VERSION_ID | LAST_UPDATED => continue,
            PERMISSIONS
                if original.is_some()
                    && f.payload.and_then(key_of)
                        == original.map(|o| (project.to_string(), o.to_string())) =>
            {
                if let Some((_, entry)) = new_entry {
                    length_delimited(&mut out, PERMISSIONS, entry);
                }
                placed = true;
            }
            _ => out.extend_from_slice(f.bytes),
        }
    }
    if let (false, Some((_, entry))) = (placed, new_entry) {
        length_delimited(&mut out, PERMISSIONS, entry);
    }
    length_delimited(&mut out, VERSION_ID, new_version_id().as_bytes());
    length_delimited(&mut out, LAST_UPDATED, &stamp);
    Ok(out)
}

/// The lock file beside `path` (`registry.db.lock`), created on first use and kept.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

/// A fresh name beside `path` for the next version of the file: random, so two writers (in
/// containers, where every console is process 1) never share one.
fn temporary_path(path: &Path) -> PathBuf {
    let mut bytes = [0u8; 12];
    if getrandom::fill(&mut bytes).is_err() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        bytes.copy_from_slice(&now.as_nanos().to_le_bytes()[..12]);
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".console-{hex}.tmp"));
    path.with_file_name(name)
}

/// Reads, rewrites and atomically replaces the file, holding its lock file throughout.
pub async fn commit(
    path: &Path,
    project: &str,
    original: Option<&str>,
    expected: &str,
    new_entry: Option<(&str, &[u8])>,
) -> Result<(), WriteError> {
    let (path, project, original, expected) = (
        path.to_path_buf(),
        project.to_string(),
        original.map(str::to_string),
        expected.to_string(),
    );
    let new_entry = new_entry.map(|(n, b)| (n.to_string(), b.to_vec()));
    tokio::task::spawn_blocking(move || {
        replace_locked(&path, |bytes| {
            let entry = new_entry.as_ref().map(|(n, b)| (n.as_str(), b.as_slice()));
            rewrite(bytes, &project, original.as_deref(), &expected, entry)
        })
    })
    .await
    .map_err(|e| io(std::io::Error::other(e)))?
}

/// Replaces the file with `next` of its contents, holding the lock file from the read to the
/// rename.
fn replace_locked(
    path: &Path,
    next: impl FnOnce(&[u8]) -> Result<Vec<u8>, WriteError>,
) -> Result<(), WriteError> {
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(path))
        .map_err(io)?;
    // Released when `lock` is closed, on every return below (and by the kernel if the
    // process dies holding it).
    lock.lock().map_err(io)?;
    let bytes = std::fs::read(path).map_err(io)?;
    let next = next(&bytes)?;
    let tmp = temporary_path(path);
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&next)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::proto::permission::PermissionSpec;

    fn entry(name: &str) -> Vec<u8> {
        Permission {
            spec: Some(PermissionSpec {
                name: name.into(),
                project: "driver_ranking".into(),
                ..Default::default()
            }),
            meta: None,
        }
        .encode_to_vec()
    }

    #[test]
    fn temporary_names_are_random_and_beside_the_file() {
        let path = Path::new("/data/registry.db");
        let (a, b) = (temporary_path(path), temporary_path(path));
        assert_ne!(a, b);
        assert_eq!(a.parent(), path.parent());
        assert!(a.to_string_lossy().ends_with(".tmp"), "{a:?}");
        assert_eq!(lock_path(path), Path::new("/data/registry.db.lock"));
    }

    /// Writers in one process share no in-process lock any more: each opens the lock file
    /// itself, and the kernel serialises them all the same.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_writers_in_one_process_lose_nothing() {
        let dir =
            std::env::temp_dir().join(format!("fc-write-file-{}", crate::lease::replica_id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("registry.db");
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/registry/registry.db");
        std::fs::copy(demo, &path).unwrap();
        let writers: Vec<_> = (0..40)
            .map(|i| {
                let path = path.clone();
                tokio::spawn(async move {
                    let name = format!("threaded_{i:02}");
                    commit(
                        &path,
                        "driver_ranking",
                        None,
                        ABSENT,
                        Some((&name, &entry(&name))),
                    )
                    .await
                })
            })
            .collect();
        for w in writers {
            w.await.unwrap().unwrap();
        }
        let bytes = std::fs::read(&path).unwrap();
        for i in 0..40 {
            let name = format!("threaded_{i:02}");
            assert!(
                read(&bytes, "driver_ranking", &name).unwrap().is_some(),
                "{name} lost"
            );
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
