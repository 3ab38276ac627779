extension DiagramGraph {
    /// Builds a ``DiagramGraph`` in dependency order: values are added as inputs or as the
    /// outputs of operations whose inputs already exist, so the finished graph is in
    /// topological order by construction. The checker is its one user.
    public final class Builder {
        public let name: String
        private var sizeArguments: [SizeArgument] = []
        private var values: [Value] = []
        private var operations: [Operation] = []
        private var inputs: [ValueID] = []
        private var outputs: [ValueID] = []
        private var loops: [Loop] = []
        /// The loops being built, innermost last, with the iteration under way.
        private var open: [(loop: LoopID, index: Int?)] = []
        private var regions: [Region] = []
        /// The regions being built, innermost last.
        private var openRegions: [RegionID] = []

        public init(name: String) {
            self.name = name
        }

        /// The type of a value added so far.
        public func type(of id: ValueID) -> ArrayType { values[id].type }

        /// The name a value was bound to, if any.
        public func boundName(of id: ValueID) -> String? { values[id].name }

        /// The number of operations added so far.
        public var operationCount: Int { operations.count }

        /// The number of outputs added so far.
        public var outputCount: Int { outputs.count }

        /// The loop iterations under way, outermost first.
        public var currentFrames: [LoopFrame] {
            open.compactMap { entry in
                entry.index.map {
                    LoopFrame(
                        loop: entry.loop, label: loops[entry.loop].label,
                        variable: loops[entry.loop].variable, index: $0,
                        ordinal: loops[entry.loop].iterations.count - 1)
                }
            }
        }

        /// Records a size parameter of this instantiation.
        public func addSizeArgument(_ argument: SizeArgument) {
            sizeArguments.append(argument)
        }

        /// Adds an input of the diagram and returns its id.
        @discardableResult
        public func addInput(_ type: ArrayType, name: String?, location: SourceSpan) -> ValueID {
            let id = addValue(type, name: name, location: location)
            inputs.append(id)
            return id
        }

        /// Adds an operation producing values of the given types; returns their ids.
        @discardableResult
        public func addOperation(
            _ kind: OperationKind, inputs: [ValueID], outputs: [ArrayType], broadcast: [Axis],
            parameters: [Parameter] = [], instance: InstanceLabel? = nil, sharedFrom: InstanceLabel? = nil,
            location: SourceSpan
        ) -> [ValueID] {
            precondition(inputs.allSatisfy { $0 >= 0 && $0 < values.count }, "an operation's inputs must exist first")
            let ids = outputs.map { addValue($0, name: nil, location: location) }
            operations.append(
                Operation(
                    kind: kind, inputs: inputs, outputs: ids, broadcast: broadcast, parameters: parameters,
                    instance: instance, sharedFrom: sharedFrom, location: location, loops: currentFrames,
                    regions: openRegions))
            return ids
        }

        /// Gives a value the name it is bound to, unless it already has one.
        public func bind(_ id: ValueID, to name: String) {
            if values[id].name == nil { values[id].name = name }
        }

        /// Adds an output of the diagram. The sizes its declared type writes (`ch: c`) are
        /// kept on the value's axes of that size that carry none, so that a call's result
        /// can be labelled as the signature writes it (`ch = n₂` where `c` is bound to `n2`).
        public func addOutput(_ id: ValueID, declared: ArrayType? = nil) {
            outputs.append(id)
            guard let declared else { return }
            for (i, axis) in values[id].type.axes.enumerated() where axis.writtenSize == nil {
                if let d = declared.axis(named: axis.name), d.size == axis.size, let w = d.writtenSize {
                    values[id].type.axes[i].writtenSize = w
                }
            }
        }

        /// Starts a loop; its iterations follow with ``beginIteration(_:)``.
        @discardableResult
        public func beginLoop(
            label: String, labelIsChosen: Bool, variable: String, lower: Int, upper: Int,
            writtenLower: WrittenFormula, writtenUpper: WrittenFormula, location: SourceSpan
        ) -> LoopID {
            let id = loops.count
            loops.append(
                Loop(
                    id: id, label: label, labelIsChosen: labelIsChosen, variable: variable, lower: lower,
                    upper: upper, writtenLower: writtenLower, writtenUpper: writtenUpper,
                    parent: open.last?.loop, location: location))
            open.append((id, nil))
            return id
        }

        /// Starts the iteration `index` of the innermost open loop.
        public func beginIteration(_ index: Int) {
            guard let last = open.last else { preconditionFailure("no loop is open") }
            open[open.count - 1].index = index
            let start = operations.count
            loops[last.loop].iterations.append(LoopIteration(index: index, operations: start..<start))
        }

        /// Ends the iteration under way: it holds the operations added since it began.
        public func endIteration() {
            guard let last = open.last, let k = loops[last.loop].iterations.indices.last else {
                preconditionFailure("no iteration is under way")
            }
            let start = loops[last.loop].iterations[k].operations.lowerBound
            loops[last.loop].iterations[k].operations = start..<operations.count
            open[open.count - 1].index = nil
        }

        /// Ends the innermost loop.
        public func endLoop() {
            precondition(open.last?.index == nil, "end the iteration before the loop")
            open.removeLast()
        }

        /// Starts a region: the operations added until ``endRegion()`` are drawn in it.
        @discardableResult
        public func beginRegion(title: String?, note: String?, location: SourceSpan) -> RegionID {
            let id = regions.count
            regions.append(Region(id: id, title: title, note: note, parent: openRegions.last, location: location))
            openRegions.append(id)
            return id
        }

        /// Ends the innermost region.
        public func endRegion() {
            precondition(!openRegions.isEmpty, "no region is open")
            openRegions.removeLast()
        }

        /// The finished graph. Debug builds check its invariants.
        public func build() -> DiagramGraph {
            let graph = DiagramGraph(
                name: name, sizeArguments: sizeArguments, values: values, operations: operations,
                inputs: inputs, outputs: outputs, loops: loops, regions: regions)
            // Sub-diagrams were checked when they were built.
            assert(
                graph.invariantViolations(recursive: false).isEmpty, "\(graph.invariantViolations(recursive: false))")
            return graph
        }

        private func addValue(_ type: ArrayType, name: String?, location: SourceSpan) -> ValueID {
            values.append(Value(id: values.count, type: type, name: name, location: location))
            return values.count - 1
        }
    }
}
