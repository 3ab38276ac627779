import Foundation
import NCDTensor
import XCTest

/// Row lookup, the causal mask and normal initialisation, against plain loops and formulas.
final class GatherTests: XCTestCase {
    func testGatherRowsAgainstALoopAndFiniteDifferences() throws {
        let table = try random([5, 3], seed: 21)
        let ids = [4, 0, 4, 2]  // row 4 twice: its gradient is the sum of both reads
        let y = try Variable(table).gatherRows(ids)
        XCTAssertEqual(y.shape, [4, 3])
        for (i, row) in ids.enumerated() {
            for j in 0..<3 { XCTAssertEqual(y.value.storage[i * 3 + j], table.storage[row * 3 + j]) }
        }
        try checkGradients([table]) { try $0[0].gatherRows(ids) }
        XCTAssertThrowsError(try Variable(table).gatherRows([5])) { error in
            XCTAssertTrue("\(error)".contains("index 5 at position 0 is out of range for 5 rows"), "\(error)")
        }
    }

    func testCausalMaskHidesLaterKeys() throws {
        let scores = try random([2, 3, 3], seed: 22)
        let y = try Variable(scores).causallyMasked()
        for b in 0..<2 {
            for i in 0..<3 {
                for j in 0..<3 {
                    let k = b * 9 + i * 3 + j
                    if j > i {
                        XCTAssertEqual(y.value.storage[k], -.infinity)
                    } else {
                        XCTAssertEqual(y.value.storage[k], scores.storage[k])
                    }
                }
            }
        }
        // Through a softmax, as attention uses it: finite, and the masked weights are 0.
        try checkGradients([scores]) { try $0[0].causallyMasked().softmax(axis: 2) }
        let p = try Variable(scores).causallyMasked().softmax(axis: 2).value.storage
        XCTAssertEqual(p[1], 0)
        XCTAssertEqual(p[0], 1, accuracy: 1e-12)
        XCTAssertThrowsError(try Variable(random([3], seed: 1)).causallyMasked())
        // Fewer queries than keys: row i keeps keys 0…i.
        let wide = try Variable(random([2, 4], seed: 23)).causallyMasked().value.storage
        XCTAssertEqual(wide.map { $0 == -.infinity }, [false, true, true, true, false, false, true, true])
        try checkGradients([random([3, 2], seed: 24)]) { try $0[0].causallyMasked().softmax(axis: 1) }
    }

    func testNormalSamplesHaveTheirMeanAndDeviation() throws {
        let t = try Tensor<Double>.normal(shape: [20_001], mean: 1, std: 0.02, seed: 5)
        let mean = t.storage.reduce(0, +) / Double(t.count)
        let std = (t.storage.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(t.count)).squareRoot()
        XCTAssertEqual(mean, 1, accuracy: 0.001)
        XCTAssertEqual(std, 0.02, accuracy: 0.0005)
        XCTAssertEqual(try Tensor<Double>.normal(shape: [3], seed: 5), try Tensor<Double>.normal(shape: [3], seed: 5))
        XCTAssertTrue(t.storage.allSatisfy(\.isFinite))
    }
}
