/// A command whose payload ends with the 32-byte challenge nonce nK the lock issued just before
/// (auth column EC and ECP of `docs/wire.md` §4). The session checks and consumes the nonce.
public protocol ChallengeBearingPayload: NukiPayload {
    var challenge: Bytes32 { get }
}

/// A command whose payload ends with the challenge nonce then the security PIN (auth column ECP):
/// u16 LE on Smart Lock 1.0–4th gen, u32 LE on Ultra (`docs/wire.md` §3.5).
public protocol PINProtectedPayload: ChallengeBearingPayload {
    var securityPIN: SecurityPIN { get }
}

/// An EC command with no field but the challenge nonce (Request Config 0x0014,
/// Request Advanced Config 0x0036): 32 bytes.
public protocol ChallengeOnlyPayload: ChallengeBearingPayload {
    init(challenge: Bytes32)
}

extension ChallengeOnlyPayload {
    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        self.init(challenge: try r.readChallenge())
    }

    public func encode(to w: inout WireWriter) { w.write(challenge) }
}

/// An ECP command with no field but the challenge nonce and the security PIN (Request Calibration
/// 0x001A, Request Reboot 0x001D, Verify Security PIN 0x0020, Request Time Control Entries 0x003C):
/// 34 bytes, or 36 on Ultra.
public protocol ChallengeAndPINOnlyPayload: PINProtectedPayload {
    init(challenge: Bytes32, securityPIN: SecurityPIN)
}

extension ChallengeAndPINOnlyPayload {
    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        let (challenge, pin) = try r.readChallengeAndPIN(context)
        self.init(challenge: challenge, securityPIN: pin)
    }

    public func encode(to w: inout WireWriter) {
        w.write(challenge)
        w.write(securityPIN)
    }
}
