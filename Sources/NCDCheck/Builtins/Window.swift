import NCDCore
import NCDSyntax

/// ★ windowing and the convolutions and pooling built on it.
extension BuiltinCall {
    /// Kernel, stride, padding and dilation from a spec's options.
    func geometry(_ spec: Spec, defaultStride: Int? = nil) -> WindowGeometry? {
        guard let kernelOption = spec.options["kernel"] else {
            error(
                .windowFit, "a window needs `kernel=…`",
                at: spec.groups.first?.first?.range ?? SourceRange(start: 0, end: 0))
            return nil
        }
        guard let kernel = checker.evaluateInteger(kernelOption.value, what: "`kernel`", minimum: 1),
            let stride = intOption(spec, "stride", default: defaultStride ?? 1, minimum: 1),
            let padding = intOption(spec, "padding", default: 0, minimum: 0),
            let dilation = intOption(spec, "dilation", default: 1, minimum: 1)
        else { return nil }
        return WindowGeometry(kernel: kernel, stride: stride, padding: padding, dilation: dilation)
    }

    /// The spatial axes after windowing, with an error if the window does not fit.
    func windowed(_ spatial: [Axis], _ g: WindowGeometry, transposed: Bool, at range: SourceRange) -> [Axis]? {
        var result: [Axis] = []
        for axis in spatial {
            guard let size = try? (transposed ? g.transposedOutputSize(axis.size) : g.outputSize(axis.size)) else {
                error(.windowFit, "the size of axis `\(axis.name)` after the window overflows", at: range)
                return nil
            }
            if let n = size.intValue, n < 1 {
                error(
                    .windowFit,
                    "a window of \(g.kernel) (dilation \(g.dilation), padding \(g.padding)) does not fit axis `\(axis.name)` of size \(axis.size)",
                    at: range)
                return nil
            }
            result.append(Axis(axis.name, size))
        }
        return result
    }

    func replacing(_ type: ArrayType, with axes: [Axis]) -> [Axis] {
        type.axes.map { a in axes.first { $0.name == a.name } ?? a }
    }

    /// `window[h w -> kh kw, kernel=3](x)`: spatial axes shrink to their strided sizes and a
    /// window axis of the kernel's size is appended for each.
    func window() -> Evaluated {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: ["kernel", "stride", "padding", "dilation"]),
            let mapping = singleMapping(spec), let g = geometry(spec),
            let args = arguments(count: 1)
        else { return .failed }
        let type = type(of: args[0])
        guard let spatial = existingAxes(mapping.lhs, in: type),
            let windowNames = names(mapping.rhs)
        else { return .failed }
        guard windowNames.count == spatial.count else {
            error(
                .specShape,
                "`window` needs one window axis per spatial axis: \(spatial.count) before `->`, \(windowNames.count) after",
                at: mapping.range)
            return .failed
        }
        for n in windowNames where type.contains(n.text) {
            error(.repeatedAxis, "window axis `\(n.text)` is already an axis of the argument", at: n.range)
            return .failed
        }
        guard let strided = windowed(spatial, g, transposed: false, at: call.range) else { return .failed }
        let axes = replacing(type, with: strided) + windowNames.map { Axis($0.text, SizeExpr(g.kernel)) }
        return .array(
            emit(
                .window(spatial: spatial.map(\.name), windowAxes: windowNames.map(\.text), geometry: g),
                inputs: args, outputs: [ArrayType(axes)],
                broadcast: type.axes.filter { a in !spatial.contains { $0.name == a.name } }, at: call.range)[0])
    }

    /// `conv[c -> n, h w, kernel=3, padding=1](x)`: the ★ window then a learned map from
    /// channels and window to new channels (the paper's bold ★3). `conv_transpose` is its adjoint.
    func convolution(transposed: Bool) -> Evaluated {
        guard let spec = readSpec(allowed: ["kernel", "stride", "padding", "dilation", "bias"]),
            let bias = boolOption(spec, "bias", default: true),
            let args = arguments(count: 1)
        else { return .failed }
        guard spec.mappings.count == 1, spec.groups.count == 1 else {
            error(
                .specShape,
                "`\(call.callee.text)` takes a channel mapping and the spatial axes, as in `\(example(call.callee.text))`",
                at: call.callee.range)
            return .failed
        }
        guard let g = geometry(spec) else { return .failed }
        let type = type(of: args[0])
        let mapping = spec.mappings[0]
        guard !mapping.lhs.isEmpty, !mapping.rhs.isEmpty else {
            error(
                .axisRole, "`\(call.callee.text)` maps channel axes to channel axes, as in `c -> n` or `c -> k heads`",
                at: mapping.range)
            return .failed
        }
        guard let input = existingAxes(mapping.lhs, in: type),
            let spatial = existingAxes(spec.groups[0], in: type)
        else { return .failed }
        if let both = input.first(where: { a in spatial.contains { $0.name == a.name } }) {
            error(.axisRole, "channel axis `\(both.name)` cannot also be spatial", at: mapping.range)
            return .failed
        }
        let rest = type.axes.filter { a in !input.contains { $0.name == a.name } }
        guard let output = newAxes(mapping.rhs, avoiding: rest),
            let moved = windowed(spatial, g, transposed: transposed, at: call.range)
        else { return .failed }
        // The output channels stand where the first input channel was, as `linear` puts them.
        let axes = replacing(input, in: ArrayType(replacing(type, with: moved)), with: output)
        let kernelAxes = spatial.map { Axis("\($0.name)_k", SizeExpr(g.kernel)) }
        let volume = (try? SizeExpr(g.kernel).power(SizeExpr(spatial.count))) ?? .one
        let channels = { (group: [Axis]) in try group.reduce(SizeExpr.one) { try $0 * $1.size } }
        let fanIn = (try? channels(transposed ? output : input) * volume) ?? .one
        let kind = OperationKind.convolution(
            spatial: spatial.map(\.name), input: input, output: output,
            geometry: g, bias: bias, transposed: transposed)
        guard
            let inst = checker.instance(
                for: call, stem: transposed ? "conv_transpose" : "conv", kind: kind,
                parameters: { path in
                    let weight = (transposed ? input + output : output + input) + kernelAxes
                    var p = [
                        Parameter(
                            of: path, role: .weight, type: ArrayType(weight), initializer: .kaimingUniform(fanIn: fanIn)
                        )
                    ]
                    if bias {
                        p.append(
                            Parameter(
                                of: path, role: .bias, type: ArrayType(output),
                                initializer: .kaimingUniform(fanIn: fanIn)))
                    }
                    return p
                })
        else { return .failed }
        return .array(
            emit(
                kind, inputs: args, outputs: [ArrayType(axes)],
                broadcast: rest.filter { a in !spatial.contains { $0.name == a.name } },
                parameters: inst.parameters, instance: inst.label, shares: inst.shares, at: call.range)[0])
    }

    /// `maxpool[h w, kernel=2](x)`: the window reduced by max or mean; stride defaults to the kernel.
    func pool(_ r: Reduction) -> Evaluated {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: ["kernel", "stride", "padding", "dilation"]),
            let group = singleGroup(spec), let args = arguments(count: 1)
        else { return .failed }
        let kernel = spec.options["kernel"].flatMap { checker.evaluateSize($0.value)?.intValue }
        guard let g = geometry(spec, defaultStride: kernel) else { return .failed }
        let type = type(of: args[0])
        guard let spatial = existingAxes(group, in: type),
            let moved = windowed(spatial, g, transposed: false, at: call.range)
        else { return .failed }
        return .array(
            emit(
                .pool(r, spatial: spatial.map(\.name), geometry: g), inputs: args,
                outputs: [ArrayType(replacing(type, with: moved))],
                broadcast: type.axes.filter { a in !spatial.contains { $0.name == a.name } }, at: call.range)[0])
    }
}
