import NCDCheck
import NCDCore
import NCDExport
import NCDSyntax
import XCTest

/// What the exported Python says, read without running it.
final class TorchExportTests: XCTestCase {
    func export(_ text: String, sizes: [String: Int] = [:]) throws -> String {
        let source = SourceFile(name: "t.ncd", text: text)
        let result = Checker.check(source)
        XCTAssertFalse(result.hasErrors, "\(result.diagnostics.map(\.message))")
        let graph = try XCTUnwrap(result.diagrams.last?.graph)
        let exporter = TorchExporter(
            entry: graph, sizes: sizes, source: .init(fileName: "t.ncd") { source.lineColumn(of: $0.start).line })
        return try exporter.module().text
    }

    func testAFreeSizeIsReadFromTheShapeOfTheArgumentCarryingIt() throws {
        let text = try export("axis b, n = 3\ndiagram D(x: [n, b]) -> [n, b] {\n  return x + ones[b n]()\n}\n")
        XCTAssertTrue(text.contains("        b = x.shape[1]\n"), text)
        XCTAssertTrue(text.contains("torch.ones((b, 3), dtype=dt, device=dev)"), text)
    }

    func testAFreeSizeNoArgumentCarriesNeedsABinding() throws {
        let source = "axis b, n = 3\ndiagram D() -> [b, n] {\n  return zeros[b n]()\n}\n"
        XCTAssertThrowsError(try export(source)) { error in
            XCTAssertEqual(
                "\(error)",
                "free size `b` is carried by no argument of `D`, so the exported code cannot read it: bind it with --size b=N"
            )
        }
    }

    func testLayersWithTorchLayoutsAreTorchLayersAndOthersKeepNcdsLayouts() throws {
        let text = try export(
            """
            axis n = 4, m = 3, h = 2
            diagram D(x: [n]) -> [h, m] {
              y = linear[n -> m](x) as fc
              return linear[m -> h m](layernorm[m](y) as ln) as split
            }
            """)
        XCTAssertTrue(text.contains("self.fc = nn.Linear(4, 3)"), text)
        XCTAssertTrue(text.contains("self.ln = nn.LayerNorm(3)"), text)
        // [h, m] outputs: ncd's weight is [h, m, m], which nn.Linear cannot hold.
        XCTAssertTrue(
            text.contains("self.split = Learned(parameters={\"weight\": learned((2, 3, 3), \"uniform\""), text)
        XCTAssertTrue(text.contains(".unflatten(-1, (2, 3))"), text)
    }

    func testPythonReservedNamesAreNeverTaken() throws {
        let text = try export("axis n = 2\ndiagram F(x: [n]) -> [n] {\n  torch = relu(x)\n  return torch\n}\n")
        XCTAssertTrue(text.contains("class F_1(nn.Module):"), text)
        XCTAssertTrue(text.contains("torch_1 = torch.relu(x)"), text)
        XCTAssertTrue(text.contains("__all__ = [\"F_1\"]"), text)
    }
}
