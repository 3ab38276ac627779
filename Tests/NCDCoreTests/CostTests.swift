import NCDCore
import XCTest

final class CostTests: XCTestCase {
    func testLinearAndEinsumCosts() throws {
        let g = DiagramGraph(name: "T")
        let y = Axis("y", SizeExpr(3)), k = Axis("k", SizeExpr(4)), x = Axis("x", SizeExpr(5)), m = Axis("m", SizeExpr(7))
        let here = SourceSpan(start: 0, end: 0)
        let q = g.addValue(ArrayType([y, k]), name: "q", location: here)
        let kk = g.addValue(ArrayType([x, k]), name: "k", location: here)
        let s = g.addValue(ArrayType([y, x]), name: nil, location: here)
        g.operations.append(Operation(kind: .einsum(operands: [["y", "k"], ["x", "k"]], output: ["y", "x"]),
                                      inputs: [q, kk], outputs: [s], broadcast: [], parameters: [], instance: "",
                                      sharesParametersWith: nil, location: here, loops: []))
        let o = g.addValue(ArrayType([y, m]), name: nil, location: here)
        let weight = Parameter(name: "l.weight", type: ArrayType([m, k]), initializer: .kaimingUniform(fanIn: SizeExpr(4)))
        let bias = Parameter(name: "l.bias", type: ArrayType([m]), initializer: .kaimingUniform(fanIn: SizeExpr(4)))
        g.operations.append(Operation(kind: .linear(input: [k], output: [m], bias: true), inputs: [q], outputs: [o],
                                      broadcast: [y], parameters: [weight, bias], instance: "l",
                                      sharesParametersWith: nil, location: here, loops: []))
        let einsum = try g.cost(of: g.operations[0])
        XCTAssertEqual(einsum.flops, SizeExpr(2 * 3 * 4 * 5))
        XCTAssertEqual(einsum.outputBytes, SizeExpr(3 * 5 * 4))
        let linear = try g.cost(of: g.operations[1])
        XCTAssertEqual(linear.flops, SizeExpr(2 * 3 * 7 * 4 + 3 * 7))
        XCTAssertEqual(linear.parameters, SizeExpr(7 * 4 + 7))
        XCTAssertEqual(try g.totalCost().parameters, SizeExpr(35))
        XCTAssertEqual(g.allParameters.map(\.name), ["l.weight", "l.bias"])
    }
}
