//! Decoding a registry's blobs on every core while they are still being read.
//!
//! [`StreamDecoder`] takes rows as the SQL reader streams them and hands chunks to decoder
//! threads over a bounded channel, so only a few chunks of blobs are held at once (not the
//! whole table) and decoding overlaps the read. [`decode_all_blocking`] does the same for blobs
//! already in memory (the file registry). Each decoder thread has its own [`Interner`], so
//! objects it decodes share their repeated strings (a string is kept at most once per thread).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use app::catalog::model::CatalogObject;
use app::util::shared_str::{Interner, SharedStr};
use tokio::sync::mpsc;

use super::decode::{decode_blob_interned, BlobKind};
use super::load_error::LoadProblem;

/// Rows per chunk: large enough that the channel is not the cost, small enough that the
/// blobs in flight (chunks queued and being decoded) stay a few megabytes.
const CHUNK_ROWS: usize = 256;

/// One stored row: key columns, timestamp and blob.
pub struct BlobRow {
    pub project: String,
    pub name: String,
    pub updated: i64,
    pub blob: Vec<u8>,
}

/// One decoded row. The key's strings are the object's own where they are equal.
pub struct Decoded {
    pub project: SharedStr,
    pub name: SharedStr,
    pub updated: i64,
    pub object: CatalogObject,
}

pub fn decode_row(kind: BlobKind, row: BlobRow, interner: &mut Interner) -> Decoded {
    let object = decode_blob_interned(kind, &row.project, &row.name, &row.blob, interner);
    let name = if object.name == row.name {
        object.name.clone()
    } else {
        interner.intern(&row.name)
    };
    Decoded {
        project: object.project.clone(),
        name,
        updated: row.updated,
        object,
    }
}

/// Decoder threads: one per core the process may use.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// One interner per decoder thread, for a load that decodes several tables: objects of all
/// of them share strings (a table's decoder hands them back with its objects).
pub fn interners() -> Vec<Interner> {
    (0..threads()).map(|_| Interner::default()).collect()
}

/// What one decoder thread made of its rows.
#[derive(Default)]
struct Part {
    decoded: Vec<Decoded>,
    interner: Interner,
    /// Rows decoded and dropped (counting only).
    counted: usize,
    /// Their objects' projects (counting only).
    projects: BTreeSet<SharedStr>,
}

/// Decodes rows fed while they are read; [`StreamDecoder::finish`] returns every object, or
/// (started with `keep` false) [`StreamDecoder::finish_count`] only how many there were and
/// their projects, each object dropped once decoded.
pub struct StreamDecoder {
    chunk: Vec<BlobRow>,
    sender: mpsc::Sender<Vec<BlobRow>>,
    workers: tokio::task::JoinHandle<Vec<Part>>,
}

impl StreamDecoder {
    /// Decoder threads, one per interner given ([`interners`]), keeping every object.
    pub fn start(kind: BlobKind, interners: Vec<Interner>) -> StreamDecoder {
        StreamDecoder::start_with(kind, interners, true)
    }

    /// Decoder threads that decode every row and keep only a count and the projects: the
    /// work of a full read without holding a second copy of the registry (the cache probe).
    pub fn start_counting(kind: BlobKind) -> StreamDecoder {
        StreamDecoder::start_with(kind, interners(), false)
    }

    fn start_with(kind: BlobKind, interners: Vec<Interner>, keep: bool) -> StreamDecoder {
        let threads = interners.len().max(1);
        let (sender, receiver) = mpsc::channel::<Vec<BlobRow>>(threads * 2);
        let receiver = Arc::new(Mutex::new(receiver));
        let workers = tokio::task::spawn_blocking(move || {
            std::thread::scope(|scope| {
                let handles: Vec<_> = interners
                    .into_iter()
                    .map(|mut interner| {
                        let receiver = receiver.clone();
                        scope.spawn(move || {
                            let mut part = Part::default();
                            loop {
                                // One thread waits on the channel at a time; the others decode.
                                let next = match receiver.lock() {
                                    Ok(mut r) => r.blocking_recv(),
                                    Err(_) => None,
                                };
                                let Some(rows) = next else { break };
                                for row in rows {
                                    let decoded = decode_row(kind, row, &mut interner);
                                    if keep {
                                        part.decoded.push(decoded);
                                    } else {
                                        part.counted += 1;
                                        part.projects.insert(decoded.project);
                                    }
                                }
                            }
                            part.interner = interner;
                            part
                        })
                    })
                    .collect();
                let mut all = Vec::new();
                for handle in handles {
                    match handle.join() {
                        Ok(done) => all.push(done),
                        Err(panic) => std::panic::resume_unwind(panic),
                    }
                }
                all
            })
        });
        StreamDecoder {
            chunk: Vec::with_capacity(CHUNK_ROWS),
            sender,
            workers,
        }
    }

    /// Queues one row; waits while the decoders are behind.
    pub async fn push(&mut self, row: BlobRow) -> Result<(), LoadProblem> {
        self.chunk.push(row);
        if self.chunk.len() >= CHUNK_ROWS {
            let full = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK_ROWS));
            if self.sender.send(full).await.is_err() {
                return Err(LoadProblem::DecoderFailed);
            }
        }
        Ok(())
    }

    /// Every row pushed, decoded (in no particular order), and the interners back.
    pub async fn finish(self) -> Result<(Vec<Decoded>, Vec<Interner>), LoadProblem> {
        let done = self.parts().await?;
        let mut decoded = Vec::with_capacity(done.iter().map(|p| p.decoded.len()).sum());
        let mut interners = Vec::with_capacity(done.len());
        for part in done {
            decoded.extend(part.decoded);
            interners.push(part.interner);
        }
        Ok((decoded, interners))
    }

    /// For a decoder from [`StreamDecoder::start_counting`]: the rows decoded and the
    /// projects their objects belong to.
    pub async fn finish_count(self) -> Result<(usize, BTreeSet<SharedStr>), LoadProblem> {
        let mut count = 0;
        let mut projects = BTreeSet::new();
        for part in self.parts().await? {
            count += part.counted;
            projects.extend(part.projects);
        }
        Ok((count, projects))
    }

    async fn parts(self) -> Result<Vec<Part>, LoadProblem> {
        let StreamDecoder {
            chunk,
            sender,
            workers,
        } = self;
        if !chunk.is_empty() && sender.send(chunk).await.is_err() {
            return Err(LoadProblem::DecoderFailed);
        }
        drop(sender);
        workers.await.map_err(|_| LoadProblem::DecoderFailed)
    }
}

/// Decodes `rows` already in memory on the calling thread and as many more as there are cores
/// (call it off the async workers); results are in the order of `rows`.
pub fn decode_all_blocking<T: Send>(
    rows: Vec<T>,
    decode: &(impl Fn(T, &mut Interner) -> CatalogObject + Sync),
) -> Vec<CatalogObject> {
    let threads = threads().min(rows.len().div_ceil(CHUNK_ROWS)).max(1);
    let per_thread = rows.len().div_ceil(threads);
    let mut parts: Vec<Vec<T>> = Vec::with_capacity(threads);
    let mut rest = rows;
    while rest.len() > per_thread {
        let tail = rest.split_off(per_thread);
        parts.push(rest);
        rest = tail;
    }
    parts.push(rest);
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    let mut interner = Interner::default();
                    part.into_iter()
                        .map(|row| decode(row, &mut interner))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(decoded) => all.extend(decoded),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    })
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;
    use crate::registry::decode::decode_blob;
    use crate::registry::proto::{FeatureSpecV2, FeatureView, FeatureViewSpec};

    /// Blobs of views `v0..v{n}`, every seventh one corrupt (it must decode as unreadable,
    /// not stop the others).
    fn blobs(n: usize) -> Vec<(String, Vec<u8>)> {
        (0..n)
            .map(|i| {
                let name = format!("v{i}");
                let blob = if i % 7 == 3 {
                    vec![0xff; 5]
                } else {
                    FeatureView {
                        spec: Some(FeatureViewSpec {
                            name: name.clone(),
                            project: "p".into(),
                            features: vec![FeatureSpecV2 {
                                name: format!("f{}", i % 3),
                                value_type: 4,
                                ..Default::default()
                            }],
                            ..Default::default()
                        }),
                        ..Default::default()
                    }
                    .encode_to_vec()
                };
                (name, blob)
            })
            .collect()
    }

    fn one_by_one(blobs: &[(String, Vec<u8>)]) -> Vec<CatalogObject> {
        blobs
            .iter()
            .map(|(name, blob)| decode_blob(BlobKind::FeatureView, "p", name, blob))
            .collect()
    }

    #[tokio::test]
    async fn streamed_rows_decode_once_each_as_one_by_one() {
        // More rows than a few chunks, on more threads than one, so chunks interleave.
        let input = blobs(3 * CHUNK_ROWS + 7);
        let interners = (0..3).map(|_| Interner::default()).collect();
        let mut decoder = StreamDecoder::start(BlobKind::FeatureView, interners);
        for (i, (name, blob)) in input.iter().enumerate() {
            let row = BlobRow {
                project: "p".into(),
                name: name.clone(),
                updated: i as i64,
                blob: blob.clone(),
            };
            decoder.push(row).await.expect("decoders running");
        }
        let (mut decoded, interners) = decoder.finish().await.expect("decoders finished");
        assert_eq!(interners.len(), 3, "each thread hands its interner back");
        decoded.sort_by_key(|d| d.updated);
        let expected = one_by_one(&input);
        assert_eq!(decoded.len(), expected.len());
        for ((d, want), (name, _)) in decoded.iter().zip(&expected).zip(&input) {
            assert_eq!(&d.object, want);
            assert_eq!(
                d.name.as_str(),
                name,
                "the row's key, also for unreadable blobs"
            );
            assert_eq!(d.project.as_str(), "p");
        }
    }

    #[tokio::test]
    async fn a_dropped_decoder_does_not_hang_or_panic() {
        // What a read error mid-table does: the reader returns and drops the decoder.
        let mut decoder = StreamDecoder::start(BlobKind::FeatureView, interners());
        for (name, blob) in blobs(CHUNK_ROWS + 1) {
            let row = BlobRow {
                project: "p".into(),
                name,
                updated: 0,
                blob,
            };
            decoder.push(row).await.expect("decoders running");
        }
        drop(decoder);
    }

    #[test]
    fn blobs_in_memory_decode_in_input_order_as_one_by_one() {
        let input = blobs(2 * CHUNK_ROWS + 5);
        let decoded = decode_all_blocking(input.iter().collect(), &|(name, blob), interner| {
            decode_blob_interned(BlobKind::FeatureView, "p", name, blob, interner)
        });
        assert_eq!(decoded, one_by_one(&input));
        assert!(decode_all_blocking(Vec::<u8>::new(), &|_, _| unreachable!()).is_empty());
    }
}
