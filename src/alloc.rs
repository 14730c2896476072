//! Allocator tuning for training. Every step allocates and frees activation and gradient
//! buffers of a few hundred KB to a few MB. glibc serves those with mmap and returns them with
//! munmap, so each step paid page faults and page clearing again (about a tenth of a deep
//! sweep's time in `perf`). A high mmap threshold keeps them in the heap, and a high trim
//! threshold keeps freed heap memory for the next step; peak memory is unchanged.

/// Sets glibc's mmap and trim thresholds (a no-op elsewhere). Call once, early.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it is called before any other thread
    // exists, and both values are valid for these options.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}
