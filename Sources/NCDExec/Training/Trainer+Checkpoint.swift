import Foundation
import NCDTensor

/// Checkpoints: one `.safetensors` file holding the parameters and buffers by their dotted
/// names, the optimiser's buffers as `optimizer/BUFFER/NAME` (a `/` no parameter name
/// has), and in `__metadata__` the position, the optimiser's step counts, the dropout
/// generator and the settings a resume must repeat.
extension Trainer {
    static let format = "ncd-checkpoint-1"

    /// The checkpoint of the run as it stands.
    public func checkpoint() throws -> [UInt8] {
        var tensors = try executor.allParameters()
        let state = optimizer.state
        for (buffer, perParameter) in state.buffers {
            for (name, values) in zip(names, perParameter) where !values.isEmpty {
                tensors["optimizer/\(buffer)/\(name)"] = try Tensor(shape: [values.count], values)
            }
        }
        let steps = try JSONSerialization.data(
            withJSONObject: Dictionary(uniqueKeysWithValues: zip(names, state.steps)), options: [.sortedKeys])
        var metadata = options.recorded
        metadata["format"] = Self.format
        metadata["diagram"] = executor.graph.name
        metadata["epoch"] = "\(position.epoch)"
        metadata["step_in_epoch"] = "\(position.stepInEpoch)"
        metadata["step"] = "\(position.step)"
        // Doubles as their bits: printed in decimal they would not come back exactly.
        metadata["epoch_loss_sum"] = "\(position.epochLossSum.bitPattern)"
        metadata["epoch_examples"] = "\(position.epochExamples)"
        metadata["dropout_state"] = "\(executor.dropoutState)"
        metadata["optimizer_steps"] = String(decoding: steps, as: UTF8.self)
        return try SafeTensors.encode(tensors, metadata: metadata)
    }

    /// Continues from a checkpoint this diagram's run wrote with the same settings.
    public func resume(from bytes: [UInt8], path: String) throws {
        let (tensors, metadata) = try SafeTensors.decodeWithMetadata(bytes)
        func refuse(_ why: String) -> ExecError { .input("cannot resume from \(path): \(why)") }
        guard metadata["format"] == Self.format else { throw refuse("it is not a checkpoint of `ncd train`") }
        guard metadata["diagram"] == executor.graph.name else {
            throw refuse("it was written for `\(metadata["diagram"] ?? "?")`, not `\(executor.graph.name)`")
        }
        for (key, value) in options.recorded.sorted(by: { $0.key < $1.key }) where metadata[key] != value {
            func flag(_ v: String?) -> String {
                if key == "shuffle" { return v == "false" ? "--no-shuffle" : "--shuffle" }
                return "--\(key.replacingOccurrences(of: "_", with: "-")) \(v ?? "?")"
            }
            throw refuse(
                "it was written with \(flag(metadata[key])), not \(flag(value)); resume with the same settings")
        }
        func integer(_ key: String) throws -> Int {
            guard let text = metadata[key], let n = Int(text), n >= 0 else { throw refuse("its `\(key)` is missing") }
            return n
        }
        var restored = TrainingPosition()
        restored.epoch = try integer("epoch")
        restored.stepInEpoch = try integer("step_in_epoch")
        restored.step = try integer("step")
        restored.epochExamples = try integer("epoch_examples")
        guard let sumBits = metadata["epoch_loss_sum"].flatMap(UInt64.init),
            let dropout = metadata["dropout_state"].flatMap(UInt64.init),
            let stepsText = metadata["optimizer_steps"],
            let steps = try? JSONSerialization.jsonObject(with: Data(stepsText.utf8)) as? [String: Int]
        else { throw refuse("its position or optimiser state is missing") }
        restored.epochLossSum = Double(bitPattern: sumBits)
        // Consistent with this data and settings, so nothing after can overflow or divide by 0.
        guard restored.stepInEpoch < stepsPerEpoch, restored.epoch <= 1_000_000,
            restored.step == restored.epoch * stepsPerEpoch + restored.stepInEpoch,
            restored.epochExamples <= data.count, restored.epochLossSum.isFinite
        else { throw refuse("its position does not fit this data and these settings") }

        var state = optimizer.state
        let sizes = names.map { executor.parameters[$0]?.value.count ?? 0 }
        var optimizerKeys = Set<String>()
        for buffer in state.buffers.keys {
            state.buffers[buffer] = names.map { name in
                optimizerKeys.insert("optimizer/\(buffer)/\(name)")
                return tensors["optimizer/\(buffer)/\(name)"]?.storage ?? []
            }
        }
        state.steps = try names.map { name in
            guard let n = steps[name], (0...restored.step).contains(n) else {
                throw refuse("it has no valid optimiser step count for `\(name)`")
            }
            return n
        }
        guard optimizer.state.accepts(state, sizes: sizes) else {
            throw refuse("its optimiser state does not fit this diagram's parameters")
        }
        try executor.load(tensors.filter { !optimizerKeys.contains($0.key) })
        optimizer.state = state
        executor.dropoutState = dropout
        position = restored
    }
}
