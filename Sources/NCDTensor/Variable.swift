/// A tensor in a computation, remembering how it was made so gradients can flow back
/// (reverse mode). Leaves are inputs and parameters; every operation makes a new variable.
public final class Variable<T: TensorElement> {
    public private(set) var value: Tensor<T>
    /// The gradient of the last `backward` root with respect to this value, accumulated
    /// over every use (a value used twice receives the sum: copy ↔ add).
    public internal(set) var grad: Tensor<T>?
    /// Whether `grad`'s buffer belongs to this variable alone, so sums may go into it.
    var gradIsOwned = false
    /// Whether gradients are wanted for this value or anything it was made from.
    public let requiresGrad: Bool
    /// The operation that made it, for messages.
    public let operation: String
    var parents: [Variable<T>]
    /// Given this value's gradient, the gradients of the parents (nil where not needed).
    var pullback: ((Tensor<T>) throws -> [Tensor<T>?])?

    /// A leaf: an input, or a parameter when `requiresGrad`.
    public init(_ value: Tensor<T>, requiresGrad: Bool = false) {
        self.value = value
        self.requiresGrad = requiresGrad
        self.operation = "leaf"
        self.parents = []
    }

    /// The result of an operation; gradients are recorded only if a parent needs them.
    init(
        _ value: Tensor<T>, operation: String, parents: [Variable<T>],
        pullback: @escaping (Tensor<T>) throws -> [Tensor<T>?]
    ) {
        self.value = value
        self.operation = operation
        self.requiresGrad = parents.contains { $0.requiresGrad }
        self.parents = requiresGrad ? parents : []
        self.pullback = requiresGrad ? pullback : nil
    }

    public var shape: [Int] { value.shape }

    /// Changes a leaf's value in place (optimisers, loading weights).
    public func update(_ change: (inout [T]) -> Void) {
        change(&value.storage)
    }

    /// Clears the accumulated gradient.
    public func zeroGrad() { grad = nil }

    /// Propagates gradients from this value to every variable it depends on. The seed
    /// defaults to 1 for a scalar. The graph is freed afterwards unless `retainGraph`.
    public func backward(seed: Tensor<T>? = nil, retainGraph: Bool = false) throws {
        guard requiresGrad else { return }
        if seed == nil, value.count != 1 { throw TensorError.notScalar(value.shape) }
        if let seed, seed.shape != value.shape { throw TensorError.broadcast(seed.shape, value.shape) }
        let order = topologicalOrder()
        try accumulate(seed ?? Tensor(unchecked: value.shape, [1]))
        for node in order.reversed() {
            guard let pullback = node.pullback, let g = node.grad else { continue }
            let grads = try pullback(g)
            for (parent, pg) in zip(node.parents, grads) where parent.requiresGrad {
                if let pg { try parent.accumulate(pg) }
            }
            if !retainGraph, !node.parents.isEmpty {
                node.pullback = nil
                node.parents = []
            }
        }
    }

    func accumulate(_ g: Tensor<T>) throws {
        guard var existing = grad else {
            // Often another variable's gradient too (an addition passes one tensor to
            // both its inputs), so it is not ours to write into.
            grad = g
            gradIsOwned = false
            return
        }
        guard existing.shape == g.shape else { throw TensorError.broadcast(g.shape, existing.shape) }
        if gradIsOwned {
            // Let go of the stored reference first, so the sum is written in place.
            grad = nil
            existing.storage.withUnsafeMutableBufferPointer { e in
                g.storage.withUnsafeBufferPointer { n in
                    Parallel.forEachChunk(e.count) { range in for i in range { e[i] += n[i] } }
                }
            }
            grad = existing
        } else {
            // A fresh sum: one pass, where writing in place would first copy.
            grad = try Tensor.zip(existing, g, +)
            gradIsOwned = true
        }
    }

    /// Every variable this one depends on (itself included), parents before children;
    /// iterative so deep graphs cannot overflow the stack.
    func topologicalOrder() -> [Variable<T>] {
        var order: [Variable<T>] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable<T>, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded {
                order.append(node)
                continue
            }
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for p in node.parents where p.requiresGrad && !visited.contains(ObjectIdentifier(p)) {
                stack.append((p, false))
            }
        }
        return order
    }
}
