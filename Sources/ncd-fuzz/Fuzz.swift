import Foundation
import NCDCheck
import NCDExec
import NCDRender
import NCDSyntax

/// The fuzzing entry points: each takes arbitrary bytes and must never trap, whatever they
/// are. `scripts/fuzz` builds this with libFuzzer (`-sanitize=fuzzer`, `-DFUZZING`) and
/// picks the target with `NCD_FUZZ_TARGET`; a plain build replays files through it.
enum FuzzTarget: String {
    /// Parse and check a source file, rendering its diagnostics.
    case frontend
    /// Parse and check, then lay out every diagram that checks.
    case render
    /// Read a `.npy` file.
    case npy
    /// Read a `.safetensors` file.
    case safetensors
    /// Read a `.npz` archive (training data), inflating at most 16 MB.
    case npz

    static var chosen: FuzzTarget {
        ProcessInfo.processInfo.environment["NCD_FUZZ_TARGET"].flatMap(FuzzTarget.init) ?? .frontend
    }

    func run(_ bytes: [UInt8]) {
        switch self {
        case .frontend:
            // Small sizes and a small budget: the fuzzer should explore the language, not wait
            // on huge but legal expansions.
            let result = Checker.check(
                SourceFile(name: "fuzz.ncd", bytes: bytes), options: CheckOptions(operationLimit: 2_000))
            let file = SourceFile(name: "fuzz.ncd", bytes: bytes)
            for d in result.diagnostics.prefix(20) { _ = DiagnosticRenderer().render(d, in: file) }
        case .render:
            let result = Checker.check(
                SourceFile(name: "fuzz.ncd", bytes: bytes), options: CheckOptions(operationLimit: 2_000))
            for diagram in result.diagrams {
                if let graph = diagram.graph { _ = DiagramRenderer.scene(for: graph, options: RenderOptions()) }
            }
        case .npy:
            _ = try? NumPyFile.read(bytes)
        case .safetensors:
            _ = try? SafeTensors.decode(bytes)
        case .npz:
            // Through a file, as `ncd train` reads one (ZIPFoundation's in-memory archive is
            // a different reader, which ncd does not use).
            let path = NSTemporaryDirectory() + "ncd-fuzz-\(getpid()).npz"
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
            _ = try? Dataset.read(path, byteLimit: 16 << 20)
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTarget.chosen.run(bytes)
    return 0
}

#if !FUZZING
    /// Without libFuzzer: runs each file given through the chosen target (replaying a corpus
    /// or a crash found earlier), and says how many ran.
    @main
    struct Replay {
        static func main() {
            let paths = CommandLine.arguments.dropFirst()
            var count = 0
            for path in paths {
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                FuzzTarget.chosen.run([UInt8](data))
                count += 1
            }
            print("replayed \(count) input\(count == 1 ? "" : "s") through \(FuzzTarget.chosen.rawValue)")
        }
    }
#endif
