import NCDCore
import NCDTensor

/// Free sizes bound from the shapes of the input files (`--input tokens=ids.npy` binds `b`
/// and `t` of `tokens: [b, t]`), so `--size` is needed only for sizes no input shows.
public enum InputSizes {
    /// One input file: the diagram input it is for, where it came from, its tensor.
    public struct File {
        public let input: String
        public let path: String
        public let tensor: Tensor<Float>

        public init(input: String, path: String, tensor: Tensor<Float>) {
            self.input = input
            self.path = path
            self.tensor = tensor
        }
    }

    /// The free sizes the files determine: each axis whose size is a free size, by name,
    /// takes the file's extent along it. A file of another rank, or two files that give
    /// one size two values, is an error naming both sources.
    public static func bind(_ graph: DiagramGraph, files: [File]) throws -> [String: Int] {
        var bound: [String: (value: Int, source: String)] = [:]
        for file in files {
            guard let id = graph.inputs.first(where: { graph.values[$0].name == file.input }) else { continue }
            let type = graph.type(of: id)
            guard file.tensor.rank == type.axes.count else {
                throw ExecError.input(
                    "input `\(file.input)` has \(type.axes.count) axes \(type), but \(file.path) holds \(file.tensor.rank): \(file.tensor.shape)"
                )
            }
            for (position, (axis, extent)) in zip(type.axes, file.tensor.shape).enumerated() {
                let free = axis.size.freeSymbols
                guard free.count == 1, axis.size == .symbol(free[0]) else { continue }
                let source = "\(file.path) (input `\(file.input)`, axis \(position + 1) `\(axis.name)`)"
                guard extent > 0 else {
                    throw ExecError.input("free size `\(free[0])` would be 0 from \(source); sizes must be positive")
                }
                if let earlier = bound[free[0]], earlier.value != extent {
                    throw ExecError.input(
                        "free size `\(free[0])` is \(earlier.value) in \(earlier.source) but \(extent) in \(source)")
                }
                bound[free[0]] = (extent, source)
            }
        }
        return bound.mapValues(\.value)
    }
}
