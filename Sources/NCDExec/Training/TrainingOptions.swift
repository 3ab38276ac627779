/// How `ncd train` trains: batches, optimiser, schedule and clipping. The defaults are
/// PyTorch's where it has one (`torch.optim`'s β, ε and AdamW's decay of 0.01).
public struct TrainingOptions: Equatable {
    public enum OptimizerKind: String, CaseIterable, Sendable {
        case sgd, adam, adamw
    }

    public var epochs = 10
    public var batchSize = 32
    public var shuffle = true
    public var seed: UInt64 = 0
    public var optimizer: OptimizerKind = .adam
    /// The base learning rate; nil for the optimiser's default (0.01 for SGD, 0.001 for Adam).
    public var learningRate: Double?
    public var momentum = 0.0
    public var dampening = 0.0
    public var nesterov = false
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    /// nil for the optimiser's default: 0, or 0.01 for AdamW.
    public var weightDecay: Double?
    /// The schedule's shape; a step schedule's `every` counts epochs here (the trainer
    /// turns it into steps).
    public var schedule: LearningRateSchedule.Shape = .constant
    public var warmup = 0
    /// Global gradient-norm clipping, when set.
    public var clipNorm: Double?

    public init() {}

    public var resolvedLearningRate: Double { learningRate ?? (optimizer == .sgd ? 0.01 : 0.001) }
    public var resolvedWeightDecay: Double { weightDecay ?? (optimizer == .adamw ? 0.01 : 0) }

    /// Each setting that must not change when a run is resumed, by name, as checkpoints
    /// record them.
    var recorded: [String: String] {
        [
            "optimizer": optimizer.rawValue, "batch_size": "\(batchSize)", "shuffle": "\(shuffle)", "seed": "\(seed)",
        ]
    }
}

/// Where a run is: epochs finished, steps done in the epoch under way, and steps in all.
public struct TrainingPosition: Equatable, Sendable {
    public var epoch = 0
    public var stepInEpoch = 0
    public var step = 0
    /// The training loss summed over the examples of the epoch under way, so an epoch
    /// resumed part-way reports the same mean as one run whole.
    public var epochLossSum = 0.0
    public var epochExamples = 0

    public init() {}
}

/// One optimisation step, as the progress display and the metrics log report it.
public struct StepReport: Sendable {
    public var epoch: Int
    public var step: Int
    public var stepInEpoch: Int
    public var stepsPerEpoch: Int
    public var examples: Int
    public var loss: Double
    public var learningRate: Double
}

/// The loss (and accuracy, for a classifier) over a whole dataset, and the mean of each
/// other scalar output the diagram reports, by name.
public struct Evaluation: Sendable {
    public var loss: Double
    public var accuracy: Double?
    public var examples: Int
    public var others: [(name: String, value: Double)] = []
}

/// One epoch: its mean training loss, and its validation when there is a validation set.
public struct EpochReport: Sendable {
    public var epoch: Int
    public var trainLoss: Double
    public var examples: Int
    public var seconds: Double
    public var validation: Evaluation?
    /// Whether it stopped part-way, asked to.
    public var interrupted: Bool
}
