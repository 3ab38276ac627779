import ArgumentParser
import Foundation
import NCDExec
import NCDFiles
import NCDRender
import NCDTensor

/// Everything that ends a command early, with its exit status (sysexits: 64 usage,
/// 65 the input has errors, 70 an internal failure). Commands throw; `NCD.main` maps what
/// they throw with ``init(_:)`` and renders it once, with `exitWith(_:)`.
enum CLIError: Error, CustomStringConvertible {
    /// The command line is wrong: a bad option value, a missing file.
    case usage(String)
    /// The input was read and has errors, already printed.
    case checkFailed(errors: Int)
    /// The diagram checks, but an operation of it has no rule for the export's target
    /// (exit 65, as a checked error: the file must change).
    case exportRefused(String)
    /// Running failed (exit 70).
    case runtime(String)
    /// Stopped by Ctrl-C, having saved what it could (exit 130, as a shell reports SIGINT).
    case interrupted(String)

    var exitCode: Int32 {
        switch self {
        case .usage: return 64
        case .checkFailed, .exportRefused: return 65
        case .runtime: return 70
        case .interrupted: return 130
        }
    }

    /// What went wrong, without the `ncd:` prefix and the kind.
    var message: String {
        switch self {
        case .usage(let m), .exportRefused(let m), .runtime(let m), .interrupted(let m): return m
        case .checkFailed(let n): return "\(n) error\(n == 1 ? "" : "s") found"
        }
    }

    var description: String {
        switch self {
        case .usage(let message), .exportRefused(let message): return "ncd: error: \(message)"
        case .checkFailed(let n): return "ncd: \(n) error\(n == 1 ? "" : "s") found"
        case .runtime(let message): return "ncd: runtime error: \(message)"
        case .interrupted(let message): return "ncd: interrupted: \(message)"
        }
    }
}

extension CLIError {
    /// Any error a command ends with, as what the user reads and the exit status: the one
    /// place that decides. Bad input (a file, a size, a limit) is a usage error; a failure
    /// while running is a run-time error.
    /// Whether an error is ncd's to render (the argument parser renders its own: help,
    /// version, validation).
    static func isOwn(_ error: Error) -> Bool {
        error is CLIError || error is ExecError || error is TensorError || error is AtomicFile.Failure
            || error is SafeTensors.Failure || error is NumPyFile.Failure || error is RenderError
            || error is CocoaError
    }

    init(_ error: Error) {
        switch error {
        case let e as CLIError: self = e
        case let e as ExecError:
            switch e {
            case .unboundSizes, .unsupported, .memory, .input: self = .usage("\(e)")
            case .tensor, .nonFinite, .diverged, .internalError: self = .runtime("\(e)")
            }
        case let e as TensorError: self = .runtime("\(e)")
        case let e as AtomicFile.Failure: self = .usage("\(e)")
        case let e as SafeTensors.Failure: self = .usage("\(e)")
        case let e as NumPyFile.Failure: self = .usage("\(e)")
        case let e as RenderError:
            if case .tooLarge = e { self = .usage(e.description) } else { self = .runtime(e.description) }
        case let e as CocoaError: self = .usage(e.localizedDescription)
        default: self = .runtime("\(error)")
        }
    }
}

/// Prints a `CLIError` to standard error and exits with its status: the one place errors
/// are rendered.
func exitWith(_ error: CLIError) -> Never {
    FileHandle.standardError.write(Data((error.description + "\n").utf8))
    Foundation.exit(error.exitCode)
}

/// Parses `NAME=N` options such as `--size y=20`.
struct SizeBinding: ExpressibleByArgument {
    var name: String
    var value: Int

    init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, let v = Int(parts[1]) else { return nil }
        name = parts[0]
        value = v
    }

    static var defaultValueDescription: String { "NAME=N" }
}
