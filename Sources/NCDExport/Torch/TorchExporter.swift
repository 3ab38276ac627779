import NCDCore

/// `ncd export --to torch`: a checked diagram as one self-contained Python file, one
/// `nn.Module` class per diagram reachable from the entry, whose `state_dict()` keys and
/// shapes are ncd's parameter names and layouts and whose forward computes what `ncd run`
/// computes, operation by operation.
public final class TorchExporter {
    /// Where the source is, for the file's header and each line's note.
    public struct Source {
        public var fileName: String
        /// The 1-based line of a span.
        public var line: (SourceSpan) -> Int

        public init(fileName: String, line: @escaping (SourceSpan) -> Int) {
            self.fileName = fileName
            self.line = line
        }
    }

    let entry: DiagramGraph
    let source: Source
    /// The sizes given with `--size`, which the code may write as numbers.
    let boundSizes: [String: Int]
    /// Every size at export: the bound ones, and a stand-in for each free one (the code
    /// reads free sizes from shapes; stand-ins only decide layout questions no real size
    /// would answer differently).
    let sizes: [String: Int]
    /// Classes written so far: their text (with `NAME` for the name) and name.
    private var classes: [(key: String, text: String, name: String, outputs: [[String]])] = []
    /// The class each instance path was made with (for `shares` of a whole call).
    var classOfInstance: [String: String] = [:]
    private var classNames = PythonNamer()

    /// Prepares to export `entry` with the sizes bound by `--size`.
    public init(entry: DiagramGraph, sizes: [String: Int], source: Source) {
        self.entry = entry
        self.source = source
        self.boundSizes = sizes
        self.sizes = ExportPlans.sizesWithStandIns(entry, sizes)
    }

    /// The exported file: its text and the entry's class.
    public struct Module {
        public let text: String
        /// The entry diagram's class (its name, unless Python reserves it).
        public let className: String
    }

    /// The Python file.
    public func module() throws -> Module {
        let entryClass = try moduleClass(
            entry, prefix: "", layout: entry.inputs.map { entry.type(of: $0).names }, display: [:], at: nil)
        let body = classes.map { "\n\n" + $0.text.replacingName(with: $0.name) }.joined()
        let helpers = TorchPrelude.helpers(usedBy: body)
        var text = TorchPrelude.header(
            entry: entryClass.name, file: source.fileName, usesMath: (helpers + body).contains("math."))
        text += helpers + body
        return Module(text: text, className: entryClass.name)
    }

    /// The class for `graph` with arguments laid out as `layout`, written on first use.
    func moduleClass(
        _ graph: DiagramGraph, prefix: String, layout: [[String]], display: [String: String], at op: Operation?
    ) throws -> (name: String, outputs: [[String]]) {
        let writer = TorchClassWriter(graph: graph, exporter: self, prefix: prefix, inputAxes: layout, display: display)
        let docstring = Self.docstring(graph, layout: layout, writer: writer, line: op.map { source.line($0.location) })
        let (text, outputs) = try writer.write(docstring: docstring)
        let key = graph.name + "\u{0}" + text
        if let existing = classes.first(where: { $0.key == key }) { return (existing.name, existing.outputs) }
        let name = classNames.fresh(graph.name)
        classes.append((key, text, name, outputs))
        return (name, outputs)
    }

    static func docstring(_ g: DiagramGraph, layout: [[String]], writer: TorchClassWriter, line: Int?) -> String {
        var s = "The ncd diagram `\(g.name)`"
        let arguments = g.sizeArguments.filter { $0.written != nil }.map { "\($0.name)=\($0.value)" }
        if !arguments.isEmpty { s += " with " + arguments.joined(separator: ", ") }
        let carried = Set(layout.flatMap { $0.filter { $0.hasPrefix("§") } }).sorted()
        if !carried.isEmpty {
            s +=
                ", lifted over "
                + carried.map { writer.display[$0] ?? TorchClassWriter.readable($0) }.joined(separator: ", ")
                + " (its arguments carry those axes along)"
        }
        return s + "."
    }

    /// `  (gpt2.ncd:17)`, after a line's axes.
    func sourceNote(_ op: Operation) -> String { "  (\(sourceLocation(op)))" }

    /// `gpt2.ncd:17`.
    func sourceLocation(_ op: Operation) -> String { "\(source.fileName):\(source.line(op.location))" }

    /// The free sizes of a diagram and its sub-diagrams, sorted.
    public static func freeSymbols(_ g: DiagramGraph) -> [String] {
        var found = Set<String>()
        func visit(_ g: DiagramGraph) {
            for v in g.values { for a in v.type.axes { found.formUnion(a.size.freeSymbols) } }
            for op in g.operations {
                for p in op.parameters { for a in p.type.axes { found.formUnion(a.size.freeSymbols) } }
                if case .call(let child) = op.kind { visit(child) }
            }
        }
        visit(g)
        return found.sorted()
    }
}

extension String {
    fileprivate func replacingName(with name: String) -> String {
        "class \(name)" + dropFirst("class NAME".count)
    }
}
