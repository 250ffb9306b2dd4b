/// Keypad Action (0x0048), keypad → lock, encrypted, with challenge (38 bytes):
/// source u8 (0 back key, 1 code, 2 fingerprint), code u32 LE, action u8 (0 intelligent, 1 unlock,
/// 2 lock, 3 unlatch, 4 lock'n'go), challenge nonce (32). Undocumented source or action values throw
/// `badParameter`.
///
/// Latchkey extension (README §"NFC fob extension"): with source ``KeypadActionSource/nfc`` (0x80)
/// the code field carries the card's credential id (the fob's auth id; 0 when the card gave none)
/// and the challenge is followed by ``KeypadNFCEvidence``: counter u32 LE, authenticator (32), UID
/// length u8 (0–10), UID. Other sources take no bytes after the challenge.
///
/// Source: Nuki BLE API 2.1 §"Keypad Action" (absent from 2.3.0), NukiBleEsp32; `docs/wire.md` §4 and §7.
public struct KeypadActionRequest: ChallengeBearingPayload {
    public static let command = Command.keypadAction
    public var source: KeypadActionSource
    public var code: UInt32
    public var action: KeypadLockAction
    public var challenge: Bytes32
    /// What the NFC card answered; present exactly when ``source`` is ``KeypadActionSource/nfc``.
    public var nfc: KeypadNFCEvidence?

    public init(source: KeypadActionSource, code: UInt32, action: KeypadLockAction, challenge: Bytes32) {
        self.source = source
        self.code = code
        self.action = action
        self.challenge = challenge
        nfc = source == .nfc ? KeypadNFCEvidence(counter: 0, authenticator: .zero, uid: []) : nil
    }

    /// An NFC Keypad Action: `credentialID` in the code field, the card's evidence after the challenge.
    public init(nfcCredentialID credentialID: UInt32, action: KeypadLockAction, challenge: Bytes32, evidence: KeypadNFCEvidence) {
        source = .nfc
        code = credentialID
        self.action = action
        self.challenge = challenge
        nfc = evidence
    }

    public init(from r: inout WireReader, context: WireContext) throws(WireError) {
        source = try r.readDocumented("source")
        code = try r.readUInt32("code")
        action = try r.readDocumented("action")
        challenge = try r.readChallenge()
        nfc = source == .nfc ? try KeypadNFCEvidence(from: &r) : nil
    }

    public func encode(to w: inout WireWriter) {
        w.write(source)
        w.write(code)
        w.write(action)
        w.write(challenge)
        if source == .nfc { (nfc ?? KeypadNFCEvidence(counter: 0, authenticator: .zero, uid: [])).encode(to: &w) }
    }
}
