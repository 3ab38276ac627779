import NCDCore
import XCTest

final class CostTests: XCTestCase {
    func testLinearAndEinsumCosts() throws {
        let g = DiagramGraph.Builder(name: "T")
        let y = Axis("y", SizeExpr(3))
        let k = Axis("k", SizeExpr(4))
        let x = Axis("x", SizeExpr(5))
        let m = Axis("m", SizeExpr(7))
        let here = SourceSpan(start: 0, end: 0)
        let q = g.addInput(ArrayType([y, k]), name: "q", location: here)
        let kk = g.addInput(ArrayType([x, k]), name: "k", location: here)
        g.addOperation(
            .einsum(Contraction(operands: [["y", "k"], ["x", "k"]], output: ["y", "x"])),
            inputs: [q, kk], outputs: [ArrayType([y, x])], broadcast: [], location: here)
        let weight = Parameter(
            of: "l", role: .weight, type: ArrayType([m, k]), initializer: .kaimingUniform(fanIn: SizeExpr(4)))
        let bias = Parameter(
            of: "l", role: .bias, type: ArrayType([m]), initializer: .kaimingUniform(fanIn: SizeExpr(4)))
        let label = InstanceLabel(path: "l", name: "l", isChosen: true)
        g.addOperation(
            .linear(input: [k], output: [m], bias: true), inputs: [q], outputs: [ArrayType([y, m])],
            broadcast: [y], parameters: [weight, bias], instance: label, location: here)
        // A second use of the same instance owns nothing.
        g.addOperation(
            .linear(input: [k], output: [m], bias: true), inputs: [q], outputs: [ArrayType([y, m])],
            broadcast: [y], parameters: [weight, bias], instance: label, sharedFrom: label, location: here)
        let graph = g.build()
        let einsum = try graph.cost(of: graph.operations[0])
        XCTAssertEqual(einsum.flops, SizeExpr(2 * 3 * 4 * 5))
        XCTAssertEqual(einsum.outputBytes, SizeExpr(3 * 5 * 4))
        let linear = try graph.cost(of: graph.operations[1])
        XCTAssertEqual(linear.flops, SizeExpr(2 * 3 * 7 * 4 + 3 * 7))
        XCTAssertEqual(linear.parameters, SizeExpr(7 * 4 + 7))
        XCTAssertEqual(try graph.cost(of: graph.operations[2]).parameters, .zero)
        XCTAssertEqual(try graph.totalCost().parameters, SizeExpr(35))
        XCTAssertEqual(graph.allParameters.map(\.name), ["l.weight", "l.bias"])
    }
}
