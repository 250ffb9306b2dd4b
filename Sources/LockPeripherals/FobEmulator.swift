import LockCore
import LockCrypto
import LockNFC
import LockSession
import LockWire
import NukiProfile

/// An emulated Nuki Fob: a protocol client of ID type fob (2) with one button.
///
/// Presses within ``pressWindowMilliseconds`` of each other count together; when the window after
/// the last press ends (``tick(at:)``), or at the third press, the fob sends Lock Action (0x000D)
/// with fob action 0x81, 0x82 or 0x83 for one, two or three presses, its fob id in the app id field
/// and flags 0, after a fresh challenge. The lock maps the action through Config fob action 1–3.
/// Its battery drains per request and signals once below 20 %.
///
/// NFC card (Latchkey extension): once paired, the fob carries an ``LockNFC/NFCCardApplication``
/// whose card key is derived from the pairing's shared key (``LockNFC/NFCCardKey``) and whose
/// credential id is the fob's auth id. Persist ``nfcCard``'s counter after every tap.
/// Source: Nuki BLE API 2.1 §"Lock Action", `docs/wire.md` §5.3 and §7 (fob client).
public struct FobEmulator {
    /// Longest gap between presses that still count together.
    public var pressWindowMilliseconds: Int64 = 600
    public var battery = PeripheralBattery()
    public let fobID: UInt32

    public private(set) var session: ClientSessionEngine
    /// How long a lock action waits for COMPLETE after ACCEPTED or its last state update before it
    /// reads the state back (``LockSession/ClientSessionEngine/completeGraceMilliseconds``).
    public var completeGraceMilliseconds: Int64 {
        get { session.completeGraceMilliseconds }
        set { session.completeGraceMilliseconds = newValue }
    }
    public private(set) var pendingPresses = 0
    /// The NFC card application, present once paired.
    public var nfcCard: NFCCardApplication?
    private var lastPressAt: LockInstant?
    private var inFlight = false

    /// - Parameters:
    ///   - nfcCounter: the card's last used counter (persisted), when `credentials` are given.
    ///   - context: the lock's pairing and PIN width, as its GATT table shows it; with the Ultra
    ///     pairing, whose Authorization Data has no ID type, ``pair()`` fails at once (unsupported).
    public init(fobID: UInt32, name: String = "Fob", keyPair: KeyPair, random: any RandomSource, credentials: ClientCredentials? = nil,
                nfcCounter: UInt32 = 0, context: WireContext = .smartLock) {
        self.fobID = fobID
        session = ClientSessionEngine(
            idType: .fob, clientID: fobID, name: FixedName(name, width: FixedName.nameWidth), keyPair: keyPair,
            random: random, context: context, credentials: credentials)
        nfcCard = credentials.map { Self.card(for: $0, counter: nfcCounter) }
    }

    /// The 4-byte UID an emulated fob's card shows at anticollision: 08 (a random UID, as a PN532
    /// in card emulation gives) then the fob id's three low bytes. An identifier only.
    public static func nfcUID(fobID: UInt32) -> [UInt8] {
        [0x08, UInt8(truncatingIfNeeded: fobID), UInt8(truncatingIfNeeded: fobID >> 8), UInt8(truncatingIfNeeded: fobID >> 16)]
    }

    /// The card application of a paired fob: card key derived from the shared key, credential id = auth id.
    public static func card(for credentials: ClientCredentials, counter: UInt32 = 0) -> NFCCardApplication {
        NFCCardApplication(
            credentialID: credentials.authID, key: NFCCardKey.derive(from: credentials.sharedKey, credentialID: credentials.authID),
            counter: counter)
    }

    public var credentials: ClientCredentials? { session.credentials }

    /// Starts pairing (the lock must be in pairing mode).
    public mutating func pair() -> [PeripheralAction] {
        session.startPairing().flatMap { $0.peripheralActions() }
    }

    /// One press of the button at `now`.
    public mutating func press(at now: LockInstant) -> [PeripheralAction] {
        var out = tick(at: now)
        guard !inFlight else { return out + [.feedback(.ignored(reason: "a request is in progress"))] }
        pendingPresses += 1
        lastPressAt = now
        if pendingPresses == 3 { out += flush() }
        return out
    }

    /// `count` presses (1–3) starting at `start`, 150 ms apart, then the window closes.
    public mutating func press(count: Int, at start: LockInstant) -> [PeripheralAction] {
        var out: [PeripheralAction] = []
        var now = start
        for _ in 0..<min(max(count, 1), 3) {
            out += press(at: now)
            now = now.adding(milliseconds: 150)
        }
        return out + tick(at: now.adding(milliseconds: pressWindowMilliseconds + 1))
    }

    /// Sends the action for the presses counted so far once the press window has passed.
    /// Also runs the session's lost-COMPLETE timer (``LockSession/ClientSessionEngine/tick(at:)``).
    public mutating func tick(at now: LockInstant) -> [PeripheralAction] {
        var out = session.tick(at: now).flatMap { action -> [PeripheralAction] in
            if case .readBack = action { inFlight = false }
            if case .failed = action { inFlight = false }
            return action.peripheralActions()
        }
        guard pendingPresses > 0, let last = lastPressAt, now.milliseconds(since: last) > pressWindowMilliseconds else { return out }
        out += flush()
        return out
    }

    public mutating func receive(_ bytes: [UInt8], on characteristic: Characteristic, at now: LockInstant) -> [PeripheralAction] {
        var out: [PeripheralAction] = []
        for action in session.receive(bytes, on: characteristic, at: now) {
            if case .completed = action { inFlight = false }
            if case .readBack = action { inFlight = false }
            if case .failed = action { inFlight = false }
            // The card key is derived at pairing, from the new shared key.
            if case .paired(let credentials) = action { nfcCard = Self.card(for: credentials) }
            out += action.peripheralActions()
        }
        return out
    }

    private mutating func flush() -> [PeripheralAction] {
        let count = pendingPresses
        pendingPresses = 0
        guard session.credentials != nil else { return [.feedback(.ignored(reason: "not paired"))] }
        inFlight = true
        let action = LockAction(rawValue: UInt8(0x80 + count))
        var out = session.send(.lockAction(action, appID: fobID)).flatMap { $0.peripheralActions() }
        if let low = battery.drainRequest() { out.append(.feedback(low)) }
        return out
    }
}
