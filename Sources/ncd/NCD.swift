import ArgumentParser

/// The `ncd` command: neural circuit diagrams, checked.
@main
struct NCD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ncd",
        abstract: "Check, run, train, draw, export and explore neural circuit diagrams written as .ncd files.",
        version: "0.1.0",
        subcommands: [Check.self, Run.self, Train.self, Render.self, Bench.self, Export.self, Repl.self])

    /// Parses and runs a command. Commands throw; every error that ends one is rendered and
    /// given its exit status here (``CLIError/init(_:)``), and the argument parser renders its
    /// own (help, a bad option, a failed validation: exit 64).
    static func main() {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
        } catch let error where CLIError.isOwn(error) {
            exitWith(CLIError(error))
        } catch {
            // The argument parser's own: a help request, an exit code, a validation.
            exit(withError: error)
        }
    }
}
