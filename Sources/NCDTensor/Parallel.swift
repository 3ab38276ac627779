import COpenBLAS
import Dispatch

/// The runtime's own parallel loops, over as many threads as `TensorThreads.set` allowed.
/// Work is split into one contiguous chunk per thread, so results do not depend on timing;
/// reductions combine per-chunk partials in chunk order, so they are deterministic for a
/// given thread count and agree across counts up to float rounding.
enum Parallel {
    nonisolated(unsafe) static var threads = 1

    /// Below this many elements of work a loop stays on one thread.
    static let grain = 1 << 15

    /// Calls `body(range)` for disjoint chunks covering `0..<count`, in parallel when
    /// `count × costPerItem` is large enough to pay for it.
    @inline(__always)
    static func forEachChunk(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = Swift.min(threads, Swift.max(1, count * costPerItem / grain), count)
        if chunks <= 1 { return body(0..<count) }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            body((count * c / chunks)..<(count * (c + 1) / chunks))
        }
    }

    /// The number of chunks `forEachChunk` would use, for sizing per-chunk partials.
    static func chunkCount(_ count: Int, costPerItem: Int = 1) -> Int {
        Swift.min(threads, Swift.max(1, count * costPerItem / grain), Swift.max(count, 1))
    }
}
