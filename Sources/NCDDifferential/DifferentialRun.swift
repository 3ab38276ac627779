import Foundation
import NCDCheck
import NCDCore
import NCDInterop
import NCDSyntax

/// Differential testing, checker ⇒ runtime ⇒ exports: each seed's random program must
/// check, run forward and backward in ncd, export to PyTorch and ONNX, and compute there
/// what ncd computes (to 1e-5); each seed's mutant (one deliberate type error) must be
/// rejected with a located, identified error. A failing program is shrunk before it is
/// reported.
public struct DifferentialRun {
    public struct Failure: CustomStringConvertible {
        public var seed: UInt64
        public var reason: String
        /// The smallest failing program found.
        public var program: String

        public var description: String { "seed \(seed): \(reason)\n\(program)" }
    }

    public struct Report {
        public var programs = 0
        /// Statements in all programs.
        public var statements = 0
        /// Operations of each kind the checked programs hold (sub-diagrams' included; a call
        /// counts as `call`, a call with `over` as `call over`).
        public var operations: [String: Int] = [:]
        public var mutantsRejected = 0
        public var failures: [Failure] = []

        public init() {}
    }

    let python: String
    let root: URL

    public init(python: String, root: URL) {
        self.python = python
        self.root = root
    }

    /// Runs the seeds; their programs' cases are written under `root` and compared in one
    /// PyTorch and one ONNX Runtime process.
    public func run(seeds: Range<UInt64>, length: ClosedRange<Int> = 2...8) throws -> Report {
        var report = Report()
        var programs: [UInt64: ProgramGenerator.Program] = [:]
        for seed in seeds {
            var generator = ProgramGenerator(seed: seed)
            let program = generator.program(length: length.lowerBound + Int(seed % UInt64(length.count)))
            programs[seed] = program
            report.programs += 1
            report.statements += program.statements.count
            Self.count(program, into: &report.operations)
            if let failure = mutantFailure(program, seed: seed) {
                report.failures.append(failure)
            } else {
                report.mutantsRejected += 1
            }
            if let reason = prepareFailure(program, name: Self.caseName(seed), in: root) {
                report.failures.append(Failure(seed: seed, reason: reason, program: shrink(program, seed: seed)))
            }
        }
        var disagreeing: [UInt64: String] = [:]
        for target in ["torch", "onnx"] {
            let (status, output, results) = check(target, python: python, root: root)
            if status != 0 { throw DifferentialError("check_\(target).py failed: \(output)") }
            for r in results where !r.ok {
                let seed = UInt64(r.case.dropFirst("seed".count)) ?? 0
                disagreeing[seed] = disagreeing[seed] ?? "\(target) (\(r.mode)): " + r.failures.joined(separator: "; ")
            }
        }
        for (seed, reason) in disagreeing.sorted(by: { $0.key < $1.key }) {
            let program = programs[seed].map { shrink($0, seed: seed) } ?? ""
            report.failures.append(Failure(seed: seed, reason: reason, program: program))
        }
        return report
    }

    static func caseName(_ seed: UInt64) -> String { "seed\(seed)" }

    /// Adds the program's operations, by kind, to `counts`.
    static func count(_ program: ProgramGenerator.Program, into counts: inout [String: Int]) {
        let result = Checker.check(SourceFile(name: "count.ncd", text: program.description))
        func visit(_ g: DiagramGraph) {
            for op in g.operations {
                switch op.kind {
                case .call(let child):
                    counts[op.broadcast.isEmpty ? "call" : "call over", default: 0] += 1
                    visit(child)
                default: counts[op.kind.mnemonic, default: 0] += 1
                }
            }
        }
        if let g = result.diagram(named: "Main")?.graph { visit(g) }
    }

    /// Why a program fails before any comparison (ncd cannot run or export it), or nil.
    func prepareFailure(_ program: ProgramGenerator.Program, name: String, in folder: URL) -> String? {
        let c = InteropCase(name: name, fileName: "\(name).ncd", text: program.description, diagram: "Main")
        do {
            if try !prepare(c, in: folder) { return "the checker accepted a program the runtime does not support" }
        } catch {
            return "the checker accepted it, then: \(error)"
        }
        return nil
    }

    /// Whether the program fails on its own: prepared alone and compared.
    func fails(_ program: ProgramGenerator.Program, seed: UInt64) -> Bool {
        // Beside the run's folder, not in it: the run's checks read every folder in it.
        let folder = root.deletingLastPathComponent().appendingPathComponent(
            "\(root.lastPathComponent)-shrink-\(seed)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases = folder.appendingPathComponent("cases")
        if prepareFailure(program, name: "p", in: cases) != nil { return true }
        return ["torch", "onnx"].contains { target in
            let (status, _, results) = check(target, python: python, root: cases)
            return status != 0 || results.contains { !$0.ok }
        }
    }

    /// The program returning the earliest value that still fails (every later statement
    /// and every one it does not need dropped), tried from the first value on.
    func shrink(_ program: ProgramGenerator.Program, seed: UInt64) -> String {
        for s in program.statements where s.name != program.result {
            var smaller = program
            smaller.result = s.name
            smaller.statements = Array(program.statements.prefix { $0.name != s.name }) + [s]
            if fails(smaller, seed: seed) { return smaller.description }
        }
        return program.description
    }

    /// A mutant of the program with one type error; nil when the checker rejects it as it
    /// must (at least one error, each with an ID and a place in the file).
    func mutantFailure(_ program: ProgramGenerator.Program, seed: UInt64) -> Failure? {
        var generator = Generator(seed: seed ^ 0xBAD)
        let last = program.statements.last?.name ?? program.result
        let mutation = generator.pick([
            "  bad = sum[zz](\(last))\n", "  bad = \(last) + missing\n",
            "  bad = linear[ab -> a](\(program.inputs[1].name))\n",
            "  bad = concat[e](\(program.inputs[0].name), \(program.inputs[1].name))\n",
            "  bad = softmax[](\(last)\n",
        ])
        var text = program.description
        guard let end = text.range(of: "  return ", options: .backwards) else { return nil }
        text.insert(contentsOf: mutation, at: end.lowerBound)
        text = text.replacingOccurrences(of: "  return \(program.result)\n", with: "  return bad\n")
        let source = SourceFile(name: "mutant.ncd", text: text)
        let result = Checker.check(source)
        let errors = result.diagnostics.filter { $0.severity == .error }
        guard !errors.isEmpty,
            errors.allSatisfy({ !$0.id.code.isEmpty && $0.range.start <= text.utf8.count && !$0.message.isEmpty })
        else {
            return Failure(seed: seed, reason: "a mutant was not rejected with located errors", program: text)
        }
        return nil
    }
}

struct DifferentialError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
