import NCDRender
import XCTest

/// The Cairo backends: every example in every format, deterministic bytes, size limits.
final class BackendTests: XCTestCase {
    func testEveryExampleRendersToEveryFormat() throws {
        for name in try exampleNames() {
            let s = try scene(example: name)
            let png = try CairoBackend.render(s, as: .png, scale: 1.5)
            XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], name)
            XCTAssertEqual(bigEndian(png, at: 16), Int((s.width * 1.5).rounded(.up)), "\(name): PNG width")
            XCTAssertEqual(bigEndian(png, at: 20), Int((s.height * 1.5).rounded(.up)), "\(name): PNG height")
            let pdf = try CairoBackend.render(s, as: .pdf)
            XCTAssertEqual(String(decoding: pdf.prefix(5), as: UTF8.self), "%PDF-", name)
            XCTAssertTrue(String(decoding: pdf.suffix(8), as: UTF8.self).contains("%%EOF"), name)
            let svg = String(decoding: try CairoBackend.render(s, as: .svg), as: UTF8.self)
            XCTAssertTrue(svg.hasPrefix("<?xml"), name)
            XCTAssertTrue(svg.contains("width=\"\(fmt(s.width))"), "\(name): SVG keeps the scene's size")
            XCTAssertTrue(svg.hasSuffix("</svg>\n"), name)
        }
    }

    func testTheSameDiagramGivesByteIdenticalFiles() throws {
        for format in ImageFormat.allCases {
            let a = try CairoBackend.render(try scene(example: "transformer.ncd"), as: format)
            let b = try CairoBackend.render(try scene(example: "transformer.ncd"), as: format)
            XCTAssertEqual(a, b, "\(format) differs between two renderings")
        }
    }

    func testTheSceneItselfIsStable() throws {
        var options = RenderOptions()
        options.expandAll = true
        let a = try scene(example: "multihead.ncd", options: options)
        let b = try scene(example: "multihead.ncd", options: options)
        XCTAssertEqual(a.shapes, b.shapes)
        XCTAssertEqual(a.width, b.width)
    }

    func testAPictureTooLargeForPNGIsRefusedNotCrashed() throws {
        var s = Scene(width: 20_000, height: 100, background: .white)
        s.shapes = [.path(.polyline([Point(0, 50), Point(20_000, 50)], stroke: Stroke()))]
        XCTAssertThrowsError(try CairoBackend.render(s, as: .png, scale: 2)) { error in
            XCTAssertEqual(error as? RenderError, .tooLarge(width: 40_000, height: 200))
        }
        XCTAssertNoThrow(try CairoBackend.render(s, as: .svg), "vector formats have no pixel limit")
    }

    func testPlainThemeDrawsBlackOnWhite() throws {
        var options = RenderOptions()
        options.theme = .plain
        let s = try scene(example: "resnet.ncd", options: options)
        let fills = Set(
            s.shapes.compactMap { shape -> Color? in
                if case .path(let p) = shape { return p.fill }
                return nil
            })
        XCTAssertTrue(fills.isSubset(of: [.white, .black, Theme.plain.blockSide]), "\(fills)")
    }

    private func bigEndian(_ bytes: [UInt8], at i: Int) -> Int {
        bytes[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) }
    }

    private func fmt(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
