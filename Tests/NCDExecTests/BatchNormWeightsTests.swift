import Foundation
import NCDExec
import NCDTensor
import XCTest

/// Batch norm runs on the executor's own tensors: loaded affine terms and running
/// statistics are used, training updates the statistics, and saving writes them all.
final class BatchNormWeightsTests: XCTestCase {
    let source = """
        axis b = 4, c = 2
        diagram N(x: [b, c]) -> [b, c] {
          return batchnorm[c](x) as bn
        }
        """
    let x: [Float] = [1, -2, 3, 0, -1, 4, 5, 2]  // [b, c], row-major
    let loaded: [String: Tensor<Float>] = [
        "bn.weight": try! Tensor(shape: [2], [2, 3]), "bn.bias": try! Tensor(shape: [2], [1, -1]),
        "bn.running_mean": try! Tensor(shape: [2], [0.5, -0.5]), "bn.running_var": try! Tensor(shape: [2], [4, 9]),
        "bn.num_batches_tracked": try! Tensor(shape: [], [7]),
    ]

    func testEvaluationUsesTheLoadedWeightsAndStatistics() throws {
        let e = try executor(source: source, diagram: "N")
        try e.load(loaded)
        let y = try e.run([Variable(try Tensor(shape: [4, 2], x))])[0].value.storage
        let (w, bias, mean, variance): ([Double], [Double], [Double], [Double]) = (
            [2, 3], [1, -1], [0.5, -0.5], [4, 9]
        )
        for i in 0..<4 {
            for j in 0..<2 {
                let expected = (Double(x[i * 2 + j]) - mean[j]) / (variance[j] + 1e-5).squareRoot() * w[j] + bias[j]
                XCTAssertEqual(Double(y[i * 2 + j]), expected, accuracy: 1e-5, "[\(i), \(j)]")
            }
        }
    }

    func testTrainingUpdatesTheRunningStatisticsThatAreSaved() throws {
        let e = try executor(source: source, diagram: "N")
        try e.load(loaded)
        e.training = true
        _ = try e.run([Variable(try Tensor(shape: [4, 2], x))])
        let saved = try e.allParameters()
        XCTAssertEqual(Set(saved.keys), Set(loaded.keys))
        XCTAssertEqual(e.parameterNames.sorted(), loaded.keys.sorted(), "each name once")
        for j in 0..<2 {
            let column = (0..<4).map { Double(x[$0 * 2 + j]) }
            let batchMean = column.reduce(0, +) / 4
            let unbiased = column.map { ($0 - batchMean) * ($0 - batchMean) }.reduce(0, +) / 3
            let mean = 0.9 * Double(loaded["bn.running_mean"]!.storage[j]) + 0.1 * batchMean
            let variance = 0.9 * Double(loaded["bn.running_var"]!.storage[j]) + 0.1 * unbiased
            XCTAssertEqual(Double(saved["bn.running_mean"]!.storage[j]), mean, accuracy: 1e-5)
            XCTAssertEqual(Double(saved["bn.running_var"]!.storage[j]), variance, accuracy: 1e-4)
        }
        XCTAssertEqual(saved["bn.num_batches_tracked"]?.storage, [8], "one more batch seen")
        // The loaded affine terms are what ran, and what is saved.
        XCTAssertEqual(saved["bn.weight"], loaded["bn.weight"])
        XCTAssertEqual(saved["bn.bias"], loaded["bn.bias"])
    }

    func testRunningStatisticsAreBuffersWithoutGradients() throws {
        let e = try executor(source: source, diagram: "N")
        e.training = true
        let out = try e.run([Variable(try Tensor(shape: [4, 2], x), requiresGrad: true)])[0]
        try out.sumAll().backward()
        XCTAssertNotNil(e.parameters["bn.weight"]?.grad)
        XCTAssertNil(e.parameters["bn.running_mean"]?.grad)
        XCTAssertFalse(e.parameters["bn.running_var"]?.requiresGrad ?? true)
    }
}
