import Foundation
import NCDExec
import NCDTensor

/// Reading `.safetensors` files named on the command line (`--weights`, `--resume`), with
/// the file's name in every error.
enum WeightsFile {
    /// The file's bytes.
    static func bytes(_ path: String) throws -> [UInt8] {
        do { return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw CLIError.usage("cannot read \(path): \((error as NSError).localizedFailureReason ?? "\(error)")")
        }
    }

    /// The file's tensors, each finite: a NaN in the weights is the file's fault, not a
    /// diverging run's.
    static func tensors(_ path: String) throws -> [String: Tensor<Float>] {
        let tensors: [String: Tensor<Float>]
        do { tensors = try SafeTensors.decode(bytes(path)) } catch let error as SafeTensors.Failure {
            throw CLIError.usage("\(path): \(error)")
        }
        if let (name, _) = tensors.sorted(by: { $0.key < $1.key }).first(where: {
            !$0.value.storage.allSatisfy(\.isFinite)
        }) {
            throw CLIError.usage("\(path): `\(name)` holds NaN or infinity")
        }
        return tensors
    }
}
