import NCDCore
import XCTest

@testable import NCDRender

/// What wire labels say of sizes: the axis name where a wire has its axis's size, the size
/// derived from it where it differs (`h/2`, `2c`, `t − 1`, `ch = n₀`), and a loop's sizes
/// written with its index. Each expectation was derived by hand from the example's sizes.
final class SizeLabelTests: XCTestCase {
    /// A label as text, `^{…}` around raised runs and `_{…}` around lowered ones.
    func written(_ r: RichText) -> String {
        r.runs.map { run in
            switch run.position {
            case .raised: return "^{\(run.text)}"
            case .lowered: return "_{\(run.text)}"
            default: return run.text
            }
        }.joined()
    }

    func wireLabels(_ s: Scene) -> Set<String> {
        Set(
            s.shapes.compactMap { shape -> String? in
                guard case .text(let t) = shape, t.font == Metrics.labelFont else { return nil }
                return written(t.text)
            })
    }

    func testAWireIsNamedByItsAxisUntilItsSizeDiffers() throws {
        let resnet = wireLabels(try scene(example: "resnet.ncd"))
        // The stem's output is `ch -> ch: n0` as written; a Block's is its signature's
        // `ch: c`, bound to n1, n2, n3 at the calls; Block(2)s halve h and w.
        for expected in ["ch", "h", "ch = n_{0}", "ch = n_{1}", "ch = n_{3}", "h/2", "h/4", "w/4", "h/32"] {
            XCTAssertTrue(resnet.contains(expected), "\(expected) in \(resnet.sorted())")
        }
        XCTAssertFalse(resnet.contains("h = 16"), "a size derived from h is written from h")
        // The batch norm after the last block keeps n3 channels, and says so as the block does.
        XCTAssertFalse(resnet.contains("ch = 256"), "\(resnet.sorted())")
        // Inside an opened Block, its own parameters: n_b, c and h/s.
        var opened = RenderOptions()
        opened.expand = ["Block"]
        opened.depth = 1
        let block = wireLabels(try scene(example: "resnet.ncd", diagram: "ResNetBlock", options: opened))
        for expected in ["ch = n_{b}", "ch = c", "h/s", "ch = n_{2}", "h/2"] {
            XCTAssertTrue(block.contains(expected), "\(expected) in \(block.sorted())")
        }
    }

    func testMultiplesPartsAndOffsetsOfTheAxisSize() throws {
        let source = """
            axis b, t = 8, c = 4
            diagram D(x: [b, t, c]) -> [b, t: 2, c: 8] {
              y = concat[c](x, x)
              return y[t = 1:3]
            }
            diagram E(x: [b, t, c]) -> [b, t: 7, c] {
              return x[t = 1:8]
            }
            """
        let d = wireLabels(try scene(source: source, diagram: "D"))
        XCTAssertTrue(d.contains("2c"), "\(d.sorted())")
        XCTAssertTrue(d.contains("t/4"), "\(d.sorted())")
        let e = wireLabels(try scene(source: source, diagram: "E"))
        XCTAssertTrue(e.contains("t − 1"), "\(e.sorted())")
        var shapes = RenderOptions()
        shapes.annotation = .shapes
        let s = wireLabels(try scene(source: source, diagram: "D", options: shapes))
        XCTAssertTrue(
            s.isSuperset(of: ["c = 8", "t = 2", "c = 4", "b"]), "sizes with --annotate shapes: \(s.sorted())")
    }

    func testALoopsSizesAreWrittenWithItsIndex() throws {
        let unet = wireLabels(try scene(example: "unet.ncd"))
        // Down blocks λ = 1…4: DoubleConv makes 64·2^λ channels at h = 512/2^(λ−1); the
        // pool halves it; after the loop, λ = 4's pool leaves 512/16 = 32.
        // Up blocks λ = 1…3: concatenated at 512/2^(4−λ), 2·1024/2^λ channels.
        // A DoubleConv's channels are its signature's `c`, bound to base·2^λ at the call.
        for expected in [
            "ch = base·2^{λ}", "h/2^{λ − 1}", "h/16", "h/8", "h/2^{4 − λ}", "ch = 4096/2^{λ}",
            "ch = base·2^{4}", "ch = 128", "ch = base·2^{5 − λ}",
        ] {
            XCTAssertTrue(unet.contains(expected), "\(expected) in \(unet.sorted())")
        }
        // Past the down loop, λ = 4's 1024 channels, written as the source writes 1024 for
        // the bottleneck's ★2ᵀ; past the up loop, its last iteration's, not the loop's formula.
        XCTAssertFalse(unet.contains("ch = 1024"), "\(unet.sorted())")
        XCTAssertFalse(unet.contains("ch = 128·2^{λ}"))
        // The skip loaded from C_{5−λ} has the channels its save writes, `base·2^λ` at the
        // save's λ, in the load's index: base·2^(5−λ), not the 2048/2^λ its values give.
        XCTAssertFalse(unet.contains("ch = 2048/2^{λ}"), "\(unet.sorted())")
        var unrolled = RenderOptions()
        unrolled.unroll = true
        let every = wireLabels(try scene(example: "unet.ncd", options: unrolled))
        XCTAssertFalse(every.contains { $0.contains("λ") && !$0.hasPrefix("ch = base") }, "unrolled: \(every.sorted())")
        XCTAssertTrue(every.isSuperset(of: ["h/2", "h/4", "h/8"]), "\(every.sorted())")
    }

    func testASizeChangedByAnOperationForgetsWhatTheSourceWrote() throws {
        // concat's ch is twice its input's `ch: base * 2^4`, so that formula is not its size.
        let g = try graph(example: "unet.ncd")
        for op in g.operations {
            guard case .concatenate = op.kind else { continue }
            XCTAssertNil(g.type(of: op.outputs[0]).axis(named: "ch")?.writtenSize)
        }
        var a = Axis("c", SizeExpr(4), written: .name("n"))
        a.size = SizeExpr(8)
        XCTAssertNil(a.writtenSize)
    }
}

/// Loop sizes written in the index, against the sizes they stand for.
final class GeometricSizeTests: XCTestCase {
    /// The formula's value at λ, by the rules it is written in.
    func value(_ f: WrittenFormula, _ lambda: Int, home: Int = 0) -> Double {
        switch f {
        case .integer(let n): return Double(n)
        case .number(let x): return x
        case .name(let n): return n == "λ" ? Double(lambda) : Double(home)
        case .negate(let a): return -value(a, lambda, home: home)
        case .binary(let op, let a, let b):
            let (x, y) = (value(a, lambda, home: home), value(b, lambda, home: home))
            switch op {
            case .add: return x + y
            case .subtract: return x - y
            case .multiply: return x * y
            case .divide, .floorDivide: return x / y
            case .power: return pow(x, y)
            }
        }
    }

    func testFormulasGiveEverySizeOfTheLoop() throws {
        let cases: [(sizes: [Int], lower: Int, home: Int)] = [
            ([128, 256, 512, 1024], 1, 1), ([512, 256, 128, 64], 1, 512), ([128, 256, 512], 1, 512),
            ([1024, 512, 256], 1, 512), ([4, 8, 16], -1, 8), ([16, 8, 4], -2, 16), ([3, 9, 27], 0, 9),
        ]
        for c in cases {
            let g = try XCTUnwrap(Geometric(c.sizes, lower: c.lower), "\(c)")
            let absolute = g.absolute("λ")
            let relative = g.relative(to: c.home, "h", "λ")
            for (k, size) in c.sizes.enumerated() {
                let lambda = c.lower + k
                XCTAssertEqual(value(absolute, lambda), Double(size), accuracy: 1e-9, "\(absolute) at λ = \(lambda)")
                if let relative {
                    XCTAssertEqual(
                        value(relative, lambda, home: c.home), Double(size), accuracy: 1e-9,
                        "\(relative) at λ = \(lambda)")
                }
            }
        }
    }

    func testSizesThatFollowNoFactorOrWouldOverflowAreLeftUnwritten() {
        XCTAssertNil(Geometric([2, 4, 6], lower: 1), "not one factor")
        XCTAssertNil(Geometric([6, 4], lower: 1), "not a whole factor")
        XCTAssertNil(Geometric([5, 5], lower: 1), "not changing")
        XCTAssertNil(Geometric([2, 4], lower: Int.min + 1), "an index far from 0")
        // The last of these doubled would overflow; they are still a pattern.
        let big = Geometric([1 << 61, 1 << 62], lower: 90)
        XCTAssertNotNil(big)
        XCTAssertEqual(big.map { value($0.absolute("λ"), 91) }, Double(1 << 62))
    }
}
