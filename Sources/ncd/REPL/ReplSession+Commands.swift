import NCDCheck
import NCDCore
import NCDExec
import NCDFiles
import NCDRender
import NCDSyntax
import NCDTensor

/// The `:commands` of the REPL.
extension ReplSession {
    /// Each command with its arguments and what it does, for `:help` and completion.
    static let commands: [(name: String, arguments: String, help: String)] = [
        ("type", "EXPR", "the type of an expression (a bare expression does the same)"),
        ("axes", "", "every axis with its size and where it was defined"),
        ("set", "AXIS = N", "bind a size and re-check everything that depends on it"),
        ("load", "FILE", "load a file's declarations"),
        ("reload", "", "read the loaded files again"),
        ("diagrams", "", "every diagram with its signature"),
        ("cost", "NAME", "the cost table of a diagram"),
        ("render", "NAME [PATH]", "draw a diagram to PATH (.svg, .png or .pdf; default NAME.svg)"),
        ("run", "NAME", "run a diagram on seeded random inputs; print its outputs' shapes and statistics"),
        ("help", "", "this list"),
        ("quit", "", "leave (Ctrl-D does the same)"),
    ]

    func command(_ text: String) {
        let body = text.dropFirst()
        let name = String(body.prefix { !$0.isWhitespace })
        let argument = body.dropFirst(name.count).trimmingCharacters(in: .whitespacesAndNewlines)
        switch name {
        case "type", "t": showType(of: argument)
        case "axes": listAxes()
        case "set": set(argument)
        case "load", "l":
            guard !argument.isEmpty else { return report(.usage("`:load` needs a file")) }
            load(argument)
        case "reload", "r": reload()
        case "diagrams": listDiagrams()
        case "cost": cost(argument)
        case "run": run(argument)
        case "render": render(argument)
        case "help", "h", "?": help()
        case "quit", "q", "exit": quit()
        default:
            let guess = Suggestions.closest(to: name, among: Self.commands.map(\.name))
            report(
                .usage(
                    "unknown command `:\(name)`\(guess.map { " (did you mean `:\($0)`?)" } ?? ""); `:help` lists them"))
        }
    }

    func help() {
        var out = "Enter declarations (axis, const, diagram), variables (q: [y, k]), assignments\n"
        out += "(a = expr) or expressions, whose type is printed. Commands:\n"
        for c in Self.commands {
            let usage = ":\(c.name)\(c.arguments.isEmpty ? "" : " " + c.arguments)"
            out += "  \(usage.padding(toLength: 22, withPad: " ", startingAt: 0)) \(c.help)\n"
        }
        write(out)
    }

    func listAxes() {
        let checked = workspace.check()
        guard !checked.result.axes.isEmpty else { return write("no axes yet\n") }
        for a in checked.result.axes {
            let bound = workspace.sizes[a.name].map { _ in ", set" } ?? ""
            write("\(describe(a))\(bound)  (\(checked.location(of: a.declaration.start)))\n")
        }
    }

    /// `:set AXIS = N`: binds a size; if anything then fails to check, nothing changes.
    func set(_ argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty, let value = Int(parts[1]) else {
            return report(.usage("usage: `:set AXIS = N`"))
        }
        let name = parts[0]
        guard value > 0 else { return report(.usage("sizes must be positive; got \(value)")) }
        let current = workspace.check().result
        let known =
            current.axes.map(\.name)
            + current.unit.declarations.compactMap {
                if case .constant(let n, _) = $0 { return n.text } else { return nil }
            }
        guard known.contains(name) else {
            let guess = Suggestions.closest(to: name, among: known)
            return report(.usage("unknown axis `\(name)`\(guess.map { "; did you mean `\($0)`?" } ?? "")"))
        }
        var candidate = workspace
        candidate.sizes[name] = value
        let checked = candidate.check()
        guard !checked.hasErrors(all: true) else {
            report(checked, all: true)
            return writeError("`\(name) = \(value)` rejected; sizes are unchanged\n")
        }
        workspace = candidate
        let diagrams = checked.result.diagrams.filter { $0.name != Workspace.scratchName }.count
        write("\(name) = \(value); re-checked \(diagrams) diagram\(diagrams == 1 ? "" : "s")\n")
        // The workspace's values whose types follow from the new size.
        if let g = checked.scratch?.graph {
            for v in g.values where v.name != nil && v.type.contains(name) {
                write("  \(v.name!) : \(Self.typeLine(v.type))\n")
            }
        }
    }

    func listDiagrams() {
        let checked = workspace.check()
        let diagrams = checked.result.diagrams.filter { $0.name != Workspace.scratchName }
        guard !diagrams.isEmpty else { return write("no diagrams yet\n") }
        for d in diagrams {
            let signature = d.signature.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(
                separator: " ")
            write("\(signature)\(d.isAbstract ? "   (abstract)" : "")\n")
        }
    }

    /// `:run NAME`: the diagram on seeded random inputs, with the workspace's sizes.
    /// The graph of a workspace diagram that can stand alone, or nil after saying why not.
    func standaloneGraph(_ name: String, for command: String) -> DiagramGraph? {
        let checked = workspace.check()
        let names = checked.result.diagrams.map(\.name).filter { $0 != Workspace.scratchName }
        guard let diagram = checked.result.diagram(named: name), name != Workspace.scratchName else {
            let guess = Suggestions.closest(to: name, among: names)
            report(
                .usage(
                    "\(name.isEmpty ? "`:\(command)` needs a diagram name" : "no diagram `\(name)`")\(guess.map { "; did you mean `\($0)`?" } ?? "")"
                ))
            return nil
        }
        guard let graph = diagram.graph else {
            writeError(
                "`\(name)` cannot \(command) on its own: \(diagram.isAbstract ? "it has no body" : "its size parameters have no defaults")\n"
            )
            return nil
        }
        return graph
    }

    func run(_ name: String) {
        guard let graph = standaloneGraph(name, for: "run") else { return }
        do {
            let executor = try Executor(graph: graph, sizes: [:], seed: 0)
            do {
                try MemoryGuard.check(
                    executor, withGradients: false, limit: 1 << 31, reason: "2 GiB the REPL runs with")
            } catch let error as ExecError {
                return report(.usage("\(CLIError(error).message); `:set` smaller sizes first"))
            }
            let outputs = try executor.run(try executor.randomInputs().map { Variable($0) })
            for (i, (o, id)) in zip(outputs, graph.outputs).enumerated() {
                write("output \(i + 1) : \(graph.type(of: id))  \(Statistics.describe(o.value))\n")
            }
        } catch {
            report(error)
        }
    }

    func cost(_ name: String) {
        let checked = workspace.check()
        let names = checked.result.diagrams.map(\.name).filter { $0 != Workspace.scratchName }
        guard !name.isEmpty, names.contains(name) else {
            let guess = Suggestions.closest(to: name, among: names)
            return report(
                .usage(
                    "\(name.isEmpty ? "`:cost` needs a diagram name" : "no diagram `\(name)`")\(guess.map { "; did you mean `\($0)`?" } ?? "")"
                ))
        }
        guard checked.result.diagram(named: name)?.graph != nil else {
            return writeError(
                "`\(name)` has size parameters without defaults; call it from a diagram to see its cost\n")
        }
        write(Report.cost(checked.result, diagram: name, place: { checked.location(of: $0) }))
    }

    /// `:render NAME [PATH]`: the diagram as `ncd render` draws it, written whole or not at all.
    func render(_ argument: String) {
        let words = argument.split(separator: " ", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
        let name = words.first ?? ""
        guard let graph = standaloneGraph(name, for: "render") else { return }
        let path = words.count > 1 ? words[1] : name + ".svg"
        let ext = path.split(separator: ".").last.map(String.init) ?? ""
        guard path.contains("."), let format = ImageFormat(pathExtension: ext) else {
            return report(.usage("cannot tell the format of `\(path)`; use .svg, .png or .pdf"))
        }
        let scene = DiagramRenderer.scene(for: graph)
        do {
            try AtomicFile.write(try CairoBackend.render(scene, as: format), to: path)
            write("wrote \(path) (\(Int(scene.width))×\(Int(scene.height)) pt)\n")
        } catch {
            report(.usage("cannot write \(path): \(error)"))
        }
    }
}
