/// Request Data (0x0001), client → lock, plain during pairing and encrypted after:
/// requested command id (u16 LE) + optional additional data (at most 32 bytes here).
/// Used for Public Key (0x0003), Challenge (0x0004), Keyturner States (0x000C), Battery Report (0x0011).
///
/// Source: Nuki BLE API 2.1 §"Request Data", `docs/wire.md` §4.
public struct RequestData: NukiPayload {
    public static let command = Command.requestData
    /// Cap on the optional additional data.
    public static let maxAdditionalBytes = 32

    public var requestedCommand: Command
    public var additionalData: [UInt8]

    public init(requestedCommand: Command, additionalData: [UInt8] = []) {
        self.requestedCommand = requestedCommand
        self.additionalData = additionalData
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        requestedCommand = Command(rawValue: try r.readUInt16("requested command id"))
        guard r.count <= RequestData.maxAdditionalBytes else {
            throw WireError(.trailingBytes, "\(r.context): \(r.count) bytes of additional data exceed \(RequestData.maxAdditionalBytes)")
        }
        additionalData = Array(r.readRest())
    }

    public func encode(to w: inout WireWriter) {
        w.write(requestedCommand)
        w.write(contentsOf: additionalData)
    }
}
