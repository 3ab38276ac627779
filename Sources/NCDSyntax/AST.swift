/// A parsed `.ncd` file: declarations in source order.
public struct SourceUnit: Sendable {
    /// The file the declarations came from.
    public var file: SourceFile
    /// Axis, constant and diagram declarations, in order.
    public var declarations: [Declaration]
}

/// A name together with where it was written.
public struct Name: Hashable, Sendable {
    public var text: String
    public var range: SourceRange

    public init(_ text: String, _ range: SourceRange) {
        self.text = text
        self.range = range
    }
}

/// A top-level declaration.
public enum Declaration: Sendable {
    /// `axis m = 128, y` — axes with a size expression, or free (bound at run time).
    case axes([AxisDefinition])
    /// `const N = 3` — an integer usable in sizes and loop bounds.
    case constant(name: Name, value: Expr)
    /// `diagram Name<generics>[params](inputs) -> outputs { body }`.
    case diagram(DiagramDeclaration)
}

/// One axis in an `axis` declaration.
public struct AxisDefinition: Sendable {
    public var name: Name
    /// The size, or nil for a free size bound from inputs or `--size`.
    public var size: Expr?
}

/// An axis in a type: `y`, or `h: h / 2` with an explicit size.
public struct AxisReference: Sendable {
    public var name: Name
    public var size: Expr?
    public var range: SourceRange { size.map { name.range.union($0.range) } ?? name.range }
}

/// An array type `[y, k]`.
public struct ArrayTypeSyntax: Sendable {
    public var axes: [AxisReference]
    public var range: SourceRange
    /// Written `int[…]`: whole numbers (token ids, class labels).
    public var isInteger: Bool = false
}

/// A diagram input `q: [y, k]`.
public struct InputParameter: Sendable {
    public var name: Name
    public var type: ArrayTypeSyntax
}

/// An integer parameter `s` or `N = 3` of a diagram.
public struct SizeParameter: Sendable {
    public var name: Name
    public var defaultValue: Expr?
}

/// A diagram definition. A diagram with no body is abstract: a typed box (the paper's f, G).
public struct DiagramDeclaration: Sendable {
    public var name: Name
    /// Axis variables bound at each call from the arguments' axes.
    public var generics: [Name]
    /// Integer parameters given in brackets at each call.
    public var sizeParameters: [SizeParameter]
    public var inputs: [InputParameter]
    public var outputs: [ArrayTypeSyntax]
    /// The statements, or nil for an abstract diagram.
    public var body: [Statement]?
    /// From `diagram` to the end of the signature.
    public var signatureRange: SourceRange
    /// Whether a statement of the body failed to parse (and was dropped), so that
    /// "never returns" and "never used" would only echo that error.
    public var bodyHasSyntaxErrors = false
}

/// A statement in a diagram body.
public indirect enum Statement: Sendable {
    /// `a, b = expr`
    case assign(targets: [Name], value: Expr, range: SourceRange)
    /// `save C[l] = expr` — store a value in a memory slot (the paper's skip connections).
    case save(slot: Name, index: Expr, value: Expr, range: SourceRange)
    /// `for l in 1..N as name { … }` — unrolled; each iteration has its own parameters.
    case loop(variable: Name, lower: Expr, upper: Expr, label: Name?, body: [Statement], range: SourceRange)
    /// `return a, b`
    case `return`(values: [Expr], range: SourceRange)
    /// `region "Title" note "…" { … }` — statements grouped for the picture: a titled region
    /// around what they draw, a call-out note beside it (either may be left out). It opens no
    /// scope and changes nothing that runs.
    case region(title: String?, note: String?, body: [Statement], range: SourceRange)

    public var range: SourceRange {
        switch self {
        case .assign(_, _, let r), .save(_, _, _, let r), .loop(_, _, _, _, _, let r), .return(_, let r),
            .region(_, _, _, let r):
            return r
        }
    }
}

/// Binary arithmetic operators.
public enum BinaryOperator: String, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    /// Floor division of sizes: `(h - k) // s + 1`.
    case floorDivide = "//"
    case power = "^"
}

/// One item inside the brackets of an operation: `m -> k h`, `y k`, `kernel = 3`.
public enum SpecItem: Sendable {
    /// A group of axes or size expressions written side by side: `y k`, `2`, `c: 2*c`.
    case group([SpecElement])
    /// `lhs -> rhs`, each side a group.
    case mapping(lhs: [SpecElement], rhs: [SpecElement], range: SourceRange)
    /// `name = value`.
    case option(name: Name, value: Expr)
}

/// An element of a spec group: an expression, optionally with `: size`.
public struct SpecElement: Sendable {
    public var value: Expr
    public var size: Expr?
    public var range: SourceRange { size.map { value.range.union($0.range) } ?? value.range }
}

/// How a call names its parameter instance.
public enum InstanceName: Sendable {
    /// `as Q`: a fresh instance called Q.
    case named(Name)
    /// `shares Q`: reuse the parameters of the earlier instance Q.
    case shares(Name)
}

/// One index in `A[x = 2]`, `A[2, :]` or `A[x = 1:3]`.
public struct IndexItem: Sendable {
    /// The axis named, or nil when indexing by position.
    public var axis: Name?
    /// The index, or the slice's start; nil for `:` alone.
    public var start: Expr?
    /// The slice's end when `:` was written.
    public var end: Expr?
    public var isSlice: Bool
    public var range: SourceRange
}

/// An expression. One grammar serves arrays, scalars and sizes; the checker decides which
/// a given expression must be from where it stands.
public indirect enum Expr: Sendable {
    case name(Name)
    case integer(Int, SourceRange)
    case float(Double, SourceRange)
    case unary(minus: SourceRange, operand: Expr)
    case binary(BinaryOperator, Expr, Expr, operatorRange: SourceRange)
    /// `f[spec](args) over h as Q`.
    case call(Call)
    case index(base: Expr, items: [IndexItem], range: SourceRange)
    /// `load C[4 - l]`.
    case load(slot: Name, index: Expr, range: SourceRange)
    case parenthesized(Expr, SourceRange)
    /// Stands where parsing failed; the error is already reported.
    case error(SourceRange)

    public var range: SourceRange {
        switch self {
        case .name(let n): return n.range
        case .integer(_, let r), .float(_, let r), .index(_, _, let r), .load(_, _, let r),
            .parenthesized(_, let r), .error(let r):
            return r
        case .unary(let minus, let operand): return minus.union(operand.range)
        case .binary(_, let a, let b, _): return a.range.union(b.range)
        case .call(let c): return c.range
        }
    }
}

/// A call of a built-in operation or a diagram.
public struct Call: Sendable {
    public var callee: Name
    /// The bracketed spec, nil when no brackets were written.
    public var spec: [SpecItem]?
    public var arguments: [Expr]
    /// Axes named after `over`: the call is broadcast over them.
    public var over: [Name]
    /// `over h at 1`: where the lifted axes go in each result (vmap's `out_dims`); nil puts
    /// them first.
    public var overPosition: OverPosition?
    public var instance: InstanceName?
    public var range: SourceRange
}

/// The position written after `over … at`: from the start, or from the end when negative.
public struct OverPosition: Sendable {
    public var value: Int
    public var range: SourceRange
}
