/// A dense, contiguous, row-major array of `T` with a shape. Values; copying is cheap until
/// one copy is written (the storage is a Swift array).
public struct Tensor<T: TensorElement>: Equatable, Sendable {
    /// The size of each axis, outermost first.
    public let shape: [Int]
    /// The elements in row-major order.
    public var storage: [T]

    /// A tensor filled with one value.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public init(shape: [Int], repeating value: T = 0) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw TensorError.invalidShape(shape) }
        self.shape = shape
        self.storage = try [T](filled: value, count: Tensor.elementCount(shape))
    }

    /// The product of `shape`, or an error when it overflows.
    static func elementCount(_ shape: [Int]) throws -> Int {
        var n = 1
        for size in shape {
            let (product, overflow) = n.multipliedReportingOverflow(by: size)
            guard !overflow else { throw TensorError.outOfMemory(elements: Int.max, bytes: nil) }
            n = product
        }
        return n
    }

    /// A tensor from row-major elements, which must number the product of the shape.
    public init(shape: [Int], _ storage: [T]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw TensorError.invalidShape(shape) }
        guard storage.count == shape.reduce(1, *) else {
            throw TensorError.elementCount(shape: shape, count: storage.count)
        }
        self.shape = shape
        self.storage = storage
    }

    /// Internal: the caller guarantees the count matches.
    init(unchecked shape: [Int], _ storage: [T]) {
        _ = allocatorConfigured
        self.shape = shape
        self.storage = storage
    }

    /// A scalar (no axes).
    public init(scalar: T) {
        self.init(unchecked: [], [scalar])
    }

    /// Uniform random values in `[low, high)` from a seeded generator, for reproducibility.
    public static func uniform(shape: [Int], low: T = -1, high: T = 1, seed: UInt64) throws -> Tensor {
        var rng = SplitMix64(seed: seed)
        let data = try [T](uninitializedCount: try elementCount(shape)) { out in
            for i in out.indices { out[i] = low + (high - low) * T(rng.nextUnit()) }
        }
        return Tensor(unchecked: shape, data)
    }

    public var count: Int { storage.count }
    public var rank: Int { shape.count }

    /// Row-major strides, in elements.
    public var strides: [Int] { Tensor.strides(for: shape) }

    static func strides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = running
            running *= shape[i]
        }
        return strides
    }

    /// The element at a multi-index.
    public subscript(_ index: [Int]) -> T {
        get { storage[Swift.zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 }] }
        set { storage[Swift.zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 }] = newValue }
    }

    /// The same elements under another shape of equal count.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        try Tensor(shape: newShape, storage)
    }

    /// `NaN`, `+infinity` or `-infinity` for the first element that is not finite, or nil.
    public var firstNonFinite: String? {
        guard let bad = storage.first(where: { !$0.isFinite }) else { return nil }
        return bad.isNaN ? "NaN" : bad > 0 ? "+infinity" : "-infinity"
    }

    /// Converts element type (e.g. to `Double` for checks).
    public func converted<U: TensorElement>(to: U.Type) throws -> Tensor<U> {
        let out = try [U](uninitializedCount: count) { out in
            for i in out.indices { out[i] = U(storage[i]) }
        }
        return Tensor<U>(unchecked: shape, out)
    }
}

/// Errors from tensor operations, each naming the shapes involved.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    case invalidShape([Int])
    case elementCount(shape: [Int], count: Int)
    case broadcast([Int], [Int])
    case axis(Int, rank: Int)
    case contraction(String)
    case notScalar([Int])
    case nonFinite(operation: String, value: String)
    /// Batch statistics from a single value per feature (PyTorch refuses this too).
    case singleValueBatch(features: Int)
    /// The system refused the memory for `elements` values (`bytes` nil: too many to address).
    case outOfMemory(elements: Int, bytes: Int?)

    public var description: String {
        switch self {
        case .outOfMemory(let n, nil): return "a tensor of \(n) elements is too large to allocate"
        case .outOfMemory(let n, let bytes?):
            let gib = Double(bytes) / Double(1 << 30)
            let size = gib >= 1 ? "\(Int(gib.rounded())) GiB" : "\(bytes >> 20) MiB"
            return
                "out of memory: the system refused \(size) for a tensor of \(n) elements (this process's memory or address-space limit, or the machine's memory, is used up)"

        case .invalidShape(let s): return "invalid shape \(s): sizes must not be negative"
        case .elementCount(let s, let n): return "shape \(s) holds \(s.reduce(1, *)) elements, but \(n) were given"
        case .broadcast(let a, let b): return "shapes \(a) and \(b) do not broadcast"
        case .singleValueBatch(let f):
            return
                "batch norm in training needs more than one value per feature, but each of the \(f) features has one (a batch of 1: choose a --batch-size that leaves no last batch of one)"
        case .axis(let a, let r): return "axis \(a) is out of range for rank \(r)"
        case .contraction(let why): return "contraction: \(why)"
        case .notScalar(let s): return "expected a scalar, got shape \(s)"
        case .nonFinite(let op, let v): return "`\(op)` produced \(v)"
        }
    }
}

/// SplitMix64: small, fast and seedable, so runs are deterministic.
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
