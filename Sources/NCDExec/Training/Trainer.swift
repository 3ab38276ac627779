import Foundation
import NCDCore
import NCDTensor

/// Trains a diagram on a dataset: batches in a seeded order, one forward and backward run
/// per batch from the diagram's scalar loss (its first output), an optimiser step with the
/// scheduled rate, and evaluation on a validation set. The same seed and data give a
/// bit-identical run (at one thread), also across a checkpoint and a resume.
public final class Trainer {
    public let executor: Executor
    public let data: TrainingData
    public let validation: TrainingData?
    public let options: TrainingOptions
    public let schedule: LearningRateSchedule
    public internal(set) var position = TrainingPosition()
    /// The trainable parameters' names, in the optimiser's order.
    let names: [String]
    let optimizer: any Optimizer<Float>
    /// The output that holds a classifier's scores, when there is one, for accuracy.
    let classifier: Classifier?

    /// Prepares a run. The diagram must return its scalar loss first; validation data must
    /// have the training data's shapes but for the number of examples.
    /// Refuses a diagram that cannot be trained: one that does not return its scalar loss
    /// first, or that learns nothing.
    public static func checkTrainable(_ graph: DiagramGraph) throws {
        guard let first = graph.outputs.first, graph.type(of: first).axes.isEmpty else {
            let returned = graph.outputs.first.map { "\(graph.type(of: $0))" } ?? "nothing"
            throw ExecError.input(
                "`\(graph.name)` returns \(returned) first; a diagram trained by `ncd train` returns its scalar loss first (`return cross_entropy[classes](logits, labels), logits`)"
            )
        }
        func learns(_ g: DiagramGraph) -> Bool {
            g.operations.contains { op in
                if op.parameters.contains(where: \.role.isTrainable) { return true }
                if case .call(let child) = op.kind { return learns(child) }
                return false
            }
        }
        guard learns(graph) else { throw ExecError.input("`\(graph.name)` has no parameters to train") }
    }

    public init(executor: Executor, data: TrainingData, validation: TrainingData?, options: TrainingOptions) throws {
        try Self.checkTrainable(executor.graph)
        guard options.batchSize > 0, options.epochs > 0 else {
            throw ExecError.input("--batch-size and --epochs must be positive")
        }
        let batches = Self.batches(data.count, of: options.batchSize)
        let (total, overflow) = batches.multipliedReportingOverflow(by: options.epochs)
        guard !overflow else {
            throw ExecError.input("--epochs \(options.epochs) gives more steps than can be counted")
        }
        // A step schedule is given in epochs; the schedule counts steps.
        var shape = options.schedule
        if case .step(let epochs, let gamma) = shape {
            let (steps, tooMany) = epochs.multipliedReportingOverflow(by: batches)
            shape = .step(every: tooMany ? Int.max : steps, gamma: gamma)
        }
        if let validation {
            for (train, val) in zip(data.inputs, validation.inputs) {
                var expected = train.tensor.shape
                var got = val.tensor.shape
                let axis = data.examplePositions[data.inputs.firstIndex { $0.name == train.name }!]
                expected[axis] = 0
                got[axis] = 0
                guard expected == got, train.kind == val.kind || (train.kind != .float && val.kind != .float) else {
                    throw ExecError.input(
                        "the validation array `\(val.name)` is \(val.dtype) \(val.tensor.shape), but the training array is \(train.dtype) \(train.tensor.shape): only the number of examples may differ"
                    )
                }
            }
        }
        self.executor = executor
        self.data = data
        self.validation = validation
        self.options = options
        schedule = LearningRateSchedule(
            base: options.resolvedLearningRate, shape: shape, warmup: options.warmup, totalSteps: total)
        try executor.rebind(data.sizes.merging([data.exampleSize: min(options.batchSize, data.count)]) { $1 })
        let trainable = try executor.trainableParameters()
        names = trainable.map(\.name)
        optimizer = Self.makeOptimizer(trainable.map(\.variable), options)
        classifier = try Classifier.find(in: executor)
    }

    /// Prepares a run of `graph` with parameters seeded by `options.seed`, the free sizes
    /// of `sizes` (from the command line) and those the data fixes.
    public convenience init(
        graph: DiagramGraph, data: TrainingData, validation: TrainingData?, options: TrainingOptions,
        sizes: [String: Int] = [:]
    ) throws {
        let bound = sizes.merging(data.sizes) { $1 }.merging([data.exampleSize: min(options.batchSize, data.count)]) {
            $1
        }
        let executor = try Executor(graph: graph, sizes: bound, seed: options.seed)
        try self.init(executor: executor, data: data, validation: validation, options: options)
    }

    static func makeOptimizer(_ parameters: [Variable<Float>], _ o: TrainingOptions) -> any Optimizer<Float> {
        switch o.optimizer {
        case .sgd:
            return SGD(
                parameters, learningRate: o.resolvedLearningRate, momentum: o.momentum, dampening: o.dampening,
                weightDecay: o.resolvedWeightDecay, nesterov: o.nesterov)
        case .adam, .adamw:
            return Adam(
                parameters, learningRate: o.resolvedLearningRate, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon,
                weightDecay: o.resolvedWeightDecay, decoupled: o.optimizer == .adamw)
        }
    }

    public var stepsPerEpoch: Int { Self.batches(data.count, of: options.batchSize) }

    /// Batches of `size` that hold `count` examples, the last one perhaps partial.
    static func batches(_ count: Int, of size: Int) -> Int { count / size + (count % size == 0 ? 0 : 1) }

    /// The examples of an epoch in the order they are visited: a permutation drawn from the
    /// seed and the epoch alone, so a resumed run visits them as an unbroken one would.
    public func order(ofEpoch epoch: Int) -> [Int] {
        var indices = Array(0..<data.count)
        guard options.shuffle else { return indices }
        var rng = SplitMix64(seed: options.seed ^ (UInt64(epoch + 1) &* 0x9E37_79B9_7F4A_7C15))
        indices.shuffle(using: &rng)
        return indices
    }

    /// Trains the epoch under way to its end, or until `shouldStop` says so after a step.
    /// Reports each step to `onStep`, then evaluates on the validation set.
    public func trainEpoch(shouldStop: () -> Bool = { false }, onStep: (StepReport) -> Void = { _ in }) throws
        -> EpochReport
    {
        let started = Date()
        let order = order(ofEpoch: position.epoch)
        executor.training = true
        executor.inference = false
        while position.stepInEpoch < stepsPerEpoch {
            let from = position.stepInEpoch * options.batchSize
            let indices = Array(order[from..<min(from + options.batchSize, data.count)])
            let rate = schedule.rate(at: position.step)
            let loss = try step(indices, rate: rate)
            position.stepInEpoch += 1
            position.step += 1
            position.epochLossSum += loss * Double(indices.count)
            position.epochExamples += indices.count
            onStep(
                StepReport(
                    epoch: position.epoch + 1, step: position.step, stepInEpoch: position.stepInEpoch,
                    stepsPerEpoch: stepsPerEpoch, examples: indices.count, loss: loss, learningRate: rate))
            if shouldStop(), position.stepInEpoch < stepsPerEpoch {
                return EpochReport(
                    epoch: position.epoch + 1, trainLoss: position.epochLossSum / Double(position.epochExamples),
                    examples: position.epochExamples, seconds: Date().timeIntervalSince(started), validation: nil,
                    interrupted: true)
            }
        }
        var report = EpochReport(
            epoch: position.epoch + 1, trainLoss: position.epochLossSum / Double(max(1, position.epochExamples)),
            examples: position.epochExamples, seconds: 0, validation: nil, interrupted: false)
        position.epoch += 1
        position.stepInEpoch = 0
        position.epochLossSum = 0
        position.epochExamples = 0
        report.seconds = Date().timeIntervalSince(started)
        if let validation { report.validation = try evaluate(validation) }
        return report
    }

    /// One forward and backward run on a batch and an optimiser step; returns the loss.
    func step(_ indices: [Int], rate: Double) throws -> Double {
        try executor.rebind([data.exampleSize: indices.count])
        let inputs = try data.batch(indices).map { Variable($0) }
        optimizer.zeroGrad()
        let outputs = try executor.run(inputs)
        let loss = outputs[0]
        guard loss.value.storage[0].isFinite else {
            throw ExecError.diverged(
                "the loss is \(loss.value.storage[0]) at step \(position.step + 1) (epoch \(position.epoch + 1)): training diverged; try a lower --lr or --clip-norm"
            )
        }
        try loss.backward()
        if let limit = options.clipNorm { try clipGradientNorm(optimizer.parameters, maxNorm: limit) }
        optimizer.learningRate = rate
        try optimizer.step()
        return Double(loss.value.storage[0])
    }
}
