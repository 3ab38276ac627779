import Foundation
import NCDExec

/// What a run shows as it goes: on a terminal, a live bar within each epoch (examples per
/// second, loss, time left) on standard error; always one line per epoch on standard output.
struct TrainingProgress {
    let live = isatty(STDERR_FILENO) != 0
    let epochs: Int
    var epochStart = Date()
    var examples = 0
    var lastDrawn = Date.distantPast

    init(epochs: Int) { self.epochs = epochs }

    mutating func beginEpoch() {
        epochStart = Date()
        examples = 0
    }

    mutating func step(_ s: StepReport) {
        examples += s.examples
        guard live, Date().timeIntervalSince(lastDrawn) > 0.1 || s.stepInEpoch == s.stepsPerEpoch else { return }
        lastDrawn = Date()
        let elapsed = max(Date().timeIntervalSince(epochStart), 1e-9)
        let done = Double(s.stepInEpoch) / Double(s.stepsPerEpoch)
        let width = 24
        let filled = Int(done * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let left = elapsed / max(done, 1e-9) * (1 - done)
        let line = String(
            format: "epoch %d/%d %@ %d/%d  %.0f ex/s  loss %.4f  ETA %@", s.epoch, epochs, bar, s.stepInEpoch,
            s.stepsPerEpoch, Double(examples) / elapsed, s.loss, Self.duration(left))
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
    }

    /// Clears the bar, so that what is printed next starts a clean line.
    func clear() {
        if live { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }

    mutating func endEpoch(_ r: EpochReport) {
        clear()
        var line = String(format: "epoch %d/%d  loss %.4f", r.epoch, epochs, r.trainLoss)
        if let v = r.validation {
            line += String(format: "  val_loss %.4f", v.loss)
            if let a = v.accuracy { line += String(format: "  val_accuracy %.2f%%", 100 * a) }
            for (name, value) in v.others { line += String(format: "  val_%@ %.4g", name, value) }
        }
        // Examples run by this process: a resumed epoch's earlier part ran before.
        line += String(format: "  %.1fs (%.0f ex/s)", r.seconds, Double(examples) / max(r.seconds, 1e-9))
        print(line)
        fflush(stdout)
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.isFinite ? seconds.rounded() : 0)
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
