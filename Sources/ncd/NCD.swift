import ArgumentParser

/// The `ncd` command: neural circuit diagrams, checked.
@main
struct NCD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ncd",
        abstract: "Check, run, draw and explore neural circuit diagrams written as .ncd files.",
        version: "0.1.0",
        subcommands: [Check.self, Run.self, Render.self, Bench.self, Repl.self])
}
