/// Error Report (0x0012), lock → client (3 bytes): error code u8, offending command id u16 LE
/// (0x0000 when the lock could not tell which command arrived). Undocumented codes decode as-is.
///
/// Source: Nuki BLE API 2.1 §"Error Report", `docs/wire.md` §9 and §13.
public struct ErrorReport: NukiPayload {
    public static let command = Command.errorReport
    public var errorCode: NukiErrorCode
    public var commandID: Command

    public init(errorCode: NukiErrorCode, commandID: Command) {
        self.errorCode = errorCode
        self.commandID = commandID
    }

    /// The report a lock sends for a rejected input.
    public init(_ error: WireError, commandID: Command) {
        self.init(errorCode: error.code.nukiErrorCode, commandID: commandID)
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        errorCode = NukiErrorCode(rawValue: try r.readUInt8("error code"))
        commandID = Command(rawValue: try r.readUInt16("command id"))
    }

    public func encode(to w: inout WireWriter) {
        w.write(errorCode)
        w.write(commandID)
    }
}
