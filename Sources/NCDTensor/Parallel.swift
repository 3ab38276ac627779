/// The runtime's own parallel loops, over as many threads as `TensorThreads.set` allowed.
/// Work is split into a few contiguous chunks per thread; each thread runs its own share
/// and then takes what is left of the others' (see `WorkerPool`). Which thread runs a
/// chunk never changes a result: reductions combine per-chunk partials in chunk order
/// (`sumOfChunks`), so they are deterministic for a given thread count and agree across
/// counts up to float rounding.
enum Parallel {
    nonisolated(unsafe) static var threads = 1

    /// Chunks per thread for a loop with enough work: if one core runs slower for a while,
    /// the other thread takes more of them.
    static let chunksPerThread = 4
    /// Pieces per thread for a large gemm. Fewer than loops get: each piece packs its own
    /// copy of the operand it shares with the others.
    static let gemmPiecesPerThread = 1

    /// Below this many elements of work a loop stays on one thread.
    static let grain = 1 << 15

    /// Set while a parallel loop runs, so that loops (and gemms) inside it stay on their
    /// thread instead of oversubscribing the cores. Written only by the thread that starts
    /// the outer loop.
    nonisolated(unsafe) static var inParallelRegion = false

    /// Calls `body(range)` for disjoint chunks covering `0..<count`, in parallel when
    /// `count × costPerItem` is large enough to pay for it.
    @inline(__always)
    static func forEachChunk(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = chunkCount(count, costPerItem: costPerItem)
        if chunks <= 1 { return body(0..<count) }
        runChunks(count, chunks) { body($1) }
    }

    /// As `forEachChunk`, with each chunk's index in `0..<chunkCount(count, costPerItem:)`,
    /// for loops that keep a partial result per chunk.
    @inline(__always)
    static func forEachIndexedChunk(_ count: Int, costPerItem: Int = 1, _ body: (_ index: Int, Range<Int>) -> Void) {
        let chunks = chunkCount(count, costPerItem: costPerItem)
        if chunks <= 1 { return body(0, 0..<count) }
        runChunks(count, chunks, body)
    }

    /// Σ over the chunks of `count` items of a term of `size` elements: `body(index, range,
    /// partial)` adds its items' share into its chunk's partial (zeroed at first). The
    /// partials are added in chunk order, so the sum does not depend on timing.
    static func sumOfChunks<T: TensorElement>(
        _ count: Int, costPerItem: Int = 1, size: Int,
        _ body: (_ index: Int, Range<Int>, _ partial: UnsafeMutablePointer<T>) -> Void
    ) throws -> [T] {
        let chunks = chunkCount(count, costPerItem: costPerItem)
        var partials = try [T](zeros: chunks * size)
        partials.withUnsafeMutableBufferPointer { p in
            forEachIndexedChunk(count, costPerItem: costPerItem) { index, range in
                body(index, range, p.baseAddress! + index * size)
            }
        }
        guard chunks > 1 else { return partials }
        var sums = try [T](zeros: size)
        for chunk in 0..<chunks { for j in 0..<size { sums[j] += partials[chunk * size + j] } }
        return sums
    }

    /// The parallel half of `forEachChunk`, kept out of line so that the inlined half stays
    /// small enough for its callers (and their closures) to be inlined in turn.
    @inline(never)
    static func runChunks(_ count: Int, _ chunks: Int, _ body: (Int, Range<Int>) -> Void) {
        inParallelRegion = true
        defer { inParallelRegion = false }
        WorkerPool.shared.run(chunks) { c in
            body(c, (count * c / chunks)..<(count * (c + 1) / chunks))
        }
    }

    /// C = αAB + βC split into blocks of rows (or of columns, when C is wider than tall),
    /// one single-threaded BLAS call per piece. The runtime owns every thread: OpenBLAS's
    /// own workers busy-wait between calls and would compete with these loops for the cores.
    @inline(__always)
    static func gemm<T>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int, c: UnsafeMutablePointer<T>, ldc: Int,
        _ call: (_ m: Int, _ n: Int, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>) -> Void
    ) {
        let byRows = m >= n
        // Blocks of 16 rows or columns keep every block's edge on a vector boundary.
        let blocks = ((byRows ? m : n) + 15) / 16
        let flops = 2 * m * n * k
        let chunks =
            inParallelRegion || threads == 1
            ? 1 : Swift.min(threads * gemmPiecesPerThread, blocks, Swift.max(1, flops / (1 << 20)))
        if chunks <= 1 { return call(m, n, a, b, c) }
        splitGemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
            byRows: byRows, blocks: blocks, chunks: chunks, call)
    }

    @inline(never)
    private static func splitGemm<T>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int,
        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int, c: UnsafeMutablePointer<T>, ldc: Int,
        byRows: Bool, blocks: Int, chunks: Int,
        _ call: (_ m: Int, _ n: Int, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>) -> Void
    ) {
        inParallelRegion = true
        defer { inParallelRegion = false }
        WorkerPool.shared.run(chunks) { i in
            let extent = byRows ? m : n
            let start = Swift.min(extent, blocks * i / chunks * 16)
            let end = Swift.min(extent, blocks * (i + 1) / chunks * 16)
            guard end > start else { return }
            if byRows {
                call(end - start, n, a + (transposeA ? start : start * lda), b, c + start * ldc)
            } else {
                call(m, end - start, a, b + (transposeB ? start * ldb : start), c + start)
            }
        }
    }

    /// The number of chunks `forEachChunk` uses, for sizing per-chunk partials: at least
    /// `grain` of work each, and one on a single thread or inside another parallel loop.
    @inline(__always)
    static func chunkCount(_ count: Int, costPerItem: Int = 1) -> Int {
        if inParallelRegion || threads == 1 { return 1 }
        return Swift.min(threads * chunksPerThread, Swift.max(1, count * costPerItem / grain), Swift.max(count, 1))
    }
}
