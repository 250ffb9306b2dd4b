import BLETransport
import Foundation
import NukiProfile
import Testing

/// Issue 20: discovery records whose publisher is gone, or whose pid another process now has.
@Suite struct StaleRecordTests {
    static let advert = NukiAdvertisement(nukiID: 3, mode: .paired(statusChanged: false))

    static func record(_ address: String, pid: Int32, startTime: UInt64?) throws -> DiscoveryRecord {
        DiscoveryRecord(
            address: try #require(DeviceAddress(string: address)), socket: "/nowhere", advertisingData: advert.advertisingData,
            scanResponse: advert.scanResponse, pid: pid, startTime: startTime)
    }

    /// Field 22 of `/proc/<pid>/stat`, after a command name that holds spaces and parentheses.
    @Test func startTimeIsField22AfterTheCommandName() {
        let line = Array("4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 12345 67 18446744073709551615\n".utf8)
        #expect(ProcessStartTime.parse(line) == 987_654)
        #expect(ProcessStartTime.parse(Array("4242 (a) S 1 2 3".utf8)) == nil)
        #expect(ProcessStartTime.parse(Array("no parenthesis".utf8)) == nil)
        #expect(ProcessStartTime.parse(Array("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12a4 0".utf8)) == nil)
        let own = ProcessStartTime.of(getpid())
        #expect(own != nil && own == ProcessStartTime.of(getpid()))
        #expect(ProcessStartTime.of(0) == nil && ProcessStartTime.of(-1) == nil)
    }

    @Test func stalenessNamesWhyTheRecordIsDead() throws {
        let own = try #require(ProcessStartTime.of(getpid()))
        #expect(DiscoveryFolder.staleness(of: try Self.record("C0:00:00:00:00:03", pid: getpid(), startTime: own)) == nil)
        #expect(DiscoveryFolder.staleness(of: try Self.record("C0:00:00:00:00:03", pid: getpid(), startTime: nil)) == nil, "older records: the pid alone")
        #expect(DiscoveryFolder.staleness(of: try Self.record("C0:00:00:00:00:03", pid: getpid(), startTime: own + 1))
            == "process \(getpid()) is another program now (started at tick \(own), the record's at \(own + 1))")
        #expect(DiscoveryFolder.staleness(of: try Self.record("C0:00:00:00:00:03", pid: 0x7FFF_FFF0, startTime: nil)) == "process 2147483632 is gone")
    }

    /// A pid of 0 or below would make `kill(2)` address a process group (or every process): such a
    /// record is invalid, never listed, and never removed as "stale" either (it is not a record).
    @Test func recordsWithoutAProcessAreInvalid() throws {
        let root = try temporaryDirectory("pid-zero")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = DiscoveryFolder(path: root)
        for (address, pid) in [("C0:00:00:00:00:04", Int32(0)), ("C0:00:00:00:00:05", Int32(-1))] {
            try folder.publish(try Self.record(address, pid: pid, startTime: nil))
        }
        #expect(folder.records().isEmpty)
        #expect(folder.removeStaleRecords().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["C00000000004.json", "C00000000005.json"])
    }

    /// The folder lists live records only and removes exactly the stale ones.
    @Test func removeStaleRecordsRemovesOnlyTheDead() throws {
        let root = try temporaryDirectory("stale-clean")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = DiscoveryFolder(path: root)
        let own = try #require(ProcessStartTime.of(getpid()))
        try folder.publish(try Self.record("C0:00:00:00:00:06", pid: getpid(), startTime: own))
        try folder.publish(try Self.record("C0:00:00:00:00:07", pid: getpid(), startTime: own + 7))
        try folder.publish(try Self.record("C0:00:00:00:00:08", pid: 0x7FFF_FFF0, startTime: 1))
        #expect(folder.records().map(\.address.description) == ["C0:00:00:00:00:06"])
        let removed = folder.removeStaleRecords()
        #expect(removed.map(\.record.address.description) == ["C0:00:00:00:00:07", "C0:00:00:00:00:08"])
        #expect(removed.map(\.reason) == ["process \(getpid()) is another program now (started at tick \(own), the record's at \(own + 7))", "process 2147483632 is gone"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["C00000000006.json"])
    }
}
