import NCDCore
import NCDRender
import XCTest

/// LAYOUT.md's invariants, checked on the scene of every example, closed and opened.
final class SceneInvariantTests: XCTestCase {
    /// Every example's last diagram, with sub-diagrams as boxes and opened one level.
    func allScenes() throws -> [(String, Scene)] {
        var opened = RenderOptions()
        opened.expandAll = true
        opened.depth = 1
        var shapes = RenderOptions()
        shapes.annotation = .cost
        return try exampleNames().flatMap { name in
            [
                (name, try scene(example: name)), (name + " --depth 1", try scene(example: name, options: opened)),
                (name + " --annotate cost", try scene(example: name, options: shapes)),
            ]
        }
    }

    func testEveryExampleIsWithinTheTargetAspect() throws {
        for (name, s) in try allScenes() where !name.hasSuffix("cost") {
            XCTAssertLessThanOrEqual(s.width / s.height, 4, "\(name): \(s.width)×\(s.height)")
        }
    }

    func testEveryWireStartsAndEndsOnAPort() throws {
        for (name, s) in try allScenes() {
            XCTAssertFalse(s.wires.isEmpty, name)
            for w in s.wires {
                for end in [w.start, w.end] {
                    XCTAssertTrue(
                        s.ports.contains { abs($0.x - end.x) < 1e-6 && abs($0.y - end.y) < 1e-6 },
                        "\(name): wire \(w.axis) end \(end) is on no port")
                }
            }
        }
    }

    func testWiresRunLeftToRightWithControlPointsBetweenTheirEnds() throws {
        for (name, s) in try allScenes() {
            for w in s.wires {
                XCTAssertGreaterThan(w.end.x, w.start.x, name)
                for p in w.path.points {
                    XCTAssertTrue(p.x >= w.start.x - 1e-9 && p.x <= w.end.x + 1e-9, "\(name): \(w.axis) leaves its gap")
                    XCTAssertTrue(p.y >= min(w.start.y, w.end.y) - 1e-9 && p.y <= max(w.start.y, w.end.y) + 1e-9, name)
                }
            }
        }
    }

    func testEveryStraightRunOfAWireHasExactlyOneLabelAboveIt() throws {
        for (name, s) in try allScenes() {
            for w in s.wires {
                let runStart = Self.runStart(w, s)
                let mine = s.labels.filter {
                    $0.track == w.track && $0.axis == w.axis && abs($0.rect.x - runStart) < 16 && $0.wireY == w.start.y
                }
                XCTAssertLessThanOrEqual(
                    mine.count, 1, "\(name): wire \(w.axis) at \(w.start) has \(mine.count) labels")
                if mine.isEmpty {
                    // Unlabelled only where it goes on straight from the wire before it: of its
                    // own track, across an opened frame's edge (the tracks inside are the
                    // frame's own), or of its axis over a column that carries it, through no
                    // box it is not broadcast over.
                    let before = s.wires.filter {
                        $0.end.x <= w.start.x + 1e-6 && abs($0.end.y - w.start.y) < 1e-6
                            && abs($0.start.y - $0.end.y) < 1e-6
                    }.max { $0.end.x < $1.end.x }
                    let continues = before.map { p in
                        (p.track == w.track && p.axis == w.axis)
                            || Self.frameEdge(in: s, between: p.end.x, and: w.start.x, at: w.start.y)
                            || (p.axis == w.axis
                                && Self.carriedOver(in: s, w.axis, from: p.end.x, to: w.start.x, at: w.start.y))
                    }
                    XCTAssertTrue(
                        continues ?? false, "\(name): wire \(w.axis) at \(w.start) starts a run without a label")
                }
                if let label = mine.first {
                    XCTAssertLessThanOrEqual(label.rect.maxY, w.start.y, "\(name): label under its wire")
                }
            }
        }
    }

    /// A wire carried straight over a column (an operation broadcast over it, an elementwise
    /// mark) keeps the label it has: `b` is written once, `d` again only past the box it
    /// enters.
    func testAWireCarriedOverAnOperationKeepsItsLabel() throws {
        let s = try scene(
            source: "axis b = 2, d = 3\ndiagram D(x: [b, d]) -> [b, d] { return relu(linear[d -> d](relu(x))) }")
        XCTAssertEqual(s.labels.filter { $0.text.plainText == "b" }.count, 1)
        XCTAssertEqual(s.labels.filter { $0.text.plainText == "d" }.count, 2)
    }

    /// Whether every operation's box the line at `y` from `a` to `b` runs through is one the
    /// axis is broadcast over (a mark above or beside the wire leaves it alone).
    static func carriedOver(in s: Scene, _ axis: String, from a: Double, to b: Double, at y: Double) -> Bool {
        s.boxes.filter { box in
            box.kind == .operation && box.rect.x < b && box.rect.maxX > a && box.rect.y < y && y < box.rect.maxY
        }.allSatisfy { box in s.broadcastPasses.contains { $0.axis == axis && $0.box == box.rect } }
    }

    /// Whether an opened frame's edge stands between `a` and `b` (less than 60 pt apart:
    /// the frame's stub and padding) at height `y`.
    static func frameEdge(in s: Scene, between a: Double, and b: Double, at y: Double) -> Bool {
        b - a < 60
            && s.boxes.contains { f in
                f.kind == .frame && f.rect.y <= y && y <= f.rect.maxY
                    && [f.rect.x, f.rect.maxX].contains { a - 1e-6 <= $0 && $0 <= b + 1e-6 }
            }
    }

    /// A wire running straight through an opened frame's edge is one run and is labelled
    /// once: a label just inside (or outside) the edge never repeats the run's label.
    func testAWireRunningStraightIntoOrOutOfAFrameIsLabelledOnce() throws {
        var edges = 0
        for (name, s) in try allScenes() {
            func label(_ w: WireRecord) -> LabelRecord? {
                let start = Self.runStart(w, s)
                return s.labels.first {
                    $0.track == w.track && $0.axis == w.axis && abs($0.rect.x - start) < 16 && $0.wireY == w.start.y
                }
            }
            // The wire a straight run continues from: of its own track, or across a frame's edge.
            func predecessor(_ w: WireRecord) -> (wire: WireRecord, acrossFrame: Bool)? {
                let before = s.wires.filter {
                    $0.end.x <= w.start.x + 1e-6 && abs($0.end.y - w.start.y) < 1e-6
                        && abs($0.start.y - $0.end.y) < 1e-6
                }
                guard let p = before.max(by: { $0.end.x < $1.end.x }) else { return nil }
                if p.track == w.track && p.axis == w.axis { return (p, false) }
                return Self.frameEdge(in: s, between: p.end.x, and: w.start.x, at: w.start.y) ? (p, true) : nil
            }
            func runLabel(_ w: WireRecord, depth: Int = 0) -> LabelRecord? {
                label(w) ?? (depth < 64 ? predecessor(w).flatMap { runLabel($0.wire, depth: depth + 1) } : nil)
            }
            for w in s.wires {
                // Past a loop's closing bracket a wire is labelled again, on purpose: there it
                // carries the last iteration's size.
                guard let mine = label(w), Self.runStart(w, s) == w.start.x, let p = predecessor(w), p.acrossFrame,
                    let theirs = runLabel(p.wire)
                else { continue }
                edges += 1
                XCTAssertNotEqual(
                    mine.text, theirs.text,
                    "\(name): \(mine.text.plainText) labelled again across a frame's edge at \(w.start)")
            }
        }
        XCTAssertGreaterThan(edges, 0, "some wire runs straight through a frame's edge")
    }

    /// Where a wire's straight run starts: where it leaves its column, or past a loop's
    /// closing bracket standing in its gap (wider around a region inside the loop).
    static func runStart(_ w: WireRecord, _ s: Scene) -> Double {
        var x = w.start.x
        for r in s.repetitions {
            // The closing bracket is the second.
            for bracket in r.brackets.dropFirst() {
                let line: [Point] = bracket.flattened()
                let ys: [Double] = line.map(\.y)
                guard let top = ys.min(), let bottom = ys.max(), top <= w.start.y, bottom >= w.start.y else { continue }
                for p in line where p.x > w.start.x && p.x < w.start.x + 40 { x = max(x, p.x) }
            }
        }
        return x
    }

    func testNoTwoLabelsOverlapAndNoLabelCoversABox() throws {
        for (name, s) in try allScenes() {
            for (i, a) in s.labels.enumerated() {
                for b in s.labels[(i + 1)...] {
                    XCTAssertFalse(
                        a.rect.overlaps(b.rect), "\(name): labels \(a.axis) and \(b.axis) overlap at \(a.rect)")
                }
                for box in s.boxes where box.kind == .operation {
                    XCTAssertFalse(
                        a.rect.overlaps(box.rect), "\(name): label \(a.axis) covers \(box.name) at \(box.rect)")
                }
            }
        }
    }

    func testNoTwoOperationsOverlapAndFramesHoldTheirContents() throws {
        for (name, s) in try allScenes() {
            let ops = s.boxes.filter { $0.kind == .operation }
            for (i, a) in ops.enumerated() {
                for b in ops[(i + 1)...] {
                    XCTAssertFalse(
                        a.rect.overlaps(b.rect), "\(name): \(a.name) at \(a.rect) overlaps \(b.name) at \(b.rect)")
                }
            }
            for frame in s.boxes where frame.kind == .frame {
                let inside = s.labels.filter { frame.rect.overlaps($0.rect) }
                for l in inside {
                    XCTAssertTrue(frame.rect.contains(l.rect), "\(name): label \(l.axis) straddles frame \(frame.name)")
                }
            }
        }
    }

    func testBroadcastWiresPassOverTheirOperation() throws {
        let s = try scene(example: "transformer.ncd")
        XCTAssertFalse(s.broadcastPasses.isEmpty)
        let b = try XCTUnwrap(s.broadcastPasses.first { $0.axis == "b" })
        for pass in s.broadcastPasses {
            XCTAssertGreaterThan(pass.boxShapeIndex, -1)
            XCTAssertGreaterThan(pass.shapeIndex, pass.boxShapeIndex, "drawn after the box it passes over")
            let xs = pass.path.points.map(\.x)
            XCTAssertLessThanOrEqual(xs.min()!, pass.box.x)
            XCTAssertGreaterThanOrEqual(xs.max()!, pass.box.maxX)
        }
        XCTAssertEqual(Set(b.path.points.map(\.y)).count, 1, "the batch axis runs straight over the sub-diagram")
    }

    func testWiresCrossOnlyWhereAColumnReorders() throws {
        for (name, s) in try allScenes() {
            for p in Crossings.points(in: s) {
                XCTAssertTrue(
                    s.reorderRegions.contains { $0.contains(p.x) },
                    "\(name): wires cross at \(p), outside any reordering column")
            }
        }
    }

    func testASequentialDiagramHasNoCrossings() throws {
        let s = try scene(example: "mlp.ncd")
        XCTAssertEqual(Crossings.points(in: s).count, 0)
        XCTAssertTrue(s.reorderRegions.isEmpty)
    }

    func testATransposeCrossesOnceForEachInversion() throws {
        let swap = try scene(
            source: "axis a = 2, b = 3, c = 4\ndiagram T(x: [a, b]) -> [b, a] { return rearrange[a b -> b a](x) }")
        XCTAssertEqual(Crossings.points(in: swap).count, 1)
        XCTAssertEqual(swap.reorderRegions.count, 1)
        let reverse = try scene(
            source:
                "axis a = 2, b = 3, c = 4\ndiagram T(x: [a, b, c]) -> [c, b, a] { return rearrange[a b c -> c b a](x) }"
        )
        XCTAssertEqual(Crossings.points(in: reverse).count, 3)
    }

    func testEverythingDrawnIsInsideTheScene() throws {
        for (name, s) in try allScenes() {
            for shape in s.shapes {
                let points: [Point]
                switch shape {
                case .path(let p): points = p.points
                case .text(let t): points = [Point(t.bounds.x, t.bounds.y), Point(t.bounds.maxX, t.bounds.maxY)]
                }
                for p in points {
                    XCTAssertTrue(p.x >= 0 && p.y >= 0 && p.x <= s.width && p.y <= s.height, "\(name): \(p) outside")
                }
            }
        }
    }
}

extension SceneInvariantTests {
    func testNoWireRunsThroughABoxItDoesNotEnter() throws {
        for (name, s) in try allScenes() {
            for hit in WirePaths.throughBoxes(in: s) { XCTFail("\(name): a wire runs through \(hit)") }
        }
    }

    /// A broadcast wire passes over its box level, as the paper draws `b` over L₊: where it
    /// is over the box it neither rises nor falls (it changes rows, if at all, beside it).
    func testBroadcastWiresRunLevelOverTheirBox() throws {
        for (name, s) in try allScenes() {
            for pass in s.broadcastPasses {
                let over = pass.path.flattened().filter { pass.box.holds($0, inset: 0) }
                let ys = over.map(\.y)
                if let low = ys.min(), let high = ys.max() {
                    XCTAssertLessThan(high - low, 0.5, "\(name): \(pass.axis) slants over its box at \(pass.box)")
                }
            }
        }
    }

    /// A wire a box is broadcast over passes above or below the box, not through it between
    /// the wires it acts on (`ȳ` over L^O, with `k` and `h` entering side by side).
    func testBroadcastWiresPassAboveOrBelowTheirBox() throws {
        var passes = 0
        for (name, s) in try allScenes() {
            for pass in s.broadcastPasses {
                // Its height at the box's middle.
                let line = pass.path.flattened()
                let x = pass.box.x + pass.box.width / 2
                guard let (a, b) = zip(line, line.dropFirst()).first(where: { $0.x <= x && x <= $1.x }) else {
                    continue
                }
                let y = b.x - a.x < 1e-9 ? a.y : a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x)
                passes += 1
                XCTAssertFalse(
                    y > pass.box.y && y < pass.box.maxY, "\(name): \(pass.axis) runs through its box at \(pass.box)")
            }
        }
        XCTAssertGreaterThan(passes, 0)
    }

    /// No wire or separator runs through any text: wire labels, a box's name and cost note,
    /// a mark's caption (`LN`, `+`, `×`), a loop's bounds. (A mark's wires stop at its edge.)
    func testNoLineStrikesAnyText() throws {
        for (name, s) in try allScenes() {
            let texts = s.shapes.compactMap { shape -> TextShape? in
                guard case .text(let t) = shape else { return nil }
                return t
            }
            for hit in WirePaths.throughText(texts, in: s) { XCTFail("\(name): a line strikes \(hit)") }
        }
    }

    /// A region holds its operations' marks and no other operation's; no loop's bracket
    /// runs through it.
    func testRegionsHoldTheirOperationsAndNoOthers() throws {
        for (name, s) in try allScenes() {
            for r in s.regions {
                for m in r.members { XCTAssertTrue(r.content.encloses(m), "\(name): \(r.title ?? "note") content") }
                guard let rect = r.rect else { continue }
                XCTAssertTrue(rect.encloses(r.content), "\(name): region \(r.title!) holds its content")
                for box in s.boxes where box.kind == .operation && box.rect.overlaps(rect) {
                    let member = s.regions.filter { $0.rect == rect }.flatMap(\.members).contains {
                        Rect(x: $0.x - 0.5, y: $0.y - 0.5, width: $0.width + 1, height: $0.height + 1).contains(
                            box.rect)
                    }
                    XCTAssertTrue(member, "\(name): \(box.name) lies in region \(r.title!) without being in it")
                }
                for bracket in s.repetitions.flatMap(\.brackets) {
                    let inside = WirePaths.dense(bracket.flattened()).first { rect.holds($0, inset: 0) }
                    XCTAssertNil(inside, "\(name): a loop's bracket runs through region \(r.title!)")
                }
            }
        }
    }

    /// A wire that crosses a loop's opening bracket to end inside the loop crosses it
    /// between the bracket's ends (an LSTM's state on its way to the cell, not under it).
    func testALoopsBracketsSpanEveryWireEnteringIt() throws {
        var checked = 0
        // Closed diagrams only: an opened frame numbers its tracks afresh, and a wire is
        // followed gap by gap by its track.
        for (name, s) in try allScenes() where !name.contains("--depth") {
            // Each wire's segments, gap by gap, left to right.
            let wires = Dictionary(grouping: s.wires) { "\($0.track) \($0.axis)" }.values.map {
                $0.sorted { $0.start.x < $1.start.x }
            }
            for r in s.repetitions where r.brackets.count == 2 {
                let left = r.brackets[0].flattened()
                let x = left.map(\.x).min()!
                let (top, bottom) = (left.map(\.y).min()!, left.map(\.y).max()!)
                let inside = r.brackets[1].flattened().map(\.x).min()!
                for segments in wires {
                    // One that ends between the brackets, on this row, having come from before them.
                    guard let last = segments.last, let first = segments.first, first.start.x < x, last.end.x > x,
                        last.end.x < inside, last.end.y >= top, last.end.y <= bottom,
                        let crossing = segments.first(where: { $0.start.x <= x && $0.end.x >= x })
                    else { continue }
                    let line = WirePaths.dense(crossing.path.flattened())
                    guard let at = line.min(by: { abs($0.x - x) < abs($1.x - x) }) else { continue }
                    checked += 1
                    XCTAssertTrue(
                        at.y >= top && at.y <= bottom,
                        "\(name): \(last.axis) enters \(r.variable)'s loop at \(at.y) outside \(top)…\(bottom)")
                }
            }
        }
        XCTAssertGreaterThan(checked, 0)
    }

    /// A note touches nothing but its own text and, at its edge, its own region.
    func testNotesTouchNothingElse() throws {
        var notes = 0
        for (name, s) in try allScenes() {
            let texts = s.shapes.compactMap { shape -> TextShape? in
                guard case .text(let t) = shape else { return nil }
                return t
            }
            for r in s.regions {
                guard let note = r.note else { continue }
                notes += 1
                let inner = Rect(x: note.x + 0.5, y: note.y + 0.5, width: note.width - 1, height: note.height - 1)
                for box in s.boxes { XCTAssertFalse(box.rect.overlaps(inner), "\(name): note on \(box.name)") }
                // It may lie on its own region and those around it, not on any other.
                for other in s.regions where other != r && !(other.rect?.encloses(r.content) ?? false) {
                    XCTAssertFalse(other.rect?.overlaps(inner) ?? false, "\(name): note on region \(other.title ?? "")")
                    XCTAssertFalse(other.note?.overlaps(inner) ?? false, "\(name): two notes overlap")
                }
                for t in texts where !note.contains(t.bounds) {
                    XCTAssertFalse(t.bounds.overlaps(inner), "\(name): note on \(t.text.plainText)")
                }
                for line in WirePaths.lines(in: s, separators: true)
                    + s.repetitions.flatMap({ $0.brackets.map { ($0, $0.flattened()) } })
                {
                    XCTAssertNil(
                        WirePaths.dense(line.1).first { inner.holds($0, inset: 0) }, "\(name): a line through a note")
                }
            }
        }
        XCTAssertGreaterThan(notes, 0, "some example has a note")
    }

    /// A dashed separator runs between tuple segments: a wire crosses it only where a
    /// column reorders its wires, never where the segments run side by side.
    func testSeparatorsAreCrossedOnlyWhereWiresReorder() throws {
        for (name, s) in try allScenes() {
            let dashed = WirePaths.separators(in: s)
            let wires = WirePaths.lines(in: s)
            for d in dashed {
                for w in wires {
                    for p in Crossings.meetings(d.points, w.points) {
                        XCTAssertTrue(
                            s.reorderRegions.contains { $0.contains(p.x) },
                            "\(name): a wire crosses a separator at \(p), outside any reordering column")
                    }
                }
            }
        }
    }

    /// A contraction's cap encloses no other wire and nothing crosses it: the contracted
    /// axes lie next to each other across the dashed line (keys' `x̄ k` swapped to `k x̄`), a
    /// wire that rises or falls past a cap runs level until it is clear of it, and a
    /// separator between the segments a cap joins stops where the cap begins.
    func testNoWireOrSeparatorCrossesAContractionCap() throws {
        var caps = 0
        for (name, s) in try allScenes() {
            let lines = WirePaths.lines(in: s, separators: true)
            for cap in WirePaths.caps(in: s) {
                caps += 1
                let ends = [cap.points.first!, cap.points.last!]
                for w in lines where w.path != cap.path {
                    for p in Crossings.meetings(cap.points, w.points)
                    where !ends.contains(where: { abs($0.x - p.x) < 0.5 && abs($0.y - p.y) < 0.5 }) {
                        let what = w.path.stroke!.dash.isEmpty ? "wire" : "separator"
                        XCTFail("\(name): a \(what) crosses the contraction cap from \(ends[0]) at \(p)")
                    }
                }
            }
        }
        XCTAssertGreaterThan(caps, 0, "some example contracts an axis")
    }

    /// The dashed line between a diagram's outputs runs to the wires' ends, as the one
    /// between its inputs starts at theirs, not short of them in mid-air.
    func testSeparatorsBetweenOutputsRunToTheWiresEnds() throws {
        let s = try scene(
            source: """
                axis p = 2, q = 3
                diagram D(x: [p, q]) -> ([p, q], [p, q]) {
                  return relu(x), x
                }
                """)
        let dashed = WirePaths.separators(in: s)
        let end = try XCTUnwrap(WirePaths.lines(in: s).flatMap(\.points).map(\.x).max())
        XCTAssertEqual(try XCTUnwrap(dashed.flatMap(\.points).map(\.x).max()), end, accuracy: 0.01)
    }
}
