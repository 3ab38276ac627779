import NCDTensor
import XCTest

@testable import NCDExec

/// Integer ids read from float32 storage are exact only up to 2²⁴: past it they are refused,
/// not read from a neighbouring row.
final class IdsTests: XCTestCase {
    func testIdsPastTwoToTheTwentyFourAreRefused() throws {
        let e = try executor(
            source: "axis n = 2\ndiagram D(x: [n]) -> [n] {\n  return relu(x)\n}\n", diagram: "D")
        let ids = Named(variable: Variable(try Tensor<Float>(shape: [2], [3, 16_777_218])), axes: ["t"])
        XCTAssertThrowsError(try e.integerIds(ids, below: 20_000_000, for: "embed", axis: "vocab")) { error in
            XCTAssertTrue("\(error)".contains("the id at [t = 1] is 16777218, past 2^24"), "\(error)")
        }
        let small = Named(variable: Variable(try Tensor<Float>(shape: [2], [3, 16_777_215])), axes: ["t"])
        XCTAssertEqual(try e.integerIds(small, below: 20_000_000, for: "embed", axis: "vocab"), [3, 16_777_215])
    }
}
