/// Most Recent Command (0x000F), lock → client, encrypted: command id u16 LE.
///
/// Source: Nuki BLE API 2.1 §"Most Recent Command", `docs/wire.md` §4.
public struct MostRecentCommand: NukiPayload {
    public static let command = Command.mostRecentCommand
    public var commandID: Command

    public init(commandID: Command) { self.commandID = commandID }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        commandID = Command(rawValue: try r.readUInt16("command id"))
    }

    public func encode(to w: inout WireWriter) { w.write(commandID) }
}
