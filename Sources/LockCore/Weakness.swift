/// A real flaw a weakened lock reproduces on purpose, to prove that `latchkey audit` catches it
/// (`latchkey lock serve --weaken FLAW`, a testing option). Each case names the `docs/attacks.md` §B case
/// whose check it switches off; the lock consults the injected set at exactly that check. The set is
/// empty unless the option is given: nothing else can reach a weakened path.
///
/// The raw value is the name the CLI takes (`--weaken admin-from-non-admin`).
public enum Weakness: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// Admin commands accepted from keypads and fobs: the command × ID-type matrix
    /// (``CommandAccess``) is not checked. CVE-2022-32507; audit cases AU-01, AU-11.
    case adminFromNonAdmin = "admin-from-non-admin"
    /// The challenge of a challenge-bearing command is not compared with (or consumed from) the one
    /// issued: replays and stale challenges are accepted. Audit cases C-01, C-02, S-03.
    case challengeNotEnforced = "challenge-not-enforced"
    /// Wrong keypad codes never lock the keypad out. Audit case PIN-02.
    case noKeypadLockout = "no-keypad-lockout"
    /// Remove Authorization Entry answers COMPLETE but keeps the entry, its key and its sessions
    /// (Tapplock had no revocation). Audit case AU-02.
    case revocationIgnored = "revocation-ignored"
    /// A disabled authorization is served as if enabled. Audit case AU-03.
    case disabledIgnored = "disabled-ignored"
    /// A disabled keypad code opens as if enabled (its `enabled` flag is not checked). Audit case
    /// AU-03.
    case disabledCodeIgnored = "disabled-code-ignored"
    /// Authorization time windows (date limits, weekdays, daily window) are not checked. Audit case
    /// AU-04.
    case timeWindowsIgnored = "time-windows-ignored"
    /// The CRC of a decrypted plaintext is not checked. Audit case P-04.
    case crcUnchecked = "crc-unchecked"
    /// The auth id inside the plaintext is not compared with the one in the clear header. Audit case
    /// C-05.
    case innerAuthIDUnchecked = "inner-auth-id-unchecked"
    /// The security PIN is compared on its first byte only (a compare with the wrong length), so a
    /// PIN wrong in its last byte is accepted. Audit case PIN-07.
    case pinPrefixCompare = "pin-prefix-compare"
    /// The pairing Authorization Authenticator (0x0005) is compared on its first 4 bytes only, so an
    /// authenticator wrong in a later byte is accepted (issue 19's mutation). Audit case PA-03.
    case authenticatorPrefixCompare = "authenticator-prefix-compare"
    /// Wrong security PINs never lock the PIN out. Audit case PIN-07.
    case noPINLockout = "no-pin-lockout"
    /// Pairing is answered (and completes) outside pairing mode. Audit case PA-01.
    case pairingOutsidePairingMode = "pairing-outside-pairing-mode"
    /// The ATT bearer queues Prepare Write requests without bound. Audit case P-07.
    case unboundedReassembly = "unbounded-reassembly"
    /// The process aborts on one malformed command: a Lock Action (0x000D) whose payload is empty.
    /// Audit case P-06.
    case crashOnCommand = "crash-on-command"

    public var description: String { rawValue }

    /// The `docs/attacks.md` §B case ids whose audit must fail against a lock with this weakness.
    public var provenCases: [String] {
        switch self {
        case .adminFromNonAdmin: return ["AU-01", "AU-11"]
        case .challengeNotEnforced: return ["C-01", "C-02", "S-03"]
        case .noKeypadLockout: return ["PIN-02"]
        case .revocationIgnored: return ["AU-02"]
        case .disabledIgnored: return ["AU-03"]
        case .disabledCodeIgnored: return ["AU-03"]
        case .timeWindowsIgnored: return ["AU-04"]
        case .crcUnchecked: return ["P-04"]
        case .innerAuthIDUnchecked: return ["C-05"]
        case .noPINLockout: return ["PIN-07"]
        case .pinPrefixCompare: return ["PIN-07"]
        case .authenticatorPrefixCompare: return ["PA-03"]
        case .pairingOutsidePairingMode: return ["PA-01"]
        case .unboundedReassembly: return ["P-07"]
        case .crashOnCommand: return ["P-06"]
        }
    }
}
