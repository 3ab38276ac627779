/// A first-order optimiser: updates its parameters in place from their gradients, with
/// PyTorch's semantics (`torch.optim`), and exposes its state for checkpoints.
public protocol Optimizer<Element>: AnyObject {
    associatedtype Element: TensorElement
    /// The variables it updates, in a fixed order.
    var parameters: [Variable<Element>] { get }
    /// The learning rate of the next step (schedules set it before each step).
    var learningRate: Double { get set }
    /// Its state, per parameter, as `torch.optim` keeps it (`momentum_buffer`, `exp_avg`, …).
    var state: OptimizerState<Element> { get set }
    /// One update of every parameter that has a gradient; throws only when the memory for
    /// a parameter's first buffers cannot be had.
    func step() throws
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}

/// What an optimiser remembers between steps: for each parameter (in the optimiser's
/// order), the number of steps it has taken and its named buffers. A buffer that is empty
/// has not been made yet (PyTorch's SGD makes its momentum buffer on a parameter's first
/// step), so a parameter without a gradient keeps none.
public struct OptimizerState<T: TensorElement>: Equatable {
    /// Steps each parameter has taken (`state[p]["step"]`).
    public var steps: [Int]
    /// Buffers by name, each holding one array per parameter.
    public var buffers: [String: [[T]]]

    public init(parameterCount: Int, bufferNames: [String]) {
        steps = Array(repeating: 0, count: parameterCount)
        buffers = Dictionary(
            uniqueKeysWithValues: bufferNames.map { ($0, Array(repeating: [], count: parameterCount)) })
    }

    /// Whether `other` can replace this state: the same buffers for the same number of
    /// parameters, each either not yet made or of the parameter's size.
    public func accepts(_ other: OptimizerState<T>, sizes: [Int]) -> Bool {
        guard other.steps.count == steps.count, Set(other.buffers.keys) == Set(buffers.keys) else { return false }
        return other.buffers.values.allSatisfy { perParameter in
            perParameter.count == sizes.count && zip(perParameter, sizes).allSatisfy { $0.isEmpty || $0.count == $1 }
        }
    }
}

extension OptimizerState {
    /// Makes the named buffers (zeros) of every parameter that has a gradient and none yet,
    /// all before a step changes anything: a step refused for want of memory leaves the
    /// parameters and the state as they were. Returns the parameters whose buffers are new.
    mutating func makeBuffers(_ names: [String], for parameters: [Variable<T>]) throws -> Set<Int> {
        var made: [(Int, [[T]])] = []
        for (i, p) in parameters.enumerated() where p.grad != nil && buffers[names[0]]![i].isEmpty {
            made.append((i, try names.map { _ in try [T](zeros: p.value.count) }))
        }
        for (i, arrays) in made {
            for (name, array) in zip(names, arrays) { buffers[name]![i] = array }
        }
        return Set(made.map(\.0))
    }
}

/// Moves one parameter's buffers out of the state for an update, and back afterwards, so
/// the update writes them in place instead of copying them (a second reference would).
func withBuffers<T, R>(
    _ state: inout OptimizerState<T>, _ names: [String], _ i: Int, _ body: (inout [[T]]) throws -> R
) rethrows -> R {
    var buffers: [[T]] = names.map { _ in [] }
    for (k, name) in names.enumerated() { swap(&buffers[k], &state.buffers[name]![i]) }
    defer { for (k, name) in names.enumerated() { swap(&buffers[k], &state.buffers[name]![i]) } }
    return try body(&buffers)
}
