/// The unencrypted message of the pairing GDIO (and plaintext Error Reports on the keyturner GDIO):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 2 | command id (u16 LE) |
/// | 2 | n | payload |
/// | 2+n | 2 | CRC-16/CCITT-FALSE (u16 LE) over bytes [0, 2+n) |
///
/// Source: Nuki BLE API 2.1 §"Unencrypted messages", `docs/wire.md` §2.1.
public struct PlainFrame: Hashable, Sendable {
    public var command: Command
    public var payload: [UInt8]

    /// Command id + CRC.
    public static let overheadBytes = 4

    public init(command: Command, payload: [UInt8]) {
        self.command = command
        self.payload = payload
    }

    /// Frames a typed payload.
    public init<P: NukiPayload>(_ payload: P) {
        self.init(command: P.command, payload: payload.encoded())
    }

    /// Parses a whole frame. Checks, in order: length (`truncated` below 4 bytes, `lengthOutOfRange`
    /// above ``WireLimits/maxPayloadBytes`` of payload), then the CRC (`badCRC`). The command id is
    /// not interpreted here; ``NukiMessage/decode(command:payload:context:)`` does that.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(WireError) -> PlainFrame {
        guard bytes.count >= overheadBytes else {
            throw WireError(.truncated, "plain frame: \(bytes.count) bytes, at least 4 needed")
        }
        guard bytes.count - overheadBytes <= WireLimits.maxPayloadBytes else {
            throw WireError(.lengthOutOfRange, "plain frame: payload of \(bytes.count - overheadBytes) bytes exceeds \(WireLimits.maxPayloadBytes)")
        }
        let body = bytes.dropLast(2)
        var crcReader = WireReader(bytes.suffix(2), context: "plain frame")
        let received = try crcReader.readUInt16("CRC")
        guard CRC16.checksum(body) == received else {
            throw WireError(.badCRC, "plain frame: CRC mismatch")
        }
        var reader = WireReader(body, context: "plain frame")
        let command = Command(rawValue: try reader.readUInt16("command id"))
        return PlainFrame(command: command, payload: Array(reader.readRest()))
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> PlainFrame {
        try decode(bytes[...])
    }

    /// Command id, payload, CRC.
    public func encoded() -> [UInt8] {
        var w = WireWriter(capacity: payload.count + PlainFrame.overheadBytes)
        w.write(command.rawValue)
        w.write(contentsOf: payload)
        w.write(CRC16.checksum(w.bytes))
        return w.bytes
    }
}
