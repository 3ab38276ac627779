import XCTest

@testable import NCDCore

/// The typed graph's facts and invariants: what the builder records, and what `validate()`
/// refuses in a graph put together any other way.
final class GraphTests: XCTestCase {
    let here = SourceSpan(start: 0, end: 0)
    let a = Axis("a", SizeExpr(2)), b = Axis("b", SizeExpr(3))

    func testContractionSortsEveryLabel() {
        let c = Contraction(operands: [["h", "y", "k"], ["h", "x", "k"]], output: ["h", "y", "x"])
        XCTAssertEqual(c.summed, ["k"])
        XCTAssertEqual(c.kept, ["y", "x"])
        XCTAssertEqual(c.diagonal, ["h"])
        XCTAssertEqual(c.labels, ["h", "y", "k", "x"])
        let trace = Contraction(operands: [["a", "b"]], output: [])
        XCTAssertEqual(trace.summed, ["a", "b"])
        XCTAssertEqual(trace.kept, [])
    }

    func testWrittenFormulaKeepsPrecedence() {
        let lambda = WrittenFormula.name("λ")
        let f = WrittenFormula.binary(.multiply, .integer(64), .binary(.power, .integer(2), lambda))
        XCTAssertEqual(f.description, "64 * 2^λ")
        let g = WrittenFormula.binary(.multiply, .binary(.subtract, .name("N"), .integer(1)), .integer(2))
        XCTAssertEqual(g.description, "(N - 1) * 2")
        let h = WrittenFormula.binary(.subtract, .name("a"), .binary(.subtract, .name("b"), .name("c")))
        XCTAssertEqual(h.description, "a - (b - c)")
        XCTAssertEqual(WrittenFormula.binary(.power, .name("k"), .negate(.number(0.5))).description, "k^-0.5")
        XCTAssertEqual(f.names, ["λ"])
    }

    func testAxisIdentityIgnoresHowItsSizeWasWritten() {
        let written = Axis("c", SizeExpr(4), written: .binary(.multiply, .integer(2), .name("c")))
        XCTAssertEqual(written, Axis("c", SizeExpr(4)))
        XCTAssertEqual(Set([written, Axis("c", SizeExpr(4))]).count, 1)
        XCTAssertNotEqual(written, Axis("c", SizeExpr(5)))
    }

    func testParameterNamesFollowPyTorch() {
        XCTAssertEqual(Parameter(of: "norm", role: .scale, type: .scalar, initializer: .ones).name, "norm.weight")
        XCTAssertEqual(Parameter(of: "norm", role: .shift, type: .scalar, initializer: .zeros).name, "norm.bias")
        XCTAssertEqual(
            Parameter(of: "bn", role: .runningVariance, type: .scalar, initializer: .ones).name, "bn.running_var")
        XCTAssertEqual(Parameter(of: "cls_token", role: .free, type: .scalar, initializer: .zeros).name, "cls_token")
        XCTAssertFalse(ParameterRole.runningMean.isTrainable)
    }

    func testBuilderRecordsLoopsProducersAndConsumers() throws {
        let g = DiagramGraph.Builder(name: "L")
        let x = g.addInput(ArrayType([a]), name: "x", location: here)
        var current = x
        let loop = g.beginLoop(
            label: "units", labelIsChosen: true, variable: "λ", lower: 0, upper: 1,
            writtenLower: .integer(0), writtenUpper: .binary(.subtract, .name("N"), .integer(1)),
            location: here)
        for i in 0...1 {
            g.beginIteration(i)
            XCTAssertEqual(
                g.currentFrames, [LoopFrame(loop: loop, label: "units", variable: "λ", index: i, ordinal: i)])
            current =
                g.addOperation(
                    .unary(.relu), inputs: [current], outputs: [ArrayType([a])], broadcast: [a],
                    location: here)[0]
            g.endIteration()
        }
        g.endLoop()
        XCTAssertEqual(g.currentFrames, [])
        g.addOutput(current)
        let graph = g.build()
        try graph.validate()
        XCTAssertEqual(graph.loops.count, 1)
        XCTAssertEqual(graph.loops[0].iterations.map(\.operations), [0..<1, 1..<2])
        XCTAssertEqual(graph.loops[0].writtenUpper.description, "N - 1")
        XCTAssertEqual(graph.operations[1].loops.map(\.index), [1])
        XCTAssertNil(graph.producer(of: x))
        XCTAssertEqual(graph.producer(of: current), 1)
        XCTAssertEqual(graph.consumers(of: x), [0])
    }

    func testValidateFindsEveryBrokenInvariant() {
        let values = [
            Value(id: 0, type: ArrayType([a]), name: "x", location: here),
            Value(id: 7, type: ArrayType([a, a]), name: nil, location: here),
            Value(id: 2, type: ArrayType([b]), name: nil, location: here),
        ]
        // Reads value 2 before anything produces it, and claims a loop that does not exist.
        let early = Operation(
            kind: .unary(.relu), inputs: [2], outputs: [1], broadcast: [], parameters: [],
            instance: nil, sharedFrom: nil, location: here,
            loops: [LoopFrame(loop: 3, label: "l", variable: "i", index: 0, ordinal: 0)])
        let save = Operation(
            kind: .save(MemorySlot(name: "C", index: 0, writtenIndex: .integer(0))), inputs: [0],
            outputs: [2], broadcast: [], parameters: [], instance: nil, sharedFrom: nil, location: here,
            loops: [])
        let graph = DiagramGraph(
            name: "Bad", sizeArguments: [], values: values, operations: [early, save],
            inputs: [0], outputs: [5], loops: [])
        let problems = graph.invariantViolations().joined(separator: "\n")
        for expected in [
            "value 1 has id 7", "value 1 repeats an axis", "reads value 2 before it is produced",
            "save 1 must read one value and produce none", "output 5 is never produced",
            "names missing loop 3",
        ] {
            XCTAssertTrue(problems.contains(expected), "missing: \(expected)\n\(problems)")
        }
        XCTAssertThrowsError(try graph.validate())
    }
}
