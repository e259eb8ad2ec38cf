//! CPU-heavy work of a request (diagram and lineage layout, the permissions matrix) runs here:
//! on tokio's blocking threads, at most `cpu_workers` at once, so the async workers keep
//! answering cheap requests (`/healthz`, a list page) during a burst. Requests that would wait
//! beyond `cpu_queue` are refused at once: the page answers 503 with `Retry-After` instead of
//! piling up work nobody will wait for.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Seconds a refused request is told to wait before trying again.
pub const RETRY_AFTER_SECONDS: u64 = 2;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CpuError {
    #[error("the console is busy drawing for other requests; try again in a few seconds")]
    Busy,
    #[error("the work stopped unexpectedly (it panicked)")]
    Panicked,
}

pub struct CpuPool {
    permits: Arc<Semaphore>,
    workers: usize,
    queue: usize,
    /// Requests running on a worker or waiting for one.
    admitted: Arc<AtomicUsize>,
}

/// One admitted request; leaving (done, or dropped while waiting) makes room for another.
struct Admission(Arc<AtomicUsize>);

impl Drop for Admission {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Every worker, held: nothing new runs until this is dropped (tests use it to keep a burst
/// waiting without depending on how long the work takes).
pub struct HeldWorkers(#[allow(dead_code)] OwnedSemaphorePermit);

impl Default for CpuPool {
    fn default() -> Self {
        CpuPool::new(0, 32)
    }
}

impl CpuPool {
    /// `workers` threads at once (0: one per core), `queue` requests waiting beyond them.
    pub fn new(workers: usize, queue: usize) -> CpuPool {
        let workers = if workers == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            workers
        };
        CpuPool {
            permits: Arc::new(Semaphore::new(workers)),
            workers,
            queue,
            admitted: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Requests running on a worker or waiting for one.
    pub fn admitted(&self) -> usize {
        self.admitted.load(Ordering::SeqCst)
    }

    /// Runs `work` on a blocking thread once a worker is free. `Busy` (and, inside a page or
    /// server function, a 503 with `Retry-After`) when `cpu_workers + cpu_queue` requests are
    /// already in.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, CpuError> {
        let bound = self.workers + self.queue;
        let admitted = self
            .admitted
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < bound).then_some(n + 1)
            });
        if admitted.is_err() {
            answer_busy();
            return Err(CpuError::Busy);
        }
        let admission = Admission(self.admitted.clone());
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| CpuError::Busy)?;
        // The permit and the admission go with the work: a client that hangs up does not free
        // a worker that is still busy with its request.
        tokio::task::spawn_blocking(move || {
            let _held = (permit, admission);
            work()
        })
        .await
        .map_err(|_| CpuError::Panicked)
    }

    /// Takes every worker until the result is dropped.
    pub async fn hold_all(&self) -> HeldWorkers {
        let permit = self
            .permits
            .clone()
            .acquire_many_owned(self.workers as u32)
            .await
            .expect("the pool's semaphore is never closed");
        HeldWorkers(permit)
    }
}

/// Inside a page render or a server function: the response becomes a 503 with `Retry-After`.
fn answer_busy() {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
        response.insert_header(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(RETRY_AFTER_SECONDS),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn past_the_queue_work_is_refused_and_room_comes_back() {
        let pool = Arc::new(CpuPool::new(1, 1));
        let held = pool.hold_all().await;
        let waiting: Vec<_> = (0..2)
            .map(|i| {
                let pool = pool.clone();
                tokio::spawn(async move { pool.run(move || i * 2).await })
            })
            .collect();
        while pool.admitted() < 2 {
            tokio::task::yield_now().await;
        }
        assert_eq!(pool.run(|| 0).await, Err(CpuError::Busy));
        drop(held);
        let mut done = Vec::new();
        for w in waiting {
            done.push(w.await.unwrap());
        }
        assert_eq!(done, vec![Ok(0), Ok(2)]);
        assert_eq!(pool.admitted(), 0);
        assert_eq!(pool.run(|| 7).await, Ok(7));
    }

    #[tokio::test]
    async fn a_panic_is_an_error_not_a_crash() {
        let pool = CpuPool::new(1, 0);
        assert_eq!(
            pool.run(|| panic!("boom")).await,
            Err::<(), _>(CpuError::Panicked)
        );
        assert_eq!(pool.admitted(), 0);
    }
}
