import BLETransport
import Foundation
import LockEmulator
import Testing

/// `latchkey demo`: the week's outcomes, and the same timeline on every run.
@Suite struct DemoTests {
    static func timeline(_ link: Demo.Link = .socket) throws -> [TimelineEntry] {
        var demo = try Demo(link: link)
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
        #expect(Self.outcome(t, "Wed 10:00:00", "keypad") == "refused: K_ERROR_TIME_NOT_ALLOWED", "inside the hours, not a Monday")
        #expect(t.last { $0.device == "keypad" && $0.action == "enter 456789" }.map { "\($0.time) \($0.outcome)" }
            == "Mon 09:30:02 accepted; lock UNLOCKED; ring light: whole ring, 1 flash every 10 s", "the next Monday")
        #expect(Self.outcome(t, "Thu 18:02:00", "key") == "LOCK by MANUAL; lock LOCKED; ring light: off")
        #expect(Self.outcome(t, "Fri 23:01:00", "phone") == "refused: K_ERROR_MOTOR_LOW_VOLTAGE")
        #expect(Self.outcome(t, "Fri 23:02:00", "key") == "UNLOCK by MANUAL; lock UNLOCKED; ring light: upper segment, 3 flashes every 5 s (battery low)")
        #expect(Self.outcome(t, "Fri 23:03:00", "key") == "LOCK by MANUAL; lock LOCKED; ring light: upper segment, 2 flashes every 10 s (battery low)")
        #expect(Self.outcome(t, "Sat 08:00:00", "lock") == "ring light: off")
        #expect(Self.outcome(t, "Thu 18:00:00", "key")?.hasPrefix("UNLOCK by MANUAL; lock UNLOCKED") == true)
        #expect(Self.outcome(t, "Thu 17:00:00", "phone") == "accepted")
        #expect(Self.outcome(t, "Thu 17:30:02", "phone")?.hasPrefix("accepted; lock UNLOCKED") == true)
        #expect(Self.outcome(t, "Thu 17:33:00", "phone") == "refused: K_ERROR_AUTO_UNLOCK_TOO_RECENT")
        #expect(Self.outcome(t, "Thu 18:01:00", "phone") == "refused: K_ERROR_AUTO_UNLOCK_TOO_RECENT")
        #expect(Self.outcome(t, "Fri 20:00:00", "lock") == "battery critical (19 %): alert; ring light: upper segment, 2 flashes every 10 s (battery low)")
        #expect(Self.outcome(t, "Fri 20:01:02", "phone") == "accepted; lock UNLOCKED; ring light: upper segment, 3 flashes every 5 s (battery low); phone notification: battery critical (18 %)")
        #expect(t.filter { $0.outcome.contains("phone notification") }.count == 1, "once per fall below 20 %")
        #expect(Self.outcome(t, "Fri 20:02:02", "phone") == "accepted; lock LOCKED; ring light: upper segment, 2 flashes every 10 s (battery low)")
        #expect(Self.outcome(t, "Mon 09:15:02", "keypad") == "accepted; lock UNLOCKED; ring light: whole ring, 1 flash every 10 s")
        #expect(Self.outcome(t, "Sat 10:00:00", "fob") == "refused: K_ERROR_TIME_NOT_ALLOWED")
        #expect(Self.outcome(t, "Sun 09:00:00", "phone")?.contains("fob disconnected") == true)
        #expect(Self.outcome(t, "Sun 09:01:00", "fob") == "refused: K_ERROR_NOT_AUTHORIZED")
        let fobPresses = t.filter { $0.device == "fob" && $0.action.hasPrefix("press") && $0.outcome.hasPrefix("accepted") }
        #expect(fobPresses.map(\.action) == ["press 2×", "press 1×", "press 3×"])
    }

    @Test func everyRunPrintsTheSameTimeline() throws {
        #expect(try Self.timeline() == (try Self.timeline()))
    }

    /// The week over the socket link (ATT through the GATT server on SOCK_SEQPACKET), over the
    /// in-process ATT link and straight between the engines: the same timeline, line for line.
    @Test func everyLinkGivesTheSameWeek() throws {
        let socket = try Self.timeline(.socket)
        #expect(socket.count == 53)
        #expect(try Self.timeline(.inProcess) == socket)
        let engines = try Self.timeline(.engines)
        for (a, b) in zip(engines, socket) { #expect(a == b) }
        #expect(engines.count == socket.count)
    }

    @Test(arguments: [Demo.Link.engines, .socket])
    func theWeekIsWrittenAsACapture(link: Demo.Link) throws {
        let path = NSTemporaryDirectory() + "latchkey-demo-\(UUID().uuidString).btsnoop"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try CaptureWriter(path: path)
        var demo = try Demo(link: link, capture: writer)
        _ = demo.run()
        writer.close()
        let records = try CaptureReader.read(path: path)
        // Engines: one Write Request or Handle Value Indication per message. Socket: the real ATT
        // traffic, which adds the GATT set-up of 4 connections and a response or confirmation for
        // every write and indication; the set-up discovers Generic Access and Generic Attribute too
        // (10 PDUs a connection: two Read By Type pairs per service, one Find Information pair).
        #expect(records.count == (link == .engines ? 222 : 612))
    }
}
