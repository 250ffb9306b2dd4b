import BLETransport
import Testing

/// `Duration.pollMilliseconds`: the timeout handed to poll(2), epoll_wait(2) and hci_send_req.
@Suite struct PollMillisecondsTests {
    @Test func roundsUpAndClamps() {
        #expect(Duration.zero.pollMilliseconds == 0)
        #expect(Duration.milliseconds(-5).pollMilliseconds == 0)
        #expect(Duration.nanoseconds(1).pollMilliseconds == 1)
        #expect(Duration.milliseconds(20).pollMilliseconds == 20)
        #expect((Duration.milliseconds(20) + .nanoseconds(1)).pollMilliseconds == 21)
        #expect(Duration.seconds(3600).pollMilliseconds == 3_600_000)
        #expect(Duration.seconds(Int64.max / 10).pollMilliseconds == Int32.max)
    }
}
