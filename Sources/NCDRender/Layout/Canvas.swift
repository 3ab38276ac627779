/// Shapes and their meaning, collected in local coordinates while laying out one diagram
/// and moved into place by the diagram that contains it.
struct Canvas {
    /// Paint layers, bottom to top (LAYOUT.md: fills, wires, boxes, dots, then labels).
    /// Broadcast wires get a layer above boxes: they pass over the operation.
    enum Layer: Int, CaseIterable { case fills, wires, boxes, over, dots, labels }

    private(set) var layers: [[Shape]] = Array(repeating: [], count: Layer.allCases.count)
    var wires: [WireRecord] = []
    var ports: [Point] = []
    var boxes: [BoxRecord] = []
    var labels: [LabelRecord] = []
    /// Broadcast passes with the box path they pass over, matched to paint order at the end.
    var broadcasts: [(axis: String, box: Rect, boxPath: PathShape, path: PathShape)] = []
    var reorderRegions: [ClosedRange<Double>] = []
    var repetitions: [RepetitionRecord] = []
    var regions: [RegionRecord] = []

    mutating func add(_ path: PathShape, _ layer: Layer) { layers[layer.rawValue].append(.path(path)) }

    mutating func add(_ text: TextShape) { layers[Layer.labels.rawValue].append(.text(text)) }

    /// Replaces what one layer holds (a pass over the finished drawing).
    mutating func replaceLayer(_ layer: Layer, with shapes: [Shape]) { layers[layer.rawValue] = shapes }

    /// Adds an operation's solid outline and records it for overlap checks.
    mutating func addBox(_ path: PathShape, rect: Rect, name: String, kind: BoxRecord.Kind = .operation) {
        add(path, kind == .frame ? .fills : .boxes)
        boxes.append(BoxRecord(kind: kind, name: name, rect: rect))
    }

    mutating func addBroadcast(axis: String, box: Rect, boxPath: PathShape, path: PathShape) {
        add(path, .over)
        broadcasts.append((axis, box, boxPath, path))
    }

    /// A region's fill goes under everything drawn so far, frames and enclosing regions'
    /// fills included (an enclosing region is drawn after the ones inside it).
    mutating func addUnderneath(_ path: PathShape) {
        layers[Layer.fills.rawValue].insert(.path(path), at: 0)
    }

    /// A frame's fill goes under everything already drawn in its region.
    mutating func addFrameUnderneath(_ path: PathShape, rect: Rect, name: String) {
        layers[Layer.fills.rawValue].insert(.path(path), at: 0)
        boxes.append(BoxRecord(kind: .frame, name: name, rect: rect))
    }

    /// The labels on the wire at `y` whose left edge lies in `span`, left to right.
    func labels(onWireAt y: Double, in span: ClosedRange<Double>) -> [Int] {
        labels.indices.filter { abs(labels[$0].wireY - y) < 1e-6 && span.contains(labels[$0].rect.x) }
            .sorted { labels[$0].rect.x < labels[$1].rect.x }
    }

    /// Takes a wire's label away, its record and its text.
    mutating func removeLabel(_ index: Int) {
        let label = labels.remove(at: index)
        let texts = layers[Layer.labels.rawValue]
        if let k = texts.firstIndex(where: {
            if case .text(let t) = $0 { return t.bounds == label.rect } else { return false }
        }) {
            layers[Layer.labels.rawValue].remove(at: k)
        }
    }

    /// Draws `other` here, moved by (dx, dy).
    mutating func merge(_ other: Canvas, dx: Double, dy: Double) {
        for layer in Layer.allCases {
            layers[layer.rawValue] += other.layers[layer.rawValue].map { $0.moved(dx, dy) }
        }
        wires += other.wires.map {
            WireRecord(
                axis: $0.axis, track: $0.track, start: $0.start.offset(dx, dy), end: $0.end.offset(dx, dy),
                path: $0.path.moved(dx, dy))
        }
        ports += other.ports.map { $0.offset(dx, dy) }
        boxes += other.boxes.map { BoxRecord(kind: $0.kind, name: $0.name, rect: $0.rect.moved(dx, dy)) }
        labels += other.labels.map {
            LabelRecord(
                axis: $0.axis, track: $0.track, rect: $0.rect.moved(dx, dy), wireY: $0.wireY + dy, text: $0.text)
        }
        broadcasts += other.broadcasts.map {
            ($0.axis, $0.box.moved(dx, dy), $0.boxPath.moved(dx, dy), $0.path.moved(dx, dy))
        }
        reorderRegions += other.reorderRegions.map { ($0.lowerBound + dx)...($0.upperBound + dx) }
        regions += other.regions.map { $0.moved(dx, dy) }
        repetitions += other.repetitions.map {
            RepetitionRecord(
                variable: $0.variable, indices: $0.indices, brackets: $0.brackets.map { $0.moved(dx, dy) },
                bounds: ($0.lowerBound, $0.upperBound))
        }
    }

    /// The finished scene, moved so that `bounds` starts at the margin.
    func scene(bounds: Rect, margin: Double, background: Color) -> Scene {
        var moved = Canvas()
        moved.merge(droppingStubSeparators(), dx: margin - bounds.x, dy: margin - bounds.y)
        var scene = Scene(
            width: (bounds.width + 2 * margin).rounded(.up), height: (bounds.height + 2 * margin).rounded(.up),
            background: background)
        scene.shapes = moved.layers.flatMap { $0 }
        scene.wires = moved.wires
        scene.ports = moved.ports
        scene.boxes = moved.boxes
        scene.labels = moved.labels
        scene.reorderRegions = moved.reorderRegions
        scene.repetitions = moved.repetitions
        scene.regions = moved.regions
        scene.broadcastPasses = moved.broadcasts.map { b in
            BroadcastRecord(
                axis: b.axis, box: b.box, path: b.path,
                shapeIndex: scene.shapes.firstIndex(of: .path(b.path)) ?? -1,
                boxShapeIndex: scene.shapes.firstIndex(of: .path(b.boxPath)) ?? -1)
        }
        return scene
    }

    /// The extent of everything drawn (control points included, so curves stay inside).
    var bounds: Rect? {
        var result: Rect?
        for shape in layers.joined() {
            let r: Rect?
            switch shape {
            case .path(let p):
                let pts = p.points
                guard let minX = pts.map(\.x).min(), let maxX = pts.map(\.x).max(),
                    let minY = pts.map(\.y).min(), let maxY = pts.map(\.y).max()
                else { continue }
                let pad = (p.stroke?.width ?? 0) / 2
                r = Rect(x: minX - pad, y: minY - pad, width: maxX - minX + 2 * pad, height: maxY - minY + 2 * pad)
            case .text(let t): r = t.bounds
            }
            if let r { result = result.map { $0.union(r) } ?? r }
        }
        return result
    }
}

extension Rect {
    func moved(_ dx: Double, _ dy: Double) -> Rect { Rect(x: x + dx, y: y + dy, width: width, height: height) }
}

extension PathShape {
    func moved(_ dx: Double, _ dy: Double) -> PathShape {
        var p = self
        p.elements = elements.map {
            switch $0 {
            case .move(let a): return .move(a.offset(dx, dy))
            case .line(let a): return .line(a.offset(dx, dy))
            case .curve(let a, let b, let c): return .curve(a.offset(dx, dy), b.offset(dx, dy), c.offset(dx, dy))
            case .close: return .close
            }
        }
        return p
    }
}

extension Shape {
    func moved(_ dx: Double, _ dy: Double) -> Shape {
        switch self {
        case .path(let p): return .path(p.moved(dx, dy))
        case .text(var t):
            t.origin = t.origin.offset(dx, dy)
            return .text(t)
        }
    }
}
