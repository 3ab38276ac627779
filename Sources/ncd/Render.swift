import ArgumentParser
import Foundation
import NCDCore
import NCDExec
import NCDFiles
import NCDRender

/// `ncd render`: draw a checked diagram as a neural circuit diagram.
struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a checked diagram as a neural circuit diagram: SVG, PNG or PDF.",
        discussion:
            "The format comes from the output's extension, or --format when writing to standard output (-o -). Exits 65 if the file has errors, 64 on a usage error (unknown diagram, unknown extension, unwritable output)."
    )

    @OptionGroup var selection: DiagramSelection

    @Option(name: .shortAndLong, help: "The output file (.svg, .png or .pdf), or - for standard output.")
    var output: String

    @Option(help: "The format: svg, png or pdf (default: from the output's extension).")
    var format: ImageFormat?

    @Option(help: "Open a sub-diagram in place, by name, or `all` (repeatable).")
    var expand: [String] = []

    @Option(help: "Open sub-diagrams up to this many levels deep.")
    var depth: Int?

    @Option(help: "Annotate wires and boxes: names, shapes (sizes on wires) or cost (FLOPs and memory per box).")
    var annotate: RenderOptions.Annotation = .names

    @Option(help: "Colours: paper (the figures' pastels) or plain (black on white).")
    var theme: ThemeChoice = .paper

    @Option(help: "Pixels per point for PNG output.")
    var scale: Double = 2

    @Flag(help: "Leave out the diagram's name above it.")
    var noTitle = false

    @Flag(help: "Draw every iteration of a loop (by default one is drawn, with the loop's bounds as written).")
    var unroll = false

    @Flag(help: "Draw a saved and loaded value as one wire, instead of memory marks (→ C_λ, C_λ →).")
    var memoryAsWires = false

    @Option(help: "Wrap into rows when wider than this many times the height (0: never wrap).")
    var aspect: Double = 4

    @Option(help: "Wrap into rows about this many points wide (instead of by --aspect).")
    var width: Double?

    enum ThemeChoice: String, CaseIterable, ExpressibleByArgument { case paper, plain }

    func run() throws {
        let chosenFormat = try outputFormat()
        guard scale > 0, scale <= 16 else { throw CLIError.usage("--scale must be in (0, 16], got \(scale)") }
        if let depth, depth < 0 { throw CLIError.usage("--depth must be 0 or more, got \(depth)") }
        if output != "-" { try OutputPath.checkWritable(output) }
        let loaded = try CheckedDiagramLoader(selection)
        let names = Set(loaded.result.diagrams.map(\.name))
        for name in expand where name != "all" && !names.contains(name) {
            throw CLIError.usage(
                "--expand \(name): \(selection.file) has no diagram `\(name)`; it has \(loaded.result.diagrams.map(\.name).joined(separator: ", "))"
            )
        }
        var options = RenderOptions()
        options.expandAll = expand.contains("all") || (depth != nil && expand.isEmpty)
        options.expand = Set(expand)
        options.depth = depth ?? Int.max
        options.annotation = annotate
        options.theme = theme == .paper ? .paper : .plain
        options.title = !noTitle
        options.unroll = unroll
        options.memoryAsWires = memoryAsWires
        guard aspect >= 0 else { throw CLIError.usage("--aspect must be 0 (no wrapping) or more, got \(aspect)") }
        if let width, !(width.isFinite && width > 0) { throw CLIError.usage("--width must be positive, got \(width)") }
        options.maxAspect = aspect > 0 ? aspect : nil
        options.rowWidth = width
        let scene = DiagramRenderer.scene(for: loaded.graph, options: options)
        let bytes = try CairoBackend.render(scene, as: chosenFormat, scale: scale)
        if output == "-" {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        try AtomicFile.write(bytes, to: output)
    }

    private func outputFormat() throws -> ImageFormat {
        if output == "-" {
            guard let format else { throw CLIError.usage("writing to standard output needs --format svg, png or pdf") }
            return format
        }
        let ext = URL(fileURLWithPath: output).pathExtension
        guard let fromName = ImageFormat(pathExtension: ext) else {
            throw CLIError.usage(
                "cannot tell the format of `\(output)`: \(ext.isEmpty ? "it has no extension" : "unknown extension .\(ext)"); use .svg, .png or .pdf"
            )
        }
        if let format, format != fromName {
            throw CLIError.usage("--format \(format.rawValue) disagrees with the extension of `\(output)`")
        }
        return fromName
    }

    /// Fails before any work if the output's folder is missing or not writable.
}

extension ImageFormat: ExpressibleByArgument {}
extension RenderOptions.Annotation: ExpressibleByArgument {}
