/// Authorization-ID (Invite) (0x001F), lock → client, encrypted (11 bytes): authorization id u32 LE,
/// date created (7), the answer to Authorization Data (Invite).
///
/// Source: Nuki BLE API 2.1 §"Authorization-ID (Invite)", `docs/wire.md` §3.6.
public struct AuthorizationIDInvite: NukiPayload {
    public static let command = Command.authorizationIDInvite
    public var authID: UInt32
    public var dateCreated: DateTime

    public init(authID: UInt32, dateCreated: DateTime) {
        self.authID = authID
        self.dateCreated = dateCreated
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        authID = try r.readUInt32("authorization id")
        dateCreated = try r.readDateTime("date created")
    }

    public func encode(to w: inout WireWriter) {
        w.write(authID)
        w.write(dateCreated)
    }
}
