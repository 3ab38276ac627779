import NCDCore
import XCTest

@testable import NCDRender

/// How names and operations are written: sub- and superscripts, overbars, glyph choice.
final class NotationTests: XCTestCase {
    func testNamesBecomeMath() {
        XCTAssertEqual(Notation.symbol("d_ff").runs, [TextRun("d"), TextRun("ff", .lowered)])
        XCTAssertEqual(Notation.symbol("n1").runs, [TextRun("n"), TextRun("1", .lowered)])
        XCTAssertEqual(Notation.symbol("x̄").runs, [TextRun("x", overbar: true)])
        XCTAssertEqual(Notation.symbol("k^-0.5").runs, [TextRun("k"), TextRun("−1/2", .raised)])
        XCTAssertEqual(Notation.symbol("d_{model}").runs, [TextRun("d"), TextRun("model", .lowered)])
        XCTAssertEqual(Notation.symbol("second_row").runs, [TextRun("second_row")], "a word keeps its underscore")
        XCTAssertEqual(Notation.symbol("conv2").runs, [TextRun("conv2")])
    }

    func testChosenInstanceNamesComeFromTheIR() {
        func op(_ label: InstanceLabel?) -> NCDCore.Operation {
            NCDCore.Operation(
                kind: .unary(.relu), inputs: [], outputs: [], broadcast: [], parameters: [], instance: label,
                sharedFrom: nil, location: SourceSpan(start: 0, end: 0), loops: [])
        }
        // `as layer2` ends in digits and is still the user's name; `linear2` is not.
        XCTAssertEqual(
            Notation.chosenInstanceName(op(InstanceLabel(path: "b.layer2", name: "layer2", isChosen: true))), "layer2")
        XCTAssertNil(
            Notation.chosenInstanceName(op(InstanceLabel(path: "b.linear2", name: "linear2", isChosen: false))))
        XCTAssertNil(Notation.chosenInstanceName(op(nil)))
    }

    func testWrittenFormulasAreDrawnFromTheirTree() {
        let scale = WrittenFormula.binary(.power, .name("k"), .negate(.number(0.5)))
        XCTAssertEqual(Notation.formula(scale).runs, [TextRun("k"), TextRun("−1/2", .raised)])
        let channels = WrittenFormula.binary(.multiply, .integer(64), .binary(.power, .integer(2), .name("λ")))
        XCTAssertEqual(Notation.formula(channels).plainText, "64·2λ")
        XCTAssertEqual(Notation.formula(channels).runs.last, TextRun("λ", .raised))
        let grouped = WrittenFormula.binary(.multiply, .binary(.subtract, .name("N"), .integer(1)), .name("d_k"))
        XCTAssertEqual(Notation.formula(grouped).plainText, "(N − 1)·dk")
    }

    func testExponentsReadAsFractions() {
        XCTAssertEqual(Notation.exponent("-0.5"), "−1/2")
        XCTAssertEqual(Notation.exponent("0.25"), "1/4")
        XCTAssertEqual(Notation.exponent("2"), "2")
        XCTAssertEqual(Notation.exponent("-1"), "−1")
        XCTAssertEqual(Notation.exponent("0.3"), "0.3")
    }

    func testQuantities() {
        XCTAssertEqual(Notation.quantity(SizeExpr(999), unit: "B"), "999 B")
        XCTAssertEqual(Notation.quantity(SizeExpr(1_572_864), unit: "FLOP"), "1.6 MFLOP")
        XCTAssertEqual(Notation.quantity(SizeExpr(250_000_000), unit: "FLOP"), "250 MFLOP")
    }

    func testTextMetricsAreFixedAndMonotone() {
        let font = Font(.sans, size: 10)
        XCTAssertEqual(TextMetrics.width("m", font: font), 9.74, accuracy: 1e-9)
        XCTAssertGreaterThan(TextMetrics.width("mm", font: font), TextMetrics.width("m", font: font))
        XCTAssertEqual(
            TextMetrics.width("x̄", font: font), TextMetrics.width("x", font: font), "a combining macron takes no room")
        XCTAssertGreaterThan(
            TextMetrics.width("m", font: Font(.sans, size: 10, bold: true)), TextMetrics.width("m", font: font))
    }
}

/// Each operation gets its drawing from NOTATION.md.
final class GlyphChoiceTests: XCTestCase {
    func texts(_ s: Scene) -> [RichText] {
        s.shapes.compactMap {
            if case .text(let t) = $0 { return t.text }
            return nil
        }
    }

    func testTheImageRecogniserHasItsFigure() throws {
        let s = try scene(example: "mlp.ncd")
        XCTAssertEqual(s.boxes.filter { $0.name == "linear" }.count, 3)
        XCTAssertEqual(s.boxes.filter { $0.name == "softmax" }.count, 1)
        XCTAssertEqual(s.boxes.filter { $0.name == "rearrange" }.count, 1, "flatten is a bar")
        XCTAssertEqual(
            texts(s).filter { $0.runs == [TextRun("L"), TextRun("+", .lowered)] }.count, 3,
            "bold L with a + for the bias")
        XCTAssertEqual(texts(s).filter { $0.plainText == "R" }.count, 2, "ReLU on an arrow")
    }

    func testNamedInstancesAreSuperscripts() throws {
        let s = try scene(example: "multihead.ncd")
        let raised = Set(texts(s).flatMap { $0.runs.filter { $0.position == .raised }.map(\.text) })
        XCTAssertEqual(raised, ["Q", "K", "V", "O"])
    }

    func testSubDiagramsAreBoxesUntilOpened() throws {
        let closed = try scene(example: "resnet.ncd")
        XCTAssertEqual(closed.boxes.filter { $0.name == "Block" }.count, 3)
        XCTAssertTrue(closed.boxes.allSatisfy { $0.kind == .operation })
        var one = RenderOptions()
        one.expand = ["Block"]
        one.depth = 1
        let opened = try scene(example: "resnet.ncd", options: one)
        XCTAssertEqual(opened.boxes.filter { $0.kind == .frame }.count, 3)
        XCTAssertEqual(
            opened.boxes.filter { $0.name == "Unit" }.count, 3, "Units stay boxes below --depth 1, one per loop")
        one.unroll = true
        XCTAssertEqual(try scene(example: "resnet.ncd", options: one).boxes.filter { $0.name == "Unit" }.count, 6)
        var all = RenderOptions()
        all.expandAll = true
        let full = try scene(example: "resnet.ncd", options: all)
        XCTAssertEqual(full.boxes.filter { $0.kind == .frame }.count, 6, "3 blocks, each with its loop's one unit")
        XCTAssertGreaterThan(full.width, opened.width)
    }

    func testALoopIsDrawnOnceWithItsBoundsAsWrittenAndDoesNotGrowWithN() throws {
        let source = try String(contentsOf: examples.appendingPathComponent("gpt2.ncd"), encoding: .utf8)
        func width(_ layers: Int, unroll: Bool = false) throws -> Double {
            var options = RenderOptions()
            options.unroll = unroll
            options.maxAspect = nil
            let text = source.replacingOccurrences(of: "const layers = 12", with: "const layers = \(layers)")
            XCTAssertTrue(source.contains("const layers = 12"))
            return try scene(source: text, options: options).width
        }
        XCTAssertEqual(try width(6), try width(12))
        XCTAssertGreaterThan(try width(4, unroll: true), try width(2, unroll: true))
        let s = try scene(example: "gpt2.ncd")
        XCTAssertEqual(s.repetitions.count, 1)
        XCTAssertEqual(s.repetitions[0].indices, 0...1)
        XCTAssertEqual(s.repetitions[0].lowerBound, "0")
        XCTAssertEqual(s.repetitions[0].upperBound, "layers − 1")
        XCTAssertEqual(s.boxes.filter { $0.name == "Block" }.count, 1)
        // A call in a loop is named with its arguments as written, λ and all.
        var opened = RenderOptions()
        opened.expand = ["Block"]
        opened.depth = 1
        let block = try scene(example: "resnet.ncd", diagram: "ResNetBlock", options: opened)
        XCTAssertTrue(
            texts(block).contains { $0.plainText == "Block(s=2, N, cin=n1, c=n2)" }, "\(texts(block).map(\.plainText))")
        // An index inside the loop is written as the source writes it: `xs[t = s]`.
        let lstm = texts(try scene(example: "lstm.ncd")).map(\.plainText)
        XCTAssertTrue(lstm.contains("s") && lstm.contains("s = t − 1"), "\(lstm)")
        let unet = try scene(example: "unet.ncd")
        XCTAssertTrue(
            texts(unet).contains { $0.plainText == "DoubleConv(c=base·2λ)" },
            "\(texts(unet).map(\.plainText))")
    }

    /// Rows break where few wires run, at some cost in evenness: six columns 100 pt wide in
    /// two rows break evenly after the third, unless 12 wires run there and 3 after the
    /// second (each broken wire costs 3% of the ideal row width squared: 12 × 2700 against
    /// 100² × 2 + 3 × 2700).
    func testRowsBreakWhereFewWiresRun() {
        var options = RenderOptions()
        options.rowWidth = 350
        let rights = [0, 100, 200, 300, 400, 500, 600.0]
        XCTAssertEqual(RowWrapping.breaks(columnRights: rights, height: 100, loops: [], options: options), [3])
        XCTAssertEqual(
            RowWrapping.breaks(
                columnRights: rights, wires: [0, 3, 3, 12, 3, 3, 0], height: 100, loops: [], options: options), [2])
        XCTAssertEqual(
            RowWrapping.breaks(
                columnRights: rights, wires: [0, 3, 3, 6, 3, 3, 0], height: 100, loops: [], options: options), [3])
    }

    /// The wrapping's aspect is the scene's own, title and margins included (within the
    /// scene's rounding to whole points), so that a picture just within the target stays in
    /// one row (visual attention at 3.98:1).
    func testWrappingMeasuresTheScenesOwnAspect() throws {
        var options = RenderOptions()
        options.maxAspect = nil
        for name in try exampleNames() {
            let g = try graph(example: name)
            let drawing = DiagramLayout(graph: g, options: options, level: 0, namesAtEdges: true).layout().bounds
            let s = DiagramRenderer.scene(for: g, options: options)
            // The scene's width and height are each rounded up to a whole point.
            let aspect = RowWrapping.sceneAspect(width: drawing.width, height: drawing.height, options: options)
            XCTAssertGreaterThanOrEqual(aspect, (s.width - 1) / s.height, name)
            XCTAssertLessThanOrEqual(aspect, s.width / (s.height - 1), name)
        }
    }

    /// A concatenation's bar spans only the concatenated wires, next to each other across
    /// the dashed line, as the U-Net figure's does; the axes the operands share are joined
    /// at dots (and the scene invariants check no wire runs through the bar).
    func testAConcatenationsBarSpansOnlyTheConcatenatedWires() throws {
        let s = try scene(example: "unet.ncd")
        let bar = try XCTUnwrap(s.boxes.first { $0.name == "concatenate" })
        // Two wires a track gap apart and the bar's 7 pt past each, not the eight wires.
        XCTAssertEqual(bar.rect.height, Metrics.trackGap + 14, accuracy: 0.01)
    }

    func testWideDiagramsWrapIntoRowsWithinTheAspect() throws {
        var oneRow = RenderOptions()
        oneRow.maxAspect = nil
        for name in ["resnet.ncd", "vit.ncd"] {
            let wide = try scene(example: name, options: oneRow)
            XCTAssertGreaterThan(wide.width / wide.height, 4, name)
            let wrapped = try scene(example: name)
            XCTAssertLessThanOrEqual(wrapped.width / wrapped.height, 4, name)
            XCTAssertLessThan(wrapped.width, wide.width * 0.7, name)
            // The same operations and wires, in rows.
            XCTAssertEqual(wrapped.boxes.count, wide.boxes.count, name)
            XCTAssertEqual(wrapped.wires.count, wide.wires.count, name)
            XCTAssertGreaterThanOrEqual(wrapped.labels.count, wide.labels.count, "a row starts labelled: \(name)")
        }
        // A break never leaves a row of bare wire ends: the one opened frame of ResNetBlock
        // (with nothing after it but the outputs) stays one row.
        var block = RenderOptions()
        block.expand = ["Block"]
        block.depth = 1
        var blockOneRow = block
        blockOneRow.maxAspect = nil
        XCTAssertEqual(
            try scene(example: "resnet.ncd", diagram: "ResNetBlock", options: block).height,
            try scene(example: "resnet.ncd", diagram: "ResNetBlock", options: blockOneRow).height)
        // --width: the picture at most that wide, in as many rows as that takes.
        var narrow = RenderOptions()
        narrow.rowWidth = 600
        let rows = try scene(example: "resnet.ncd", options: narrow)
        XCTAssertLessThanOrEqual(rows.width, 600)
        XCTAssertGreaterThan(rows.height, try scene(example: "resnet.ncd").height)
        for width in [400.0, 900] {
            var w = RenderOptions()
            w.rowWidth = width
            XCTAssertLessThanOrEqual(try scene(example: "resnet.ncd", options: w).width, width, "--width \(width)")
            XCTAssertLessThanOrEqual(try scene(example: "gpt2.ncd", options: w).width, width, "--width \(width)")
        }
        // Within the aspect already, a diagram stays one row.
        XCTAssertEqual(
            try scene(example: "attention.ncd").width, try scene(example: "attention.ncd", options: oneRow).width)
        // A loop's brackets are never split between rows: each bracket pair shares its top.
        let unetRows = try scene(example: "unet.ncd", options: narrow)
        XCTAssertEqual(unetRows.repetitions.count, 2)
        for r in unetRows.repetitions {
            let tops = r.brackets.map { $0.points.map(\.y).min()! }
            XCTAssertEqual(tops[0], tops[1], accuracy: 0.01)
        }
    }

    func testAnOpenedCallLabelsItsWiresWithTheAxesBoundToThem() throws {
        var opened = RenderOptions()
        opened.expand = ["Attention"]
        let all = texts(try scene(example: "multihead.ncd", options: opened))
        let names = all.map(\.plainText)
        // Attention is written over y and x; MultiHead calls it on ȳ and x̄ (x with a bar).
        XCTAssertFalse(names.contains("y"), "\(names)")
        XCTAssertTrue(names.contains("ȳ"), "\(names)")
        let xs = all.filter { $0.plainText == "x" }
        XCTAssertFalse(xs.isEmpty)
        XCTAssertTrue(xs.allSatisfy { $0.runs.allSatisfy(\.overbar) }, "every x is x̄")
    }

    func testSavesAndLoadsAreMemoryMarksWithTheirIndexAsWritten() throws {
        let unet = try scene(example: "unet.ncd")
        XCTAssertEqual(unet.boxes.filter { $0.name == "save" }.count, 1, "one save, in the loop drawn once")
        XCTAssertEqual(unet.boxes.filter { $0.name == "load" }.count, 1)
        let marks = texts(unet).filter { $0.runs.first?.text == "C" }
        XCTAssertEqual(
            Set(marks.map { $0.runs.dropFirst().filter { $0.position == .lowered }.map(\.text).joined() }),
            ["λ", "5 − λ"], "\(marks.map(\.plainText))")
        // Unrolled, each iteration's mark has its index's value.
        var unrolled = RenderOptions()
        unrolled.unroll = true
        let every = texts(try scene(example: "unet.ncd", options: unrolled)).filter { $0.runs.first?.text == "C" }
        XCTAssertEqual(Set(every.map(\.plainText)), ["C1", "C2", "C3", "C4"])
        // As wires, there are no marks and each skip is one long bundle.
        var wires = RenderOptions()
        wires.memoryAsWires = true
        let joined = try scene(example: "unet.ncd", options: wires)
        XCTAssertTrue(joined.boxes.allSatisfy { $0.name != "save" && $0.name != "load" })
        XCTAssertGreaterThan(joined.wires.count, unet.wires.count, "the skip's wires cross every gap between")
    }

    func testLoopsAreBracketedWithTheirBounds() throws {
        let s = try scene(example: "unet.ncd")
        XCTAssertEqual(s.repetitions.map(\.variable), ["λ", "λ"])
        XCTAssertEqual(s.repetitions.map(\.indices), [1...4, 1...3])
        let texts = self.texts(s).map(\.plainText)
        XCTAssertTrue(texts.contains("λ = 1") && texts.contains("λ = 4") && texts.contains("λ = 3"), "\(texts)")
        XCTAssertEqual(try scene(example: "mlp.ncd").repetitions.count, 0)
    }

    func testShapesAndCostAnnotations() throws {
        var shapes = RenderOptions()
        shapes.annotation = .shapes
        let s = try scene(example: "mlp.ncd", options: shapes)
        XCTAssertTrue(texts(s).contains { $0.plainText == "hidden = 512" })
        var cost = RenderOptions()
        cost.annotation = .cost
        let c = try scene(example: "mlp.ncd", options: cost)
        XCTAssertTrue(texts(c).contains { $0.plainText.contains("FLOP") && $0.plainText.contains("B") })
    }

    func testAContractionDrawsACapAndADiagonalDot() throws {
        var options = RenderOptions()
        options.expand = ["Attention"]
        let s = try scene(example: "multihead.ncd", options: options)
        XCTAssertEqual(s.boxes.filter { $0.kind == .frame }.map(\.name), ["Attention"])
        let dots = s.shapes.filter {
            if case .path(let p) = $0 { return p.fill == Theme.paper.ink && p.elements.count == 6 }
            return false
        }
        XCTAssertGreaterThanOrEqual(dots.count, 3, "copy dots and the diagonal h")
    }
}
