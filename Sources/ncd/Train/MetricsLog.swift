import Foundation
import NCDExec
import NCDRender

/// The metrics of a run: JSON lines for `--log` (`{"epoch","step","loss","lr"}` per step,
/// `{"epoch","step","train_loss","seconds","val_loss","val_accuracy"}` per epoch, `seconds`
/// being the epoch's training time without its validation) and the history `--plot`
/// draws. A resumed run appends to its log and reads the earlier history back from it.
final class MetricsLog {
    private let handle: FileHandle?
    private(set) var steps: [(step: Int, loss: Double)] = []
    private(set) var epochs: [(step: Int, train: Double, val: Double?, accuracy: Double?)] = []

    /// `resumedAt`: the step a resumed run continues from; records after it (written before
    /// a kill, past the checkpoint) are dropped from the history, as the run repeats them.
    init(path: String?, resuming: Bool, resumedAt: Int = 0) throws {
        guard let path else {
            handle = nil
            return
        }
        if resuming, let old = FileManager.default.contents(atPath: path) {
            for line in String(decoding: old, as: UTF8.self).split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let step = object["step"] as? Int, step <= resumedAt
                else { continue }
                if let loss = object["loss"] as? Double { steps.append((step, loss)) }
                if let train = object["train_loss"] as? Double {
                    epochs.append((step, train, object["val_loss"] as? Double, object["val_accuracy"] as? Double))
                }
            }
        } else if !FileManager.default.createFile(atPath: path, contents: Data()) {
            throw CLIError.usage("cannot write the log \(path)")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CLIError.usage("cannot write the log \(path)")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func record(_ s: StepReport) {
        steps.append((s.step, s.loss))
        write(["epoch": s.epoch, "step": s.step, "loss": s.loss, "lr": s.learningRate])
    }

    func record(_ r: EpochReport, step: Int) {
        epochs.append((step, r.trainLoss, r.validation?.loss, r.validation?.accuracy))
        var object: [String: Any] = ["epoch": r.epoch, "step": step, "train_loss": r.trainLoss, "seconds": r.seconds]
        if let v = r.validation {
            object["val_loss"] = v.loss
            if let a = v.accuracy { object["val_accuracy"] = a }
            for (name, value) in v.others { object["val_\(name)"] = value }
        }
        write(object)
    }

    private func write(_ object: [String: Any]) {
        guard let handle, let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return
        }
        // A failed write (a full disk) loses a log line, not the run.
        try? handle.write(contentsOf: data + Data("\n".utf8))
    }

    /// Loss against steps (each step, and each epoch's validation), and validation
    /// accuracy when there is one.
    var charts: [LineChart] {
        let palette = LineChart.palette
        var loss = [
            LineChart.Series("train loss", points: steps.map { Point(Double($0.step), $0.loss) }, color: palette[0])
        ]
        let val = epochs.compactMap { e in e.val.map { Point(Double(e.step), $0) } }
        if !val.isEmpty { loss.append(LineChart.Series("validation loss", points: val, color: palette[1], dots: true)) }
        let positive = steps.allSatisfy { $0.loss > 0 } && epochs.allSatisfy { ($0.val ?? 1) > 0 }
        var charts = [LineChart(title: "Loss", xLabel: "step", series: loss, logarithmic: positive)]
        let accuracy = epochs.compactMap { e in e.accuracy.map { Point(Double(e.step), 100 * $0) } }
        if !accuracy.isEmpty {
            charts.append(
                LineChart(
                    title: "Validation accuracy (%)", xLabel: "step",
                    series: [LineChart.Series("validation accuracy", points: accuracy, color: palette[2], dots: true)],
                    yRange: nil))
        }
        return charts
    }
}
