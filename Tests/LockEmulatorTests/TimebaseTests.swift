import LockCore
import LockEmulator
import Synchronization
import Testing

/// ``LockTimebase``: the host's wall clock is read once; steps of it afterwards (±1 h, ±1 day) move
/// nothing, the monotonic clock moves everything.
@Suite struct TimebaseTests {
    final class Clocks: Sendable {
        let wall = Mutex<Int64>(1_772_442_000_000)
        let monotonic = Mutex<Duration>(.seconds(100))
    }

    @Test(arguments: [Int64(-3_600_000), 3_600_000, -86_400_000, 86_400_000])
    func wallClockStepsAreIgnored(step: Int64) {
        let clocks = Clocks()
        let now = LockTimebase.anchored(
            wall: { LockInstant(millisecondsSince1970: clocks.wall.withLock { $0 }) },
            monotonic: { clocks.monotonic.withLock { $0 } })
        #expect(now().millisecondsSince1970 == 1_772_442_000_000)
        clocks.monotonic.withLock { $0 += .milliseconds(1_500) }
        #expect(now().millisecondsSince1970 == 1_772_442_001_500)
        clocks.wall.withLock { $0 += step }
        #expect(now().millisecondsSince1970 == 1_772_442_001_500)
        clocks.monotonic.withLock { $0 += .seconds(30) }
        #expect(now().millisecondsSince1970 == 1_772_442_031_500)
    }
}
