//! Gives the heap memory a registry load freed back to the operating system.
//!
//! glibc's malloc gives each thread that allocates an arena of its own and returns freed
//! memory to the system only from the top of the main heap. A registry load decodes on every
//! core and frees its temporaries (blobs, protobuf messages, the replaced snapshot) in those
//! arenas, where they stay resident until the same thread happens to reuse them: RSS after a
//! load is several times what the snapshot holds (`scripts/bench-scale.sh` prints both).
//! `malloc_trim(0)` releases every arena's free pages. Other allocators and platforms have
//! nothing to do here.

/// Releases freed heap pages to the system; takes milliseconds on a large heap, so callers run
/// it on a blocking thread and only after a snapshot was replaced.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` takes no pointers; it walks glibc's own free lists under each
    // arena's lock and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn releasing_after_frees_keeps_live_data() {
        let kept: Vec<Vec<u8>> = (0..64).map(|i| vec![i as u8; 64 << 10]).collect();
        let freed: Vec<Vec<u8>> = (0..64).map(|_| vec![1u8; 64 << 10]).collect();
        drop(freed);
        super::release_freed();
        assert!(kept
            .iter()
            .enumerate()
            .all(|(i, v)| v.iter().all(|b| *b == i as u8)));
    }
}
