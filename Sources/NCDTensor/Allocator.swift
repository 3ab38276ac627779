import CMalloc

/// Large fresh allocations page-fault at a few GB/s on Linux; reused ones run at memory
/// speed. glibc returns big blocks to the kernel on free (mmap threshold, heap trimming),
/// so every step would fault its intermediates in again. Raising both thresholds keeps
/// freed buffers in the heap, where the next step's tensors of the same sizes find them:
/// a buffer pool without a pool. Done once, when the first tensor is made.
let allocatorConfigured: Bool = {
    _ = mallopt(M_MMAP_THRESHOLD, 1 << 30)
    _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
    return true
}()
