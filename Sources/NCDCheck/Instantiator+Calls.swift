import NCDCore
import NCDSyntax

/// Calls of diagrams: binding generic axes and size parameters, explicit broadcasting with
/// `over`, and instantiating the callee under its own instance path.
extension Instantiator {
    func callDiagram(_ callee: DiagramDeclaration, _ call: Call) -> Evaluated {
        let name = callee.name.text
        if let start = session.callStack.firstIndex(of: name) {
            let cycle = (session.callStack[start...] + [name]).joined(separator: " → ")
            error(.recursion, "recursive call \(cycle): a diagram cannot contain itself", at: call.callee.range)
            return .failed
        }
        if session.callStack.count >= Session.maximumCallDepth {
            error(.callDepth, "diagrams nest deeper than \(Session.maximumCallDepth) calls", at: call.callee.range)
            return .failed
        }
        session.called.insert(name)
        guard let args = arguments(call, count: callee.inputs.count),
              let sizeArguments = sizeArguments(callee, call) else { return .failed }

        // Explicit broadcasting: remove the `over` axes from every argument that has them.
        var broadcast: [Axis] = []
        var stripped = args.map { builder.type(of: $0) }
        for axisName in call.over {
            let carriers = stripped.indices.filter { stripped[$0].contains(axisName.text) }
            guard let first = carriers.first else {
                error(.missingAxis, "no argument of `\(name)` has axis `\(axisName.text)` to broadcast over", at: axisName.range)
                return .failed
            }
            let axis = stripped[first].axis(named: axisName.text)!
            for i in carriers where stripped[i].axis(named: axisName.text)!.size != axis.size {
                error(.sizeMismatch, "axis `\(axisName.text)` has size \(axis.size) in argument \(first + 1) but \(stripped[i].axis(named: axisName.text)!.size) in argument \(i + 1)",
                      at: axisName.range)
                return .failed
            }
            if broadcast.contains(axis) {
                error(.repeatedOption, "`over \(axisName.text)` is written twice", at: axisName.range)
                return .failed
            }
            broadcast.append(axis)
            for i in carriers { stripped[i].axes.removeAll { $0.name == axisName.text } }
        }

        let label: InstanceLabel
        var sharedWith: InstanceLabel?
        switch call.instance {
        case .shares(let n):
            guard let path = sharedInstance(n), let earlier = instances[path] else { return .failed }
            guard earlier.kind.mnemonic == name else {
                error(.shareMismatch, "`shares \(n.text)` needs a call of the same diagram; `\(n.text)` is \(earlier.kind.mnemonic)",
                      at: n.range, notes: [DiagnosticNote("`\(n.text)` is defined here", at: earlier.range)])
                return .failed
            }
            label = earlier.label
            sharedWith = earlier.label
        case .named(let n):
            let path = qualified(n.text)
            if let earlier = instances[path] {
                error(.duplicateInstance, "instance `\(n.text)` is already defined; write `shares \(n.text)` to reuse its parameters",
                      at: n.range, notes: [DiagnosticNote("first defined here", at: earlier.range)])
                return .failed
            }
            label = InstanceLabel(path: path, name: n.text, isChosen: true)
        case nil:
            label = defaultInstance(name.prefix(1).lowercased() + name.dropFirst())
        }

        let description = sizeArguments.isEmpty ? "" : " with " + sizeArguments.map { "\($0.name) = \($0.value)" }.joined(separator: ", ")
        let child = Instantiator(
            session: session, declaration: callee, prefix: label.path,
            context: [DiagnosticNote("in `\(name)`\(description), called here", at: call.range)] + context,
            reportsUnused: false)
        for argument in sizeArguments {
            child.localSizes[argument.name] = argument.value
            child.builder.addSizeArgument(argument)
        }
        guard let renaming = bindGenerics(callee, call, args: args, stripped: stripped, child: child),
              let inputTypes = child.resolveInputTypes() else { return .failed }
        for (i, (declared, actual)) in zip(inputTypes, stripped).enumerated() {
            let renamed = ArrayType(declared.axes.map { Axis(renaming[$0.name]?.name ?? $0.name, $0.size) })
            if renamed != actual {
                mismatch(actual, renamed, at: call.arguments[i].range, what: "argument `\(callee.inputs[i].name.text)` of `\(name)`",
                         declaredAt: callee.inputs[i].type.range)
                return .failed
            }
        }

        session.callStack.append(name)
        let complete = callee.body != nil && child.run(inputs: inputTypes.map { .some($0) })
        session.callStack.removeLast()
        let childGraph = child.builder.build()

        var outputs: [ArrayType] = []
        if complete {
            outputs = childGraph.outputs.map { childGraph.type(of: $0) }
        } else {
            for syntax in callee.outputs {
                guard let t = child.resolveType(syntax) else { return .failed }
                outputs.append(t)
            }
            if callee.body != nil { return .failed }
        }
        var results: [ArrayType] = []
        for (i, t) in outputs.enumerated() {
            let axes = broadcast + t.axes.map { Axis(renaming[$0.name]?.name ?? $0.name, $0.size) }
            let names = axes.map(\.name)
            if let dup = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
                error(.repeatedAxis, "output \(i + 1) of `\(name)` would have axis `\(dup)` twice here", at: call.range)
                return .failed
            }
            results.append(ArrayType(axes))
        }
        let kind: OperationKind = callee.body == nil ? .abstract(name: name) : .call(childGraph)
        if sharedWith == nil {
            instances[label.path] = InstanceRecord(label: label, kind: .abstract(name: name),
                                                   parameters: childGraph.allParameters, range: call.callee.range)
        } else if let earlier = instances[label.path], earlier.parameters.map(\.type) != childGraph.allParameters.map(\.type) {
            error(.shareMismatch, "`shares` needs the same parameters, but this call of `\(name)` has parameters of other sizes",
                  at: call.range, notes: [DiagnosticNote("the shared instance is defined here", at: earlier.range)])
            return .failed
        }
        let ids = emit(kind, inputs: args, outputs: results, broadcast: broadcast, instance: label,
                       shares: sharedWith, at: call.range)
        return ids.count == 1 ? .array(ids[0]) : .tuple(ids)
    }

    /// Evaluates the bracketed size arguments of a diagram call, positional or `name = value`,
    /// falling back on defaults; reports missing and unknown ones.
    func sizeArguments(_ callee: DiagramDeclaration, _ call: Call) -> [SizeArgument]? {
        var given: [String: (value: SizeExpr, written: WrittenFormula)] = [:]
        var positional = 0
        var ok = true
        for item in call.spec ?? [] {
            switch item {
            case .group(let elements) where elements.count == 1 && elements[0].size == nil:
                guard positional < callee.sizeParameters.count else {
                    error(.sizeParameters, "`\(callee.name.text)` takes \(callee.sizeParameters.count) size parameter\(callee.sizeParameters.count == 1 ? "" : "s")",
                          at: elements[0].range)
                    return nil
                }
                let p = callee.sizeParameters[positional]
                positional += 1
                if let v = evaluateSize(elements[0].value) { given[p.name.text] = (v, written(elements[0].value)) } else { ok = false }
            case .option(let name, let value):
                guard callee.sizeParameters.contains(where: { $0.name.text == name.text }) else {
                    error(.sizeParameters, "`\(callee.name.text)` has no size parameter `\(name.text)`", at: name.range,
                          fixIts: FixIt.didYouMean(name.text, at: name.range, among: callee.sizeParameters.map(\.name.text)))
                    return nil
                }
                if given[name.text] != nil {
                    error(.repeatedOption, "size parameter `\(name.text)` is given twice", at: name.range)
                    return nil
                }
                if let v = evaluateSize(value) { given[name.text] = (v, written(value)) } else { ok = false }
            default:
                error(.sizeParameters, "a diagram's brackets hold its size parameters, as in `\(callee.name.text)[2, N]`", at: call.callee.range)
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
                let globals = self.globals
                var evaluator = SizeEvaluator(lookup: { n in
                    if let v = result.first(where: { $0.name == n })?.value { return .size(v) }
                    if let a = globals.axes[n] { return .size(a.size) }
                    return globals.constants[n].map(SizeLookup.size)
                }, candidates: { callee.sizeParameters.map(\.name.text) + globals.axisNames })
                guard let v = reporting({ evaluator.evaluate(d, &$0) }) else { return nil }
                result.append(SizeArgument(name: p.name.text, value: v, written: nil))
            } else {
                error(.sizeParameters, "`\(callee.name.text)` needs size parameter `\(p.name.text)`", at: call.callee.range,
                      notes: [DiagnosticNote("declared here", at: p.name.range)])
                return nil
            }
        }
        return result
    }

    /// Binds the callee's generic axes positionally to the arguments' axes. Returns, for each
    /// generic name, the caller's axis it stands for.
    func bindGenerics(_ callee: DiagramDeclaration, _ call: Call, args: [ValueID], stripped: [ArrayType],
                      child: Instantiator) -> [String: Axis]? {
        let generics = Set(callee.generics.map(\.text))
        var renaming: [String: Axis] = [:]
        for (i, (input, actual)) in zip(callee.inputs, stripped).enumerated() {
            let expected = input.type.axes
            guard expected.count == actual.axes.count else {
                // Suggest broadcasting over the axes the signature does not name.
                let surplus = actual.axes.count - expected.count
                let extra = Array(actual.axes.filter { a in !expected.contains { $0.name.text == a.name } }.prefix(max(0, surplus)))
                let fix = surplus > 0 && extra.count == surplus
                    ? [FixIt("broadcast over the extra axes with `over \(extra.map(\.name).joined(separator: " "))`",
                             range: call.range.endPoint, replacement: " over \(extra.map(\.name).joined(separator: " "))")] : []
                error(.argumentRank, "argument \(i + 1) of `\(callee.name.text)` has \(actual.axes.count) axes \(actual), but `\(input.name.text)` has \(expected.count): [\(expected.map(\.name.text).joined(separator: ", "))]",
                      at: call.arguments[i].range, notes: [DiagnosticNote("input declared here", at: input.type.range)],
                      fixIts: fix)
                return nil
            }
            for (ref, axis) in zip(expected, actual.axes) where generics.contains(ref.name.text) {
                if let bound = renaming[ref.name.text] {
                    if bound != axis {
                        error(.genericBinding, "generic axis `\(ref.name.text)` of `\(callee.name.text)` stands for \(bound) in one argument and \(axis) in argument \(i + 1)",
                              at: call.arguments[i].range)
                        return nil
                    }
                } else {
                    renaming[ref.name.text] = axis
                    child.localAxes[ref.name.text] = Axis(ref.name.text, axis.size)
                }
            }
        }
        for g in callee.generics where renaming[g.text] == nil {
            error(.genericBinding, "generic axis `\(g.text)` of `\(callee.name.text)` appears in no input, so no call can bind it",
                  at: g.range)
            return nil
        }
        // Two generics standing for the same caller axis is fine (self-attention: y = x);
        // inside the callee they stay distinct wires.
        return renaming
    }
}
