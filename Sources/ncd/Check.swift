import ArgumentParser
import Foundation
import NCDCheck
import NCDSyntax

/// `ncd check`: parse and type-check files, reporting every error found.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse and type-check .ncd files: every axis, size and broadcast.",
        discussion: "Exits 0 when clean, 65 when a file has errors, 64 on a usage error.")

    @Argument(help: "The .ncd files to check.")
    var files: [String] = []

    @Option(help: ArgumentHelp("Explain a diagnostic, such as E010, with an example.", valueName: "code"))
    var explain: String?

    @Flag(help: "Print every named value with its inferred type.")
    var types = false

    @Flag(help: "Print each operation's FLOPs, parameters and output bytes, with totals.")
    var cost = false

    @Option(name: .customLong("size"), help: "Bind a size, replacing its declared value (repeatable).")
    var sizes: [SizeBinding] = []

    @Option(help: "Limit --cost to one diagram.")
    var diagram: String?

    @Flag(help: "Treat warnings as errors.")
    var warningsAsErrors = false

    @Option(help: "Show at most this many errors (0: every one); the count still covers them all.")
    var errorLimit = 20

    @Option(help: "Colour diagnostics: auto, always or never.")
    var color: ColorChoice = .auto

    enum ColorChoice: String, ExpressibleByArgument { case auto, always, never }

    func validate() throws {
        if explain == nil, files.isEmpty { throw ValidationError("give the .ncd files to check, or --explain CODE") }
    }

    func run() throws {
        if let explain {
            guard let id = DiagnosticCatalog.explanation(of: explain) else {
                let codes = DiagnosticCatalog.all.map(\.code)
                throw CLIError.usage(
                    "no diagnostic `\(explain)`; the codes are \(codes.first ?? "")–\(codes.last ?? "") (errors E…, warnings W…)"
                )
            }
            print("\(id.code): \(id.title)\n\n\(id.explanation)")
            return
        }
        var options = CheckOptions()
        for s in sizes {
            guard s.value > 0 else { throw CLIError.usage("--size \(s.name)=\(s.value): sizes must be positive") }
            options.sizes[s.name] = s.value
        }
        let colored = color == .always || (color == .auto && isatty(STDERR_FILENO) != 0)
        let renderer = DiagnosticRenderer(colored: colored)
        var errors = 0
        var warnings = 0
        var firstCode: String?
        var report = ""
        for path in files {
            let file: SourceFile
            switch SourceLoader.load(path) {
            case .success(let f): file = f
            case .failure(let e): throw e
            }
            let result = Checker.check(file, options: options)
            let unknown = Checker.unknownSizeNames(in: result, options: options)
            if !unknown.isEmpty {
                throw CLIError.usage("--size names no axis or constant of \(path): \(unknown.joined(separator: ", "))")
            }
            if let diagram, result.diagram(named: diagram) == nil {
                throw CLIError.usage(
                    "\(path) has no diagram `\(diagram)`; it has \(result.diagrams.map(\.name).joined(separator: ", "))"
                )
            }
            for d in result.diagnostics {
                let isError = d.severity == .error || (warningsAsErrors && d.severity == .warning)
                if errorLimit > 0, errors >= errorLimit {
                    // Past the limit nothing more is rendered: only counted.
                    if isError { errors += 1 } else if d.severity == .warning { warnings += 1 }
                    continue
                }
                FileHandle.standardError.write(Data(renderer.render(d, in: file).utf8))
                if firstCode == nil, d.severity != .note { firstCode = d.id.code }
                if d.severity == .error || (warningsAsErrors && d.severity == .warning) {
                    errors += 1
                } else if d.severity == .warning {
                    warnings += 1
                }
            }
            if types { report += Report.types(result) }
            if cost { report += Report.cost(result, diagram: diagram) }
        }
        if !report.isEmpty { print(report, terminator: report.hasSuffix("\n") ? "" : "\n") }
        if errors > 0 || warnings > 0 {
            var summary = ""
            if errorLimit > 0, errors > errorLimit {
                summary +=
                    "… and \(errors - errorLimit) more error\(errors - errorLimit == 1 ? "" : "s") (--error-limit 0 shows them all)\n"
            }
            summary += DiagnosticRenderer.summary(errors: errors, warnings: warnings) + "\n"
            if let firstCode { summary += "`ncd check --explain \(firstCode)` says more about a diagnostic\n" }
            FileHandle.standardError.write(Data(summary.utf8))
        }
        if errors > 0 { throw CLIError.checkFailed(errors: errors) }
    }
}

/// Reads source files, turning I/O failures into usage errors.
enum SourceLoader {
    static func load(_ path: String) -> Result<SourceFile, CLIError> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(.usage("cannot read \(path): no such file"))
        }
        guard !isDirectory.boolValue else { return .failure(.usage("cannot read \(path): it is a directory")) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(.usage("cannot read \(path): permission denied or unreadable"))
        }
        return .success(SourceFile(name: path, bytes: [UInt8](data)))
    }
}
