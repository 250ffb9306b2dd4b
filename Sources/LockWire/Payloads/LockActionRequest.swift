/// Lock Action (0x000D), client → lock, encrypted, with challenge (38 bytes, or 58 with the suffix):
///
/// | size | field |
/// |---|---|
/// | 1 | lock action (0x01–0x06, or 0x81–0x83 from a fob) |
/// | 4 | app / bridge / fob id (u32 LE) |
/// | 1 | flags (``LockActionFlags``) |
/// | 20 | optional name suffix for the log (present only in the 58-byte form) |
/// | 32 | challenge nonce |
///
/// Answered with Status ACCEPTED, Keyturner States updates, then Status COMPLETE. Decoding a lock
/// action that cannot be requested, or a reserved flag bit, throws `badParameter`.
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Lock Action", `docs/wire.md` §4, §4.1 and §5.3.
public struct LockActionRequest: ChallengeBearingPayload {
    public static let command = Command.lockAction
    public var action: LockAction
    public var appID: UInt32
    public var flags: LockActionFlags
    public var nameSuffix: FixedName?
    public var challenge: Bytes32

    public init(action: LockAction, appID: UInt32, flags: LockActionFlags = [], nameSuffix: FixedName? = nil, challenge: Bytes32) {
        self.action = action
        self.appID = appID
        self.flags = flags
        self.nameSuffix = nameSuffix
        self.challenge = challenge
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        action = LockAction(rawValue: try r.readUInt8("lock action"))
        guard action.isRequestable else {
            throw WireError(.badParameter, "\(r.context): lock action \(action) cannot be requested")
        }
        appID = try r.readUInt32("app id")
        flags = LockActionFlags(rawValue: try r.readUInt8("flags"))
        guard LockActionFlags.defined.isSuperset(of: flags) else {
            throw WireError(.badParameter, "\(r.context): flags 0x\(String(flags.rawValue, radix: 16)) set reserved bits")
        }
        nameSuffix = try r.readOptionalNameSuffix()
        challenge = try r.readChallenge()
    }

    public func encode(to w: inout WireWriter) {
        w.write(action)
        w.write(appID)
        w.write(flags.rawValue)
        if let nameSuffix { w.write(nameSuffix) }
        w.write(challenge)
    }
}

extension WireReader {
    /// The optional 20-byte name suffix before a trailing challenge nonce: present when exactly
    /// 20 + 32 bytes are left, absent when 32 are left (Nuki BLE API 2.3.0, `docs/wire.md` §5.3).
    mutating func readOptionalNameSuffix() throws(WireError) -> FixedName? {
        let present = try optionalBytes(beforeTail: Bytes32.byteCount, range: 0...FixedName.shortNameWidth)
        switch present {
        case 0: return nil
        case FixedName.shortNameWidth: return try readName(width: FixedName.shortNameWidth, "name suffix")
        default:
            throw WireError(.lengthOutOfRange, "\(context): \(present) bytes where a 20-byte name suffix or nothing belongs")
        }
    }
}
