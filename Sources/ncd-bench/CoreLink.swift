import Foundation
import Synchronization

/// How long a cache line takes to go from one core to the other and back, in ns: two
/// threads pass a counter back and forth. On the VMs this runs on it is not a constant of
/// the machine: the host moves the two vCPUs between cores of one die (about 55 ns) and
/// cores of different dies (about 330 ns) every few seconds to minutes, and every
/// two-thread timing, ncd's and PyTorch's alike, slows by up to half in the second case.
/// `scripts/bench-paired` records it beside each pair of timings.
enum CoreLink {
    /// The fastest of `bursts` bursts' mean round trip: a burst in which the scheduler put
    /// both threads on one CPU (each then waits out the other's time slice) says nothing
    /// of the link.
    static func roundTripNanoseconds(bursts: Int = 5, tripsPerBurst: Int = 20_000) -> Double {
        let ball = Atomic<Int>(0)
        let total = bursts * tripsPerBurst
        let partner = Thread {
            // Answers every odd value with the next even one.
            for trip in 0..<total {
                while ball.load(ordering: .acquiring) != 2 * trip + 1 {}
                ball.store(2 * trip + 2, ordering: .releasing)
            }
        }
        partner.start()
        var best = Double.infinity
        for burst in 0..<bursts {
            let start = DispatchTime.now().uptimeNanoseconds
            for trip in burst * tripsPerBurst..<(burst + 1) * tripsPerBurst {
                ball.store(2 * trip + 1, ordering: .releasing)
                while ball.load(ordering: .acquiring) != 2 * trip + 2 {}
            }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start)
            best = Swift.min(best, elapsed / Double(tripsPerBurst))
        }
        return best
    }
}
