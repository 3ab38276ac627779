import NCDCore
import NCDSyntax

/// A name bound in a diagram's body.
struct Binding {
    /// nil when the value's expression failed to check (its error is reported).
    var value: ValueID?
    /// Set when the name holds a tuple (a call's several outputs, bound whole): its values.
    var tuple: [ValueID]? = nil
    var range: SourceRange
    var used = false
    var isInput = false
}

/// What names mean inside one instantiation: the values its body has bound, its generic
/// axes, size parameters and loop variables, its memory, and the file's globals behind them.
struct Scope {
    let globals: GlobalScope
    var bindings: [String: Binding] = [:]
    /// Generic axes bound at this instantiation, by their names in this diagram.
    var localAxes: [String: Axis] = [:]
    /// Size parameters and loop variables.
    var localSizes: [String: SizeExpr] = [:]
    /// Which of `localSizes` are the diagram's size parameters (each also names an axis).
    var sizeParameters: Set<String> = []
    /// Saved values, by slot and index.
    var memory: [String: [Int: ValueID]] = [:]

    init(globals: GlobalScope) {
        self.globals = globals
    }

    /// What a name means as a size here: loop variable, size parameter, axis or constant.
    func sizeLookup(_ name: String) -> SizeLookup? {
        if let s = localSizes[name] { return .size(s) }
        if let a = localAxes[name] { return .size(a.size) }
        if let a = globals.axes[name] { return .size(a.size) }
        if let c = globals.constants[name] { return .size(c) }
        return nil
    }

    /// Every name a size could have meant, for suggestions.
    func sizeNames() -> [String] {
        Array(localSizes.keys) + Array(localAxes.keys) + globals.axisNames + Array(globals.constants.keys)
    }

    /// The axis a name declares here: a generic axis of this diagram, a size parameter, or a
    /// declared axis. A size parameter is an axis of its diagram of that size, whether or
    /// not the file declares one of its name (`diagram Head[k = 8]` has a `k` of 8, whatever
    /// the file's `axis k`, and one of 8 in a file with none).
    func axis(named name: String) -> Axis? {
        if let generic = localAxes[name] { return generic }
        if sizeParameters.contains(name), let size = localSizes[name] { return Axis(name, size) }
        guard let declared = globals.axes[name] else { return nil }
        if let shadow = localSizes[name] { return Axis(name, shadow) }
        return Axis(name, declared.size, written: declared.written)
    }

    /// Every name an axis could have meant, for suggestions.
    var axisNames: [String] { Array(localAxes.keys) + Array(sizeParameters) + globals.axisNames }
}
