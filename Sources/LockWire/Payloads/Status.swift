/// Status (0x000E), lock → client: status u8, 0x00 COMPLETE or 0x01 ACCEPTED. Plain `0E 00 00 9D D7`
/// ends pairing. The length (1) is checked first, then other values throw `badParameter`.
///
/// Source: Nuki BLE API 2.1 §"Status", `docs/wire.md` §5.7.
public struct Status: NukiPayload {
    public static let command = Command.status
    public static let byteCount = 1
    public var status: StatusCode

    public init(_ status: StatusCode) { self.status = status }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        try r.requireCount(Status.byteCount)
        status = try r.readDocumented("status")
    }

    public func encode(to w: inout WireWriter) { w.write(status) }
}
