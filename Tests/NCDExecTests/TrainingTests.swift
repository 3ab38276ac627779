import Foundation
import NCDCheck
import NCDCore
import NCDExec
import NCDSyntax
import NCDTensor
import XCTest

/// A classifier with batch norm (buffers) and dropout (randomness), so that resuming must
/// restore parameters, running statistics, optimiser state and the dropout generator.
let classifierSource = """
    axis b, f = 4, hid = 8, classes = 3
    diagram Net(x: [b, f], y: int[b]) -> ([], [b, classes]) {
      logits = linear[hid -> classes](dropout[p=0.2](relu(batchnorm[hid](linear[f -> hid](x) as l1) as bn))) as l2
      return cross_entropy[classes](logits, y), logits
    }
    """

func graph(_ source: String, _ name: String) throws -> DiagramGraph {
    let result = Checker.check(SourceFile(name: "test.ncd", text: source), options: CheckOptions())
    XCTAssertFalse(result.hasErrors, "\(result.diagnostics.map(\.message))")
    return try XCTUnwrap(result.diagram(named: name)?.graph)
}

/// 20 examples whose class is the argmax of a fixed linear map of x.
func separableData(count: Int = 20, seed: UInt64 = 9) throws -> Dataset {
    let x = try Tensor<Float>.uniform(shape: [count, 4], seed: seed)
    let labels = (0..<count).map { i -> Float in
        let row = (0..<4).map { x.storage[i * 4 + $0] }
        let scores = [row[0] + row[1], row[2] - row[0], row[3] - row[1]]
        return Float(scores.indices.max { scores[$0] < scores[$1] }!)
    }
    return Dataset(
        path: "memory",
        arrays: [
            Dataset.Array(name: "x", tensor: x, kind: .float, dtype: "<f4"),
            Dataset.Array(name: "y", tensor: try Tensor(shape: [count], labels), kind: .integer, dtype: "<i8"),
        ])
}

final class TrainingTests: XCTestCase {
    func options(_ change: (inout TrainingOptions) -> Void = { _ in }) -> TrainingOptions {
        var o = TrainingOptions()
        o.batchSize = 6
        o.epochs = 2
        o.seed = 5
        o.learningRate = 0.05
        change(&o)
        return o
    }

    func trainer(_ o: TrainingOptions, validation: Bool = false) throws -> Trainer {
        let g = try graph(classifierSource, "Net")
        let data = try TrainingData(separableData(), for: g)
        let val = validation ? try TrainingData(separableData(count: 7, seed: 10), for: g) : nil
        return try Trainer(graph: g, data: data, validation: val, options: o)
    }

    func testBatchesCoverEveryExampleOncePerEpochWithTheLastOnePartial() throws {
        let t = try trainer(options())
        XCTAssertEqual(t.data.exampleSize, "b")
        XCTAssertEqual(t.stepsPerEpoch, 4)  // 6 + 6 + 6 + 2
        var sizes: [Int] = []
        _ = try t.trainEpoch { sizes.append($0.examples) }
        XCTAssertEqual(sizes, [6, 6, 6, 2])
        XCTAssertEqual(Set(t.order(ofEpoch: 0)), Set(0..<20))
        XCTAssertNotEqual(t.order(ofEpoch: 0), t.order(ofEpoch: 1), "a new order each epoch")
        XCTAssertEqual(try trainer(options { $0.shuffle = false }).order(ofEpoch: 3), Array(0..<20))
    }

    func testTheSameSeedGivesABitIdenticalRunAndAnotherSeedDoesNot() throws {
        func final(_ o: TrainingOptions) throws -> [String: Tensor<Float>] {
            let t = try trainer(o)
            for _ in 0..<o.epochs { _ = try t.trainEpoch() }
            return try t.executor.allParameters()
        }
        XCTAssertEqual(try final(options()), try final(options()))
        XCTAssertNotEqual(try final(options()), try final(options { $0.seed = 6 }))
    }

    func testResumingFromACheckpointEndsBitIdenticalToAnUnbrokenRun() throws {
        for optimizer in TrainingOptions.OptimizerKind.allCases {
            let o = options {
                $0.optimizer = optimizer
                $0.momentum = optimizer == .sgd ? 0.9 : 0
                $0.epochs = 3
            }
            let whole = try trainer(o)
            for _ in 0..<3 { _ = try whole.trainEpoch() }

            // Stopped after one epoch and again in the middle of the second.
            let first = try trainer(o)
            _ = try first.trainEpoch()
            let second = try trainer(o)
            try second.resume(from: try first.checkpoint(), path: "c1")
            var steps = 0
            let partial = try second.trainEpoch(shouldStop: { steps == 2 }) { _ in steps += 1 }
            XCTAssertTrue(partial.interrupted)
            XCTAssertEqual(second.position.stepInEpoch, 2)
            let third = try trainer(o)
            try third.resume(from: try second.checkpoint(), path: "c2")
            let rest = try third.trainEpoch()
            _ = try third.trainEpoch()

            XCTAssertEqual(try third.executor.allParameters(), try whole.executor.allParameters(), "\(optimizer)")
            XCTAssertEqual(third.position, whole.position)
            // The running statistics are part of what came back.
            XCTAssertNotEqual(try third.executor.allParameters()["bn.running_mean"], try Tensor(shape: [8]))
            // The epoch cut in two reports the mean loss of the whole epoch.
            let reference = try trainer(o)
            _ = try reference.trainEpoch()
            XCTAssertEqual(rest.trainLoss, try reference.trainEpoch().trainLoss)
        }
    }

    func testACheckpointIsRefusedWhenASettingDiffersOrItIsNotOne() throws {
        let t = try trainer(options())
        _ = try t.trainEpoch()
        let checkpoint = try t.checkpoint()
        XCTAssertThrowsError(try trainer(options { $0.batchSize = 5 }).resume(from: checkpoint, path: "c")) {
            XCTAssertTrue("\($0)".contains("--batch-size 6, not --batch-size 5"), "\($0)")
        }
        XCTAssertThrowsError(try trainer(options { $0.optimizer = .sgd }).resume(from: checkpoint, path: "c")) {
            XCTAssertTrue("\($0)".contains("--optimizer adam, not --optimizer sgd"), "\($0)")
        }
        // A checkpoint whose position was edited is refused, not trusted.
        var (tensors, metadata) = try SafeTensors.decodeWithMetadata(checkpoint)
        metadata["step"] = "9223372036854775807"
        XCTAssertThrowsError(
            try trainer(options()).resume(from: try SafeTensors.encode(tensors, metadata: metadata), path: "c")
        ) { XCTAssertTrue("\($0)".contains("its position does not fit"), "\($0)") }
        metadata["step"] = "4"
        metadata["optimizer_steps"] = "{\"l1.weight\": -1}"
        XCTAssertThrowsError(
            try trainer(options()).resume(from: try SafeTensors.encode(tensors, metadata: metadata), path: "c"))
        let weights = try SafeTensors.encode(try t.executor.allParameters())
        XCTAssertThrowsError(try trainer(options()).resume(from: weights, path: "w")) {
            XCTAssertTrue("\($0)".contains("not a checkpoint of `ncd train`"), "\($0)")
        }
    }

    func testTrainingLowersTheLossAndAccuracyCountsArgmaxHits() throws {
        let t = try trainer(options { $0.epochs = 30 }, validation: true)
        let before = try t.evaluate(t.data)
        var last: EpochReport?
        for _ in 0..<30 { last = try t.trainEpoch() }
        let after = try t.evaluate(t.data)
        XCTAssertLessThan(after.loss, before.loss * 0.5)
        XCTAssertNotNil(last?.validation?.accuracy)
        // Accuracy recomputed by hand from the logits of one evaluation-mode run.
        t.executor.training = false
        try t.executor.rebind(["b": 20])
        let batch = try t.data.batch(Array(0..<20))
        let logits = try t.executor.run(batch.map { Variable($0) })[1].value
        let hits = (0..<20).filter { i in
            let row = (0..<3).map { logits.storage[i * 3 + $0] }
            return Float(row.indices.max { row[$0] < row[$1] }!) == batch[1].storage[i]
        }.count
        XCTAssertEqual(after.accuracy!, Double(hits) / 20, accuracy: 1e-12)
    }

    func testOtherScalarOutputsAreReportedByName() throws {
        let source = classifierSource.replacingOccurrences(
            of: "-> ([], [b, classes])", with: "-> ([], [b, classes], [])"
        ).replacingOccurrences(
            of: "return cross_entropy[classes](logits, y), logits",
            with:
                "penalty = mean[b classes](logits * logits)\n  return cross_entropy[classes](logits, y), logits, penalty"
        )
        let g = try graph(source, "Net")
        let data = try TrainingData(separableData(), for: g)
        let t = try Trainer(graph: g, data: data, validation: data, options: options { $0.batchSize = 32 })
        let report = try t.trainEpoch()
        let others = try XCTUnwrap(report.validation?.others)
        XCTAssertEqual(others.map(\.name), ["penalty"])
        // One batch holds every example: the reported value is that run's output.
        t.executor.training = false
        try t.executor.rebind(["b": 20])
        let direct = try t.executor.run(try data.batch(Array(0..<20)).map { Variable($0) })[2].value.storage[0]
        XCTAssertEqual(others[0].value, Double(direct), accuracy: 1e-6)
    }

    func testTheScheduleFollowsItsFormulas() {
        let constant = LearningRateSchedule(base: 0.1, shape: .constant, warmup: 4, totalSteps: 20)
        for (step, rate) in [0.025, 0.05, 0.075, 0.1, 0.1, 0.1].enumerated() {
            XCTAssertEqual(constant.rate(at: step), rate, accuracy: 1e-15)
        }
        let cosine = LearningRateSchedule(base: 0.1, shape: .cosine, warmup: 0, totalSteps: 10)
        XCTAssertEqual(cosine.rate(at: 0), 0.1, accuracy: 1e-15)
        XCTAssertEqual(cosine.rate(at: 5), 0.05, accuracy: 1e-15)
        XCTAssertEqual(cosine.rate(at: 9), 0.1 * 0.5 * (1 + cos(Double.pi * 9 / 10)), accuracy: 1e-15)
        let warmCosine = LearningRateSchedule(base: 0.1, shape: .cosine, warmup: 2, totalSteps: 10)
        XCTAssertEqual(warmCosine.rate(at: 2), 0.1, accuracy: 1e-15)
        XCTAssertEqual(warmCosine.rate(at: 6), 0.05, accuracy: 1e-15)
        let step = LearningRateSchedule(base: 1, shape: .step(every: 3, gamma: 0.5), totalSteps: 10)
        XCTAssertEqual((0..<7).map(step.rate), [1, 1, 1, 0.5, 0.5, 0.5, 0.25])
    }

    func testAStepScheduleDecaysEveryGivenNumberOfEpochs() throws {
        let t = try trainer(options { $0.schedule = .step(every: 1, gamma: 0.5) })
        var rates: [Double] = []
        for _ in 0..<2 { _ = try t.trainEpoch { rates.append($0.learningRate) } }
        XCTAssertEqual(rates, [0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025], "4 steps an epoch")
    }

    func testClippingBoundsTheStepOfSGD() throws {
        // Without momentum each parameter moves by lr·g; clipped, the whole move has norm lr·c.
        let o = options {
            $0.optimizer = .sgd
            $0.clipNorm = 1e-3
            $0.learningRate = 1
            $0.shuffle = false
        }
        let t = try trainer(o)
        let before = try t.executor.allParameters()
        var steps = 0
        _ = try t.trainEpoch(shouldStop: { steps == 1 }) { _ in steps += 1 }
        let after = try t.executor.allParameters()
        let trainable = try t.executor.trainableParameters().map(\.name)
        let moved = trainable.reduce(0.0) { sum, name in
            zip(before[name]!.storage, after[name]!.storage).reduce(sum) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        }.squareRoot()
        XCTAssertEqual(moved, 1e-3, accuracy: 1e-6)
    }
}
