import NCDCore
import NCDSyntax

/// Naming instances (`as NAME`, `shares NAME`, defaults) and creating their parameters.
extension Instantiator {
    /// Decides the instance of a learned operation from `as NAME`, `shares NAME` or a default
    /// (`linear1`, …), and reports a reused name or a missing or mismatched share. Returns the
    /// instance, the parameters it uses, and the shared instance when they are another's;
    /// nil after an error.
    func instance(for call: Call, stem: String, kind: OperationKind, parameters: (String) -> [Parameter])
        -> (label: InstanceLabel, parameters: [Parameter], shares: InstanceLabel?)?
    {
        let made: (label: InstanceLabel, segments: [String])
        let range: SourceRange
        switch call.instance {
        case .shares(let name):
            guard let earlier = sharedInstance(name) else { return nil }
            let mine = parameters(earlier.label.path)
            // Parameters are shared by role and shape, so a linear head can reuse an embedding's
            // table (GPT-2's tied weights): both are a `weight` of [vocab, d]. A linear map
            // reads its weight by axis name, so it may also share one laid out in another
            // order: `linear[vocab -> d]` reads the [vocab, d] table transposed.
            guard earlier.parameters.map(\.role) == mine.map(\.role),
                zip(earlier.parameters, mine).allSatisfy({ theirs, ours in
                    theirs.type == ours.type || (kind.readsWeightByName && theirs.type.hasAxes(of: ours.type))
                })
            else {
                let theirs = earlier.parameters.map { "\($0.type)" }.joined(separator: ", ")
                let ours = mine.map { "\($0.type)" }.joined(separator: ", ")
                error(
                    .shareMismatch,
                    "`shares \(name.text)` needs the same parameters: \(earlier.kind.mnemonic) \(theirs) there, \(kind.mnemonic) \(ours) here",
                    at: name.range, notes: [DiagnosticNote("`\(name.text)` is defined here", at: earlier.range)])
                return nil
            }
            return (earlier.label, earlier.parameters, earlier.label)
        case .named(let name):
            guard let chosen = chosenInstance(name, in: call) else { return nil }
            (made, range) = (chosen, name.range)
        case nil:
            (made, range) = (
                naming.freshDefault(stem, builder.currentFrames, soleInstance: inSoleInstanceLoop), call.callee.range
            )
        }
        let p = parameters(made.label.path)
        naming.record(
            InstanceRecord(label: made.label, segments: made.segments, kind: kind, parameters: p, range: range))
        return (made.label, p, nil)
    }

    /// The instance `as NAME` makes here, or nil (reported) when the name is taken.
    func chosenInstance(_ name: Name, in call: Call) -> (label: InstanceLabel, segments: [String])? {
        let chosen = naming.chosen(name.text, builder.currentFrames)
        if let earlier = naming[chosen.label.path] {
            error(
                .duplicateInstance,
                "instance `\(name.text)` is already defined; write `shares \(name.text)` to reuse its parameters",
                at: name.range, notes: [DiagnosticNote("first defined here", at: earlier.range)],
                fixIts: [FixIt("share its parameters", range: call.range, replacement: "shares \(name.text)")])
            return nil
        }
        return chosen
    }

    /// The instance `shares NAME` refers to, or nil (reported) when there is none.
    func sharedInstance(_ name: Name) -> InstanceRecord? {
        if let record = naming.visible(name.text, builder.currentFrames) { return record }
        error(
            .unknownInstance,
            "no instance `\(name.text)` to share parameters with; name one with `as \(name.text)` first", at: name.range
        )
        return nil
    }

    /// Rejects `as` and `shares` on operations that have nothing to name.
    func rejectInstanceName(_ call: Call) {
        guard let instance = call.instance else { return }
        let name: Name
        switch instance {
        case .named(let n), .shares(let n): name = n
        }
        error(
            .namelessOperation, "`\(call.callee.text)` has no parameters, so it takes no instance name", at: name.range)
    }
}
