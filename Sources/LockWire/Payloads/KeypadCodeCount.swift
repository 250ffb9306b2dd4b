/// Keypad Code Count (0x0044), lock → client, encrypted: count u16 LE, sent before the entries of Request Keypad Codes.
///
/// Source: Nuki BLE API 2.1 §"Keypad Code Count", `docs/wire.md` §7.
public struct KeypadCodeCount: NukiPayload {
    public static let command = Command.keypadCodeCount
    public var count: UInt16

    public init(count: UInt16) { self.count = count }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        count = try r.readUInt16("count")
    }

    public func encode(to w: inout WireWriter) { w.write(count) }
}
