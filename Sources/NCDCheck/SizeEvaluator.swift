import NCDCore
import NCDSyntax

/// What a name means where a size is expected.
enum SizeLookup {
    case size(SizeExpr)
    /// The name exists but its size could not be computed; that error is already reported.
    case failed
}

/// Evaluates an expression to a size: whole numbers, names of axes and size parameters,
/// `+ - * /` and `^` with a whole exponent. Sizes are exact; `/` must divide.
struct SizeEvaluator {
    let lookup: (String) -> SizeLookup?
    let candidates: () -> [String]

    init(lookup: @escaping (String) -> SizeLookup?, candidates: @escaping () -> [String]) {
        self.lookup = lookup
        self.candidates = candidates
    }

    mutating func evaluate(_ expr: Expr, _ diagnostics: inout DiagnosticBag) -> SizeExpr? {
        switch expr {
        case .integer(let n, _):
            return SizeExpr(n)
        case .float(let x, let range):
            diagnostics.report(.error(.notWhole, "sizes are whole numbers; `\(format(x))` is not", at: range))
            return nil
        case .name(let name):
            switch lookup(name.text) {
            case .size(let s): return s
            case .failed: return nil
            case nil:
                diagnostics.report(unknownName(name, kind: "size", candidates: candidates()))
                return nil
            }
        case .parenthesized(let inner, _):
            return evaluate(inner, &diagnostics)
        case .unary(_, let operand):
            return evaluate(operand, &diagnostics).map { -$0 }
        case .binary(let op, let a, let b, let opRange):
            guard let x = evaluate(a, &diagnostics), let y = evaluate(b, &diagnostics) else { return nil }
            do {
                switch op {
                case .add: return try x + y
                case .subtract: return try x - y
                case .multiply: return try x * y
                case .divide: return try x / y
                case .floorDivide: return try SizeExpr.floorDivision(x, y)
                case .power: return try x.power(y)
                }
            } catch let error as SizeError {
                diagnostics.report(.error(.sizeArithmetic, error.message, at: opRange.union(a.range).union(b.range)))
                return nil
            } catch {
                return nil
            }
        case .error:
            return nil
        case .call(let call) where Self.functions.contains(call.callee.text) && call.spec == nil && call.over.isEmpty:
            return function(call, &diagnostics)
        case .call, .index, .load:
            diagnostics.report(
                .error(.expectedSize, "expected a size here, such as `128` or `h * d_k`", at: expr.range))
            return nil
        }
    }

    /// The functions of sizes: `min(a, b)` and `max(a, b)` of known sizes, and
    /// `ceil_div(a, b)`, ⌈a / b⌉, of any (a padded window count: `ceil_div(h, s)`).
    static let functions: Set<String> = ["min", "max", "ceil_div"]

    private mutating func function(_ call: Call, _ diagnostics: inout DiagnosticBag) -> SizeExpr? {
        let name = call.callee.text
        guard call.arguments.count == 2 else {
            diagnostics.report(
                .error(.argumentCount, "`\(name)` of sizes takes two sizes, as in `\(name)(a, b)`", at: call.range))
            return nil
        }
        guard let a = evaluate(call.arguments[0], &diagnostics), let b = evaluate(call.arguments[1], &diagnostics)
        else {
            return nil
        }
        if name == "ceil_div" {
            do {
                // ⌈a / b⌉ = ⌊(a + b − 1) / b⌋ for positive b.
                return try SizeExpr.floorDivision(try a + b - .one, b)
            } catch let error as SizeError {
                diagnostics.report(.error(.sizeArithmetic, error.message, at: call.range))
                return nil
            } catch {
                return nil
            }
        }
        if a == b { return a }
        guard let x = a.intValue, let y = b.intValue else {
            diagnostics.report(
                .error(.unknownSize, "`\(name)` needs known sizes; \(a) and \(b) depend on free sizes", at: call.range))
            return nil
        }
        return SizeExpr(name == "min" ? Swift.min(x, y) : Swift.max(x, y))
    }

    /// A whole, positive, known number, e.g. a kernel size or loop bound.
    mutating func evaluateInteger(_ expr: Expr, what: String, minimum: Int, _ diagnostics: inout DiagnosticBag) -> Int?
    {
        guard let size = evaluate(expr, &diagnostics) else { return nil }
        guard let value = size.intValue else {
            let free = size.freeSymbols
            diagnostics.report(
                .error(
                    free.isEmpty ? .notWhole : .unknownSize,
                    free.isEmpty
                        ? "\(what) must be a whole number; it is \(size)"
                        : "\(what) must be a known number, but depends on the free size `\(free[0])`",
                    at: expr.range))
            return nil
        }
        guard value >= minimum else {
            diagnostics.report(
                .error(.sizeOutOfRange, "\(what) must be at least \(minimum); it is \(value)", at: expr.range))
            return nil
        }
        return value
    }
}

/// Evaluates an expression to a float scalar built from sizes and numbers, e.g. `k^-0.5`.
struct ScalarEvaluator {
    let lookup: (String) -> SizeLookup?
    let candidates: () -> [String]

    func evaluate(_ expr: Expr, _ diagnostics: inout DiagnosticBag) -> ScalarFormula? {
        switch expr {
        case .integer(let n, _): return .constant(Double(n))
        case .float(let x, _): return .constant(x)
        case .name(let name):
            switch lookup(name.text) {
            case .size(let s): return .size(s)
            case .failed: return nil
            case nil:
                diagnostics.report(unknownName(name, kind: "name", candidates: candidates()))
                return nil
            }
        case .parenthesized(let inner, _): return evaluate(inner, &diagnostics)
        case .unary(_, let operand): return evaluate(operand, &diagnostics).map { .negate($0) }
        case .binary(let op, let a, let b, _):
            guard let x = evaluate(a, &diagnostics), let y = evaluate(b, &diagnostics) else { return nil }
            switch op {
            case .add: return .add(x, y)
            case .subtract: return .add(x, .negate(y))
            case .multiply: return .multiply(x, y)
            case .divide: return .divide(x, y)
            case .floorDivide: return .floorDivide(x, y)
            case .power: return .power(x, y)
            }
        case .error: return nil
        case .call, .index, .load:
            diagnostics.report(
                .error(.expectedSize, "expected a number here, such as `0.5` or `k^-0.5`", at: expr.range))
            return nil
        }
    }
}

/// "unknown axis `dmodel`", with "did you mean `d_model`?" when something is close.
func unknownName(_ name: Name, kind: String, candidates: [String]) -> Diagnostic {
    let id: DiagnosticID =
        switch kind {
        case "axis": .unknownAxis
        case "operation or diagram": .unknownOperation
        default: .unknownName
        }
    return .error(
        id, "unknown \(kind) `\(name.text)`", at: name.range,
        fixIts: FixIt.didYouMean(name.text, at: name.range, among: candidates))
}

func format(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
}
