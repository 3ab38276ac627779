@testable import NCDTensor
import XCTest

/// The worker pool: threads claim chunks from a shared counter, so every chunk must run
/// exactly once however the claims interleave, loop after loop.
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
}
