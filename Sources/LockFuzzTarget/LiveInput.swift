import LockCore
import LockWire

/// Whose credential a live-fuzz input is sent under (`latchkey fuzz --target`).
///
/// The first three are the fuzzer's own paired clients (``LockAudit/AuditRole``). The last three
/// are throwaway app authorizations the admin invites at the start of a campaign (needs
/// `--security-pin`) and then takes away: removed, disabled (Update Authorization Entry, enabled 0)
/// or limited to 2001-01-01 (Authorization Data (Invite) with a past date window). A lock must
/// refuse everything from them but a challenge (`docs/attacks.md` AU-02, AU-03, AU-04).
public enum FuzzRole: String, Codable, CaseIterable, Hashable, Sendable {
    /// The fuzzer's app (ID type app), the admin. It sends only commands without a security PIN
    /// (a wrong PIN would lock the PIN out and blind the admin's own reads).
    case admin
    /// The fuzzer's keypad (ID type keypad).
    case keypad
    /// The fuzzer's fob (ID type fob).
    case fob
    /// An app authorization the admin removed (Remove Authorization Entry 0x0008).
    case revoked
    /// An app authorization the admin disabled (Update Authorization Entry 0x0025, enabled = 0).
    case disabled
    /// An app authorization allowed only on 2001-01-01 (time limited, date window in the past).
    case expired

    /// The ID type the lock stored for this credential.
    public var idType: IDType {
        switch self {
        case .keypad: return .keypad
        case .fob: return .fob
        case .admin, .revoked, .disabled, .expired: return .app
        }
    }

    /// Whether the credential may act at all (a live, enabled authorization inside its window).
    public var mayAct: Bool {
        switch self {
        case .admin, .keypad, .fob: return true
        case .revoked, .disabled, .expired: return false
        }
    }
}

/// What a live-fuzz input mutates (`--mode`).
public enum FuzzMode: String, Codable, CaseIterable, Hashable, Sendable {
    /// Plaintext commands and payloads mutated by their codecs (LockWire), sealed validly: the
    /// frame length, MAC and CRC are always right; a fresh challenge is written in.
    case structured
    /// Whole frames: the plaintext (PDATA: inner auth id, command, payload, CRC) and the sealed
    /// envelope (nonce, clear auth id, length, MAC, ciphertext) edited after sealing, and plain
    /// frames written to the pairing and keyturner GDIO.
    case frame
    /// Raw ATT PDUs on the lock's GATT server, below the Nuki layer.
    case att
}

/// Which challenge a challenge-bearing input carries.
public enum ChallengeUse: String, Codable, Hashable, Sendable {
    /// No challenge written (the payload as generated; Request Data, or a payload too short).
    case none
    /// A challenge fetched just before (Request Data(Challenge)) written at ``LiveInput/challengeOffset``.
    case fresh
    /// The previous challenge the lock issued to this credential (already consumed).
    case stale
    /// 32 bytes of the fuzzer's own at the challenge offset (never issued).
    case forged
}

/// A scripted operation of a campaign, sent in place of a mutated input at fixed points
/// (``LiveFuzzOptions/operations``): each exercises a check that random inputs cannot reach without
/// blinding the fuzzer's own oracles, and is judged by what a lock MUST do.
public enum LiveOperation: String, Codable, CaseIterable, Hashable, Sendable {
    /// Verify Security PIN (0x0020) as the admin with the right PIN wrong only in its last byte,
    /// then wrong PINs up to the lockout threshold, each of which must be refused with exactly
    /// K_ERROR_BAD_PIN (0x21); then the right PIN, which must be refused with
    /// K_ERROR_TOO_MANY_PIN_ATTEMPTS (0x28) until the lockout ends (``LiveFuzzOptions/pinLockout``).
    /// Needs the security PIN. `docs/attacks.md` PIN-07.
    case pinBurst = "pin-burst"
    /// The keypad types the campaign's keypad code the admin added and disabled (Update Keypad Code
    /// 0x0045, enabled 0) in a Keypad Action (0x0048, source code, lock): it must be refused.
    /// Needs the security PIN and a keypad. `docs/attacks.md` AU-03.
    case disabledCode = "disabled-code"
    /// The admin enables the campaign's disabled code, the keypad types it (it may open), and the
    /// admin disables it again: the next ``disabledCode`` must be refused once more.
    case codeCycle = "code-cycle"
    /// A pairing (button pressed through the target's control channel, or the target already in
    /// pairing mode): Request Data(Public Key), Public Key, then an Authorization Authenticator
    /// (0x0005) equal to the right one except in its last byte, which must be refused with exactly
    /// P_ERROR_BAD_AUTHENTICATOR (0x11). Pairing mode is then ended by pairing a throwaway keypad
    /// the admin removes. Needs the security PIN. `docs/attacks.md` PA-03.
    case pairingAuthenticator = "pairing-authenticator"

    /// Whether the operation changes admin data on purpose (the admin's comparison is taken again
    /// after it).
    public var changesAdminData: Bool { self == .codeCycle || self == .pairingAuthenticator }
}

/// One byte-level edit of a frame mode input, applied to the encoded plaintext before sealing or
/// to the sealed frame after.
public enum ByteEdit: Codable, Hashable, Sendable {
    /// XOR the byte at `at` with `mask` (never 0).
    case xor(at: Int, mask: UInt8)
    /// Keep only the first `count` bytes.
    case truncate(count: Int)
    /// Append `bytes` (hex).
    case append(String)

    /// `bytes` with the edit applied (an offset beyond the end does nothing).
    public func apply(to bytes: inout [UInt8]) {
        switch self {
        case .xor(let at, let mask):
            if bytes.indices.contains(at) { bytes[at] ^= mask }
        case .truncate(let count):
            if count >= 0, count < bytes.count { bytes.removeLast(bytes.count - count) }
        case .append(let hex):
            bytes += Hex.decode(hex) ?? []
        }
    }
}

/// One input of a live-fuzz campaign, as the trace stores it and `latchkey replay` sends it again.
///
/// A sealed input (modes `structured` and `frame`) is `command` and `payload` under `role`'s key.
/// Where it used a challenge, `challengeOffset` says where in the payload the fresh one goes, so a
/// replay fetches a new challenge and writes it there; likewise the security PIN at `pinOffset`.
/// `pdataEdits` change the encoded plaintext (auth id u32 ‖ command u16 ‖ payload ‖ CRC) before it
/// is sealed, `frameEdits` the sealed frame. A plain input is `plain` written as is to
/// `characteristic`. An ATT input is `att`, a raw PDU sent `repeat` times.
public struct LiveInput: Codable, Hashable, Sendable {
    /// Index in the campaign (0-based).
    public var index: Int
    /// The mode that generated it.
    public var mode: FuzzMode
    /// Whose credential seals it.
    public var role: FuzzRole
    /// Command id (u16) of a sealed input.
    public var command: UInt16?
    /// The payload (hex) with the challenge and PIN as generated.
    public var payload: String?
    /// Which challenge goes in.
    public var challenge: ChallengeUse
    /// Offset of the 32-byte challenge in `payload`.
    public var challengeOffset: Int?
    /// Offset of the security PIN in `payload` when the real PIN is written in.
    public var pinOffset: Int?
    /// Edits of the encoded plaintext before sealing.
    public var pdataEdits: [ByteEdit]?
    /// Edits of the sealed frame.
    public var frameEdits: [ByteEdit]?
    /// A plain frame (hex) for `characteristic` (`pairing GDIO`, `keyturner GDIO`, `keyturner USDIO`).
    public var plain: String?
    /// Where `plain` is written.
    public var characteristic: String?
    /// A raw ATT PDU (hex).
    public var att: String?
    /// How many times the ATT PDU is sent back to back (a burst).
    public var repeatCount: Int?
    /// The inner auth id (plaintext) is that of this role's credential instead of the sender's,
    /// with the CRC computed again: only the inner auth id check can refuse it.
    public var innerAuthIDOf: FuzzRole?
    /// The plaintext CRC is computed again after `pdataEdits` (an edit of the inner auth id alone).
    public var recomputeCRC: Bool?
    /// Sent on a new connection of its own (closed after), with no challenge fetched first: a frame
    /// whose inner auth id names another client must not take over that client's session.
    public var freshConnection: Bool?
    /// A scripted operation instead of a mutated input (the fields above are then unused).
    public var operation: LiveOperation?
    /// What the mutator did, for people reading the trace.
    public var note: String

    /// An input without command, payload or edits yet.
    public init(index: Int, mode: FuzzMode, role: FuzzRole, challenge: ChallengeUse = .none, note: String) {
        self.index = index
        self.mode = mode
        self.role = role
        self.challenge = challenge
        self.note = note
    }

    /// Whether the input breaks the frame's integrity on purpose (a tampered CRC, inner auth id or
    /// envelope): a lock must refuse it.
    public var tampered: Bool { !(pdataEdits ?? []).isEmpty || !(frameEdits ?? []).isEmpty || innerAuthIDOf != nil }

    /// The command as a LockWire ``LockWire/Command``.
    public var commandID: Command? { command.map(Command.init(rawValue:)) }
}
