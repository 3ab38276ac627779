import NCDSyntax
import XCTest

final class ParserTests: XCTestCase {
    func parse(_ text: String) -> (SourceUnit, [Diagnostic]) {
        Parser.parse(SourceFile(name: "t.ncd", text: text))
    }

    func testDiagramSignature() throws {
        let (unit, diagnostics) = parse(
            "diagram A<y, x>[s, N = 3](q: [y, k: 2 * s], v: [x]) -> ([y], [x]) { return q, v }")
        XCTAssertTrue(diagnostics.isEmpty, "\(diagnostics)")
        guard case .diagram(let d) = try XCTUnwrap(unit.declarations.first) else { return XCTFail("not a diagram") }
        XCTAssertEqual(d.generics.map(\.text), ["y", "x"])
        XCTAssertEqual(d.sizeParameters.map(\.name.text), ["s", "N"])
        XCTAssertNotNil(d.sizeParameters[1].defaultValue)
        XCTAssertEqual(d.inputs.map(\.name.text), ["q", "v"])
        XCTAssertNotNil(d.inputs[0].type.axes[1].size)
        XCTAssertEqual(d.outputs.count, 2)
        XCTAssertEqual(d.body?.count, 1)
    }

    func testPrecedenceAndAssociativity() throws {
        let (unit, _) = parse("const a = 1 - 2 * 3 ^ 2 ^ 2")
        guard case .constant(_, let e) = try XCTUnwrap(unit.declarations.first) else { return XCTFail() }
        // 1 - (2 * (3 ^ (2 ^ 2)))
        guard
            case .binary(.subtract, _, .binary(.multiply, _, .binary(.power, _, .binary(.power, _, _, _), _), _), _) = e
        else {
            return XCTFail("wrong tree: \(e)")
        }
    }

    func testCallSpecWithMappingGroupsAndOptions() throws {
        let (unit, diagnostics) = parse(
            "diagram D(x: [a]) -> [a] { return conv[c -> c: 2*c, h w, kernel=3](x) over b as Q }")
        XCTAssertTrue(diagnostics.isEmpty, "\(diagnostics)")
        guard case .diagram(let d) = unit.declarations[0], case .return(let values, _) = d.body![0],
            case .call(let call) = values[0]
        else { return XCTFail() }
        XCTAssertEqual(call.callee.text, "conv")
        XCTAssertEqual(call.spec?.count, 3)
        guard case .mapping(let lhs, let rhs, _) = call.spec![0] else { return XCTFail() }
        XCTAssertEqual(lhs.count, 1)
        XCTAssertNotNil(rhs[0].size)
        guard case .group(let spatial) = call.spec![1] else { return XCTFail() }
        XCTAssertEqual(spatial.count, 2)
        guard case .option(let name, _) = call.spec![2] else { return XCTFail() }
        XCTAssertEqual(name.text, "kernel")
        XCTAssertEqual(call.over.map(\.text), ["b"])
        guard case .named(let instance) = call.instance else { return XCTFail() }
        XCTAssertEqual(instance.text, "Q")
    }

    func testIndexVersusSpecCall() throws {
        let (unit, diagnostics) = parse(
            "diagram D(x: [a]) -> [a] {\n  y = x[a = 1:3]\n  z = softmax[a](y)\n  return z\n}")
        XCTAssertTrue(diagnostics.isEmpty, "\(diagnostics)")
        guard case .diagram(let d) = unit.declarations[0] else { return XCTFail() }
        guard case .assign(_, .index(_, let items, _), _) = d.body![0] else { return XCTFail("not an index") }
        XCTAssertTrue(items[0].isSlice)
        guard case .assign(_, .call, _) = d.body![1] else { return XCTFail("not a call") }
    }

    func testNewlineEndsAStatement() {
        // Without the line rule `x` would be called with `(y)`.
        let (unit, diagnostics) = parse("diagram D(x: [a], y: [a]) -> [a] {\n  z = x\n  (y)\n}")
        XCTAssertEqual(diagnostics.count, 1)
        guard case .diagram(let d) = unit.declarations[0], case .assign(_, .name, _) = d.body![0] else {
            return XCTFail("first statement should be `z = x`")
        }
    }

    func testRecoveryReportsEachBrokenDeclaration() {
        let (unit, diagnostics) = parse(
            "axis = 3\naxis b = 2\ndiagram (x) -> [b]\ndiagram Ok(x: [b]) -> [b] { return x }")
        XCTAssertEqual(diagnostics.count, 2, "\(diagnostics.map(\.message))")
        XCTAssertEqual(unit.declarations.count, 2)
    }

    func testEveryPrefixOfAnExampleParsesWithoutTrapping() throws {
        // Truncation at every byte: unterminated constructs of every kind.
        let text = """
            axis b, x̄ = 28
            diagram A<y>[s = 2](q: [y, b]) -> [y] {
              for l in 1..s as rep { q = relu(linear[b -> b](q)) }
              save C[1] = q
              return sum[b](load C[1] * q[b = 0:1])
            }
            """
        let bytes = Array(text.utf8)
        for end in 0...bytes.count {
            let (_, diagnostics) = Parser.parse(SourceFile(name: "t", bytes: Array(bytes[..<end])))
            _ = diagnostics
        }
    }
}
