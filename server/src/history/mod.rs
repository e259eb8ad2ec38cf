//! Registry history, server side: the store (`store.rs`), the recorder that writes what each
//! new snapshot changed (`recorder.rs`) and the `catalog diff` command (`cli.rs`). The change
//! model and the diff are pure domain in `app::history`.

pub mod store;
