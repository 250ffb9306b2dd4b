import BLETransport
import Foundation
import NukiProfile
import Testing

/// The discovery folder: JSON record per address, atomic, removed on stop, scanned back.
@Suite struct DiscoveryFolderTests {
    @Test func defaultLocation() {
        #expect(DiscoveryFolder(path: nil, environment: ["XDG_RUNTIME_DIR": "/run/user/7"]).path == "/run/user/7/latchkey/devices")
        #expect(DiscoveryFolder(path: nil, environment: [:]).path == "/tmp/latchkey-\(getuid())/devices")
        #expect(DiscoveryFolder(path: nil, environment: ["LATCHKEY_DEVICES_DIR": "/x", "XDG_RUNTIME_DIR": "/r"]).path == "/x")
        #expect(DiscoveryFolder(path: "/y", environment: ["LATCHKEY_DEVICES_DIR": "/x"]).path == "/y")
    }

    @Test func publishScanAndStop() throws {
        let root = try temporaryDirectory("discovery")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = DiscoveryFolder(path: root + "/latchkey/devices")
        let address = try #require(DeviceAddress(string: "C0:2A:37:59:9A:01"))
        let advert = NukiAdvertisement(nukiID: 0x2A37_599A, mode: .pairing(service: NukiUUIDs.pairingService))
        let record = DiscoveryRecord(address: address, socket: folder.socketPath(address), advertisingData: advert.advertisingData, scanResponse: advert.scanResponse, pid: getpid())
        let publication = try folder.publish(record)
        // The file is the record as JSON, sorted keys, and nothing else is left in the folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["C02A37599A01.json"])
        let json = try String(contentsOfFile: folder.recordPath(address), encoding: .utf8)
        #expect(json.hasPrefix("{\"address\":\"C0:2A:37:59:9A:01\",\"advertisingData\":\"0201061521669A0C2000086C91E411015500E12EA92A37599A\""))
        // Junk and other people's files are skipped.
        try "not json".write(toFile: folder.path + "/AABBCCDDEEFF.json", atomically: true, encoding: .utf8)
        try "{}".write(toFile: folder.path + "/notes.txt", atomically: true, encoding: .utf8)
        let devices = DiscoveryScanner(folder: folder).scan()
        #expect(devices.count == 1)
        let device = try #require(devices.first)
        #expect(device.record == record)
        #expect(device.nuki == NukiAdvertisement(nukiID: 0x2A37_599A, mode: .pairing(service: NukiUUIDs.pairingService), localName: "Nuki_2A37599A"))
        // Republishing replaces the record (paired now).
        let paired = NukiAdvertisement(nukiID: 0x2A37_599A, mode: .paired(statusChanged: true))
        try folder.publish(DiscoveryRecord(address: address, socket: record.socket, advertisingData: paired.advertisingData, scanResponse: paired.scanResponse, pid: getpid()))
        #expect(DiscoveryScanner(folder: folder).scan().first?.nuki?.mode == .paired(statusChanged: true))
        publication.stop()
        #expect(DiscoveryScanner(folder: folder).scan().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.recordPath(address)))
    }

    @Test func recordsOfDeadProcessesAreSkipped() throws {
        let root = try temporaryDirectory("stale")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = DiscoveryFolder(path: root)
        let address = try #require(DeviceAddress(string: "C0:00:00:00:00:02"))
        let advert = NukiAdvertisement(nukiID: 2, mode: .paired(statusChanged: false))
        // pid_max on Linux is at most 2^22; this pid cannot exist.
        try folder.publish(DiscoveryRecord(address: address, socket: "/nowhere", advertisingData: advert.advertisingData, scanResponse: advert.scanResponse, pid: 0x7FFF_FFF0))
        #expect(DiscoveryScanner(folder: folder).scan().isEmpty)
    }
}
