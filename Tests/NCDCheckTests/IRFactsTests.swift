import NCDCheck
import NCDCore
import NCDSyntax
import XCTest

/// The typed graph says what it means: each fact a consumer needs is in the IR, so none
/// parses a name or a text back out of it.
final class IRFactsTests: XCTestCase {
    func graph(_ source: String, _ diagram: String? = nil) throws -> DiagramGraph {
        let result = Checker.check(SourceFile(name: "t.ncd", text: source))
        XCTAssertEqual(result.diagnostics.filter { $0.severity == .error }.map(\.message), [])
        let name = diagram ?? result.diagrams.last?.name ?? ""
        let g = try XCTUnwrap(result.diagram(named: name)?.graph)
        try g.validate()
        return g
    }

    func testInstancesSayWhetherTheUserNamedThem() throws {
        let g = try graph(
            """
            axis m = 4
            diagram D(x: [m]) -> [m] {
              y = linear[m -> m](x) as layer2
              z = linear[m -> m](y)
              return linear[m -> m](z) shares layer2
            }
            """)
        let labels = g.operations.compactMap(\.instance)
        XCTAssertEqual(labels.map(\.path), ["layer2", "linear1", "layer2"])
        XCTAssertEqual(labels.map(\.isChosen), [true, false, true])
        // The sharing operation uses the first one's parameters and owns none.
        XCTAssertEqual(g.operations[2].sharedFrom?.path, "layer2")
        XCTAssertEqual(g.operations[2].parameters, g.operations[0].parameters)
        XCTAssertEqual(g.operations[2].ownedParameters, [])
        XCTAssertEqual(g.allParameters.map(\.name), ["layer2.weight", "layer2.bias", "linear1.weight", "linear1.bias"])
    }

    func testParametersHaveRoles() throws {
        let g = try graph(
            """
            axis b = 2, c = 3, h = 4
            diagram D(x: [b, c, h]) -> [b, c, h] {
              y = conv[c -> c, h, kernel=3, padding=1](x)
              y = layernorm[c](y)
              return rmsnorm[c](batchnorm[c](y))
            }
            """)
        let roles = g.operations.map { $0.parameters.map(\.role) }
        XCTAssertEqual(
            roles,
            [
                [.weight, .bias], [.scale, .shift], [.scale, .shift, .runningMean, .runningVariance, .batchesTracked],
                [.scale],
            ])
        XCTAssertEqual(g.operations[1].parameter(.scale)?.name, "layernorm1.weight")
    }

    func testContractionsAndFactorsAreData() throws {
        let g = try graph(
            """
            axis h = 2, y = 3, x = 5, k = 4
            diagram D(q: [h, y, k], keys: [h, x, k]) -> [h, y, x] {
              return einsum[h y k, h x k -> h y x](q, keys) * k^-0.5
            }
            """)
        guard case .einsum(let c) = g.operations[0].kind, case .scale(let f) = g.operations[1].kind else {
            return XCTFail("\(g.operations.map(\.kind.mnemonic))")
        }
        XCTAssertEqual(c.summed, ["k"])
        XCTAssertEqual(c.kept, ["y", "x"])
        XCTAssertEqual(c.diagonal, ["h"])
        XCTAssertEqual(f.written, .binary(.power, .name("k"), .negate(.number(0.5))))
        XCTAssertEqual(f.value, 0.5)
    }

    func testLoopsAreKeptWithTheirIterationsAndWrittenSizes() throws {
        let g = try graph(
            """
            axis c = 1, n = 8
            diagram D[N = 3](x: [c, n]) -> [c: 16, n] {
              for λ in 1..N - 1 as stage {
                x = conv[c -> c: 4 * 2^λ, n, kernel=1](x)
              }
              return x
            }
            """)
        XCTAssertEqual(g.loops.count, 1)
        let loop = g.loops[0]
        XCTAssertEqual([loop.label, loop.variable], ["stage", "λ"])
        XCTAssertTrue(loop.labelIsChosen)
        XCTAssertEqual([loop.lower, loop.upper], [1, 2])
        XCTAssertEqual(loop.writtenUpper.description, "N - 1")
        XCTAssertEqual(loop.iterations.map(\.index), [1, 2])
        XCTAssertEqual(loop.iterations.map(\.operations), [0..<1, 1..<2])
        // One iteration, read symbolically: the channel size as written in terms of λ.
        let out = g.type(of: g.operations[0].outputs[0]).axis(named: "c")
        XCTAssertEqual(out?.size, SizeExpr(8))
        XCTAssertEqual(out?.writtenSize?.description, "4 * 2^λ")
        // One instance per iteration: the iteration is the instance, as `nn.ModuleList`'s entries.
        XCTAssertEqual(g.operations.map { $0.instance?.path }, ["stage.0", "stage.1"])
    }

    func testMemoryIsOperationsWithTheirSlots() throws {
        let g = try graph(
            """
            axis n = 4
            diagram D(x: [n]) -> [n] {
              for l in 1..2 {
                save C[l] = x
                x = relu(x)
              }
              return load C[3 - l2] + x
            }
            const l2 = 1
            """)
        let memory = g.operations.filter(\.kind.isMemoryAccess)
        XCTAssertEqual(memory.map(\.kind.mnemonic), ["save", "save", "load"])
        guard case .load(let slot) = memory[2].kind else { return XCTFail() }
        XCTAssertEqual(slot.description, "C[2]")
        XCTAssertEqual(slot.writtenIndex.description, "3 - l2")
        // The load reads the value the second save wrote.
        XCTAssertEqual(memory[2].inputs, memory[1].inputs)
        XCTAssertEqual(memory[0].outputs, [])
    }

    func testCallsRecordTheirSizeArgumentsAsWritten() throws {
        let g = try graph(
            """
            axis n = 4, m = 8
            diagram Widen[k](x: [n]) -> [n: k] {
              return linear[n -> n: k](x)
            }
            diagram D(x: [n]) -> [n: 8] {
              return Widen[2 * n](x)
            }
            """, "D")
        guard case .call(let child) = g.operations[0].kind else { return XCTFail() }
        XCTAssertEqual(child.sizeArguments.map(\.name), ["k"])
        XCTAssertEqual(child.sizeArguments[0].value, SizeExpr(8))
        XCTAssertEqual(child.sizeArguments[0].written?.description, "2 * n")
    }

    func testEveryExampleGraphIsValid() throws {
        for name in ["mlp", "attention", "multihead", "transformer", "resnet", "unet", "visual_attention"] {
            let url = ExampleTests.examples.appendingPathComponent("\(name).ncd")
            let result = Checker.check(SourceFile(name: name, bytes: [UInt8](try Data(contentsOf: url))))
            for d in result.diagrams { if let g = d.graph { XCTAssertEqual(g.invariantViolations(), [], name) } }
        }
    }
}
