import ArgumentParser
import Foundation
import NCDExec
import NCDFiles
import NCDRender
import NCDTensor

extension TrainingOptions.OptimizerKind: ExpressibleByArgument {}

/// `ncd train`: train a checked diagram on `.npz` data, with checkpoints, metrics and plots.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a checked diagram on a dataset, minimising its scalar loss (its first output).",
        discussion: """
            Each array of --data (a .npz file or a folder of .npy files) is bound to the input of \
            its name; the free axis the inputs share is split into batches. Ctrl-C stops after \
            the current step and writes a checkpoint. Exits 65 if the file has errors, 64 on a \
            usage or data error, 70 if training fails, 130 when interrupted.
            """)

    @OptionGroup var selection: DiagramSelection

    @Option(help: "Training data: a .npz file or a folder of .npy files, an array per input.")
    var data: String
    @Option(help: "Validation data, as --data, evaluated after every epoch.")
    var val: String?
    @Option(parsing: .unconditional, help: "Epochs to train (in all, counting those a resumed checkpoint has done).")
    var epochs = 10
    @Option(parsing: .unconditional, help: "Examples per batch (the last batch of an epoch may be smaller).")
    var batchSize = 32
    @Flag(inversion: .prefixedNo, help: "Visit the examples in a new seeded order each epoch.")
    var shuffle = true
    @Option(help: "Seed for the parameters, the order of examples and dropout.")
    var seed: UInt64 = 0

    @Option(help: "sgd, adam or adamw (torch.optim's semantics).")
    var optimizer: TrainingOptions.OptimizerKind = .adam
    @Option(parsing: .unconditional, help: "Learning rate (default 0.01 for sgd, 0.001 for adam and adamw).")
    var lr: Double?
    @Option(parsing: .unconditional, help: "SGD's momentum.")
    var momentum = 0.0
    @Option(parsing: .unconditional, help: "SGD's dampening of the momentum.")
    var dampening = 0.0
    @Flag(help: "SGD with Nesterov momentum.")
    var nesterov = false
    @Option(help: "Adam's β₁,β₂.")
    var betas = "0.9,0.999"
    @Option(parsing: .unconditional, help: "Adam's ε.")
    var eps = 1e-8
    @Option(parsing: .unconditional, help: "Weight decay (default 0, or 0.01 for adamw, which decouples it).")
    var weightDecay: Double?

    @Option(help: "Learning-rate schedule: constant, cosine (to 0 over the run) or step.")
    var schedule = "constant"
    @Option(parsing: .unconditional, help: "Steps of linear warm-up before the schedule.")
    var warmup = 0
    @Option(parsing: .unconditional, help: "With --schedule step: epochs between decays.")
    var stepEvery = 10
    @Option(parsing: .unconditional, help: "With --schedule step: the factor of each decay.")
    var gamma = 0.1
    @Option(parsing: .unconditional, help: "Clip the global gradient norm to this.")
    var clipNorm: Double?

    @Option(help: "Start from these parameters (.safetensors, by dotted names).")
    var weights: String?
    @Option(help: "Write the final parameters here, for `ncd run --weights`.")
    var save: String?
    @Option(help: "Write a checkpoint (parameters, buffers, optimiser state, position) here.")
    var checkpoint: String?
    @Option(parsing: .unconditional, help: "Epochs between checkpoints.")
    var checkpointEvery = 1
    @Option(help: "Continue from a checkpoint written by --checkpoint.")
    var resume: String?
    @Option(help: "Write metrics as JSON lines here (a resumed run appends).")
    var log: String?
    @Option(help: "Draw the loss and accuracy curves here (.png, .svg or .pdf), after every epoch.")
    var plot: String?
    @Option(help: "Threads for the runtime.")
    var threads = 1
    @OptionGroup var memory: MemoryLimit

    func validate() throws {
        for (name, value) in [
            ("--epochs", epochs), ("--batch-size", batchSize), ("--checkpoint-every", checkpointEvery),
            ("--threads", threads), ("--step-every", stepEvery),
        ] where value <= 0 {
            throw ValidationError("\(name) must be positive, got \(value)")
        }
        // Beyond these, steps and examples would not fit a count.
        guard epochs <= 1_000_000 else { throw ValidationError("--epochs is at most 1000000, got \(epochs)") }
        guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more, got \(warmup)") }
        // torch.optim's own checks, so that a setting PyTorch refuses is refused here too.
        for (name, value) in [
            ("--lr", lr ?? 0), ("--momentum", momentum), ("--eps", eps), ("--weight-decay", weightDecay ?? 0),
        ]
        where !(value.isFinite && value >= 0) {
            throw ValidationError("\(name) must be a number of 0 or more, got \(value)")
        }
        guard (0...1).contains(dampening) else {
            throw ValidationError("--dampening must be in [0, 1], got \(dampening)")
        }
        guard gamma.isFinite, gamma > 0 else { throw ValidationError("--gamma must be positive, got \(gamma)") }
        if let clipNorm, !(clipNorm.isFinite && clipNorm > 0) {
            throw ValidationError("--clip-norm must be positive, got \(clipNorm)")
        }
        if optimizer == .sgd, nesterov, momentum == 0 || dampening != 0 {
            throw ValidationError("--nesterov needs a --momentum and no --dampening (as torch.optim.SGD)")
        }
        if optimizer != .sgd, momentum != 0 || dampening != 0 || nesterov {
            throw ValidationError(
                "--momentum, --dampening and --nesterov are SGD's; \(optimizer.rawValue) takes --betas B1,B2")
        }
        if let plot, ImageFormat(pathExtension: (plot as NSString).pathExtension) == nil {
            throw ValidationError("--plot writes .png, .svg or .pdf, not \(plot)")
        }
    }

    func options() throws -> TrainingOptions {
        var o = TrainingOptions()
        (o.epochs, o.batchSize, o.shuffle, o.seed, o.optimizer) = (epochs, batchSize, shuffle, seed, optimizer)
        (o.learningRate, o.momentum, o.dampening, o.nesterov) = (lr, momentum, dampening, nesterov)
        let b = betas.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard b.count == 2, b.allSatisfy({ (0..<1).contains($0) }) else {
            throw CLIError.usage("--betas takes two numbers in [0, 1) such as 0.9,0.999, got `\(betas)`")
        }
        (o.beta1, o.beta2, o.epsilon, o.weightDecay) = (b[0], b[1], eps, weightDecay)
        (o.warmup, o.clipNorm) = (warmup, clipNorm)
        return o
    }

    func run() throws {
        for path in [save, checkpoint, plot, log].compactMap({ $0 }) { try OutputPath.checkWritable(path) }
        let loaded = try CheckedDiagramLoader(selection)
        // Before the data: a diagram that cannot be trained is refused for that first.
        try Trainer.checkTrainable(loaded.graph)
        TensorThreads.set(threads)
        let limit = try memory.resolved()
        let given = Dictionary(selection.sizes.map { ($0.name, $0.value) }) { $1 }
        let train = try TrainingData(Dataset.read(data, byteLimit: limit.bytes), for: loaded.graph, sizes: given)
        let validation = try val.map {
            try TrainingData(Dataset.read($0, byteLimit: limit.bytes), for: loaded.graph, sizes: given)
        }
        for name in train.unused {
            print("note: \(data) holds `\(name)`, which no input of `\(loaded.graph.name)` takes")
        }
        var o = try options()
        switch schedule {
        case "constant": o.schedule = .constant
        case "cosine": o.schedule = .cosine
        case "step": o.schedule = .step(every: stepEvery, gamma: gamma)
        default: throw CLIError.usage("--schedule is constant, cosine or step, not `\(schedule)`")
        }
        let trainer = try Trainer(graph: loaded.graph, data: train, validation: validation, options: o, sizes: given)
        try MemoryGuard.check(trainer.executor, withGradients: true, limit: limit.bytes, reason: limit.reason)
        if let weights { try trainer.executor.load(try WeightsFile.tensors(weights)) }
        if let resume {
            do { try trainer.resume(from: WeightsFile.bytes(resume), path: resume) } catch let error
                as SafeTensors.Failure
            {
                throw CLIError.usage("\(resume): \(error)")
            }
        }
        try loop(trainer)
    }

    func loop(_ trainer: Trainer) throws {
        let metrics = try MetricsLog(path: log, resuming: resume != nil, resumedAt: trainer.position.step)
        var progress = TrainingProgress(epochs: epochs)
        let start = trainer.position
        let steps = trainer.stepsPerEpoch
        let trainable = try trainer.executor.trainableParameters().count
        let buffers = trainer.executor.parameterNames.count - trainable
        print(
            "training `\(trainer.executor.graph.name)` on \(trainer.data.count) examples (\(steps) batch\(steps == 1 ? "" : "es") of \(min(batchSize, trainer.data.count)) along `\(trainer.data.exampleSize)`), \(optimizer.rawValue), \(trainable) trained tensors"
                + (buffers > 0 ? " and \(buffers) buffers" : "")
                + (resume.map { ", resumed from \($0) at epoch \(start.epoch + 1) step \(start.stepInEpoch + 1)" } ?? "")
        )
        fflush(stdout)
        if start.epoch >= epochs { print("already trained \(start.epoch) epochs; nothing to do") }
        Interrupt.install()
        while trainer.position.epoch < epochs {
            progress.beginEpoch()
            let report: EpochReport
            do {
                report = try trainer.trainEpoch(shouldStop: { Interrupt.isRequested }) { step in
                    progress.step(step)
                    metrics.record(step)
                }
            } catch {
                progress.clear()
                throw error
            }
            if report.interrupted {
                progress.clear()
                try stop(trainer)
            }
            progress.endEpoch(report)
            metrics.record(report, step: trainer.position.step)
            if let plot { try writePlot(metrics, to: plot) }
            if let checkpoint, trainer.position.epoch % checkpointEvery == 0 || trainer.position.epoch == epochs {
                try AtomicFile.write(trainer.checkpoint(), to: checkpoint)
            }
            // A Ctrl-C in an epoch's last step (or in one-step epochs) stops here.
            if Interrupt.isRequested, trainer.position.epoch < epochs { try stop(trainer) }
        }
        if let save {
            try AtomicFile.write(SafeTensors.encode(try trainer.executor.allParameters()), to: save)
            print("saved \(trainer.executor.parameterNames.count) tensors (parameters and buffers) to \(save)")
        }
        if let plot { print("plotted to \(plot)") }
    }

    /// Writes a checkpoint where the run stands and ends it as interrupted (exit 130).
    func stop(_ trainer: Trainer) throws -> Never {
        let path = checkpoint ?? "\(trainer.executor.graph.name).checkpoint.safetensors"
        try AtomicFile.write(trainer.checkpoint(), to: path)
        let p = trainer.position
        let at =
            p.stepInEpoch == 0
            ? "after epoch \(p.epoch)" : "at epoch \(p.epoch + 1), step \(p.stepInEpoch) of \(trainer.stepsPerEpoch)"
        throw CLIError.interrupted("stopped \(at); checkpoint written to \(path) (continue with --resume \(path))")
    }

    func writePlot(_ metrics: MetricsLog, to path: String) throws {
        let format = ImageFormat(pathExtension: (path as NSString).pathExtension) ?? .png
        try AtomicFile.write(CairoBackend.render(PlotLayout.scene(metrics.charts), as: format), to: path)
    }
}
