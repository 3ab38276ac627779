import NCDCore
import NCDSyntax

/// `a[x = 2]`, `a[2, :]`, `a[x = 1:3]`: each item takes one position of an axis (removing
/// it) or keeps a slice of it. Positional items name the array's axes in its original order.
struct IndexExpression {
    let checker: Instantiator
    let items: [IndexItem]

    func check(_ id: ValueID) -> Evaluated {
        var current = id
        var type = checker.builder.type(of: id)
        let original = type
        for (offset, item) in items.enumerated() {
            guard let axis = target(of: item, at: offset, original: original, now: type) else { return .failed }
            if item.isSlice {
                if item.start == nil, item.end == nil { continue }  // `:` keeps the whole axis
                guard let (start, end) = bounds(of: item, on: axis) else { return .failed }
                let rest = type.axes.filter { $0.name != axis.name }
                type.axes = type.axes.map { $0.name == axis.name ? Axis(axis.name, SizeExpr(end - start)) : $0 }
                current =
                    checker.emit(
                        .slice(axis: axis.name, start: start, end: end), inputs: [current], outputs: [type],
                        broadcast: rest, at: item.range)[0]
            } else {
                guard let start = item.start, let p = position(start, on: axis, isSlice: false) else { return .failed }
                type.axes.removeAll { $0.name == axis.name }
                current =
                    checker.emit(
                        .index(axis: axis.name, position: p, written: WrittenFormula(start)), inputs: [current],
                        outputs: [type],
                        broadcast: type.axes, at: item.range)[0]
            }
        }
        return .array(current)
    }

    /// The axis an item acts on: named, or by position among the original axes; reported
    /// when there is none, or an earlier item already took it.
    private func target(of item: IndexItem, at position: Int, original: ArrayType, now type: ArrayType) -> Axis? {
        let name: String
        if let named = item.axis {
            guard original.contains(named.text) else {
                checker.error(
                    .missingAxis, "cannot index axis `\(named.text)`: the array has axes \(type)", at: named.range,
                    fixIts: FixIt.didYouMean(named.text, at: named.range, among: type.names))
                return nil
            }
            name = named.text
        } else {
            guard position < original.axes.count else {
                checker.error(
                    .indexRange, "\(items.count) indices for an array with \(original.axes.count) axes \(original)",
                    at: item.range)
                return nil
            }
            name = original.axes[position].name
        }
        guard let axis = type.axis(named: name) else {
            checker.error(.indexedTwice, "axis `\(name)` is indexed twice; each axis takes one index", at: item.range)
            return nil
        }
        return axis
    }

    /// `start:end` of a slice, defaults filled in (`:` is the whole axis).
    private func bounds(of item: IndexItem, on axis: Axis) -> (Int, Int)? {
        guard let start = item.start.map({ position($0, on: axis, isSlice: true) }) ?? 0 else { return nil }
        let end: Int
        if let e = item.end {
            guard let v = position(e, on: axis, isSlice: true) else { return nil }
            end = v
        } else {
            guard let n = axis.size.intValue else {
                checker.error(
                    .unknownSize, "a slice to the end of axis `\(axis.name)` needs its size, which is free here",
                    at: item.range)
                return nil
            }
            end = n
        }
        guard end > start else {
            checker.error(.indexRange, "slice \(start):\(end) of axis `\(axis.name)` is empty", at: item.range)
            return nil
        }
        return (start, end)
    }

    /// A position on an axis, counting negative ones from the end; a slice may end at the size.
    private func position(_ e: Expr, on axis: Axis, isSlice: Bool) -> Int? {
        guard var v = checker.evaluateInteger(e, what: "an index", minimum: Int.min) else { return nil }
        let known = axis.size.intValue
        if v < 0, let n = known { v += n }
        if let n = known, v < 0 || v > n || (!isSlice && v == n) {
            checker.error(.indexRange, "index \(v) is out of range for axis `\(axis.name)` of size \(n)", at: e.range)
            return nil
        }
        return v
    }
}
