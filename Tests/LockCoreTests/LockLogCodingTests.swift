import Foundation
import LockCore
import LockWire
import Testing

/// The log's state-file form: one hex string per entry, the entry's Log Entry (0x0032) payload.
@Suite struct LockLogCodingTests {
    static func log() throws -> LockLog {
        var m = try KeypadTests.machine()
        _ = try KeypadTests.add(&m, 456_789)
        #expect(KeypadTests.enter(&m, 999_999, at: KeypadTests.t0) == .codeInvalid)
        #expect(KeypadTests.enter(&m, 456_789, at: KeypadTests.t0) == nil)
        return m.log
    }

    @Test func entriesAreWrittenAsTheHexOfTheirPayloadAndReadBack() throws {
        let log = try Self.log()
        #expect(log.entries.count >= 2)
        let data = try JSONEncoder().encode(log)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let entries = try #require(object["entries"] as? [String])
        #expect(entries == log.entries.map { Hex.encode($0.encoded()) })
        #expect(entries.first?.count == 2 * (LogEntry.headerByteCount + 5))
        #expect(try JSONDecoder().decode(LockLog.self, from: data) == log)
    }

    @Test func theOlderObjectFormStillLoads() throws {
        let log = try Self.log()
        struct Old: Encodable {
            let capacity: Int, entries: [LogEntry], droppedCount: UInt64, nextIndex: UInt32, enabled: Bool
        }
        let old = try JSONEncoder().encode(Old(capacity: log.capacity, entries: log.entries, droppedCount: log.droppedCount, nextIndex: log.nextIndex, enabled: log.enabled))
        #expect(try JSONDecoder().decode(LockLog.self, from: old) == log)
    }

    @Test func aMalformedEntryIsRefusedWithItsPosition() throws {
        let good = Hex.encode(try Self.log().entries[0].encoded())
        for (entry, reason) in [("zz", "log entry 1 is not hex"), (String(good.dropLast(2)), "log entry 1: ")] {
            let json = #"{"capacity":1000,"droppedCount":0,"nextIndex":3,"enabled":true,"entries":["\#(good)","\#(entry)"]}"#
            do {
                _ = try JSONDecoder().decode(LockLog.self, from: Data(json.utf8))
                Issue.record("decoded \(entry)")
            } catch DecodingError.dataCorrupted(let context) {
                #expect(context.debugDescription.hasPrefix(reason))
            }
        }
    }
}
