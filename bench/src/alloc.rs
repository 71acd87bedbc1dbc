//! A counting global allocator: current bytes, peak bytes and allocation count.
//!
//! The bench binary measures the heap a payment in flight holds. Rust offers no way to
//! observe every allocation other than wrapping the global allocator, and a
//! [`GlobalAlloc`] implementation must be an `unsafe impl`: that is the one place this
//! workspace allows `unsafe`, and only in this binary. Each method forwards to
//! [`System`] unchanged and only adds relaxed atomic counters, so it keeps `System`'s
//! guarantees (the caller's layout is passed through untouched).
//!
//! Counting is off unless a run asks for it ([`set_counting`]). The counters are shared by
//! every thread, so each allocation that counts moves their cache line between the cores:
//! a tax per allocation that would make the side that allocates more look slower than it
//! is. Throughput runs therefore count nothing; heap and allocation figures come from runs
//! of their own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicU64, Ordering};

/// The system allocator with counters.
pub struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
// Signed: memory allocated before counting began may be freed while it counts.
static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

fn counting() -> bool {
    COUNTING.load(Ordering::Relaxed)
}

fn grew(by: usize) {
    if counting() {
        let by = isize::try_from(by).unwrap_or(isize::MAX);
        let now = CURRENT.fetch_add(by, Ordering::Relaxed).saturating_add(by);
        PEAK.fetch_max(now, Ordering::Relaxed);
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

fn shrank(by: usize) {
    if counting() {
        CURRENT.fetch_sub(isize::try_from(by).unwrap_or(isize::MAX), Ordering::Relaxed);
    }
}

/// Turns counting on or off for the whole process.
pub fn set_counting(on: bool) {
    COUNTING.store(on, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's own arguments, so the
// `GlobalAlloc` contract (valid layouts in, matching deallocation) is `System`'s; the
// counters are plain atomics and never touch the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `alloc_zeroed`'s contract.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; `ptr` came from this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `realloc`'s contract.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        new
    }
}

/// Bytes allocated now, counted from when counting first began.
pub fn current() -> isize {
    CURRENT.load(Ordering::Relaxed)
}

/// The highest [`current`] since the last [`reset_peak`].
pub fn peak() -> isize {
    PEAK.load(Ordering::Relaxed)
}

/// Starts a new peak measurement from the current level; returns that level (the baseline).
pub fn reset_peak() -> isize {
    let now = current();
    PEAK.store(now, Ordering::Relaxed);
    now
}

/// How many allocations (and reallocations) were counted so far.
pub fn allocations() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}
