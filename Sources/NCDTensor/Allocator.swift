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

extension Array where Element: TensorElement {
    /// `count` elements set by `initialize`, which must write every one of them. Unlike
    /// `init(repeating:count:)` it costs no zero fill: for outputs that a kernel overwrites
    /// anyway, that fill is a second pass over memory as large as the result.
    @inline(__always)
    init(uninitializedCount count: Int, _ initialize: (UnsafeMutableBufferPointer<Element>) throws -> Void) rethrows {
        try self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
            try initialize(buffer)
            initialized = count
        }
    }
}
