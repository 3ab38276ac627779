/// What an operation does. Axis names refer to the operation's input and output types;
/// any axis of an input not named here is an axis the operation is broadcast over.
public indirect enum OperationKind: Hashable, Sendable {
    /// A learned linear map from the `input` axes to the `output` axes (the paper's L, L₊).
    case linear(input: [Axis], output: [Axis], bias: Bool)
    /// A multilinear contraction: each operand's axes in the pattern's order, the output's,
    /// and which labels are summed, kept and diagonal.
    case einsum(Contraction)
    /// Two axes of one size made one wire: the elements where their positions agree (an
    /// einsum label written twice, `einsum[i i -> ](a)` for a trace). `merged` is removed;
    /// `kept` stays where it was.
    case diagonal(kept: String, merged: String)
    case unary(UnaryFunction)
    case binary(BinaryFunction)
    /// Multiplication by a constant.
    case scale(ScalarFactor)
    /// Addition of a constant (`x + 1`, `1 - z` as `-z + 1`).
    case offset(ScalarFactor)
    /// Softmax (or log-softmax) jointly over the named axes (one, or several such as the
    /// two spatial axes of visual attention).
    case softmax(axes: [String], log: Bool)
    case reduce(Reduction, axes: [String])
    /// A normalisation over (or, for batch norm, per) the named axes, with learned affine.
    case normalize(Normalization, axes: [String])
    /// Reorders, splits and merges axes: the input's axes are read in `from` order
    /// (row-major), the output written in `to` order. Element counts agree.
    case rearrange(from: [String], to: [String])
    /// Concatenation of the operands along one axis.
    case concatenate(axis: String)
    /// The operands, of one type, side by side along a new first axis.
    case stack(axis: String)
    /// Takes one position of an axis, removing it; `written` is the index as the source
    /// writes it (`s` in `xs[t = s]`), for a loop drawn once.
    case index(axis: String, position: Int, written: WrittenFormula?)
    /// Keeps positions `start..<end` of an axis.
    case slice(axis: String, start: Int, end: Int)
    /// ★: strides a window over spatial axes; each spatial axis shrinks to its output size and
    /// a window axis (of the kernel's size) is appended for it.
    case window(spatial: [String], windowAxes: [String], geometry: WindowGeometry)
    /// A learned convolution: window over `spatial`, contract the channel axes `input` into
    /// `output` (each a group of one or more axes, `c -> k heads`, whose sizes multiply to
    /// the channel count).
    case convolution(
        spatial: [String], input: [Axis], output: [Axis], geometry: WindowGeometry,
        bias: Bool, transposed: Bool)
    /// Max or mean over a window.
    case pool(Reduction, spatial: [String], geometry: WindowGeometry)
    case dropout(probability: Double)
    /// Cross-entropy of logits against class indices or probabilities, averaged to a scalar.
    case crossEntropy(classAxis: String, targetsAreIndices: Bool)
    /// Mean squared error, averaged to a scalar.
    case meanSquaredError
    /// The unit (identity matrix) between two axes of equal size.
    case identity(Axis, Axis)
    /// A constant array of the output's type: zeros, ones or positions.
    case fill(Fill)
    /// A learned table read at integer ids (`nn.Embedding`): the ids' axes, then `output`.
    /// The table, its weight, is `[table, output…]`.
    case embedding(table: Axis, output: [Axis])
    /// Entries of the first input along `axis`, at the integer ids of the second: the ids'
    /// axes, then the first input's others. Differentiable in the first input.
    case gather(axis: String)
    /// `where(condition, a, b)`: a's element where the condition is nonzero, else b's; the
    /// three matched by axis name as `+` matches two. `b` may be a constant (`fill`).
    case select(fill: ScalarFactor?)
    /// Scores whose key (`key`) comes after their query (`query`) set to −∞.
    case causalMask(query: String, key: String)
    /// A learned tensor declared on its own (a class token, a position embedding).
    case freeTensor
    /// Writes its one input to a memory slot (`save C[λ] = x`); it has no outputs.
    case save(MemorySlot)
    /// Reads a slot (`load C[5 - λ]`): its input is the value saved there, its output the
    /// same value where it is read.
    case load(MemorySlot)
    /// A call of a diagram with a body.
    case call(DiagramGraph)
    /// A call of a diagram declared without a body: a typed, unspecified box.
    case abstract(name: String)

    /// Whether argument `i` may be an integer array. Learned maps of numbers refuse one (ids
    /// go through `embed`); every other operation takes it, moving its integers (the result
    /// holds integers too), reading them as ids, or computing with them as numbers (the
    /// result holds numbers, as NumPy promotes).
    public func acceptsIntegers(at i: Int) -> Bool {
        switch self {
        case .linear, .convolution, .normalize: return false
        default: return true
        }
    }

    /// Whether argument `i` must be an integer array: ids, or class labels.
    public func requiresIntegers(at i: Int) -> Bool {
        switch self {
        case .embedding: return i == 0
        case .gather: return i == 1
        case .crossEntropy(_, let indices): return indices && i == 1
        default: return false
        }
    }

    /// Whether the operation only moves elements, so integer arguments give integer results
    /// (for a gather, an integer table).
    public var movesElements: Bool {
        switch self {
        case .rearrange, .index, .slice, .concatenate, .stack, .save, .load, .gather: return true
        default: return false
        }
    }

    /// Whether the operation reads its weight by axis name, so that a shared weight laid out
    /// in another order (a transposed tie) reads as well (``Parameter/permutation(to:)``).
    public var readsWeightByName: Bool {
        if case .linear = self { return true }
        return false
    }

    /// Whether this is a `save` or a `load`: it moves no data and costs nothing.
    public var isMemoryAccess: Bool {
        switch self {
        case .save, .load: return true
        default: return false
        }
    }

    /// A short name for tables: `linear`, `einsum`, `relu`, …
    public var mnemonic: String {
        switch self {
        case .linear: return "linear"
        case .einsum: return "einsum"
        case .diagonal: return "diagonal"
        case .unary(let f): return f.rawValue
        case .binary(let f): return f == .add ? "add" : f == .subtract ? "sub" : f == .multiply ? "mul" : "div"
        case .scale: return "scale"
        case .offset: return "offset"
        case .softmax(_, let log): return log ? "log_softmax" : "softmax"
        case .reduce(let r, _): return r.rawValue
        case .normalize(let n, _): return n.rawValue
        case .rearrange: return "rearrange"
        case .concatenate: return "concat"
        case .stack: return "stack"
        case .index: return "index"
        case .slice: return "slice"
        case .window: return "window"
        case .convolution(_, _, _, _, _, let t): return t ? "conv_transpose" : "conv"
        case .pool(let r, _, _): return r == .max ? "maxpool" : "avgpool"
        case .dropout: return "dropout"
        case .crossEntropy: return "cross_entropy"
        case .meanSquaredError: return "mse"
        case .identity: return "eye"
        case .fill(.zeros): return "zeros"
        case .fill(.ones): return "ones"
        case .fill(.arange): return "arange"
        case .embedding: return "embed"
        case .gather: return "gather"
        case .causalMask: return "causal"
        case .select: return "where"
        case .freeTensor: return "param"
        case .save: return "save"
        case .load: return "load"
        case .call(let g): return g.name
        case .abstract(let name): return name
        }
    }
}
