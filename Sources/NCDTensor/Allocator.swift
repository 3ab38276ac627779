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

/// The one place the runtime asks for a tensor's elements, so that running out of memory
/// is an error (``TensorError/outOfMemory(elements:bytes:)``) and never a trap.
///
/// A Swift array traps when `malloc` fails, so a large block is first asked of `malloc`
/// directly and given back untouched (no page is faulted in); only then is the array made.
/// It gets the same block: with the trim threshold raised above, glibc keeps a freed
/// block for the next request of its size. Another thread's allocation between the two
/// could still take it; the runtime's worker threads allocate nothing tensor-sized.
enum TensorMemory {
    /// Requests from this size up are asked of the system first. Below it a failure means
    /// the process has no memory left for anything, messages included.
    static let probedBytes = 1 << 20

    /// Room for the array's header, so the probe asks for at least what the array will.
    static let headerBytes = 64

    /// Throws unless `count` elements of `T` can be had now.
    @inline(__always)
    static func reserve<T>(_ count: Int, of _: T.Type) throws {
        _ = allocatorConfigured
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow, count >= 0 else { throw TensorError.outOfMemory(elements: count, bytes: nil) }
        guard bytes >= probedBytes else { return }
        guard let block = malloc(bytes + headerBytes) else {
            throw TensorError.outOfMemory(elements: count, bytes: bytes)
        }
        free(block)
    }
}

extension Array where Element: TensorElement {
    /// `count` elements set by `initialize`, which must write every one of them. Unlike
    /// `init(repeating:count:)` it costs no zero fill: for outputs that a kernel overwrites
    /// anyway, that fill is a second pass over memory as large as the result.
    @inline(__always)
    init(uninitializedCount count: Int, _ initialize: (UnsafeMutableBufferPointer<Element>) throws -> Void) throws {
        try TensorMemory.reserve(count, of: Element.self)
        try self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
            try initialize(buffer)
            initialized = count
        }
    }

    /// `count` copies of `value`, through ``TensorMemory``.
    @inline(__always)
    init(filled value: Element, count: Int) throws {
        try TensorMemory.reserve(count, of: Element.self)
        self.init(repeating: value, count: count)
    }

    /// `count` zeros, through ``TensorMemory``.
    @inline(__always)
    init(zeros count: Int) throws {
        try self.init(filled: 0, count: count)
    }

    /// A copy of `other` that this code may write, through ``TensorMemory``: assigning an
    /// array and then writing it copies it implicitly, which would trap on failure.
    @inline(__always)
    init(copying other: [Element]) throws {
        try self.init(uninitializedCount: other.count) { out in
            _ = out.initialize(from: other)
        }
    }
}

extension Tensor {
    /// A copy with storage of its own, to write into: what `var y = x` followed by a write
    /// does implicitly, here through ``TensorMemory``.
    public func copied() throws -> Tensor {
        Tensor(unchecked: shape, try [T](copying: storage))
    }
}
