import CKernels
import Dispatch
import Foundation
import Synchronization

/// The runtime's worker threads. They stay alive between parallel loops and spin for a
/// moment after each before sleeping, so the next loop, usually microseconds away, starts
/// without waking a thread. (A queue that puts its threads to sleep after every loop costs
/// more than the small loops of an attention step.)
///
/// Each loop's chunks are dealt out in contiguous shares, one per thread, the calling
/// thread's first: thread t runs the same part of every loop over the same extent, so the
/// rows it wrote in one operation are in its own cache for the next. (When the VM's two
/// vCPUs sit on different dies of the host, a cache line moving between them costs about
/// 330 ns instead of 55; handing chunks out first come, first served then cost the MLP
/// train step half its speed-up.) A thread that finishes its share takes the remaining
/// chunks of another's from the far end, so a core that runs slower for a while (its
/// neighbour busy, or the hypervisor elsewhere) does not hold up the loop.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// How many times a waiting thread checks, with a `pause` between checks, before it
    /// starts yielding its core at each check (about 4 µs): when two threads share one
    /// core, a spinning waiter would otherwise hold up the thread it waits for.
    private static let spinsBeforeYielding = 150
    /// How many more checks, each after a yield, an idle worker makes before it sleeps
    /// (around a hundred µs).
    private static let yieldingSpins = 200
    /// The most threads a loop is dealt to; more than any machine this runs on has cores.
    static let maxThreads = 256

    /// Bumped to start each parallel loop; workers wait on it.
    private let generation = Atomic<Int>(0)
    /// One share per thread, the calling thread's at index 0.
    private let shares = (0..<WorkerPool.maxThreads).map { _ in Share() }
    private let unfinished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let wake = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private let busy = NSLock()
    // Written by the calling thread before the shares are published (release), read by
    // workers only after a claim on one of them succeeds (acquire).
    private var job: ((Int) -> Void)?
    /// The number of shares of the current loop.
    private let participants = Atomic<Int>(1)
    private var started = 0

    /// Runs `body(0)` … `body(count − 1)` across the calling thread and the workers, and
    /// returns when all are done. A second thread that calls while the pool is busy runs
    /// its chunks itself, in order.
    func run(_ count: Int, _ body: (Int) -> Void) {
        let threads = Swift.min(Parallel.threads, Self.maxThreads)
        guard count > 1, count <= 0xFFFF, threads > 1, busy.try() else { return (0..<count).forEach(body) }
        defer { busy.unlock() }
        startWorkers(threads - 1)
        withoutActuallyEscaping(body) { body in
            job = body
            participants.store(threads, ordering: .relaxed)
            unfinished.store(count, ordering: .sequentiallyConsistent)
            let loop = UInt64(truncatingIfNeeded: generation.load(ordering: .relaxed) &+ 1) & 0xFFFF_FFFF
            for t in 0..<threads {
                shares[t].deal(loop: loop, chunks: (count * t / threads)..<(count * (t + 1) / threads))
            }
            generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
            for _ in 0..<sleepers.load(ordering: .sequentiallyConsistent) { wake.signal() }
            runChunks(of: loop, as: 0)
            // Wait for chunks that workers claimed, soon yielding at every check: if a
            // worker shares this core, spinning here would only keep it off the core.
            var waited = 0
            while unfinished.load(ordering: .acquiring) > 0 {
                waited += 1
                if waited > Self.spinsBeforeYielding { sched_yield() } else { ncd_spin_pause() }
            }
            job = nil
        }
    }

    /// Runs thread `me`'s share of loop `loop` from its front, then what is left of the
    /// others' from their backs, until no chunk of that loop is left (or a later loop began).
    private func runChunks(of loop: UInt64, as me: Int) {
        let threads = participants.load(ordering: .relaxed)
        guard me < threads else { return }
        for offset in 0..<threads {
            let share = shares[(me + offset) % threads]
            while let chunk = offset == 0 ? share.takeFront(of: loop) : share.takeBack(of: loop) {
                runJob(chunk)
                unfinished.wrappingSubtract(1, ordering: .releasing)
            }
        }
    }

    private func startWorkers(_ count: Int) {
        lock.lock()
        defer { lock.unlock() }
        while started < count {
            started += 1
            // The generation it was started in: the next bump is its first loop, even if
            // the thread only gets going after that bump.
            let current = generation.load(ordering: .acquiring)
            let index = started
            let thread = Thread { [unowned self] in self.work(index, seen: current) }
            thread.name = "ncd-worker-\(started)"
            thread.start()
        }
    }

    private func work(_ index: Int, seen start: Int) {
        var seen = start
        while true {
            var idle = 0
            var now = generation.load(ordering: .acquiring)
            while now == seen {
                idle += 1
                if idle > Self.spinsBeforeYielding { sched_yield() } else { ncd_spin_pause() }
                if idle > Self.spinsBeforeYielding + Self.yieldingSpins {
                    sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                    if generation.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
                    sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                    idle = 0
                }
                now = generation.load(ordering: .acquiring)
            }
            seen = now
            // Workers beyond the loop's thread count (it was larger once) stay out. A worker
            // that reads the count of a later loop than its own finds every share of its
            // loop empty (a loop ends only when all its chunks are done), so claims nothing.
            runChunks(of: UInt64(truncatingIfNeeded: now) & 0xFFFF_FFFF, as: index)
        }
    }

    /// Calls the job. A function of its own so that the worker's reference to the closure
    /// is gone before it reports the chunk done: `run` lends a non-escaping closure.
    @inline(never)
    private func runJob(_ index: Int) {
        job?(index)
    }
}

/// One thread's contiguous run of a loop's chunks: its loop's generation (high 32 bits),
/// the next chunk from the front (next 16) and the end of what is left (low 16). The owner
/// takes from the front and others from the back, each by one compare-and-swap on the
/// whole word, so a claim carries the generation and can never take a later loop's chunk.
private final class Share: @unchecked Sendable {
    private let state = Atomic<UInt64>(0)
    // Keeps two shares off one cache line, so that one thread's claims do not slow the
    // other's.
    private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0)

    /// Publishes `chunks` as loop `loop`'s share (release: the job is written before).
    func deal(loop: UInt64, chunks: Range<Int>) {
        state.store(loop << 32 | UInt64(chunks.lowerBound) << 16 | UInt64(chunks.upperBound), ordering: .releasing)
    }

    /// Claims the first chunk left, if the share is still loop `loop`'s.
    func takeFront(of loop: UInt64) -> Int? { take(of: loop, fromFront: true) }

    /// Claims the last chunk left, if the share is still loop `loop`'s.
    func takeBack(of loop: UInt64) -> Int? { take(of: loop, fromFront: false) }

    private func take(of loop: UInt64, fromFront: Bool) -> Int? {
        var current = state.load(ordering: .acquiring)
        while current >> 32 == loop {
            let front = (current >> 16) & 0xFFFF
            let back = current & 0xFFFF
            guard front < back else { return nil }
            let desired = fromFront ? current + (1 << 16) : current - 1
            let (claimed, seen) = state.compareExchange(
                expected: current, desired: desired, ordering: .acquiringAndReleasing)
            if claimed { return Int(fromFront ? front : back - 1) }
            current = seen
        }
        return nil
    }
}
