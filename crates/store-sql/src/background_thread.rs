//! Threads whose work may wait: the search index's indexer
//! (`search_file.rs`) runs below the priority of the threads every send
//! waits on.
//!
//! The indexer applies what the commit already acknowledged, so what it
//! costs a send is only the CPU it takes from the commit path when both
//! want a core. At the kernel's normal priority it is scheduled as often
//! as the commit's thread and the runtime's workers; a higher nice value
//! lets them go first and leaves it the time they leave. On a saturated
//! box it still gets a share (`INDEXER_NICE`), and a queue full of
//! batches makes the commits wait for it, so it never falls behind
//! without bound.
//!
//! Its work runs on two threads: its own, with a runtime of its own
//! (`spawn_lowered`: making the index terms, binding the rows), and the
//! thread sqlx starts for its SQLite connection (FTS5's work), found by
//! the name given to it (`SqliteConnectOptions::thread_name`,
//! `lower_threads_named`). The nice value is a thread's own on Linux;
//! elsewhere the threads keep the normal priority.

use std::future::Future;

/// The indexer's thread.
pub(crate) const INDEXER_THREAD: &str = "search-indexer";

/// The thread of the indexer's SQLite connection (Linux keeps 15 bytes
/// of a thread's name).
pub(crate) const INDEX_DB_THREAD: &str = "search-index-db";

/// The indexer's nice value: below the normal 0, so a busy commit path
/// goes first, yet with about a tenth of a normal thread's weight on a
/// saturated core, about what indexing costs a send in CPU.
pub(crate) const INDEXER_NICE: i32 = 10;

/// Gives every thread of this process named `name` the nice value `nice`
/// (raising it needs no privilege).
#[cfg(target_os = "linux")]
pub(crate) fn lower_threads_named(name: &str, nice: i32) {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return;
    };
    for task in tasks.flatten() {
        let named = std::fs::read_to_string(task.path().join("comm"))
            .is_ok_and(|comm| comm.trim_end() == name);
        let tid = task
            .file_name()
            .to_str()
            .and_then(|t| t.parse::<i32>().ok())
            .and_then(rustix::process::Pid::from_raw);
        let (true, Some(tid)) = (named, tid) else {
            continue;
        };
        // The thread may have ended since it was listed.
        if let Err(e) = rustix::process::setpriority_process(Some(tid), nice) {
            tracing::debug!(thread = name, error = %e, "could not lower a thread's priority");
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn lower_threads_named(_name: &str, _nice: i32) {}

/// Runs `work` to its end on a thread of its own named `name`, at the
/// nice value `nice`, on a runtime of its own (so it is not run by the
/// caller's workers, at their priority).
pub(crate) fn spawn_lowered<F>(name: &str, nice: i32, work: F) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            lower_this_thread(nice);
            runtime.block_on(work);
        })?;
    Ok(())
}

/// Gives the calling thread the nice value `nice`.
#[cfg(target_os = "linux")]
fn lower_this_thread(nice: i32) {
    // On Linux the nice value is the thread's: `None` is the caller.
    if let Err(e) = rustix::process::setpriority_process(None, nice) {
        tracing::warn!(error = %e, "could not lower a thread's priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_this_thread(_nice: i32) {}
