import Foundation
import NCDFiles

/// Ctrl-C during training: the first SIGINT asks the run to stop after the current step
/// (and write a checkpoint); a second one ends the process at once, removing the
/// temporary of any write under way. The handler is installed once and never swapped, so
/// the atomic writer's own handler (which passes SIGINT here) and this one cannot undo
/// each other.
enum Interrupt {
    /// Ctrl-C presses so far; read between steps.
    nonisolated(unsafe) static var requested: sig_atomic_t = 0

    static func install() {
        signal(SIGINT) { _ in
            Interrupt.requested += 1
            if Interrupt.requested > 1 {
                AtomicFile.removePendingTemporaries()
                _exit(130)
            }
        }
    }

    static var isRequested: Bool { requested != 0 }
}
