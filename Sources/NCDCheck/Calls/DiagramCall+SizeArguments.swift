import NCDCore
import NCDSyntax

extension DiagramCall {
    /// Evaluates the bracketed size arguments of a diagram call, positional or `name = value`,
    /// falling back on defaults; reports missing and unknown ones.
    func sizeArguments() -> [SizeArgument]? {
        var given: [String: (value: SizeExpr, written: WrittenFormula)] = [:]
        var positional = 0
        var ok = true
        for item in call.spec ?? [] {
            switch item {
            case .group(let elements) where elements.count == 1 && elements[0].size == nil:
                guard positional < callee.sizeParameters.count else {
                    error(
                        .sizeParameters,
                        "`\(callee.name.text)` takes \(callee.sizeParameters.count) size parameter\(callee.sizeParameters.count == 1 ? "" : "s")",
                        at: elements[0].range)
                    return nil
                }
                let p = callee.sizeParameters[positional]
                positional += 1
                if let v = caller.evaluateSize(elements[0].value) {
                    given[p.name.text] = (v, caller.written(elements[0].value))
                } else {
                    ok = false
                }
            case .option(let name, let value):
                guard callee.sizeParameters.contains(where: { $0.name.text == name.text }) else {
                    error(
                        .sizeParameters, "`\(callee.name.text)` has no size parameter `\(name.text)`", at: name.range,
                        fixIts: FixIt.didYouMean(
                            name.text, at: name.range, among: callee.sizeParameters.map(\.name.text)))
                    return nil
                }
                if given[name.text] != nil {
                    error(.repeatedOption, "size parameter `\(name.text)` is given twice", at: name.range)
                    return nil
                }
                if let v = caller.evaluateSize(value) {
                    given[name.text] = (v, caller.written(value))
                } else {
                    ok = false
                }
            default:
                error(
                    .sizeParameters, "a diagram's brackets hold its size parameters, as in `\(callee.name.text)[2, N]`",
                    at: call.callee.range)
                return nil
            }
        }
        guard ok else { return nil }
        var result: [SizeArgument] = []
        for p in callee.sizeParameters {
            if let v = given[p.name.text] {
                result.append(SizeArgument(name: p.name.text, value: v.value, written: v.written))
            } else if let d = p.defaultValue {
                // Defaults are evaluated in the callee's scope: earlier parameters and globals.
                let globals = caller.globals
                var evaluator = SizeEvaluator(
                    lookup: { n in
                        if let v = result.first(where: { $0.name == n })?.value { return .size(v) }
                        if let a = globals.axes[n] { return .size(a.size) }
                        return globals.constants[n].map(SizeLookup.size)
                    }, candidates: { callee.sizeParameters.map(\.name.text) + globals.axisNames })
                guard let v = caller.reporting({ evaluator.evaluate(d, &$0) }) else { return nil }
                result.append(SizeArgument(name: p.name.text, value: v, written: nil))
            } else {
                error(
                    .sizeParameters, "`\(callee.name.text)` needs size parameter `\(p.name.text)`",
                    at: call.callee.range,
                    notes: [DiagnosticNote("declared here", at: p.name.range)])
                return nil
            }
        }
        return result
    }
}
