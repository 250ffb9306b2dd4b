import LockCore
import LockCrypto
import LockNFC
import LockSession
import LockWire
import NukiProfile

/// An emulated Nuki Keypad: a protocol client of ID type keypad (3) with a key-press model.
///
/// - Six digits (1–9) make an entry; the sixth sends Keypad Action (0x0048, source code, action
///   ``codeAction``) with a fresh challenge. A key more than ``keyTimeoutMilliseconds`` after the
///   previous one starts a new entry (the partial one is discarded with feedback).
/// - The lock key sends Keypad Action with source back key (0x00), which locks.
/// - Replies become feedback: accepted, wrong code, locked out (with the remaining time estimated
///   from the lockout tier, `KeypadLockout`), other refusals; the keypad's own battery drains per
///   request and signals once below 20 %.
/// - While a request is in progress, further keys are ignored (with feedback), as on the device.
/// - NFC reader (Latchkey extension): ``cardPresented(at:)`` fetches a challenge from the lock,
///   asks the runtime to read the card with it (``PeripheralAction/readCard(challenge:)``), and
///   ``cardRead(_:at:)`` relays the card's answer in Keypad Action source 0x80 with action
///   ``codeAction``. A UID-only tag is relayed too (credential 0, no authenticator): the lock, not
///   the keypad, decides and logs.
///
/// Sans-I/O: writes come out as ``PeripheralAction/write(_:_:)``, indications go in through
/// ``receive(_:on:at:)``, time through every call. Source: `docs/wire.md` §7 (keypad as a BLE client).
public struct KeypadEmulator {
    /// Digits in a code.
    public static let codeLength = 6
    /// Longest pause between two keys of one entry.
    public var keyTimeoutMilliseconds: Int64 = 5_000
    /// The action a typed code asks for (the device's default is unlock).
    public var codeAction: KeypadLockAction = .unlock
    public var battery = PeripheralBattery()

    public private(set) var session: ClientSessionEngine
    /// How long a lock action waits for COMPLETE after ACCEPTED or its last state update before it
    /// reads the state back (``LockSession/ClientSessionEngine/completeGraceMilliseconds``).
    public var completeGraceMilliseconds: Int64 {
        get { session.completeGraceMilliseconds }
        set { session.completeGraceMilliseconds = newValue }
    }
    public private(set) var entry: [UInt8] = []
    private var lastKeyAt: LockInstant?
    private var lockedOutUntil: LockInstant?
    private var inFlight = false

    /// - Parameters:
    ///   - keypadID: the id it pairs with (Authorization Data id field).
    ///   - credentials: from an earlier pairing, or nil to pair first.
    ///   - context: the lock's pairing and PIN width, as its GATT table shows it; with the Ultra
    ///     pairing, whose Authorization Data has no ID type, ``pair()`` fails at once (unsupported).
    public init(
        keypadID: UInt32, name: String = "Keypad", keyPair: KeyPair, random: any RandomSource, credentials: ClientCredentials? = nil,
        context: WireContext = .smartLock
    ) {
        session = ClientSessionEngine(
            idType: .keypad, clientID: keypadID, name: FixedName(name, width: FixedName.nameWidth), keyPair: keyPair,
            random: random, context: context, credentials: credentials)
    }

    /// The credentials after pairing (persist them, mode 0600).
    public var credentials: ClientCredentials? { session.credentials }

    /// Starts pairing (the lock must be in pairing mode).
    public mutating func pair() -> [PeripheralAction] {
        session.startPairing().flatMap { $0.peripheralActions() }
    }

    /// One key press at `now`.
    public mutating func press(_ key: KeypadKey, at now: LockInstant) -> [PeripheralAction] {
        var out = tick(at: now)
        guard !inFlight else { return out + [.feedback(.ignored(reason: "a request is in progress"))] }
        lastKeyAt = now
        switch key {
        case .lock:
            entry.removeAll()
            out += send(.keypadAction(source: .backKey, code: 0, action: .lock))
        case .digit(let digit):
            guard (1...9).contains(digit) else { return out + [.feedback(.ignored(reason: "no key \(digit)"))] }
            entry.append(digit)
            if entry.count == Self.codeLength {
                let code = entry.reduce(UInt32(0)) { $0 * 10 + UInt32($1) }
                entry.removeAll()
                out += send(.keypadAction(source: .code, code: code, action: codeAction))
            }
        }
        return out
    }

    /// Types `code` (six digits) one key at a time, `spacing` milliseconds apart from `start`.
    public mutating func enter(code: UInt32, at start: LockInstant, spacingMilliseconds: Int64 = 200) -> [PeripheralAction] {
        let digits = String(code).compactMap { $0.wholeNumberValue }.map { UInt8($0) }
        var out: [PeripheralAction] = []
        for (i, digit) in digits.enumerated() {
            out += press(.digit(digit), at: start.adding(milliseconds: Int64(i) * spacingMilliseconds))
        }
        return out
    }

    /// A card entered the reader's field at `now`: fetch a challenge for it.
    public mutating func cardPresented(at now: LockInstant) -> [PeripheralAction] {
        var out = tick(at: now)
        guard !inFlight else { return out + [.feedback(.ignored(reason: "a request is in progress"))] }
        out += send(.keypadNFCAction)
        return out
    }

    /// The reader's result for the challenge of ``PeripheralAction/readCard(challenge:)``.
    public mutating func cardRead(_ result: Result<NFCCardRead, NFCError>, at now: LockInstant) -> [PeripheralAction] {
        guard let challenge = session.pendingChallenge else { return [.feedback(.ignored(reason: "no card read was asked for"))] }
        switch result {
        case .failure(let error):
            session.cancel()
            inFlight = false
            return [.feedback(.cardUnreadable(reason: error.description))]
        case .success(let read):
            let evidence = KeypadNFCEvidence(
                counter: read.assertion?.counter ?? 0, authenticator: read.assertion?.authenticator ?? .zero, uid: read.uid)
            let request = KeypadActionRequest(
                nfcCredentialID: read.assertion?.credentialID ?? 0, action: codeAction, challenge: challenge, evidence: evidence)
            return session.resume(with: .keypadAction(request)).flatMap { action in
                if case .failed = action { inFlight = false }
                return action.peripheralActions()
            }
        }
    }

    /// Discards a partial entry whose last key is older than the key timeout.
    /// Also runs the session's lost-COMPLETE timer (``LockSession/ClientSessionEngine/tick(at:)``).
    public mutating func tick(at now: LockInstant) -> [PeripheralAction] {
        let out = session.tick(at: now).flatMap { action -> [PeripheralAction] in
            if case .readBack = action { inFlight = false }
            if case .failed = action { inFlight = false }
            return action.peripheralActions { code in self.feedback(for: code, at: now) }
        }
        guard !entry.isEmpty, let last = lastKeyAt, now.milliseconds(since: last) > keyTimeoutMilliseconds else { return out }
        let digits = entry.count
        entry.removeAll()
        return out + [.feedback(.entryTimedOut(digits: digits))]
    }

    /// An indication from the lock.
    public mutating func receive(_ bytes: [UInt8], on characteristic: Characteristic, at now: LockInstant) -> [PeripheralAction] {
        var out: [PeripheralAction] = []
        for action in session.receive(bytes, on: characteristic, at: now) {
            if case .completed = action { inFlight = false }
            if case .readBack = action { inFlight = false }
            if case .failed = action { inFlight = false }
            out += action.peripheralActions { code in self.feedback(for: code, at: now) }
        }
        return out
    }

    private mutating func send(_ request: ClientRequest) -> [PeripheralAction] {
        guard session.credentials != nil else { return [.feedback(.ignored(reason: "not paired"))] }
        inFlight = true
        var out = session.send(request).flatMap { $0.peripheralActions() }
        if let low = battery.drainRequest() { out.append(.feedback(low)) }
        return out
    }

    /// Feedback for an Error Report; a lockout tier starts the keypad's own countdown (the tier's
    /// shortest lockout: the lock does not say how long its doubling third tier lasts).
    private mutating func feedback(for code: NukiErrorCode, at now: LockInstant) -> PeripheralFeedback {
        switch code {
        case .codeInvalid:
            return .wrongCode
        case .codeInvalidTimeout1, .codeInvalidTimeout2, .codeInvalidTimeout3:
            if lockedOutUntil.map({ now >= $0 }) ?? true {
                let tier = Int(code.rawValue - NukiErrorCode.codeInvalidTimeout1.rawValue) + 1
                lockedOutUntil = now.adding(milliseconds: KeypadLockout.lockoutMilliseconds(tier: tier))
            }
            return .lockedOut(code, remainingMilliseconds: lockedOutUntil.map { $0.milliseconds(since: now) } ?? 0)
        default:
            return .refused(code)
        }
    }
}
