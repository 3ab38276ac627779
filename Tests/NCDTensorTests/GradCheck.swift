import NCDTensor
import XCTest

/// Checks `f`'s gradients against central finite differences, in float64. The scalar
/// differentiated is Σ f(x) ⊙ w with fixed random weights w, so every output element counts
/// with a different weight.
func checkGradients(
    _ inputs: [Tensor<Double>], tolerance: Double = 1e-6, file: StaticString = #filePath, line: UInt = #line,
    _ f: ([Variable<Double>]) throws -> Variable<Double>
) throws {
    let variables = inputs.map { Variable($0, requiresGrad: true) }
    let output = try f(variables)
    let weights = try Tensor<Double>.uniform(shape: output.shape, seed: 99)
    func loss(_ y: Variable<Double>) throws -> Variable<Double> { try (y * Variable(weights)).sumAll() }
    try loss(output).backward()
    let eps = 1e-6
    for (i, input) in inputs.enumerated() {
        let analytic = try XCTUnwrap(variables[i].grad, "no gradient for input \(i)", file: file, line: line)
        XCTAssertEqual(analytic.shape, input.shape, file: file, line: line)
        for j in 0..<input.count {
            func evaluate(_ delta: Double) throws -> Double {
                var shifted = inputs
                shifted[i].storage[j] += delta
                return try loss(try f(shifted.map { Variable($0) })).value.storage[0]
            }
            let numeric = (try evaluate(eps) - (try evaluate(-eps))) / (2 * eps)
            let a = analytic.storage[j]
            XCTAssertLessThanOrEqual(
                abs(a - numeric), tolerance * max(1, abs(a), abs(numeric)),
                "input \(i) element \(j): analytic \(a), numeric \(numeric)", file: file, line: line)
        }
    }
}

/// Random values whose magnitude is at least `away` from zero (for kinks such as relu's).
func random(_ shape: [Int], seed: UInt64, away: Double = 0, positive: Bool = false) throws -> Tensor<Double> {
    var t = try Tensor<Double>.uniform(shape: shape, seed: seed)
    t.storage = t.storage.map { x in
        let m = away + abs(x)
        return positive ? m + 0.1 : (x < 0 ? -m : m)
    }
    return t
}

/// The einsum of labelled operands by brute force: every assignment of the labels.
func referenceEinsum(_ operands: [(Tensor<Double>, [String])], output: [String]) throws -> Tensor<Double> {
    var sizes: [String: Int] = [:]
    for (t, labels) in operands { for (l, n) in zip(labels, t.shape) { sizes[l] = n } }
    let labels = Array(sizes.keys).sorted()
    var out = try Tensor<Double>(shape: output.map { sizes[$0]! })
    var assignment = [String: Int]()
    func visit(_ k: Int) {
        if k == labels.count {
            var product = 1.0
            for (t, ls) in operands { product *= t[ls.map { assignment[$0]! }] }
            out[output.map { assignment[$0]! }] += product
            return
        }
        for v in 0..<sizes[labels[k]]! {
            assignment[labels[k]] = v
            visit(k + 1)
        }
    }
    visit(0)
    return out
}

func assertClose(
    _ a: Tensor<Double>, _ b: Tensor<Double>, tolerance: Double = 1e-12,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(a.shape, b.shape, file: file, line: line)
    for (x, y) in zip(a.storage, b.storage) {
        XCTAssertLessThanOrEqual(abs(x - y), tolerance * max(1, abs(x), abs(y)), "\(x) vs \(y)", file: file, line: line)
    }
}
