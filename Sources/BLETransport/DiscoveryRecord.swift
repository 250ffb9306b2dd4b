/// One advertising emulated device in the discovery folder: a JSON object in
/// `<folder>/<AABBCCDDEEFF>.json`, for example
/// ```json
/// {"address":"C0:2A:37:59:9A:01","advertisingData":"020106…","pid":4242,
///  "scanResponse":"0E094E756B695F3241333735393941","schema":1,"socket":"/run/user/0/latchkey/devices/C02A37599A01.sock"}
/// ```
/// `advertisingData` and `scanResponse` are the raw AD bytes (Vol 3 Part C §11) as hex; `pid` is
/// the publishing process and `startTime` (optional, absent in older records) its start time in
/// clock ticks after boot (`/proc/<pid>/stat` field 22, proc(5)), so a scanner can tell a record a
/// killed process left behind, even once another process has its pid (``DiscoveryFolder/staleness(of:)``).
public struct DiscoveryRecord: Hashable, Sendable, Codable {
    /// The record layout version, 1.
    public var schema: Int
    /// The emulated device's address.
    public var address: DeviceAddress
    /// The path of its ``SeqPacketListener`` socket.
    public var socket: String
    /// Advertising data, hex.
    public var advertisingData: String
    /// Scan response data, hex.
    public var scanResponse: String
    /// The publishing process id (above 0; a record with another pid is invalid).
    public var pid: Int32
    /// The publishing process's start time, clock ticks after boot (`/proc/<pid>/stat` field 22);
    /// `nil` in records written before it was added.
    public var startTime: UInt64?

    /// A record of the current schema. `startTime` is `pid`'s start time
    /// (``ProcessStartTime/of(_:)``), or nil when unknown.
    public init(address: DeviceAddress, socket: String, advertisingData: [UInt8], scanResponse: [UInt8], pid: Int32, startTime: UInt64? = nil) {
        self.schema = 1
        self.address = address
        self.socket = socket
        self.advertisingData = Self.hex(advertisingData)
        self.scanResponse = Self.hex(scanResponse)
        self.pid = pid
        self.startTime = startTime
    }

    /// The advertising data octets, or `nil` when the hex is malformed.
    public var advertisingBytes: [UInt8]? { Self.bytes(advertisingData) }
    /// The scan response octets, or `nil` when the hex is malformed.
    public var scanResponseBytes: [UInt8]? { Self.bytes(scanResponse) }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 0x10 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined()
    }

    static func bytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0, digits.count <= 2 * 255 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < digits.count {
            guard let byte = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
            i += 2
        }
        return out
    }
}
