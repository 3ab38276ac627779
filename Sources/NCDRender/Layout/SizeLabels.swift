import NCDCore

/// What a wire's label says of its size. With `--annotate names` (the default) a wire is
/// named by its axis where it has the size that axis has where it enters the diagram, and
/// by the size derived from that one where it differs, as the paper labels `x̄/2` and `2c`:
/// the size as the source wrote it (`ch = n₀`, `h/s`), a multiple or a part (`2ch`, `h/2`),
/// an offset (`tokens + 1`), else its value (`ch = 16`). Inside a loop drawn once, a size
/// that changes from one iteration to the next is written with the loop's index (`h/2^λ`,
/// `ch = 64·2^λ`), or by the axis name alone where it follows no pattern; past the loop a
/// wire carries its last iteration's size. `--annotate shapes` writes every size (`m = 128`).
struct SizeLabels {
    let graph: DiagramGraph
    let flow: FlowGraph
    let annotation: RenderOptions.Annotation
    let renames: [String: String]
    /// Each axis's size where it first appears: on the diagram's inputs, else where an
    /// operation makes it.
    private var home: [String: SizeExpr] = [:]
    /// Per value, the operation that makes it (its position) and which of its outputs it is.
    private var producer: [ValueID: (position: Int, output: Int)] = [:]
    /// Per axis and size, the first size the source writes for it outside loops, so that
    /// a wire of that size is written alike wherever it runs (ResNet's `ch = n₃` after the
    /// block that makes it and after the batch norm that follows).
    private var known: [String: [SizeExpr: WrittenFormula]] = [:]
    /// The loops' variables, which a written size may name only inside its loop.
    private let loopIndices: Set<String>
    /// Per loaded value (a loop's first iteration's), the sizes its save writes, in the
    /// load's index: U-Net's `C_{5−λ}` saved as `ch = base·2^λ` is `base·2^(5−λ)`.
    private var loaded: [ValueID: [String: WrittenFormula]] = [:]

    init(graph: DiagramGraph, flow: FlowGraph, annotation: RenderOptions.Annotation, renames: [String: String]) {
        self.graph = graph
        self.flow = flow
        self.annotation = annotation
        self.renames = renames
        loopIndices = Set(graph.loops.map(\.variable))
        for v in graph.inputs { for a in graph.type(of: v).axes where home[a.name] == nil { home[a.name] = a.size } }
        for (p, op) in graph.operations.enumerated() {
            for (k, v) in op.outputs.enumerated() {
                producer[v] = (p, k)
                for a in graph.type(of: v).axes {
                    if home[a.name] == nil { home[a.name] = a.size }
                    if let w = writtenByCall(a, v).writtenSize, !w.names.isEmpty, loopIndices.isDisjoint(with: w.names),
                        known[a.name]?[a.size] == nil
                    {
                        known[a.name, default: [:]][a.size] = w
                    }
                }
            }
        }
        readLoads()
    }

    /// Records what each load of a loop's first iteration reads as its save writes it,
    /// where the save's index is its loop's variable (`save C[λ] = x`).
    private mutating func readLoads() {
        var saved: [String: (variable: String, axes: [Axis])] = [:]
        for loop in graph.loops where flow.drawnOnce.contains(loop.id) {
            for p in loop.iterations[0].operations {
                let op = graph.operations[p]
                guard case .save(let slot) = op.kind, slot.writtenIndex == .name(loop.variable) else { continue }
                saved[slot.name] = (
                    loop.variable, graph.type(of: op.inputs[0]).axes.map { writtenByCall($0, op.inputs[0]) }
                )
            }
        }
        for loop in graph.loops where flow.drawnOnce.contains(loop.id) {
            for p in loop.iterations[0].operations {
                let op = graph.operations[p]
                guard case .load(let slot) = op.kind, let save = saved[slot.name] else { continue }
                for axis in save.axes {
                    guard let w = axis.writtenSize else { continue }
                    loaded[op.outputs[0], default: [:]][axis.name] = w.substituting([save.variable: slot.writtenIndex])
                }
            }
        }
    }

    /// An axis of a value with the size the source writes for it: by the call that makes it
    /// or the save a load reads.
    private func writtenFor(_ axis: Axis, _ value: ValueID) -> Axis {
        var result = writtenByCall(axis, value)
        if result.writtenSize == nil, let w = loaded[value]?[axis.name] { result.writtenSize = w }
        return result
    }

    /// The labels of a track's wires in a gap; `loop` is the loop drawn once whose brackets
    /// enclose the gap, if any.
    func labels(track t: Int, inside loop: Loop?) -> [RichText] {
        let axes = flow.tracks[t].axes.map { writtenFor($0, flow.tracks[t].value) }
        if let loop, let each = iterations(of: t, loop) {
            return axes.enumerated().map { i, axis in
                let sizes = each.map { $0.indices.contains(i) ? $0[i].size : axis.size }
                return label(axis, varying: sizes.allSatisfy { $0 == axis.size } ? nil : (loop, sizes))
            }
        }
        // Past the loop that makes it, a value is its last iteration's.
        if loop == nil, let made = producer[flow.tracks[t].value],
            let frame = graph.operations[made.position].loops.first, flow.drawnOnce.contains(frame.loop),
            let last = iterations(of: t, flow.loops[frame.loop])?.last, last.count == axes.count
        {
            return last.map { label($0, varying: nil) }
        }
        return axes.map { label($0, varying: nil) }
    }

    /// The track's axes in each iteration of `loop`, from the operation that makes its value
    /// there or, for a value from outside the loop, the one that takes it.
    private func iterations(of t: Int, _ loop: Loop) -> [[Axis]]? {
        let value = flow.tracks[t].value
        if let made = producer[value], graph.operations[made.position].loops.contains(where: { $0.loop == loop.id }) {
            return counterparts(of: made.position, in: loop)?.map { op in graph.type(of: op.outputs[made.output]).axes }
        }
        var track = t
        while case .copy = flow.nodes[flow.tracks[track].consumer].kind {
            guard let next = flow.nodes[flow.tracks[track].consumer].outputs.first else { return nil }
            track = next
        }
        let consumer = flow.nodes[flow.tracks[track].consumer]
        guard let position = consumer.position, let input = consumer.inputs.firstIndex(of: track) else { return nil }
        return counterparts(of: position, in: loop)?.map { op in
            op.inputs.indices.contains(input) ? graph.type(of: op.inputs[input]).axes : []
        }
    }

    /// The operation at `position` of the loop's first iteration and its repeats in the others.
    private func counterparts(of position: Int, in loop: Loop) -> [Operation]? {
        guard let first = loop.iterations.first, first.operations.contains(position) else { return nil }
        let offset = position - first.operations.lowerBound
        let kind = graph.operations[position].kind.mnemonic
        var result: [Operation] = []
        for iteration in loop.iterations {
            let p = iteration.operations.lowerBound + offset
            guard iteration.operations.contains(p), graph.operations[p].kind.mnemonic == kind else { return nil }
            result.append(graph.operations[p])
        }
        return result
    }

    /// One wire's label; `varying` holds its sizes in every iteration of the loop around it.
    private func label(_ axis: Axis, varying: (loop: Loop, sizes: [SizeExpr])?) -> RichText {
        let name = renames[axis.name] ?? axis.name
        let symbol = Notation.symbol(name)
        func equals(_ f: WrittenFormula) -> RichText {
            RichText(symbol.runs + [TextRun(" = ")] + Notation.formula(f).runs)
        }
        if let varying {
            if let written = written(axis, name: name, in: varying.loop), written.names.contains(varying.loop.variable)
            {
                return written.names.contains(name) ? Notation.formula(written) : equals(written)
            }
            let ints = varying.sizes.compactMap(\.intValue)
            guard ints.count == varying.sizes.count, let g = Geometric(ints, lower: varying.loop.lower) else {
                return symbol
            }
            let lambda = varying.loop.variable
            if annotation == .names, let h = home[axis.name]?.intValue, let relative = g.relative(to: h, name, lambda) {
                return Notation.formula(relative)
            }
            return equals(g.absolute(lambda))
        }
        guard axis.size != .symbol(axis.name) else { return symbol }
        guard annotation == .names else {
            return RichText(symbol.runs + [TextRun(" = ")] + Notation.size(axis.size).runs)
        }
        guard let h = home[axis.name], axis.size != h else { return symbol }
        if let written = written(axis, name: name) {
            return written.names.contains(name) ? Notation.formula(written) : equals(written)
        }
        if let r = Self.ratio(axis.size, h) {
            if r.isInteger, (2...16).contains(r.numerator) {
                return RichText([TextRun("\(r.numerator)")] + symbol.runs)
            }
            if r.numerator == 1, (2...64).contains(r.denominator) {
                return Notation.formula(.binary(.divide, .name(name), .integer(r.denominator)))
            }
        }
        if let d = (try? axis.size - h)?.intValue, d != 0, d.magnitude <= 16 {
            return Notation.formula(.binary(d > 0 ? .add : .subtract, .name(name), .integer(Int(d.magnitude))))
        }
        return RichText(symbol.runs + [TextRun(" = ")] + Notation.size(axis.size).runs)
    }

    /// A call's result with the sizes its callee's signature writes, in the call's terms:
    /// Block's `ch: c`, with `c` bound to `n2`, is `n2`. Left as it is where the signature
    /// writes nothing there or names what the call does not bind.
    private func writtenByCall(_ axis: Axis, _ value: ValueID) -> Axis {
        guard axis.writtenSize == nil, let made = producer[value],
            case .call(let callee) = graph.operations[made.position].kind, callee.outputs.indices.contains(made.output),
            let inner = callee.type(of: callee.outputs[made.output]).axis(named: axis.name), inner.size == axis.size,
            let w = inner.writtenSize
        else { return axis }
        var bound: [String: WrittenFormula] = [:]
        for a in callee.sizeArguments { if let written = a.written { bound[a.name] = written } }
        guard w.names.allSatisfy({ bound[$0] != nil }) else { return axis }
        var result = axis
        result.writtenSize = w.substituting(bound)
        return result
    }

    /// The size as the source wrote it, in the picture's names, unless it is the axis itself
    /// or names a loop's index where no loop is drawn around it.
    private func written(_ axis: Axis, name: String, in loop: Loop? = nil) -> WrittenFormula? {
        // A number says no more than the value; the size derived from the axis says more.
        guard let w = axis.writtenSize ?? known[axis.name]?[axis.size], w != .name(axis.name), w.names.count > 0
        else { return nil }
        let indices = loopIndices.subtracting(loop.map { [$0.variable] } ?? [])
        guard indices.isDisjoint(with: w.names) else { return nil }
        return w.renaming(renames)
    }

    /// `a / b` where it is a number (`h/2` over `h`, 256 over 512).
    private static func ratio(_ a: SizeExpr, _ b: SizeExpr) -> Rational? {
        if let x = a.constant, let y = b.constant { return try? x * y.reciprocal() }
        return (try? a / b)?.constant
    }
}
