import NCDCore

/// How names, sizes and operations are written in the picture: `d_ff` as d with a
/// subscript ff, `n1` as n₁, `k^-0.5` as k with a raised −1/2, `x̄` overbarred.
enum Notation {
    /// An axis or size name as math: base, then subscript, then superscript.
    static func symbol(_ name: String) -> RichText {
        var base = name
        var lowered = ""
        var raised = ""
        if let caret = base.firstIndex(of: "^") {
            raised = String(base[base.index(after: caret)...])
            base = String(base[..<caret])
        }
        // Only a one-letter base takes a subscript (`d_ff`, `n1`); `second_row` is a word.
        if let underscore = base.firstIndex(of: "_"), base[..<underscore].count == 1 {
            lowered = String(base[base.index(after: underscore)...])
            base = String(base[..<underscore])
        } else if let firstDigit = base.firstIndex(where: \.isNumber), base[..<firstDigit].count == 1,
            base[firstDigit...].allSatisfy(\.isNumber), base[..<firstDigit].allSatisfy(\.isLetter)
        {
            lowered = String(base[firstDigit...])
            base = String(base[..<firstDigit])
        }
        let strip: (String) -> String = { $0.filter { $0 != "{" && $0 != "}" } }
        return RichText(runs(base, .normal) + runs(strip(lowered), .lowered) + runs(exponent(strip(raised)), .raised))
    }

    /// A size as written on a wire: its symbol when it is one name, else its expression.
    static func size(_ s: SizeExpr) -> RichText {
        if let c = s.constant { return RichText(plain: c.description) }
        return symbol(s.description.replacingOccurrences(of: "*", with: "·"))
    }

    /// Splits text into runs so that overbarred letters (`x̄`) become overbar runs.
    static func runs(_ text: String, _ position: TextRun.Position) -> [TextRun] {
        guard !text.isEmpty else { return [] }
        var result: [TextRun] = []
        for ch in text {
            let barred = ch.unicodeScalars.contains { $0.value == 0x304 || $0.value == 0x305 }
            let visible =
                barred
                ? String(String.UnicodeScalarView(ch.unicodeScalars.filter { $0.value != 0x304 && $0.value != 0x305 }))
                : String(ch)
            if let last = result.last, last.overbar == barred, !barred {
                result[result.count - 1].text += visible
            } else {
                result.append(TextRun(visible, position, overbar: barred))
            }
        }
        return result
    }

    /// `-0.5` as `−1/2`: halves, thirds and quarters read better as fractions.
    static func exponent(_ text: String) -> String {
        guard let value = Double(text) else { return text.replacingOccurrences(of: "-", with: "−") }
        let sign = value < 0 ? "−" : ""
        for d in [2, 3, 4] {
            let n = abs(value) * Double(d)
            if abs(n - n.rounded()) < 1e-9, d > 1, Int(n.rounded()) % d != 0 {
                return "\(sign)\(Int(n.rounded()))/\(d)"
            }
        }
        return sign + (abs(value) == abs(value).rounded() ? String(Int(abs(value))) : String(abs(value)))
    }

    /// The symbol drawn for an elementwise function on its arrow.
    static func elementwise(_ f: UnaryFunction) -> String {
        switch f {
        case .relu: return "R"
        case .gelu: return "GELU"
        case .tanh: return "tanh"
        case .sigmoid: return "σ"
        case .exp: return "exp"
        case .log: return "log"
        case .sqrt: return "√"
        case .square: return "x²"
        case .neg: return "−"
        case .abs: return "|·|"
        // Named in full: the paper's G stands for any function, so GELU is not written G.
        case .geluTanh: return "GELUₜ"
        case .silu: return "SiLU"
        case .softplus: return "softplus"
        case .sin: return "sin"
        case .cos: return "cos"
        case .erf: return "erf"
        }
    }

    /// The label of a box that selects or makes values: a gather reads at ids, the causal
    /// mask keeps the lower triangle, constants show their values.
    static func selection(_ kind: OperationKind) -> String {
        switch kind {
        case .gather: return "[·]"
        case .causalMask: return "◣"
        case .select: return "?:"
        case .fill(.zeros): return "0"
        case .fill(.ones): return "1"
        case .fill(.arange): return "0…n"
        default: return kind.mnemonic
        }
    }

    static func binary(_ f: BinaryFunction) -> String {
        switch f {
        case .add: return "+"
        case .subtract: return "−"
        case .multiply: return "×"
        case .divide: return "÷"
        }
    }

    static func reduction(_ r: Reduction) -> String {
        switch r {
        case .mean: return "𝔼"
        case .max: return "Max"
        case .sum: return "Σ"
        }
    }

    /// The instance name the user chose (`as Q`), if any: only chosen names are written as
    /// superscripts, never the checker's defaults (`linear2`).
    static func chosenInstanceName(_ op: Operation) -> String? {
        guard let instance = op.instance, instance.isChosen else { return nil }
        return instance.name
    }

    /// A formula as written (`k^-0.5`, `64·2^λ`): names as symbols, exponents raised (halves,
    /// thirds and quarters as fractions), products with a centred dot.
    static func formula(_ f: WrittenFormula) -> RichText {
        RichText(formulaRuns(f, outer: 0))
    }

    private static func formulaRuns(_ f: WrittenFormula, outer: Int) -> [TextRun] {
        func wrapped(_ runs: [TextRun], _ precedence: Int) -> [TextRun] {
            precedence < outer ? [TextRun("(")] + runs + [TextRun(")")] : runs
        }
        switch f {
        case .integer, .number:
            return [TextRun(f.description)]
        case .name(let n):
            return symbol(n).runs
        case .negate(let a):
            return wrapped([TextRun("−")] + formulaRuns(a, outer: 3), 2)
        case .binary(.power, let base, let exponent):
            let raised = RichText(formulaRuns(exponent, outer: 0)).plainText
            return wrapped(
                formulaRuns(base, outer: 5)
                    + runs(Notation.exponent(raised.replacingOccurrences(of: "−", with: "-")), .raised), 4)
        case .binary(.floorDivide, let a, let b):
            return [TextRun("⌊")] + formulaRuns(a, outer: 2) + [TextRun("/")] + formulaRuns(b, outer: 3) + [
                TextRun("⌋")
            ]
        case .binary(let op, let a, let b):
            let precedence = op == .add || op == .subtract ? 1 : 2
            let symbol =
                switch op {
                case .add: " + "
                case .subtract: " − "
                case .multiply: "·"
                default: "/"
                }
            return wrapped(
                formulaRuns(a, outer: precedence) + [TextRun(symbol)] + formulaRuns(b, outer: precedence + 1),
                precedence)
        }
    }

    /// `1.2 MFLOP`-style figures, for cost annotations.
    static func quantity(_ s: SizeExpr, unit: String) -> String {
        guard let c = s.constant, let value = Double(c.description) else { return s.description + " " + unit }
        let prefixes = ["", "k", "M", "G", "T", "P"]
        var v = value
        var i = 0
        while v >= 1000, i < prefixes.count - 1 {
            v /= 1000
            i += 1
        }
        let digits = v >= 100 || i == 0 ? String(Int(v.rounded())) : String(format1(v))
        return "\(digits) \(prefixes[i])\(unit)"
    }

    private static func format1(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
