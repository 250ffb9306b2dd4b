/// Openings Closings Summary (0x0010), lock → client, encrypted (8 bytes): openings total, closings
/// total, openings since boot, closings since boot (u16 LE each). Smart Lock 1.0 only.
///
/// Source: Nuki BLE API 2.1 §"Openings Closings Summary", `docs/wire.md` §4.
public struct OpeningsClosingsSummary: NukiPayload, Codable {
    public static let command = Command.openingsClosingsSummary
    public var openingsTotal: UInt16
    public var closingsTotal: UInt16
    public var openingsSinceBoot: UInt16
    public var closingsSinceBoot: UInt16

    public init(openingsTotal: UInt16, closingsTotal: UInt16, openingsSinceBoot: UInt16, closingsSinceBoot: UInt16) {
        self.openingsTotal = openingsTotal
        self.closingsTotal = closingsTotal
        self.openingsSinceBoot = openingsSinceBoot
        self.closingsSinceBoot = closingsSinceBoot
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        openingsTotal = try r.readUInt16("openings total")
        closingsTotal = try r.readUInt16("closings total")
        openingsSinceBoot = try r.readUInt16("openings since boot")
        closingsSinceBoot = try r.readUInt16("closings since boot")
    }

    public func encode(to w: inout WireWriter) {
        w.write(openingsTotal)
        w.write(closingsTotal)
        w.write(openingsSinceBoot)
        w.write(closingsSinceBoot)
    }
}
