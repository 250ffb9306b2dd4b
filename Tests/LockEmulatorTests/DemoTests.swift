import BLETransport
import Foundation
import LockEmulator
import Testing

/// `latchkey demo`: the week's outcomes, and the same timeline on every run.
@Suite struct DemoTests {
    static func timeline() throws -> [TimelineEntry] {
        var demo = try Demo()
        return demo.run()
    }

    static func outcome(_ timeline: [TimelineEntry], _ time: String, _ device: String) -> String? {
        timeline.first { $0.time == time && $0.device == device }?.outcome
    }

    @Test func theWeekShowsEveryPromisedBehaviour() throws {
        let t = try Self.timeline()
        #expect(Self.outcome(t, "Mon 08:30:00", "keypad") == "refused: K_ERROR_TIME_NOT_ALLOWED")
        #expect(Self.outcome(t, "Mon 09:15:02", "keypad")?.hasPrefix("accepted; lock UNLOCKED") == true)
        #expect(t.filter { $0.outcome.hasPrefix("locked out: K_ERROR_CODE_INVALID_TIMEOUT_") }.map { String($0.outcome.prefix(45)) } == [
            "locked out: K_ERROR_CODE_INVALID_TIMEOUT_1 (3", "locked out: K_ERROR_CODE_INVALID_TIMEOUT_1 (2",
            "locked out: K_ERROR_CODE_INVALID_TIMEOUT_2 (3", "locked out: K_ERROR_CODE_INVALID_TIMEOUT_3 (1",
        ])
        #expect(Self.outcome(t, "Mon 10:00:10", "keypad") == "locked out: K_ERROR_CODE_INVALID_TIMEOUT_1 (20 s left)")
        #expect(Self.outcome(t, "Wed 12:00:00", "keypad") == "refused: K_ERROR_TIME_NOT_ALLOWED")
        #expect(Self.outcome(t, "Thu 18:00:00", "key")?.hasPrefix("UNLOCK by MANUAL; lock UNLOCKED") == true)
        #expect(Self.outcome(t, "Thu 18:01:00", "phone") == "refused: K_ERROR_AUTO_UNLOCK_TOO_RECENT")
        #expect(Self.outcome(t, "Fri 20:00:00", "lock") == "battery critical (19 %): alert; ring light: whole ring, 2 flashes every 10 s")
        #expect(Self.outcome(t, "Sat 10:00:00", "fob") == "refused: K_ERROR_TIME_NOT_ALLOWED")
        #expect(Self.outcome(t, "Sun 09:00:00", "phone")?.contains("fob disconnected") == true)
        #expect(Self.outcome(t, "Sun 09:01:00", "fob") == "refused: K_ERROR_NOT_AUTHORIZED")
        let fobPresses = t.filter { $0.device == "fob" && $0.action.hasPrefix("press") && $0.outcome.hasPrefix("accepted") }
        #expect(fobPresses.map(\.action) == ["press 2×", "press 1×", "press 3×"])
    }

    @Test func everyRunPrintsTheSameTimeline() throws {
        #expect(try Self.timeline() == (try Self.timeline()))
    }

    @Test func theWeekIsWrittenAsACapture() throws {
        let path = NSTemporaryDirectory() + "latchkey-demo-\(UUID().uuidString).btsnoop"
        var demo = try Demo()
        demo.record(to: try CaptureWriter(path: path))
        _ = demo.run()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Array(data.prefix(8)) == Array("btsnoop".utf8) + [0])
        // Header 16 bytes, then one 24-byte record header + H4/ACL/L2CAP framing per ATT PDU.
        #expect(data.count > 16 + 100 * 33)
    }
}
