import NCDCheck
import NCDSyntax
import NCDTensor

/// Random well-typed `.ncd` programs over the operation set, for differential testing: each
/// statement is drawn, kept only if the checker accepts the program with it, and the type
/// the checker gives it steers what comes next. Seeded: a seed is a program.
public struct ProgramGenerator {
    /// A program: its axes, helper diagrams, inputs and statements; `Main` returns `result`.
    public struct Program: CustomStringConvertible {
        public var axes: [(name: String, size: Int)]
        public var helpers: [String]
        public var inputs: [(name: String, axes: [String])]
        public var statements: [Statement]
        public var result: String

        /// The source, with only the statements `result` needs.
        public var description: String { source(returning: result) }

        /// The source with `Main` returning `value`: the statements it needs, or all of them.
        public func source(returning value: String, keepingAll: Bool = false) -> String {
            var needed: Set<String> = [value]
            for s in statements.reversed() where needed.contains(s.name) || keepingAll {
                needed.formUnion(s.uses + [s.name])
            }
            var text = "axis " + axes.map { "\($0.name) = \($0.size)" }.joined(separator: ", ") + "\n"
            text += "axis ab = a * b, bc = b * c\n"
            for h in helpers
            where statements.contains(where: { needed.contains($0.name) && $0.text.contains(h.helperName) }) {
                text += h + "\n"
            }
            let type = statements.first { $0.name == value }?.written ?? inputs.first { $0.name == value }?.axes ?? []
            let signature = inputs.map { "\($0.name): [\($0.axes.joined(separator: ", "))]" }.joined(separator: ", ")
            text += "diagram Main(\(signature)) -> [\(type.joined(separator: ", "))] {\n"
            for s in statements where needed.contains(s.name) { text += "  " + s.text + "\n" }
            return text + "  return \(value)\n}\n"
        }
    }

    /// `vK = …`: its name, the text, its type as the checker gave it (axis names, and as
    /// written with sizes: `e: 4` after a concatenation), and the values it reads.
    public struct Statement {
        public var name: String
        public var text: String
        public var type: [String]
        public var written: [String]
        public var uses: [String]
    }

    var rng: Generator

    public init(seed: UInt64) { rng = Generator(seed: seed) }

    /// A program of about `length` statements.
    public mutating func program(length: Int) -> Program {
        let pool = ["a", "b", "c", "d", "e"]
        var program = Program(
            axes: pool.map { ($0, rng.int(2...4)) }, helpers: [], inputs: [], statements: [], result: "")
        let first = Array(rng.shuffled(pool).prefix(rng.int(1...3)))
        let second = Array(rng.shuffled(pool).prefix(rng.int(1...2)))
        program.inputs = [("x1", first), ("x2", second)]
        program.result = "x1"
        var attempts = 0
        while program.statements.count < length && attempts < length * 20 {
            attempts += 1
            let name = "v\(program.statements.count + 1)"
            guard let (text, uses, helper) = draw(name, program) else { continue }
            var candidate = program
            if let helper { candidate.helpers.append(helper) }
            candidate.statements.append(Statement(name: name, text: text, type: [], written: [], uses: uses))
            guard let (type, written) = Self.type(of: name, in: candidate) else { continue }
            candidate.statements[candidate.statements.count - 1].type = type
            candidate.statements[candidate.statements.count - 1].written = written
            candidate.result = name
            program = candidate
        }
        return program
    }

    /// The type the checker gives `name`, or nil if the program does not check. The probe
    /// keeps every statement and returns the first input, whose type is known.
    static func type(of name: String, in program: Program) -> (names: [String], written: [String])? {
        let text = program.source(returning: program.inputs[0].name, keepingAll: true)
        let result = Checker.check(SourceFile(name: "probe.ncd", text: text))
        guard let graph = result.diagram(named: "Main")?.graph, !result.hasErrors,
            let type = graph.values.last(where: { $0.name == name })?.type
        else { return nil }
        return (type.names, type.axes.map { "\($0.name): \($0.size)" })
    }

    /// Every value so far: inputs and statements, with their types.
    func values(_ p: Program) -> [(name: String, type: [String])] {
        p.inputs.map { ($0.name, $0.axes) } + p.statements.map { ($0.name, $0.type) }
    }

    /// One statement drawn at random: its text, the values it reads, and a helper it needs.
    mutating func draw(_ name: String, _ p: Program) -> (String, [String], String?)? {
        let all = values(p)
        // Later values more often: programs grow deep, not only wide.
        let v = all[max(0, all.count - 1 - rng.int(0...min(all.count - 1, 3)))]
        let w = rng.pick(all)
        let pool = p.axes.map(\.name)
        let axis = v.type.isEmpty ? nil : rng.pick(v.type)
        switch rng.int(0...15) {
        case 0:
            let f = rng.pick([
                "relu", "tanh", "sigmoid", "sin", "cos", "erf", "gelu", "gelu_tanh", "silu", "softplus", "neg", "abs",
            ])
            return ("\(name) = \(f)(\(v.name))", [v.name], nil)
        case 1:
            return ("\(name) = \(v.name) \(rng.pick(["+", "-", "*"])) \(w.name)", [v.name, w.name], nil)
        case 2:
            return (
                "\(name) = \(rng.pick(["\(v.name) * 0.5", "\(v.name) + 1", "1 - \(v.name)", "2 * \(v.name)"]))",
                [v.name], nil
            )
        case 3:
            guard let axis else { return nil }
            return ("\(name) = linear[\(axis) -> \(rng.pick(pool))](\(v.name))", [v.name], nil)
        case 4:
            let union = v.type + w.type.filter { !v.type.contains($0) }
            let output = rng.shuffled(union).prefix(rng.int(0...union.count))
            let pattern =
                "\(v.type.joined(separator: " ")), \(w.type.joined(separator: " ")) -> \(output.joined(separator: " "))"
            return ("\(name) = einsum[\(pattern)](\(v.name), \(w.name))", [v.name, w.name], nil)
        case 5:
            guard let axis else { return nil }
            return ("\(name) = \(rng.pick(["softmax", "log_softmax"]))[\(axis)](\(v.name))", [v.name], nil)
        case 6:
            guard let axis else { return nil }
            return ("\(name) = \(rng.pick(["sum", "mean", "max"]))[\(axis)](\(v.name))", [v.name], nil)
        case 7:
            guard let axis else { return nil }
            return ("\(name) = \(rng.pick(["layernorm", "rmsnorm"]))[\(axis)](\(v.name)) as norm\(name)", [v.name], nil)
        case 8:
            guard v.type.count >= 2 else { return nil }
            let to = rng.shuffled(v.type)
            return (
                "\(name) = rearrange[\(v.type.joined(separator: " ")) -> \(to.joined(separator: " "))](\(v.name))",
                [v.name], nil
            )
        case 9:
            guard let i = v.type.firstIndex(of: "a"), i + 1 < v.type.count, v.type[i + 1] == "b" else {
                guard v.type.contains("ab") else { return nil }
                return ("\(name) = rearrange[ab -> a b](\(v.name))", [v.name], nil)
            }
            return ("\(name) = rearrange[a b -> ab](\(v.name))", [v.name], nil)
        case 10:
            guard let axis else { return nil }
            return ("\(name) = concat[\(axis)](\(v.name), \(rng.pick(["relu", "tanh"]))(\(v.name)))", [v.name], nil)
        case 11:
            guard let axis else { return nil }
            return ("\(name) = \(v.name)[\(axis) = \(rng.int(0...1))]", [v.name], nil)
        case 12:
            guard v.type.count >= 1 else { return nil }
            return ("\(name) = stack[e](\(v.name), \(rng.pick(["sigmoid", "neg"]))(\(v.name)))", [v.name], nil)
        case 13:
            // A helper over one axis, lifted over the value's others.
            guard let axis else { return nil }
            let out = rng.pick(pool)
            let helper = "H\(name)"
            let body = rng.pick([
                "tanh(linear[\(axis) -> \(out)](x))", "softmax[\(out)](linear[\(axis) -> \(out)](x) as inner)",
            ])
            let text = "diagram \(helper)(x: [\(axis)]) -> [\(out)] {\n  return \(body)\n}"
            let others = v.type.filter { $0 != axis }
            let over = others.isEmpty ? "" : " over " + others.joined(separator: " ")
            return ("\(name) = \(helper)(\(v.name))\(over) as call\(name)", [v.name], text)
        case 14:
            // Two arguments, the second maybe lacking some lifted axes (inner broadcasting).
            guard let axis, w.type.contains(axis) else { return nil }
            let helper = "G\(name)"
            let text =
                "diagram \(helper)(x: [\(axis)], y: [\(axis)]) -> [\(axis)] {\n  return x * sigmoid(y) + relu(linear[\(axis) -> \(axis)](y))\n}"
            let others = v.type.filter { $0 != axis }
            let over = others.isEmpty ? "" : " over " + others.joined(separator: " ")
            return ("\(name) = \(helper)(\(v.name), \(w.name))\(over) as call\(name)", [v.name, w.name], text)
        default:
            guard let axis else { return nil }
            let text =
                "\(name) = \(v.name)\n  for l in 1..\(rng.int(2...3)) as loop\(name) {\n    \(name) = tanh(linear[\(axis) -> \(axis)](\(name)))\n  }"
            return (text, [v.name], nil)
        }
    }
}

extension String {
    /// The helper's name in `diagram NAME(`.
    var helperName: String {
        guard let start = range(of: "diagram ")?.upperBound, let end = self[start...].firstIndex(of: "(") else {
            return self
        }
        return String(self[start..<end])
    }
}

/// Seeded draws on the runtime's SplitMix64 (offset, so a seed's program does not share
/// its stream with the runtime's use of the same seed).
struct Generator {
    var rng: SplitMix64
    init(seed: UInt64) { rng = SplitMix64(seed: seed &+ 0x5DEE_CE66) }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(rng.next() % UInt64(range.count))
    }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    mutating func shuffled<T>(_ items: [T]) -> [T] {
        var a = items
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, int(0...i)) }
        return a
    }
}
