/// Authorization-ID (0x0007) of Smart Lock Ultra, sent encrypted (20 bytes): authorization id u32 LE,
/// lock UUID[16]. No authenticator and no confirmation step follow.
///
/// Source: Nuki BLE API 2.3.0 §"Authorization Ultra", `docs/wire.md` §3.4.
public struct UltraAuthorizationID: NukiPayload {
    public static let command = Command.authorizationID
    public static let byteCount = 20

    public var authID: UInt32
    public var lockUUID: LockUUID

    public init(authID: UInt32, lockUUID: LockUUID) {
        self.authID = authID
        self.lockUUID = lockUUID
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        try r.requireCount(UltraAuthorizationID.byteCount)
        authID = try r.readUInt32("authorization id")
        lockUUID = try r.readLockUUID("lock UUID")
    }

    public func encode(to w: inout WireWriter) {
        w.write(authID)
        w.write(lockUUID)
    }
}
