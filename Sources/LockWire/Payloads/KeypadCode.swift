/// Keypad Code (0x0045), lock → client, encrypted (63 bytes):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 2 | code id (u16 LE) |
/// | 2 | 4 | code (u32 LE) |
/// | 6 | 20 | name |
/// | 26 | 1 | enabled |
/// | 27 | 7 | date created |
/// | 34 | 7 | date last active |
/// | 41 | 2 | lock count (u16 LE) |
/// | 43 | 20 | ``TimeRestriction`` |
///
/// Source: Nuki BLE API 2.1 §"Keypad Code", `docs/wire.md` §7.
public struct KeypadCode: NukiPayload, Codable {
    public static let command = Command.keypadCode
    public static let byteCount = 63

    public var codeID: UInt16
    public var code: UInt32
    public var name: FixedName
    public var enabled: Bool
    public var dateCreated: DateTime
    public var dateLastActive: DateTime
    public var lockCount: UInt16
    public var restriction: TimeRestriction

    public init(
        codeID: UInt16, code: UInt32, name: FixedName, enabled: Bool, dateCreated: DateTime,
        dateLastActive: DateTime, lockCount: UInt16, restriction: TimeRestriction
    ) {
        self.codeID = codeID
        self.code = code
        self.name = name
        self.enabled = enabled
        self.dateCreated = dateCreated
        self.dateLastActive = dateLastActive
        self.lockCount = lockCount
        self.restriction = restriction
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        codeID = try r.readUInt16("code id")
        code = try r.readUInt32("code")
        name = try r.readName(width: FixedName.shortNameWidth, "name")
        enabled = try r.readBool("enabled")
        dateCreated = try r.readDateTime("date created")
        dateLastActive = try r.readDateTime("date last active")
        lockCount = try r.readUInt16("lock count")
        restriction = try r.readTimeRestriction()
    }

    public func encode(to w: inout WireWriter) {
        w.write(codeID)
        w.write(code)
        w.write(name)
        w.write(enabled)
        w.write(dateCreated)
        w.write(dateLastActive)
        w.write(lockCount)
        w.write(restriction)
    }
}
