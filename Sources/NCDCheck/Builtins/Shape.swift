import NCDCore
import NCDSyntax

/// Rearrangement, concatenation and the unit.
extension BuiltinCall {
    /// `rearrange[k h -> d](x)`, as einops reads it: an axis written on both sides keeps its
    /// data (`a b -> b a` transposes); the other named axes of `x`, read row-major in the
    /// written order, become the other new axes, which must hold the same number of
    /// elements (a split, merge or rename). Other axes of `x` stay where they are.
    func rearrange() -> Evaluated {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: []), let mapping = singleMapping(spec),
            let args = arguments(count: 1)
        else { return .failed }
        let type = type(of: args[0])
        guard let (from, rest) = consumedAxes(mapping, in: type) else { return .failed }
        // Output axes that were input axes keep their size unless one is written.
        var to: [Axis] = []
        guard let outNames = names(mapping.rhs, allowSizes: true) else { return .failed }
        for (n, e) in zip(outNames, mapping.rhs) {
            if e.size == nil, let existing = from.first(where: { $0.name == n.text }) {
                to.append(existing)
            } else {
                guard let axis = newAxes([e], avoiding: rest)?.first else { return .failed }
                to.append(axis)
            }
        }
        guard let inCount = try? from.reduce(SizeExpr.one, { try $0 * $1.size }),
            let outCount = try? to.reduce(SizeExpr.one, { try $0 * $1.size })
        else { return .failed }
        if inCount != outCount {
            error(
                .elementCount,
                "`rearrange` reads \(inCount) elements (\(from.map(\.description).joined(separator: " × "))) but writes \(outCount) (\(to.map(\.description).joined(separator: " × ")))",
                at: mapping.range)
            return .failed
        }
        let axes = replacing(from, in: type, with: to)
        return .array(
            emit(
                .rearrange(from: from.map(\.name), to: to.map(\.name)), inputs: args,
                outputs: [ArrayType(axes)], broadcast: rest, at: call.range)[0])
    }

    /// `concat[c](a, b)`: the arrays agree on every other axis; `c` becomes the sum.
    func concatenate() -> Evaluated {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: []), let group = singleGroup(spec) else { return .failed }
        guard call.arguments.count >= 2 else {
            error(.argumentCount, "`concat` joins two or more arrays", at: call.range)
            return .failed
        }
        guard let args = arguments(count: call.arguments.count) else { return .failed }
        guard group.count == 1, let axisName = names(group)?.first else {
            error(.specShape, "`concat` joins along one axis", at: call.callee.range)
            return .failed
        }
        let first = type(of: args[0])
        var total = SizeExpr.zero
        for (i, id) in args.enumerated() {
            let type = type(of: id)
            guard let axis = type.axis(named: axisName.text) else {
                error(
                    .missingAxis, "argument \(i + 1) of `concat` has no axis `\(axisName.text)`: its type is \(type)",
                    at: call.arguments[i].range)
                return .failed
            }
            let others = type.axes.filter { $0.name != axisName.text }
            if others != first.axes.filter({ $0.name != axisName.text }) {
                error(
                    .concatMismatch,
                    "argument \(i + 1) of `concat` has type \(type), which differs from \(first) in more than `\(axisName.text)`",
                    at: call.arguments[i].range)
                return .failed
            }
            guard let sum = try? total + axis.size else { return .failed }
            total = sum
        }
        var axes = first.axes
        let i = axes.firstIndex { $0.name == axisName.text }!
        axes[i].size = total
        return .array(
            emit(
                .concatenate(axis: axisName.text), inputs: args, outputs: [ArrayType(axes)],
                broadcast: axes.filter { $0.name != axisName.text }, at: call.range)[0])
    }

    /// `eye[a b]()`: the unit between two axes of equal size.
    func identity() -> Evaluated {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: []), let group = singleGroup(spec),
            arguments(count: 0) != nil
        else { return .failed }
        guard group.count == 2, let axes = newAxes(group, avoiding: []) else {
            if group.count != 2 { error(.specShape, "`eye` takes two axes, as in `eye[a b]()`", at: call.callee.range) }
            return .failed
        }
        guard axes[0].name != axes[1].name, axes[0].size == axes[1].size else {
            error(
                axes[0].name == axes[1].name ? .repeatedAxis : .sizeMismatch,
                axes[0].name == axes[1].name
                    ? "`eye` needs two distinct axes"
                    : "`eye` needs axes of equal size; `\(axes[0].name)` is \(axes[0].size) and `\(axes[1].name)` is \(axes[1].size)",
                at: call.range)
            return .failed
        }
        return .array(
            emit(.identity(axes[0], axes[1]), inputs: [], outputs: [ArrayType(axes)], broadcast: [], at: call.range)[0])
    }
}

extension BuiltinCall {
    /// `stack[s](a, b)`: arrays of one type side by side along a new first axis `s`, whose
    /// size is the number of arrays.
    func stack() -> Evaluated {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: []), let group = singleGroup(spec) else { return .failed }
        guard call.arguments.count >= 1, let args = arguments(count: call.arguments.count) else {
            if call.arguments.isEmpty { error(.argumentCount, "`stack` needs the arrays to stack", at: call.range) }
            return .failed
        }
        let first = type(of: args[0])
        guard group.count == 1, let axis = newAxes(group, avoiding: first.axes)?.first else {
            if group.count != 1 {
                error(.specShape, "`stack` puts one new axis first, as in `\(example("stack"))`", at: call.callee.range)
            }
            return .failed
        }
        guard axis.size == SizeExpr(args.count) else {
            error(
                .sizeMismatch,
                "`stack` of \(args.count) arrays makes an axis of size \(args.count), but `\(axis.name)` has size \(axis.size)",
                at: call.range,
                fixIts: [FixIt("give it the size", range: group[0].range, replacement: "\(axis.name): \(args.count)")])
            return .failed
        }
        for (i, id) in args.enumerated() where type(of: id) != first {
            error(
                .concatMismatch, "argument \(i + 1) of `stack` has type \(type(of: id)), which differs from \(first)",
                at: call.arguments[i].range)
            return .failed
        }
        return .array(
            emit(
                .stack(axis: axis.name), inputs: args, outputs: [ArrayType([axis] + first.axes)], broadcast: first.axes,
                at: call.range)[0])
    }
}
