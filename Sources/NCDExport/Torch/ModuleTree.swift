/// The attributes a module's `__init__` makes, arranged as ncd's dotted instance paths
/// arrange them: `h.0.attn` is entry 0 of the `nn.ModuleList` `h`, then its `attn`. So
/// `state_dict()` keys are exactly ncd's parameter names.
struct ModuleTree {
    indirect enum Node {
        /// A layer, sub-module or parameter, as the Python expression that makes it.
        case leaf(String)
        /// Named children (a loop iteration's instances): a `Scope`.
        case scope([(String, Node)])
        /// Numbered children `0…n−1`: an `nn.ModuleList` (or `nn.ParameterList`).
        case list([Node])

        var text: String {
            switch self {
            case .leaf(let e): return e
            case .scope(let children):
                if children.allSatisfy({ PythonNamer.isPlainAttribute($0.0) }) {
                    return "Scope(" + children.map { "\($0.0)=\($0.1.text)" }.joined(separator: ", ") + ")"
                }
                // A name Python cannot spell as a keyword argument goes through a dict.
                let items = children.map { "\(PythonLiteral.string($0.0)): \($0.1.text)" }
                return "Scope(**{" + items.joined(separator: ", ") + "})"
            case .list(let items):
                let texts = items.map(\.text)
                let kind = texts.allSatisfy { $0.hasPrefix("nn.Parameter(") } ? "nn.ParameterList" : "nn.ModuleList"
                if let first = texts.first, texts.allSatisfy({ $0 == first }) {
                    return "\(kind)(\(first) for _ in range(\(texts.count)))"
                }
                return "\(kind)([" + texts.joined(separator: ", ") + "])"
            }
        }

    }

    /// Top-level attributes, in the order first made.
    private var roots: [(String, Node)] = []

    /// Adds `expression` at `path` (segments under the module).
    mutating func insert(_ path: [String], _ expression: String) throws {
        guard let head = path.first else { throw ExportError("internal error: an instance without a path") }
        let child = roots.firstIndex { $0.0 == head }.map { roots[$0].1 }
        let node = try Self.inserting(Array(path.dropFirst()), expression, into: child)
        if let i = roots.firstIndex(where: { $0.0 == head }) { roots[i].1 = node } else { roots.append((head, node)) }
    }

    private static func inserting(_ path: [String], _ expression: String, into node: Node?) throws -> Node {
        guard let head = path.first else {
            if node != nil { throw ExportError("internal error: two instances at one path") }
            return .leaf(expression)
        }
        if let index = Int(head) {
            var items: [Node] = []
            if case .list(let existing)? = node { items = existing }
            guard index <= items.count else { throw ExportError("internal error: loop entry \(index) out of order") }
            let rest = Array(path.dropFirst())
            if index == items.count {
                items.append(try inserting(rest, expression, into: nil))
            } else {
                items[index] = try inserting(rest, expression, into: items[index])
            }
            return .list(items)
        }
        var children: [(String, Node)] = []
        if case .scope(let existing)? = node { children = existing }
        let i = children.firstIndex { $0.0 == head }
        let updated = try inserting(Array(path.dropFirst()), expression, into: i.map { children[$0].1 })
        if let i { children[i].1 = updated } else { children.append((head, updated)) }
        return .scope(children)
    }

    /// `self.h = nn.ModuleList(Block() for _ in range(12))`, one line per attribute.
    func initLines() -> [String] {
        roots.map { name, node in
            PythonNamer.isPlainAttribute(name)
                ? "self.\(name) = \(node.text)" : "setattr(self, \(PythonLiteral.string(name)), \(node.text))"
        }
    }

    /// `self.h[0].attn`: the Python that reaches the attribute at `path`.
    static func access(_ path: [String]) -> String {
        path.reduce("self") { base, segment in
            if Int(segment) != nil { return "\(base)[\(segment)]" }
            return PythonNamer.isPlainAttribute(segment)
                ? "\(base).\(segment)" : "getattr(\(base), \(PythonLiteral.string(segment)))"
        }
    }
}
