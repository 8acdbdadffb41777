//! Document images for the window (`bhxhdoc://`): a fixed pool of threads, so a
//! burst of requests (a queue prefetching, a page of thumbnails) never becomes a
//! thread each, and one decode per document however many sizes are asked at once.

use std::collections::HashMap;
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send>;

/// Threads that answer image requests; a full queue answers "busy" at once.
pub struct ImagePool {
    jobs: Mutex<SyncSender<Job>>,
}

/// The pool's queue is full: the window asks again.
#[derive(Debug)]
pub struct Busy;

impl ImagePool {
    pub fn new(threads: usize, queue: usize) -> Self {
        let (tx, rx) = mpsc::sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..threads.max(1) {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new().name(format!("images-{n}")).spawn(move || {
                loop {
                    // The lock is held only while taking a job, not while running it.
                    let Ok(job) = rx.lock().unwrap_or_else(|p| p.into_inner()).recv() else { return };
                    // A job that panics costs its own answer (the job's caller sees to
                    // that), never one of the pool's few threads.
                    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                        tracing::error!("an image job panicked");
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "an image thread did not start");
            }
        }
        ImagePool { jobs: Mutex::new(tx) }
    }

    pub fn submit(&self, job: impl FnOnce() + Send + 'static) -> Result<(), Busy> {
        match self.jobs.lock().unwrap_or_else(|p| p.into_inner()).try_send(Box::new(job)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Busy),
        }
    }
}

/// One holder per key at a time: the second request for a document being decoded
/// waits for the first and then reads what it saved, instead of decoding again.
#[derive(Default)]
pub(crate) struct KeyedLocks {
    map: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

struct Leave<'a> {
    locks: &'a KeyedLocks,
    key: &'a str,
    entry: Arc<Mutex<()>>,
}

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        let mut map = self.locks.map.lock().unwrap_or_else(|p| p.into_inner());
        // The map's, this guard's and the caller's `entry`: nobody else waits on this key.
        if Arc::strong_count(&self.entry) == 3 {
            map.remove(self.key);
        }
    }
}

impl KeyedLocks {
    pub(crate) fn run<T>(&self, key: &str, f: impl FnOnce() -> T) -> T {
        let entry = Arc::clone(self.map.lock().unwrap_or_else(|p| p.into_inner()).entry(key.to_owned()).or_default());
        // The entry goes when the last holder leaves, a panicking job included: a
        // key left behind would grow the map for ever on a long day.
        let _leave = Leave { locks: self, key, entry: Arc::clone(&entry) };
        let _turn = entry.lock().unwrap_or_else(|p| p.into_inner());
        f()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn concurrent_requests_for_one_key_run_one_at_a_time() {
        let locks = Arc::new(KeyedLocks::default());
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (locks, inside, most) = (Arc::clone(&locks), Arc::clone(&inside), Arc::clone(&most));
                std::thread::spawn(move || {
                    locks.run("sha", || {
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(5));
                        inside.fetch_sub(1, Ordering::SeqCst);
                    });
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
        assert_eq!(locks.len(), 0, "no key is left behind");
    }

    #[test]
    fn a_key_whose_job_panicked_is_not_left_behind() {
        let locks = KeyedLocks::default();
        let caught =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| locks.run("sha", || panic!("bad image"))));
        assert!(caught.is_err());
        assert_eq!(locks.len(), 0);
        assert_eq!(locks.run("sha", || 7), 7, "the key works again");
    }

    #[test]
    fn a_job_that_panics_does_not_take_its_thread_with_it() {
        let pool = ImagePool::new(1, 4);
        pool.submit(|| panic!("a bad image")).expect("queued");
        let (done, answered) = mpsc::channel::<()>();
        pool.submit(move || {
            let _ = done.send(());
        })
        .expect("queued");
        answered.recv_timeout(Duration::from_secs(10)).expect("the next job still runs");
    }

    #[test]
    fn a_full_pool_says_busy_instead_of_growing() {
        let pool = ImagePool::new(1, 1);
        let (release, wait) = mpsc::channel::<()>();
        let (started, running) = mpsc::channel::<()>();
        pool.submit(move || {
            let _ = started.send(());
            let _ = wait.recv();
        })
        .expect("first");
        running.recv().expect("the first job runs");
        pool.submit(|| {}).expect("one waits in the queue");
        assert!(pool.submit(|| {}).is_err(), "the queue is full");
        release.send(()).expect("release");
    }
}
