import LockCore
import LockWire

/// The reference model of the pairingResponder target: what a Smart Lock 3 must answer to each
/// write on the pairing GDIO, restated from Nuki BLE API 2.1 §"Pairing" and §"Error codes",
/// `docs/wire.md` §3.1–§3.2 and §13, and written apart from ``LockSession/PairingResponder`` and
/// ``LockCore/LockMachine``: it keeps its own pairing mode, its own table of (ID type, client id)
/// and its own step per connection, and never reads the lock's.
///
/// What the model cannot compute (a shared key, an authenticator) it takes from the harness's
/// knowledge: a write is `genuine` when it is, byte for byte, the next message of the real client
/// on that connection. An authenticated step passes exactly when the write is genuine and every
/// write of this pairing on the connection since Request Data(Public Key) was genuine too (a key
/// or nonce the real client did not see makes its authenticators wrong; a fuzzer cannot forge one).
///
/// Answers, in the lock's documented order (`rule` names the `model-pairing-<rule>` invariant):
/// - the frame: fewer than 4 bytes or a payload over ``LockWire/WireLimits/maxPayloadBytes``:
///   ERROR_BAD_LENGTH 0xFE; a wrong CRC: ERROR_BAD_CRC 0xFD (`frame`); a payload that does not
///   decode: refused with some code (`payload`); each resets the connection's pairing;
/// - Request Data(Public Key), at any step: the lock's Public Key in pairing mode, else
///   P_ERROR_NOT_PAIRING 0x10 (`public-key-request`); the pairing starts over;
/// - the client's Public Key after it: answered (Challenge) when genuine; a fuzzed key may also be
///   refused with P_ERROR_BAD_PARAMETER 0x12 (a low-order point) (`public-key`);
/// - Authorization Authenticator after that: answered only when authentic (above), else
///   P_ERROR_BAD_AUTHENTICATOR 0x11 (`authorization-authenticator`);
/// - Authorization Data after that: not authentic 0x11; pairing mode over 0x10; no room (the table
///   full unless the same ID type and non-zero client id is replaced) P_ERROR_MAX_USER 0x13; else
///   answered (`authorization-data`);
/// - Authorization-ID Confirmation after that: the same three checks again; else the pairing is
///   stored (replacing the same ID type and client id) and pairing mode ends (`confirmation`);
/// - any other message, or one out of order: ERROR_UNKNOWN 0xFF (`out-of-order`).
/// Every refusal resets the connection's pairing. Pairing mode: a button press of at least
/// ``LockCore/LockMachine/pairingButtonHoldMilliseconds`` turns it on for `pairingModeMilliseconds`
/// (when Config allows pairing or the table is empty); it ends then, or with a stored pairing.
public struct PairingModel: Sendable {
    /// The ATT_MTU of the harness's connections (never exchanged: the lock's default, 23).
    static let attMTU = 23

    /// A connection's place in the pairing.
    enum Step: Sendable { case idle, sentPublicKey, sentChallenge1, sentChallenge2, sentAuthorizationID }

    struct Connection: Sendable {
        var step = Step.idle
        /// Every write since Request Data(Public Key) was the real client's.
        var authentic = false
        /// What the Authorization Data of this pairing asked for.
        var identity: (idType: IDType, clientID: UInt32)?
    }

    /// What the model says the lock must answer.
    public enum Expectation: Sendable, CustomStringConvertible {
        case accepted
        case refused(NukiErrorCode)
        /// Refused, any code.
        case refusedAny
        /// Accepted, or refused with this code.
        case acceptedOr(NukiErrorCode)

        public var description: String {
            switch self {
            case .accepted: return "accepted"
            case .refused(let code): return "refused \(code)"
            case .refusedAny: return "refused"
            case .acceptedOr(let code): return "accepted or refused \(code)"
            }
        }
    }

    /// A prediction waiting for the lock's answer.
    public struct Pending: Sendable {
        public let expectation: Expectation
        public let rule: String
        let connection: UInt64
        /// Applied when the lock accepts: the step reached, and whether the pairing completes.
        let next: Step
        let completes: Bool
    }

    /// (ID type, client id) of each stored authorization.
    public private(set) var table: [(idType: IDType, clientID: UInt32)]
    public let maxAuthorizations: Int
    public let pairingModeMilliseconds: Int64
    public let pairingEnabled: Bool
    public private(set) var pairingModeUntil: LockInstant?
    var connections: [UInt64: Connection] = [:]

    public init(table: [(idType: IDType, clientID: UInt32)], maxAuthorizations: Int, pairingModeMilliseconds: Int64, pairingEnabled: Bool) {
        self.table = table
        self.maxAuthorizations = maxAuthorizations
        self.pairingModeMilliseconds = pairingModeMilliseconds
        self.pairingEnabled = pairingEnabled
    }

    public func isPairingMode(at now: LockInstant) -> Bool { pairingModeUntil.map { now < $0 } ?? false }

    public mutating func pressButton(heldMilliseconds: Int64, at now: LockInstant) {
        guard heldMilliseconds >= LockMachine.pairingButtonHoldMilliseconds, pairingEnabled || table.isEmpty else { return }
        pairingModeUntil = now.adding(milliseconds: pairingModeMilliseconds)
    }

    /// The connection dropped: its pairing is gone.
    public mutating func disconnect(_ connection: UInt64) { connections[connection] = nil }

    /// Why a pairing of `identity` cannot be stored at `now`, or nil.
    func refusal(_ identity: (idType: IDType, clientID: UInt32)?, at now: LockInstant) -> NukiErrorCode? {
        guard isPairingMode(at: now) else { return .notPairing }
        guard let identity else { return .pairingBadParameter }
        guard identity.idType.rawValue <= 3 else { return .pairingBadParameter }
        let replaces = identity.clientID != 0 && table.contains { $0.idType == identity.idType && $0.clientID == identity.clientID }
        return table.count - (replaces ? 1 : 0) < maxAuthorizations ? nil : .maxUser
    }

    /// Predicts the lock's answer to `bytes` written to the pairing GDIO of `connection` at `now`;
    /// `genuine`: the real client's next message, unchanged.
    public mutating func receive(_ bytes: [UInt8], on connection: UInt64, genuine: Bool, at now: LockInstant) -> Pending {
        var state = connections[connection] ?? Connection()
        let step = state.step
        func refuse(_ code: NukiErrorCode?, _ rule: String) -> Pending {
            connections[connection] = Connection()
            return Pending(expectation: code.map { .refused($0) } ?? .refusedAny, rule: rule, connection: connection, next: .idle, completes: false)
        }
        func answer(_ expectation: Expectation, _ rule: String, next: Step, completes: Bool = false) -> Pending {
            // Refused: the pairing starts over (applied now; an acceptance moves it on in confirm).
            connections[connection] = Connection(step: .idle, authentic: state.authentic, identity: state.identity)
            return Pending(expectation: expectation, rule: rule, connection: connection, next: next, completes: completes)
        }
        // The frame: command u16 LE ‖ payload ‖ CRC-16/CCITT u16 LE.
        let framed = bytes.count >= 4 && bytes.count - 4 <= WireLimits.maxPayloadBytes
        let crcHolds = framed && CRC16.checksum(bytes.dropLast(2)) == UInt16(bytes[bytes.count - 2]) | UInt16(bytes[bytes.count - 1]) << 8
        // A write that fills ATT_MTU − 3 and is no frame is the first part of a message split over
        // plain writes: ERROR_UNKNOWN and the link dropped (`docs/wire.md` §13; the harness's
        // connections stay at the default ATT_MTU 23).
        if !crcHolds, bytes.count == Self.attMTU - 3 { return refuse(.unknown, "split-plain-write") }
        guard framed else { return refuse(.badLength, "frame") }
        guard crcHolds else { return refuse(.badCRC, "frame") }
        let command = Command(rawValue: UInt16(bytes[0]) | UInt16(bytes[1]) << 8)
        guard let message = try? NukiMessage.decode(command: command, payload: bytes[2..<bytes.count - 2], context: .smartLock) else {
            return refuse(nil, "payload")
        }
        let authentic = state.authentic && genuine
        switch (step, message) {
        case (_, .requestData(let r)) where r.requestedCommand == .publicKey:
            guard isPairingMode(at: now) else { return refuse(.notPairing, "public-key-request") }
            state = Connection(step: .idle, authentic: true, identity: nil)
            return answer(.accepted, "public-key-request", next: .sentPublicKey)
        case (.sentPublicKey, .publicKey):
            state.authentic = authentic
            return answer(genuine ? .accepted : .acceptedOr(.pairingBadParameter), "public-key", next: .sentChallenge1)
        case (.sentChallenge1, .authorizationAuthenticator):
            guard authentic else { return refuse(.badAuthenticator, "authorization-authenticator") }
            return answer(.accepted, "authorization-authenticator", next: .sentChallenge2)
        case (.sentChallenge2, .authorizationData(let data)):
            guard authentic else { return refuse(.badAuthenticator, "authorization-data") }
            if let code = refusal((data.idType, data.id), at: now) { return refuse(code, "authorization-data") }
            state.identity = (data.idType, data.id)
            return answer(.accepted, "authorization-data", next: .sentAuthorizationID)
        case (.sentAuthorizationID, .authorizationIDConfirmation):
            guard authentic else { return refuse(.badAuthenticator, "confirmation") }
            if let code = refusal(state.identity, at: now) { return refuse(code, "confirmation") }
            return answer(.accepted, "confirmation", next: .idle, completes: true)
        default:
            return refuse(.unknown, "out-of-order")
        }
    }

    /// Compares the lock's answer (nil: accepted; else its Error Report code) with the prediction
    /// and applies an accepted step. Returns the broken rule and why, or nil.
    public mutating func confirm(_ pending: Pending, refused: NukiErrorCode?) -> (rule: String, reason: String)? {
        let agrees: Bool
        switch (pending.expectation, refused) {
        case (.accepted, nil), (.acceptedOr, nil), (.refusedAny, _?): agrees = true
        case (.refused(let code), let got?), (.acceptedOr(let code), let got?): agrees = code == got
        default: agrees = false
        }
        guard agrees else {
            return (pending.rule, "expected \(pending.expectation), the lock \(refused.map { "refused \($0)" } ?? "accepted")")
        }
        guard refused == nil else { return nil }
        connections[pending.connection]?.step = pending.next
        if pending.completes, let identity = connections[pending.connection]?.identity {
            if identity.clientID != 0, let index = table.firstIndex(where: { $0.idType == identity.idType && $0.clientID == identity.clientID }) {
                table.remove(at: index)
            }
            table.append(identity)
            pairingModeUntil = nil
            connections[pending.connection] = Connection()
        }
        return nil
    }
}
