import LockWire

/// One paired client of the lock: an app, bridge, fob or keypad, with its rights.
///
/// The wire form is the 75-byte Authorization Entry (0x000A). The shared key is not held here: the
/// session's key store keeps it in wiping storage. Source: Nuki BLE API 2.1 §"Authorization Entry",
/// `docs/wire.md` §3.1 and §6.
public struct Authorization: Hashable, Sendable, Codable {
    /// Assigned by the lock, never reused.
    public var authID: UInt32
    public var idType: IDType
    /// The app, bridge, fob or keypad id the client chose when pairing.
    public var clientID: UInt32
    public var name: FixedName
    public var enabled: Bool
    public var remoteAllowed: Bool
    public var dateCreated: DateTime
    public var dateLastActive: DateTime
    public var lockCount: UInt16
    public var restriction: TimeRestriction

    public init(
        authID: UInt32, idType: IDType, clientID: UInt32, name: FixedName, enabled: Bool = true,
        remoteAllowed: Bool = false, dateCreated: DateTime, dateLastActive: DateTime = .unset,
        lockCount: UInt16 = 0, restriction: TimeRestriction = .unrestricted
    ) {
        self.authID = authID
        self.idType = idType
        self.clientID = clientID
        self.name = name
        self.enabled = enabled
        self.remoteAllowed = remoteAllowed
        self.dateCreated = dateCreated
        self.dateLastActive = dateLastActive
        self.lockCount = lockCount
        self.restriction = restriction
    }

    /// The Authorization Entry (0x000A) payload for this authorization.
    public var entry: AuthorizationEntry {
        AuthorizationEntry(
            authID: authID, idType: idType, name: name, enabled: enabled, remoteAllowed: remoteAllowed,
            dateCreated: dateCreated, dateLastActive: dateLastActive, lockCount: lockCount, restriction: restriction)
    }
}
