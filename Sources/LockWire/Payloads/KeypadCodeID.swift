/// Keypad Code ID (0x0042), lock → client, encrypted (9 bytes): code id u16 LE, date created (7),
/// the answer to Add Keypad Code.
///
/// Source: Nuki BLE API 2.1 §"Keypad Code ID", `docs/wire.md` §7.
public struct KeypadCodeID: NukiPayload {
    public static let command = Command.keypadCodeID
    public var codeID: UInt16
    public var dateCreated: DateTime

    public init(codeID: UInt16, dateCreated: DateTime) {
        self.codeID = codeID
        self.dateCreated = dateCreated
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        codeID = try r.readUInt16("code id")
        dateCreated = try r.readDateTime("date created")
    }

    public func encode(to w: inout WireWriter) {
        w.write(codeID)
        w.write(dateCreated)
    }
}
