/// Authorization Entry (0x000A), lock → client, encrypted (75 bytes, always the full form):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | authorization id (u32 LE) |
/// | 4 | 1 | ID type |
/// | 5 | 32 | name |
/// | 37 | 1 | enabled |
/// | 38 | 1 | remote allowed |
/// | 39 | 7 | date created |
/// | 46 | 7 | date last active |
/// | 53 | 2 | lock count (u16 LE) |
/// | 55 | 20 | ``TimeRestriction`` |
///
/// Source: Nuki BLE API 2.1 §"Authorization Entry", `docs/wire.md` §6.
public struct AuthorizationEntry: NukiPayload {
    public static let command = Command.authorizationEntry
    public static let byteCount = 75

    public var authID: UInt32
    public var idType: IDType
    public var name: FixedName
    public var enabled: Bool
    public var remoteAllowed: Bool
    public var dateCreated: DateTime
    public var dateLastActive: DateTime
    public var lockCount: UInt16
    public var restriction: TimeRestriction

    public init(
        authID: UInt32, idType: IDType, name: FixedName, enabled: Bool, remoteAllowed: Bool,
        dateCreated: DateTime, dateLastActive: DateTime, lockCount: UInt16, restriction: TimeRestriction
    ) {
        self.authID = authID
        self.idType = idType
        self.name = name
        self.enabled = enabled
        self.remoteAllowed = remoteAllowed
        self.dateCreated = dateCreated
        self.dateLastActive = dateLastActive
        self.lockCount = lockCount
        self.restriction = restriction
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        authID = try r.readUInt32("authorization id")
        idType = IDType(rawValue: try r.readUInt8("ID type"))
        name = try r.readName(width: FixedName.nameWidth, "name")
        enabled = try r.readBool("enabled")
        remoteAllowed = try r.readBool("remote allowed")
        dateCreated = try r.readDateTime("date created")
        dateLastActive = try r.readDateTime("date last active")
        lockCount = try r.readUInt16("lock count")
        restriction = try r.readTimeRestriction()
    }

    public func encode(to w: inout WireWriter) {
        w.write(authID)
        w.write(idType)
        w.write(name)
        w.write(enabled)
        w.write(remoteAllowed)
        w.write(dateCreated)
        w.write(dateLastActive)
        w.write(lockCount)
        w.write(restriction)
    }
}
