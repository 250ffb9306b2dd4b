import LockCore
import LockCrypto
import LockSession
import LockWire
import NukiProfile

/// Target 7: the lock's pairing responder, driven by plain pairing-channel writes: the fuzzer's own
/// bytes, and the messages of real ``LockSession/ClientSessionEngine``s (delivered as they are,
/// mutated, or dropped), with button presses and clock advances in between.
///
/// Fixture (``Fixture``): a Smart Lock 3 that already holds two authorizations (app client 500 and
/// keypad client 501; their keys are irrelevant here) and at most ``maxAuthorizations`` = 3, so one
/// pairing fills it. Clients: connections 1 and 2 each hold one real client, which pairs as one of
/// ``identities`` (app 500 replaces the stored app; the others are new). Connection 3 has no client.
///
/// Input: operations until the input ends (at most ``maxOperations``): op byte (modulo 8) and
/// arguments.
///
/// | op | arguments | what the harness does |
/// |---|---|---|
/// | 0 start pairing | `a` | a new client on connection 1 + (a & 1) with identity (a >> 1) % 5; its Request Data(Public Key) is queued |
/// | 1 deliver | `a` | the next queued message of that connection's client, as it is; the lock's replies go back to the client, which queues its next message |
/// | 2 mutate | `a`, position u16, value | the next queued message with the byte at position xored with value (bit 1 of a clear) or cut at position (bit 1 set); bit 3 counts the position back from the payload's end (a late authenticator byte), bit 2 fixes the CRC up so the frame still parses |
/// | 3 drop | `a` | the next queued message is discarded |
/// | 4 raw write | `a`, length, bytes | the bytes to the pairing GDIO (or USDIO when bit 2) of connection 1 + a % 3 |
/// | 5 button | `h` | the lock's button held h × 100 ms (≥ 5 s enters pairing mode) |
/// | 6 clock | `u`, amount u16 | advance by amount × 10 ms (u even) or × 1 s (u odd) |
/// | 7 disconnect | `a` | connection 1 + a % 3 drops; its client gives up |
///
/// Invariants:
/// - `model-pairing-<rule>`: the lock's answer to every pairing-GDIO write is the one the reference
///   model (``PairingModel``: its own pairing mode, table and steps, never the lock's) predicts:
///   accepted, or refused with exactly this Error Report code (P_ERROR_NOT_PAIRING 0x10,
///   P_ERROR_BAD_AUTHENTICATOR 0x11, P_ERROR_MAX_USER 0x13, ERROR_BAD_CRC, ERROR_UNKNOWN for a
///   message out of order, …). Positive rules ("a real client's pairing in pairing mode with room is
///   answered at every step and completes") as well as negative ones;
/// - `state-valid`: ``LockCore/LockMachine/validate()`` passes after every operation;
/// - `max-authorizations`: never more authorizations than the maximum;
/// - `pairing-mode-required`: an authorization is added only while pairing mode is on;
/// - `pairing-authenticators`: an authorization is added only by a write that is a real client's
///   message, unmodified, on a connection that saw nothing but that client's messages since the
///   lock last answered with its public key; the real client must then finish pairing with the
///   auth id, ID type, client id and name the lock stored;
/// - `pairing-key`: the lock's key for the new authorization is the client's (a Request Data sealed by
///   the client is answered, not refused);
/// - `one-pairing-per-mode`: pairing mode ends with the pairing that used it, and a second pairing
///   needs a new button press;
/// - `authorization-lost`: an authorization disappears only when a pairing with the same ID type and
///   client id replaces it.
public enum PairingHarness {
    /// Most operations run per input.
    public static let maxOperations = 64
    /// The lock's user table size in this fixture.
    public static let maxAuthorizations = 3
    /// ID type and client id of each client identity (op 0).
    public static let identities: [(idType: IDType, clientID: UInt32)] = [
        (.app, 500), (.app, 7), (.fob, 8), (.keypad, 9), (.bridge, 10),
    ]
    /// Number of op codes.
    public static let operationCount: UInt8 = 8

    /// The op codes of the input format (see the table above).
    public enum Operation: UInt8, Sendable, CaseIterable {
        case startPairing = 0, deliver, mutate, drop, rawWrite, button, clock, disconnect
    }

    /// The lock before any input, and the clients' key pairs.
    public struct Fixture: Sendable {
        public let machine: LockMachine
        public let lockKeyPair: KeyPair
        public let lockUUID: LockUUID
        /// One key pair per entry of ``PairingHarness/identities``.
        public let clientKeyPairs: [KeyPair]

        /// Built on first use, immutable afterwards.
        public static let shared: Fixture? = try? build()

        static func build() throws -> Fixture {
            var model = LockModel.smartLock3
            model.motorStepMilliseconds = 0
            var machine = LockMachine(
                model: model, nukiID: 0x0BA1_2ED0, settings: LockSettings(name: FixedName("Pairing door", width: FixedName.nameWidth)),
                securityPIN: .u16(4321))
            try machine.setClock(to: SessionFixture.start.utcDateTime, at: SessionFixture.start)
            machine.maxAuthorizations = PairingHarness.maxAuthorizations
            let created = SessionFixture.start.utcDateTime
            machine.restoreAuthorization(Authorization(
                authID: 1, idType: .app, clientID: 500, name: FixedName("stored app", width: FixedName.nameWidth), dateCreated: created))
            machine.restoreAuthorization(Authorization(
                authID: 2, idType: .keypad, clientID: 501, name: FixedName("stored keypad", width: FixedName.nameWidth), dateCreated: created))
            let random = SeededRandomSource(seed: 0x9A12_1246)
            let keyPair = try KeyPair(using: random)
            guard let uuid = LockUUID(random.bytes(count: 16)) else { throw SessionFixture.BuildError(description: "lock UUID") }
            var clients: [KeyPair] = []
            for index in identities.indices {
                clients.append(try KeyPair(using: SeededRandomSource(seed: 0xC1_1E47 + UInt64(index))))
            }
            return Fixture(machine: machine, lockKeyPair: keyPair, lockUUID: uuid, clientKeyPairs: clients)
        }
    }

    /// The client name of identity `index`.
    public static func clientName(_ index: Int) -> FixedName {
        FixedName("fuzz pairing \(index)", width: FixedName.nameWidth)
    }

    /// Checks one input; nil when every invariant holds. Never traps.
    public static func check(_ input: ArraySlice<UInt8>, fixture: Fixture? = Fixture.shared) -> InvariantViolation? {
        guard let fixture else { return InvariantViolation("fixture", "the pairing fixture could not be built") }
        var session = Session(fixture: fixture)
        var reader = FuzzInputReader(input)
        var operations = 0
        while !reader.isAtEnd, operations < maxOperations {
            operations += 1
            if let violation = session.perform(&reader) { return violation }
        }
        return nil
    }

    struct Slot {
        var client: ClientSessionEngine
        var identity: Int
        /// The client's pairing messages not yet written.
        var queue: [[UInt8]] = []
        var credentials: ClientCredentials?
    }

    struct Session {
        let fixture: Fixture
        var engine: LockSessionEngine
        var now = SessionFixture.start
        let clientRandom: SeededRandomSource
        var slots: [UInt64: Slot] = [:]
        /// Connections on which something other than a real client's message was written since the
        /// lock last sent its public key there.
        var tainted: Set<UInt64> = []
        /// Authorizations added since pairing mode was last entered.
        var pairingsThisMode = 0
        /// The reference model: what the lock must answer to each pairing-GDIO write.
        var model: PairingModel

        init(fixture: Fixture) {
            self.fixture = fixture
            engine = LockSessionEngine(
                machine: fixture.machine, lockKeyPair: fixture.lockKeyPair, lockUUID: fixture.lockUUID,
                random: SeededRandomSource(seed: 0x9A12_5E55))
            engine.weaknesses = SessionFixture.plantedWeaknesses
            clientRandom = SeededRandomSource(seed: 0xC11E_9A12)
            // The fixture's configuration as the harness built it (not the lock's live state).
            model = PairingModel(
                table: fixture.machine.authorizations.map { ($0.idType, $0.clientID) }, maxAuthorizations: PairingHarness.maxAuthorizations,
                pairingModeMilliseconds: fixture.machine.pairingModeMilliseconds, pairingEnabled: fixture.machine.settings.pairingEnabled)
        }

        mutating func perform(_ reader: inout FuzzInputReader) -> InvariantViolation? {
            let op = Operation(rawValue: reader.byte() % PairingHarness.operationCount) ?? .startPairing
            switch op {
            case .startPairing:
                let a = reader.byte()
                let connection = UInt64(a & 1) + 1
                let identity = Int(a >> 1) % PairingHarness.identities.count
                let (idType, clientID) = PairingHarness.identities[identity]
                var client = ClientSessionEngine(
                    idType: idType, clientID: clientID, name: PairingHarness.clientName(identity),
                    keyPair: fixture.clientKeyPairs[identity], random: clientRandom)
                var slot = Slot(client: client, identity: identity)
                for case .write(.pairingGDIO, let bytes) in client.startPairing() { slot.queue.append(bytes) }
                slot.client = client
                slots[connection] = slot
                return nil
            case .deliver, .mutate, .drop:
                let a = reader.byte()
                let connection = UInt64(a & 1) + 1
                var position = 0
                var value: UInt8 = 0
                if op == .mutate {
                    position = Int(reader.u16())
                    value = reader.byte()
                }
                guard var slot = slots[connection], !slot.queue.isEmpty else { return nil }
                let original = slot.queue.removeFirst()
                slots[connection] = slot
                if op == .drop { return nil }
                var bytes = original
                if op == .mutate, !bytes.isEmpty {
                    if a & 2 == 0 {
                        // Bit 3: count the position back from the end of the payload (a late byte: the
                        // authenticator's last bytes); bit 2: fix the CRC up so the frame still parses.
                        let index = a & 8 != 0 && bytes.count > 4 ? bytes.count - 3 - position % (bytes.count - 4) : position % bytes.count
                        bytes[index] ^= value
                        if a & 4 != 0, bytes.count >= 4 {
                            let crc = CRC16.checksum(bytes.dropLast(2))
                            bytes[bytes.count - 2] = UInt8(truncatingIfNeeded: crc)
                            bytes[bytes.count - 1] = UInt8(truncatingIfNeeded: crc >> 8)
                        }
                    } else {
                        bytes = Array(bytes.prefix(position % bytes.count))
                    }
                }
                return write(bytes, on: .pairingGDIO, connection: connection, genuine: bytes == original)
            case .rawWrite:
                let a = reader.byte()
                let bytes = reader.bytes(upTo: Int(reader.byte()))
                return write(bytes, on: a & 4 == 0 ? .pairingGDIO : .keyturnerUSDIO, connection: UInt64(a % 3) + 1, genuine: false)
            case .button:
                let held = Int64(reader.byte()) * 100
                let before = engine.machine
                let actions = engine.pressButton(heldMilliseconds: held, at: now)
                model.pressButton(heldMilliseconds: held, at: now)
                for case .event(.pairingModeEntered) in actions { pairingsThisMode = 0 }
                return checkStep(before: before, write: nil)
            case .clock:
                let unit: Int64 = reader.byte() & 1 == 0 ? 10 : 1_000
                now = now.adding(milliseconds: Int64(reader.u16()) * unit)
                let before = engine.machine
                _ = engine.advance(to: now)
                return checkStep(before: before, write: nil)
            case .disconnect:
                let connection = UInt64(reader.byte() % 3) + 1
                let before = engine.machine
                engine.disconnect(ConnectionID(connection))
                model.disconnect(connection)
                slots[connection]?.client.cancel()
                slots[connection]?.queue = []
                tainted.remove(connection)
                return checkStep(before: before, write: nil)
            }
        }

        /// What a write was, for the checks.
        struct Write {
            let connection: UInt64
            let genuine: Bool
            let taintedBefore: Bool
            let clientCredentials: ClientCredentials?
        }

        mutating func write(_ bytes: [UInt8], on characteristic: Characteristic, connection: UInt64, genuine: Bool) -> InvariantViolation? {
            let id = ConnectionID(connection)
            let taintedBefore = tainted.contains(connection)
            let before = engine.machine
            let pending = characteristic == .pairingGDIO ? model.receive(bytes, on: connection, genuine: genuine, at: now) : nil
            let actions = engine.receive(bytes, on: characteristic, from: id, at: now)
            for case .event(.pairingModeEntered) in actions { pairingsThisMode = 0 }
            if let pending {
                var refused: NukiErrorCode?
                for case .refused(let to, let code, _, _) in actions where to == id { refused = code }
                if let (rule, reason) = model.confirm(pending, refused: refused) {
                    return InvariantViolation("model-pairing-\(rule)", "write of \(bytes.count) bytes on connection \(connection) at \(now): \(reason)")
                }
            }

            var sentPublicKey = false
            var reassembler = FragmentReassembler(framing: .plain)
            for case .indicate(let to, .pairingGDIO, let chunk) in actions where to == id {
                for frame in (try? reassembler.append(chunk)) ?? [] where (try? PlainFrame.decode(frame))?.command == .publicKey {
                    sentPublicKey = true
                }
            }
            if characteristic == .pairingGDIO {
                if sentPublicKey { tainted.remove(connection) }
                let cleanRestart = sentPublicKey && bytes == PlainFrame(RequestData(requestedCommand: .publicKey)).encoded()
                if !genuine, !cleanRestart { tainted.insert(connection) }
            }

            // Pairing-channel replies go back to the connection's real client, which queues its next
            // message. (Not the keyturner GDIO: the client drops a pairing in progress on any Error
            // Report there, e.g. one answering a raw USDIO write, while the lock carries on; the
            // client's queued messages would then complete a pairing the client no longer tracks.)
            var credentials: ClientCredentials?
            if var slot = slots[connection] {
                for case .indicate(let to, .pairingGDIO, let chunk) in actions where to == id {
                    for result in slot.client.receive(chunk, on: .pairingGDIO) {
                        switch result {
                        case .write(.pairingGDIO, let next): slot.queue.append(next)
                        case .paired(let paired): credentials = paired
                        default: break
                        }
                    }
                }
                if let credentials { slot.credentials = credentials }
                slots[connection] = slot
            }
            return checkStep(
                before: before,
                write: Write(connection: connection, genuine: genuine && characteristic == .pairingGDIO, taintedBefore: taintedBefore, clientCredentials: credentials))
        }

        mutating func checkStep(before: LockMachine, write: Write?) -> InvariantViolation? {
            let after = engine.machine
            do {
                try after.validate()
            } catch {
                return InvariantViolation("state-valid", error.reason)
            }
            if after.authorizations.count > after.maxAuthorizations {
                return InvariantViolation("max-authorizations", "\(after.authorizations.count) authorizations, at most \(after.maxAuthorizations)")
            }
            let added = after.authorizations.filter { before.authorization($0.authID) == nil }
            let removed = before.authorizations.filter { after.authorization($0.authID) == nil }
            for gone in removed where !added.contains(where: { $0.idType == gone.idType && $0.clientID == gone.clientID }) {
                return InvariantViolation("authorization-lost", "authorization \(gone.authID) (\(gone.idType) \(gone.clientID)) disappeared")
            }
            guard let new = added.first else { return nil }
            if added.count > 1 { return InvariantViolation("one-pairing-per-mode", "\(added.count) authorizations added by one operation") }
            guard before.isPairingMode(at: now) else {
                return InvariantViolation("pairing-mode-required", "authorization \(new.authID) added outside pairing mode")
            }
            pairingsThisMode += 1
            if pairingsThisMode > 1 || after.isPairingMode(at: now) {
                return InvariantViolation("one-pairing-per-mode", "pairing \(pairingsThisMode) in one pairing mode; still on: \(after.isPairingMode(at: now))")
            }
            guard let write else {
                return InvariantViolation("pairing-authenticators", "authorization \(new.authID) added without a write")
            }
            guard write.genuine, !write.taintedBefore else {
                return InvariantViolation(
                    "pairing-authenticators",
                    "authorization \(new.authID) added after \(write.genuine ? "a real message on a connection that also saw other writes" : "a write that is not a real client's message")")
            }
            guard let slot = slots[write.connection], let credentials = write.clientCredentials, credentials.authID == new.authID else {
                return InvariantViolation("pairing-authenticators", "authorization \(new.authID) added but the real client did not finish pairing with it")
            }
            let identity = PairingHarness.identities[slot.identity]
            guard new.idType == identity.idType, new.clientID == identity.clientID, new.name == PairingHarness.clientName(slot.identity) else {
                return InvariantViolation("pairing-authenticators", "stored \(new.idType) \(new.clientID) differs from the client's \(identity.idType) \(identity.clientID)")
            }
            // The stored key must be the client's: a Request Data sealed with it is answered.
            var probe = engine
            let request = NukiMessage.requestData(RequestData(requestedCommand: .keyturnerStates))
            guard let frame = try? EncryptedMessageCodec.seal(
                authID: credentials.authID, command: .requestData, payload: request.encodedPayload(), key: credentials.sharedKey,
                random: clientRandom)
            else { return nil }
            let answer = probe.receive(frame, on: .keyturnerUSDIO, from: ConnectionID(99), at: now)
            for case .refused(_, let code, _, let reason) in answer {
                return InvariantViolation("pairing-key", "the client's Request Data was refused with \(code): \(reason)")
            }
            return nil
        }
    }
}
