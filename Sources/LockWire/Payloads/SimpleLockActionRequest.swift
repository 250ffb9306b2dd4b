/// Simple Lock Action (0x0100), client → lock, encrypted, with challenge (33 bytes, or 53 with the
/// suffix): lock action u8 (0x01 unlock or 0x02 lock only), optional name suffix (20), challenge nonce
/// (32). Other actions throw `badParameter`.
///
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Simple Lock Action", `docs/wire.md` §4.
public struct SimpleLockActionRequest: ChallengeBearingPayload {
    public static let command = Command.simpleLockAction
    public var action: LockAction
    public var nameSuffix: FixedName?
    public var challenge: Bytes32

    public init(action: LockAction, nameSuffix: FixedName? = nil, challenge: Bytes32) {
        self.action = action
        self.nameSuffix = nameSuffix
        self.challenge = challenge
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        action = LockAction(rawValue: try r.readUInt8("lock action"))
        guard action == .unlock || action == .lock else {
            throw WireError(.badParameter, "\(r.context): lock action \(action) is not unlock or lock")
        }
        nameSuffix = try r.readOptionalNameSuffix()
        challenge = try r.readChallenge()
    }

    public func encode(to w: inout WireWriter) {
        w.write(action)
        if let nameSuffix { w.write(nameSuffix) }
        w.write(challenge)
    }
}
