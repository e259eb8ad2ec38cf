//! Registry history, server side: the store (`store.rs`), the recorder that writes what each
//! new snapshot changed (`recorder.rs`), its links to the permission audit log
//! (`audit_link.rs`), retention (`retention.rs`) and the `catalog diff` command (`cli.rs`). The change
//! model and the diff are pure domain in `app::history`.
//!
//! The pages' side: `backend.rs` (`HistoryService`: timelines filtered by visibility,
//! comparisons), `visibility.rs` (DESCRIBE on recorded objects), `http.rs` (feeds, exports).

pub mod audit_link;
pub mod backend;
pub mod cli;
pub mod feed_key;
pub mod http;
pub mod recorder;
pub mod retention;
pub mod store;
pub mod visibility;
