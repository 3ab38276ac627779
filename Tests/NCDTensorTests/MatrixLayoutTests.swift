import XCTest

@testable import NCDTensor

/// Which operands BLAS reads in place. The numbers themselves are checked in ForwardTests
/// (einsum against brute force, through both the in-place and the copying paths).
final class MatrixLayoutTests: XCTestCase {
    let heads = LabelledAxes(labels: ["b", "s", "h", "d"], shape: [8, 128, 8, 32])

    func testAttentionHeadsAreReadInPlace() throws {
        // q[b, s, h, d] as s × d per (b, h): rows 256 apart, unit columns.
        let q = try XCTUnwrap(MatrixLayout(rows: ["s"], columns: ["d"], batch: ["b", "h"], in: heads))
        XCTAssertEqual(q, MatrixLayout(transposed: false, leading: 256, batchStrides: [32768, 32]))
        // The same tensor as d × s is read transposed.
        let k = try XCTUnwrap(MatrixLayout(rows: ["d"], columns: ["s"], batch: ["b", "h"], in: heads))
        XCTAssertEqual(k, MatrixLayout(transposed: true, leading: 256, batchStrides: [32768, 32]))
    }

    func testNeighbouringAxesFuseIntoOneMatrixAxis() throws {
        let x = LabelledAxes(labels: ["a", "b", "c", "d"], shape: [2, 3, 4, 5])
        XCTAssertEqual(
            MatrixLayout(rows: ["a", "b"], columns: ["c", "d"], batch: [], in: x),
            MatrixLayout(transposed: false, leading: 20, batchStrides: []))
        // Out of memory order, or with unit steps on neither side, there is no layout.
        XCTAssertNil(MatrixLayout(rows: ["b", "a"], columns: ["c", "d"], batch: [], in: x))
        XCTAssertNil(MatrixLayout(rows: ["a"], columns: ["c"], batch: ["b", "d"], in: x))
    }

    func testSizeOneAxesNeverBlockAFusion() throws {
        let x = LabelledAxes(labels: ["a", "u", "b"], shape: [3, 1, 4])
        XCTAssertEqual(
            MatrixLayout(rows: ["u", "a"], columns: ["b"], batch: [], in: x),
            MatrixLayout(transposed: false, leading: 4, batchStrides: []))
    }
}
