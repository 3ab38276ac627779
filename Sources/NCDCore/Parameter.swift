/// How a parameter starts, as PyTorch initialises the same layer.
public enum Initializer: Hashable, Sendable {
    /// U(−1/√fanIn, 1/√fanIn): Kaiming-uniform with a = √5, PyTorch's default for weights
    /// and biases of linear and convolution layers.
    case kaimingUniform(fanIn: SizeExpr)
    case ones
    case zeros
    /// N(0, std²): `nn.Embedding`'s default (std 1), GPT-2's (0.02).
    case normal(std: Double)
}

/// What a learned tensor is to the operation that uses it. Consumers find an operation's
/// tensors by role, never by the suffix of their names.
public enum ParameterRole: String, Hashable, Sendable, CaseIterable {
    /// The matrix of a linear map or the kernel of a convolution.
    case weight
    /// The additive term of a linear map or a convolution.
    case bias
    /// A normalisation's multiplicative affine term (γ; PyTorch's `weight`).
    case scale
    /// A normalisation's additive affine term (β; PyTorch's `bias`).
    case shift
    /// A running mean kept by batch normalisation (a buffer: saved, not trained).
    case runningMean
    /// A running variance kept by batch normalisation (a buffer: saved, not trained).
    case runningVariance
    /// How many training batches a batch norm has seen (PyTorch's `num_batches_tracked`).
    case batchesTracked
    /// A tensor declared on its own, such as a class token.
    case free

    /// The last segment of the parameter's dotted name, as PyTorch's `state_dict` spells it;
    /// nil for a free tensor, which is named by its instance path alone.
    public var stateDictName: String? {
        switch self {
        case .weight, .scale: return "weight"
        case .bias, .shift: return "bias"
        case .runningMean: return "running_mean"
        case .runningVariance: return "running_var"
        case .batchesTracked: return "num_batches_tracked"
        case .free: return nil
        }
    }

    /// Whether an optimiser updates it (running statistics are buffers).
    public var isTrainable: Bool { ![.runningMean, .runningVariance, .batchesTracked].contains(self) }
}

/// A learned tensor, with a stable dotted name such as `encoder.attn.q.weight`.
public struct Parameter: Hashable, Sendable {
    public var name: String
    public var type: ArrayType
    public var initializer: Initializer
    public var role: ParameterRole

    public init(name: String, type: ArrayType, initializer: Initializer, role: ParameterRole) {
        self.name = name
        self.type = type
        self.initializer = initializer
        self.role = role
    }

    /// The permutation that reads this tensor in `layout`, the same axes by name in another
    /// order (a tied weight read transposed); nil when it is already in that layout.
    public func permutation(to layout: [String]) -> [Int]? {
        let names = type.names
        guard names != layout, names.count == layout.count, Set(names) == Set(layout) else { return nil }
        return layout.map { names.firstIndex(of: $0)! }
    }

    /// The parameter of `role` for the instance at `path`, named as PyTorch names it.
    public init(of path: String, role: ParameterRole, type: ArrayType, initializer: Initializer) {
        let name = role.stateDictName.map { path.isEmpty ? $0 : "\(path).\($0)" } ?? path
        self.init(name: name, type: type, initializer: initializer, role: role)
    }
}
