import NCDCore
import NCDSyntax

/// One call of a diagram, checked in phases: the callee can be entered (no recursion, not
/// too deep); its arguments and size arguments; the axes lifted by `over`; the instance;
/// the callee instantiated under that instance's path, its generic axes bound from the
/// arguments; and the results, with the lifted axes put back in front.
struct DiagramCall {
    let caller: Instantiator
    let callee: DiagramDeclaration
    let call: Call

    var name: String { callee.name.text }

    func check() -> Evaluated {
        guard canEnter(), let passed = caller.diagramArguments(call, count: callee.inputs.count),
            let sizes = sizeArguments(), let (broadcast, stripped) = liftedAxes(passed.map(\.id)),
            let (label, segments, shared) = instance()
        else { return .failed }
        let (args, ranges) = (passed.map(\.id), passed.map(\.range))
        let child = instantiator(at: segments, sizes: sizes)
        guard let renaming = bindGenerics(stripped, ranges, child: child), let inputTypes = child.resolveInputTypes(),
            argumentsMatch(inputTypes, stripped, ranges, renaming)
        else { return .failed }
        caller.session.callStack.append(name)
        let complete = callee.body != nil && child.run(inputs: inputTypes.map { .some($0) })
        caller.session.callStack.removeLast()
        let graph = child.builder.build()
        guard let outputs = outputTypes(complete ? graph : nil, child),
            let results = resultTypes(outputs, broadcast, renaming),
            record(label, segments, shared, graph)
        else { return .failed }
        let kind: OperationKind = callee.body == nil ? .abstract(name: name) : .call(graph)
        let ids = caller.emit(
            kind, inputs: args, outputs: results, broadcast: broadcast, instance: label,
            shares: shared, at: call.range)
        return ids.count == 1 ? .array(ids[0]) : .tuple(ids)
    }

    func error(
        _ id: DiagnosticID, _ message: String, at range: SourceRange, notes: [DiagnosticNote] = [],
        fixIts: [FixIt] = []
    ) {
        caller.error(id, message, at: range, notes: notes, fixIts: fixIts)
    }

    /// No recursion, and no deeper than the session allows.
    private func canEnter() -> Bool {
        let stack = caller.session.callStack
        if let start = stack.firstIndex(of: name) {
            let cycle = (stack[start...] + [name]).joined(separator: " → ")
            error(.recursion, "recursive call \(cycle): a diagram cannot contain itself", at: call.callee.range)
            return false
        }
        if stack.count >= Session.maximumCallDepth {
            error(.callDepth, "diagrams nest deeper than \(Session.maximumCallDepth) calls", at: call.callee.range)
            return false
        }
        caller.session.called.insert(name)
        return true
    }

    /// Explicit broadcasting: the `over` axes, removed from every argument that has them.
    private func liftedAxes(_ args: [ValueID]) -> (broadcast: [Axis], stripped: [ArrayType])? {
        var broadcast: [Axis] = []
        var stripped = args.map { caller.builder.type(of: $0) }
        for axisName in call.over {
            let carriers = stripped.indices.compactMap { i in stripped[i].axis(named: axisName.text).map { (i, $0) } }
            guard let (first, axis) = carriers.first else {
                // `over h at` with its position forgotten reads `at` as an axis.
                let hint =
                    axisName.text == "at"
                    ? [DiagnosticNote("to place the lifted axes, give a position after `at`: `over h at 1`")] : []
                error(
                    .missingAxis, "no argument of `\(name)` has axis `\(axisName.text)` to broadcast over",
                    at: axisName.range, notes: hint)
                return nil
            }
            if let (i, other) = carriers.first(where: { $0.1.size != axis.size }) {
                error(
                    .sizeMismatch,
                    "axis `\(axisName.text)` has size \(axis.size) in argument \(first + 1) but \(other.size) in argument \(i + 1)",
                    at: axisName.range)
                return nil
            }
            if broadcast.contains(axis) {
                error(.repeatedOption, "`over \(axisName.text)` is written twice", at: axisName.range)
                return nil
            }
            broadcast.append(axis)
            for (i, _) in carriers { stripped[i].axes.removeAll { $0.name == axisName.text } }
        }
        return (broadcast, stripped)
    }

    /// The call's instance from `as`, `shares` or a default (`block1`), with its path's
    /// segments and, for `shares`, the instance whose parameters it reuses.
    private func instance() -> (label: InstanceLabel, segments: [String], shared: InstanceLabel?)? {
        switch call.instance {
        case .shares(let n):
            guard let earlier = caller.sharedInstance(n) else { return nil }
            guard earlier.kind.mnemonic == name else {
                error(
                    .shareMismatch,
                    "`shares \(n.text)` needs a call of the same diagram; `\(n.text)` is \(earlier.kind.mnemonic)",
                    at: n.range, notes: [DiagnosticNote("`\(n.text)` is defined here", at: earlier.range)])
                return nil
            }
            return (earlier.label, earlier.segments, earlier.label)
        case .named(let n):
            guard let chosen = caller.chosenInstance(n, in: call) else { return nil }
            return (chosen.label, chosen.segments, nil)
        case nil:
            let made = caller.naming.freshDefault(
                name.prefix(1).lowercased() + name.dropFirst(), caller.builder.currentFrames,
                soleInstance: caller.inSoleInstanceLoop)
            return (made.label, made.segments, nil)
        }
    }

    /// The callee's instantiator, its size parameters bound, its diagnostics noting the call.
    private func instantiator(at segments: [String], sizes: [SizeArgument]) -> Instantiator {
        let description =
            sizes.isEmpty ? "" : " with " + sizes.map { "\($0.name) = \($0.value)" }.joined(separator: ", ")
        let child = Instantiator(
            session: caller.session, declaration: callee, prefix: segments,
            context: [DiagnosticNote("in `\(name)`\(description), called here", at: call.range)] + caller.context,
            reportsUnused: false)
        for argument in sizes {
            child.scope.localSizes[argument.name] = argument.value
            child.scope.sizeParameters.insert(argument.name)
            child.builder.addSizeArgument(argument)
        }
        return child
    }

    /// Each argument, less its lifted axes, has its input's type, generics renamed.
    private func argumentsMatch(
        _ inputTypes: [ArrayType], _ stripped: [ArrayType], _ ranges: [SourceRange], _ renaming: [String: Axis]
    ) -> Bool {
        for (i, (declared, actual)) in zip(inputTypes, stripped).enumerated() {
            let renamed = ArrayType(
                declared.axes.map { Axis(renaming[$0.name]?.name ?? $0.name, $0.size) }, element: declared.element)
            if renamed != actual {
                caller.mismatch(
                    actual, renamed, at: ranges[i],
                    what: "argument `\(callee.inputs[i].name.text)` of `\(name)`",
                    declaredAt: callee.inputs[i].type.range)
                return false
            }
        }
        return true
    }

    /// The callee's output types: from its checked body, or as declared for a box. nil after
    /// an error in the body (already reported).
    private func outputTypes(_ graph: DiagramGraph?, _ child: Instantiator) -> [ArrayType]? {
        if let graph { return graph.outputs.map { graph.type(of: $0) } }
        guard callee.body == nil else { return nil }
        var outputs: [ArrayType] = []
        for syntax in callee.outputs {
            guard let t = child.resolveType(syntax) else { return nil }
            outputs.append(t)
        }
        return outputs
    }

    /// The results in the caller's names, generics renamed: the lifted axes first, or where
    /// `over … at` puts them (counted from the end when negative, as vmap's `out_dims`).
    private func resultTypes(_ outputs: [ArrayType], _ broadcast: [Axis], _ renaming: [String: Axis]) -> [ArrayType]? {
        var results: [ArrayType] = []
        for (i, t) in outputs.enumerated() {
            var axes = t.axes.map { Axis(renaming[$0.name]?.name ?? $0.name, $0.size) }
            let at = call.overPosition.map { $0.value < 0 ? axes.count + 1 + $0.value : $0.value } ?? 0
            guard (0...axes.count).contains(at) else {
                let written = call.overPosition!
                error(
                    .indexRange,
                    "`at \(written.value)` is outside output \(i + 1) of `\(name)`, which has \(axes.count) axes before lifting: the lifted axes can go at 0…\(axes.count), or -\(axes.count + 1)…-1 from the end",
                    at: written.range)
                return nil
            }
            axes.insert(contentsOf: broadcast, at: at)
            let names = axes.map(\.name)
            if let dup = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
                error(.repeatedAxis, "output \(i + 1) of `\(name)` would have axis `\(dup)` twice here", at: call.range)
                return nil
            }
            results.append(ArrayType(axes, element: t.element))
        }
        return results
    }

    /// Records a new instance with its parameters, or checks a shared one's shapes.
    private func record(_ label: InstanceLabel, _ segments: [String], _ shared: InstanceLabel?, _ graph: DiagramGraph)
        -> Bool
    {
        let parameters = graph.allParameters
        guard shared != nil else {
            caller.naming.record(
                InstanceRecord(
                    label: label, segments: segments, kind: .abstract(name: name),
                    parameters: parameters, range: call.callee.range))
            return true
        }
        if let earlier = caller.naming[label.path], earlier.parameters.map(\.type) != parameters.map(\.type) {
            error(
                .shareMismatch,
                "`shares` needs the same parameters, but this call of `\(name)` has parameters of other sizes",
                at: call.range, notes: [DiagnosticNote("the shared instance is defined here", at: earlier.range)])
            return false
        }
        return true
    }
}
