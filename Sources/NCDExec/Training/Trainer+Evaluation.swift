import NCDCore
import NCDTensor

/// A classifier's scores among a diagram's outputs: the output over the class axis of the
/// `cross_entropy` whose targets are an input of integer labels, with the labels' axes.
struct Classifier {
    /// Which output holds the scores, which input the labels, and the class axis.
    let output: Int
    let labels: Int
    let classAxis: String

    static func find(in executor: Executor) throws -> Classifier? {
        let graph = executor.graph
        let ids = try executor.idInputs()
        // In the signature's order, so the same diagram always picks the same output.
        for (labels, id) in graph.inputs.enumerated() {
            guard let axis = ids[id]?.classAxis else { continue }
            let wanted = Set(graph.type(of: id).names + [axis])
            for (k, out) in graph.outputs.enumerated().dropFirst() where Set(graph.type(of: out).names) == wanted {
                return Classifier(output: k, labels: labels, classAxis: axis)
            }
        }
        return nil
    }

    /// How many of a batch's examples the scores rank their label first (ties to the
    /// lowest class, as `argmax` does).
    func correct(scores: Tensor<Float>, scoreAxes: [String], labels: Tensor<Float>, labelAxes: [String]) -> Int {
        var strides = [Int](repeating: 1, count: scores.rank)
        for i in stride(from: scores.rank - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * scores.shape[i + 1] }
        let classPosition = scoreAxes.firstIndex(of: classAxis)!
        let labelStrides = labelAxes.map { strides[scoreAxes.firstIndex(of: $0)!] }
        var hits = 0
        var index = [Int](repeating: 0, count: labels.rank)
        for flat in 0..<labels.count {
            var rest = flat
            for i in stride(from: labels.rank - 1, through: 0, by: -1) {
                index[i] = rest % labels.shape[i]
                rest /= labels.shape[i]
            }
            let base = zip(index, labelStrides).reduce(0) { $0 + $1.0 * $1.1 }
            var best = 0
            for c in 1..<scores.shape[classPosition]
            where scores.storage[base + c * strides[classPosition]]
                > scores.storage[base + best * strides[classPosition]]
            {
                best = c
            }
            if best == Int(labels.storage[flat]) { hits += 1 }
        }
        return hits
    }
}

extension Trainer {
    /// The loss over a dataset, in evaluation mode (dropout off, batch norm's running
    /// statistics), batch by batch in order, with accuracy for a classifier. A batch's loss
    /// is taken as its examples' mean, so batches are weighted by their size.
    public func evaluate(_ set: TrainingData) throws -> Evaluation {
        let (wasTraining, wasInference) = (executor.training, executor.inference)
        executor.training = false
        executor.inference = true
        defer {
            executor.training = wasTraining
            executor.inference = wasInference
        }
        try executor.rebind(set.sizes)
        defer { try? executor.rebind(data.sizes) }
        let graph = executor.graph
        var (lossSum, hits) = (0.0, 0)
        // Other scalar outputs (an auxiliary loss, a metric), averaged as the loss is.
        let reported = graph.outputs.indices.dropFirst().filter { graph.type(of: graph.outputs[$0]).axes.isEmpty }
        var sums = [Double](repeating: 0, count: reported.count)
        var from = 0
        while from < set.count {
            let indices = Array(from..<min(from + options.batchSize, set.count))
            try executor.rebind([set.exampleSize: indices.count])
            let batch = try set.batch(indices)
            let outputs = try executor.run(batch.map { Variable($0) })
            lossSum += Double(outputs[0].value.storage[0]) * Double(indices.count)
            for (k, o) in reported.enumerated() {
                sums[k] += Double(outputs[o].value.storage[0]) * Double(indices.count)
            }
            if let classifier {
                hits += classifier.correct(
                    scores: outputs[classifier.output].value,
                    scoreAxes: graph.type(of: graph.outputs[classifier.output]).names,
                    labels: batch[classifier.labels], labelAxes: graph.type(of: graph.inputs[classifier.labels]).names)
            }
            from += indices.count
        }
        let labelsPerExample = classifier.map { set.inputs[$0.labels].tensor.count / set.count } ?? 1
        let others = zip(reported, sums).map { o, sum in
            (graph.values[graph.outputs[o]].name ?? "output\(o + 1)", sum / Double(set.count))
        }
        return Evaluation(
            loss: lossSum / Double(set.count),
            accuracy: classifier.map { _ in Double(hits) / Double(set.count * labelsPerExample) }, examples: set.count,
            others: others)
    }
}
