import NCDCore
import NCDTensor

/// A dataset bound to a diagram's inputs: each input takes the array of its name, and the
/// free axis every input carries is the example axis, split into batches. Shapes, dtypes
/// and label values are checked here, before the first step, each error naming the array.
public struct TrainingData {
    /// The arrays in the signature's order.
    public let inputs: [Dataset.Array]
    /// The example axis's free size (`b`) and its position in each input.
    public let exampleSize: String
    public let examplePositions: [Int]
    /// How many examples the arrays hold.
    public let count: Int
    /// Arrays no input takes.
    public let unused: [String]
    /// The other free sizes the arrays fix (`t` of `tokens: [b, t]`).
    public let sizes: [String: Int]

    /// Binds `dataset` to the inputs of `graph`, with the sizes given on the command line.
    public init(_ dataset: Dataset, for graph: DiagramGraph, sizes given: [String: Int] = [:]) throws {
        let names = graph.inputs.map { graph.values[$0].name ?? "input\($0)" }
        var arrays: [Dataset.Array] = []
        for (id, name) in zip(graph.inputs, names) {
            guard let array = dataset[name] else {
                throw ExecError.input(
                    "\(dataset.path) has no array `\(name)` for the input `\(name): \(graph.type(of: id))`; it holds \(dataset.arrays.map(\.name).joined(separator: ", "))"
                )
            }
            let rank = graph.type(of: id).axes.count
            guard array.tensor.rank == rank else {
                throw ExecError.input(
                    "\(dataset.path): array `\(name)` has \(array.tensor.rank) axes \(array.tensor.shape), but the input `\(name): \(graph.type(of: id))` has \(rank)"
                )
            }
            arrays.append(array)
        }
        let (size, positions) = try Self.exampleAxis(graph, names)
        let counts = zip(arrays, positions).map { $0.tensor.shape[$1] }
        guard let count = counts.first, counts.allSatisfy({ $0 == count }) else {
            let listed = zip(names, counts).map { "`\($0)` \($1)" }.joined(separator: ", ")
            throw ExecError.input(
                "\(dataset.path): the arrays hold different numbers of examples along `\(size)`: \(listed)")
        }
        guard count > 0 else { throw ExecError.input("\(dataset.path) holds no examples") }
        let files = zip(names, arrays).map {
            InputSizes.File(input: $0, path: "\(dataset.path):\($0)", tensor: $1.tensor)
        }
        var sizes = given.merging(try InputSizes.bind(graph, files: files)) { $1 }
        sizes[size] = nil
        try Self.checkExtents(arrays, names, graph: graph, sizes: sizes.merging([size: count]) { $1 }, dataset)
        try Self.checkKinds(arrays, names, graph: graph, sizes: sizes.merging([size: count]) { $1 }, dataset)
        inputs = arrays
        exampleSize = size
        examplePositions = positions
        self.count = count
        self.sizes = sizes
        unused = dataset.arrays.map(\.name).filter { !names.contains($0) }
    }

    /// The free size every input has as a whole axis: the first such in the first input's
    /// order (`b` of `images: [b, ch, h, w]` and `labels: [b]`).
    static func exampleAxis(_ graph: DiagramGraph, _ names: [String]) throws -> (String, [Int]) {
        func freeAxes(_ id: ValueID) -> [String] {
            graph.type(of: id).axes.compactMap { axis in
                let free = axis.size.freeSymbols
                return free.count == 1 && axis.size == .symbol(free[0]) ? free[0] : nil
            }
        }
        guard let first = graph.inputs.first else { throw ExecError.input("`\(graph.name)` has no inputs to train on") }
        let shared = freeAxes(first).filter { s in graph.inputs.allSatisfy { freeAxes($0).contains(s) } }
        guard let size = shared.first else {
            throw ExecError.input(
                "`\(graph.name)`'s inputs share no free axis to split into examples: give every input an axis such as `b` declared without a size"
            )
        }
        let positions = graph.inputs.map { id in
            graph.type(of: id).axes.firstIndex { $0.size == .symbol(size) }!
        }
        return (size, positions)
    }

    /// Every axis of a fixed or derived size must have that extent (`f = 4`).
    static func checkExtents(
        _ arrays: [Dataset.Array], _ names: [String], graph: DiagramGraph, sizes: [String: Int], _ dataset: Dataset
    ) throws {
        for (id, (array, name)) in zip(graph.inputs, zip(arrays, names)) {
            for (position, (axis, extent)) in zip(graph.type(of: id).axes, array.tensor.shape).enumerated() {
                guard let expected = try? axis.size.evaluate(sizes), expected != extent else { continue }
                throw ExecError.input(
                    "\(dataset.path): array `\(name)` has \(extent) along `\(axis.name)` (its axis \(position), counting from 0), but `\(name): \(graph.type(of: id))` needs \(expected) there"
                )
            }
        }
    }

    /// Inputs read as ids need integer arrays with values in range; the rest need floats.
    static func checkKinds(
        _ arrays: [Dataset.Array], _ names: [String], graph: DiagramGraph, sizes: [String: Int], _ dataset: Dataset
    ) throws {
        let ids = try Executor(graph: graph, sizes: sizes).idInputs()
        for (id, (array, name)) in zip(graph.inputs, zip(arrays, names)) {
            if let use = ids[id] {
                guard array.kind != .float else {
                    throw ExecError.input(
                        "\(dataset.path): array `\(name)` is \(array.dtype), but `\(name)` holds ids: store it as integers (numpy's int64)"
                    )
                }
                if let bad = array.tensor.storage.firstIndex(where: { $0 < 0 || $0 >= Float(use.count) }) {
                    throw ExecError.input(
                        "\(dataset.path): array `\(name)` holds \(Int(exactly: array.tensor.storage[bad]).map(String.init) ?? "\(array.tensor.storage[bad])") at position \(bad), but its ids must lie in 0 to \(use.count - 1)\(use.classAxis.map { " (the classes of `\($0)`)" } ?? "")"
                    )
                }
            } else if array.kind != .float {
                throw ExecError.input(
                    "\(dataset.path): array `\(name)` is \(array.dtype), but the input `\(name)` takes real values: store it as float32"
                )
            }
        }
    }

    /// The examples at `indices`, one tensor per input in the signature's order.
    public func batch(_ indices: [Int]) throws -> [Tensor<Float>] {
        try zip(inputs, examplePositions).map { array, axis in
            let shape = array.tensor.shape
            let outer = shape[..<axis].reduce(1, *)
            let inner = shape[(axis + 1)...].reduce(1, *)
            var values = [Float](repeating: 0, count: outer * indices.count * inner)
            array.tensor.storage.withUnsafeBufferPointer { source in
                values.withUnsafeMutableBufferPointer { out in
                    var at = 0
                    for o in 0..<outer {
                        for i in indices {
                            let from = (o * shape[axis] + i) * inner
                            for k in 0..<inner { out[at + k] = source[from + k] }
                            at += inner
                        }
                    }
                }
            }
            var batchShape = shape
            batchShape[axis] = indices.count
            return try Tensor(shape: batchShape, values)
        }
    }
}
