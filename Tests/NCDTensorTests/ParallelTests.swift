import XCTest

@testable import NCDTensor

/// The worker pool: each thread runs its own share of a loop's chunks and then takes what is
/// left of the others', so every chunk must run exactly once however the claims
/// interleave, loop after loop, and a thread held up in one chunk must not hold up the rest.
final class ParallelTests: XCTestCase {
    override func tearDown() { TensorThreads.set(1) }

    func testEveryIndexIsVisitedOnceInEveryLoop() {
        TensorThreads.set(2)
        XCTAssertEqual(Parallel.chunkCount(1 << 20), 2 * Parallel.chunksPerThread)
        for round in 0..<400 {
            // From one chunk to many, with loops back to back so that late workers meet
            // the next loop's counter.
            let count = 1 + (round % 40) * 997
            var hits = [UInt8](repeating: 0, count: count)
            hits.withUnsafeMutableBufferPointer { h in
                Parallel.forEachChunk(count, costPerItem: 64) { range in for i in range { h[i] &+= 1 } }
            }
            XCTAssertTrue(hits.allSatisfy { $0 == 1 }, "round \(round): \(count) items")
        }
    }

    func testIndexedChunksEachGetTheirOwnIndex() {
        TensorThreads.set(2)
        // Counts the chunks do not divide: recovering an index from a chunk's first item
        // (first × chunks / count) gives two chunks index 0 at 1001 items.
        for count in [1001, 1000, 9, 65_537] {
            let chunks = Parallel.chunkCount(count, costPerItem: 1 << 15)
            XCTAssertGreaterThan(chunks, 1)
            var seen = [Range<Int>?](repeating: nil, count: chunks)
            seen.withUnsafeMutableBufferPointer { seen in
                Parallel.forEachIndexedChunk(count, costPerItem: 1 << 15) { index, range in seen[index] = range }
            }
            XCTAssertEqual(
                seen, (0..<chunks).map { (count * $0 / chunks)..<(count * ($0 + 1) / chunks) }, "\(count) items")
        }
    }

    func testLoopsInsideALoopStayOnTheirThread() {
        TensorThreads.set(2)
        var inner = [Int](repeating: 0, count: 8)
        inner.withUnsafeMutableBufferPointer { counts in
            Parallel.forEachChunk(8, costPerItem: 1 << 15) { outer in
                for o in outer {
                    XCTAssertEqual(Parallel.chunkCount(1 << 20), 1)
                    Parallel.forEachChunk(1 << 10, costPerItem: 1 << 10) { range in counts[o] += range.count }
                }
            }
        }
        XCTAssertEqual(inner, [Int](repeating: 1 << 10, count: 8))
    }

    func testAThreadHeldUpInItsShareHasTheRestTakenFromIt() {
        TensorThreads.set(2)
        let count = 8
        let done = (0..<count).map { _ in ManagedFlag() }
        var othersFinished = false
        // The calling thread owns chunks 0…3. Chunk 0 waits (at most 10 s) until every
        // other chunk has run, which happens only if the worker takes 1…3 from its back.
        WorkerPool.shared.run(count) { c in
            if c == 0 {
                let deadline = Date().addingTimeInterval(10)
                while Date() < deadline, !done[1...].allSatisfy(\.isSet) { usleep(100) }
                othersFinished = done[1...].allSatisfy(\.isSet)
            }
            done[c].set()
        }
        XCTAssertTrue(othersFinished, "the worker did not take the held-up thread's chunks")
        XCTAssertTrue(done.allSatisfy(\.isSet))
    }
}

/// A flag one thread sets and another polls.
private final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
