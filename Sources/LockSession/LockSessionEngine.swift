import LockCore
import LockCrypto
import LockNFC
import LockWire
import NukiProfile

/// The lock's protocol engine, sans-I/O: every connection's pairing, challenges and encrypted
/// commands, on top of one ``LockCore/LockMachine``.
///
/// Shape: bytes written by a client go in through ``receive(_:on:from:at:)``; what the lock sends
/// comes out as ``Action``s (indications already cut to the connection's ATT_MTU − 3). Time goes in
/// through every call and ``advance(to:)``; randomness comes from the injected ``RandomSource``.
///
/// Rules (Nuki BLE API 2.1 §"Commands", `docs/wire.md` §2, §4.1, §9, §13):
/// - Pairing messages on the pairing GDIO go to the connection's ``PairingResponder``.
/// - An encrypted frame is opened with the key of its clear auth id. A frame that cannot be
///   attributed (bad length, unknown auth id, bad MAC) is answered in plaintext on the keyturner
///   GDIO with `12 00 <code> 00 00` + CRC; an attributed one that fails later (CRC, length,
///   parameter, refusal) gets an encrypted Error Report on USDIO naming the command (0x0000 when
///   unknown).
/// - A connection is bound to the first auth id that authenticates on it; frames with another
///   auth id on the same connection are refused with K_ERROR_NOT_AUTHORIZED.
/// - One live session per authorization (`docs/attacks.md` F-05), but a new connection replaces the old
///   session only once it has **proved freshness**: a command carrying the challenge this lock just
///   issued on it was accepted. A MAC alone proves nothing (a sniffed frame replayed on a new
///   connection verifies), so a replay never evicts the real user. Replies to an authorization go
///   to its proven connections and to the connection that asked.
/// - Request Data(Challenge) issues a fresh 32-byte nonce, one outstanding per connection. Every
///   command that carries a challenge consumes it, matching or not; a wrong or reused one is
///   K_ERROR_BAD_NONCE. A challenge never outlives its connection.
/// - Revoking an authorization drops its key (zeroed once no snapshot holds it) and disconnects
///   its live connections at once.
/// - Keypad Action with source NFC (0x80, Latchkey extension): the session checks the card's
///   authenticator under the claimed fob's card key (``LockNFC/NFCCardKey``, derived from that
///   fob's shared key) over the challenge of this very request, and measures the time since it
///   issued that challenge; ``LockCore/LockMachine`` decides with both (counter, time budget,
///   revocation, time window) and logs refusals.
/// - An invited authorization's shared key (Authorization Data (Invite), 0x000B) is stored as its
///   key and kept out of the event stream.
public struct LockSessionEngine {
    /// What the engine asks the transport to do.
    public enum Action: Sendable {
        /// Send the whole message `bytes` on `characteristic` of `connection`: GATT cuts it into
        /// indications of ATT_MTU − 3 (a driver without GATT hands it over whole).
        case indicate(ConnectionID, Characteristic, [UInt8])
        /// Drop the connection (revoked authorization, evicted, or a pairing message split over
        /// plain writes), after the indications before it.
        case disconnect(ConnectionID, reason: String)
        /// Something happened in the lock.
        case event(LockEvent)
        /// An input was refused, for logs and the event stream (the Error Report is sent too).
        case refused(ConnectionID, NukiErrorCode, command: Command, reason: String)
    }

    struct Connection {
        var pairing = PairingResponder()
        var boundAuthID: UInt32?
        var challenge: Bytes32?
        /// When ``challenge`` was issued (NFC time budget, `docs/attacks.md` F-06).
        var challengeIssuedAt: LockInstant?
        /// A command with a fresh challenge was accepted on this connection: it is the
        /// authorization's live session.
        var proven = false
        /// The connection's ATT_MTU (23 until an Exchange MTU raises it: ``setATTMTU(_:for:)``).
        var attMTU = LockSessionEngine.defaultATTMTU
    }

    /// The ATT_MTU of a connection before any Exchange MTU (Bluetooth Core Vol 3 Part F §3.2.8:
    /// ATT_MTU 23 on LE).
    public static let defaultATTMTU = 23

    public private(set) var machine: LockMachine
    /// The lock's X25519 key pair; `package` so the state file (`LockHost`) can save it.
    package let lockKeyPair: KeyPair
    public let lockUUID: LockUUID
    let random: any RandomSource
    /// The shared key of each authorization, by auth id; `package` so the state file and its
    /// journal (`LockHost`) can save them.
    package var keys: [UInt32: SharedKey]
    /// The instant of the last ``advance(to:)``.
    var advancedTo: LockInstant?
    var connections: [ConnectionID: Connection] = [:]
    /// The connections bound to each auth id (an index of `connections`' `boundAuthID`, so routing
    /// a reply does not scan every connection).
    var bindings: [UInt32: Set<ConnectionID>] = [:]

    /// - Parameters:
    ///   - keys: shared keys of the machine's authorizations, by auth id (restored state).
    public init(machine: LockMachine, lockKeyPair: KeyPair, lockUUID: LockUUID, keys: [UInt32: SharedKey] = [:], random: any RandomSource) {
        self.machine = machine
        self.lockKeyPair = lockKeyPair
        self.lockUUID = lockUUID
        self.keys = keys
        self.random = random
    }

    /// How many Keyturner States (0x000C) the lock has sent to its clients (a runtime clears the
    /// advertising's "state changed" bit when a client has read the state again).
    public private(set) var keyturnerStatesSent: UInt64 = 0

    /// The lock's X25519 public key, sent in pairing.
    public var publicKey: Bytes32 { lockKeyPair.publicKey }

    /// The flaws this lock reproduces on purpose (``LockCore/Weakness``; `latchkey lock serve
    /// --weaken`, a testing option). Empty unless set: a lock is honest by default. Not persisted.
    public var weaknesses: Set<Weakness> = []

    /// Whether a shared key is held for `authID`.
    public func hasKey(for authID: UInt32) -> Bool { keys[authID] != nil }

    // MARK: Connections

    /// Most connections held at once; a new one beyond it evicts the oldest connection that has not
    /// authenticated (else the oldest), so half-open connections cannot exhaust the table
    /// (`docs/attacks.md` X-04).
    public var maxConnections = 512

    /// Opens `id`. Returns a disconnect for a connection evicted to make room.
    @discardableResult
    public mutating func connect(_ id: ConnectionID) -> [Action] {
        var actions: [Action] = []
        if connections[id] == nil, connections.count >= max(1, maxConnections) {
            let victim = connections.filter { $0.value.boundAuthID == nil }.keys.min { $0.rawValue < $1.rawValue }
                ?? connections.keys.min { $0.rawValue < $1.rawValue }
            if let victim {
                disconnect(victim)
                actions.append(.disconnect(victim, reason: "connection table full"))
            }
        }
        unbind(id)
        connections[id] = Connection()
        return actions
    }

    /// Removes `id` from the binding index.
    private mutating func unbind(_ id: ConnectionID) {
        guard let authID = connections[id]?.boundAuthID else { return }
        bindings[authID]?.remove(id)
        if bindings[authID]?.isEmpty == true { bindings[authID] = nil }
    }

    /// Forgets the connection: its challenge, half-received frames and pairing state.
    public mutating func disconnect(_ id: ConnectionID) {
        connections[id]?.pairing.reset()
        unbind(id)
        connections[id] = nil
    }

    /// The auth id a connection authenticated as, if any.
    public func authID(of id: ConnectionID) -> UInt32? { connections[id]?.boundAuthID }

    // MARK: Input

    /// Bytes a client wrote to `characteristic` on `connection`: one ATT write, or a long write
    /// already joined by offset by the GATT server, is exactly one message. Nothing is carried over
    /// between writes, as on a real lock, which answers a message split over two plain writes with
    /// an Error Report (`docs/wire.md` §13): a length field that disagrees with the bytes written is
    /// ERROR_BAD_LENGTH at once (`docs/attacks.md` P-02, P-03). Unknown connections are connected first
    /// with the default MTU.
    public mutating func receive(_ bytes: [UInt8], on characteristic: Characteristic, from connection: ConnectionID, at now: LockInstant) -> [Action] {
        var actions = connections[connection] == nil ? connect(connection) : []
        actions += advance(to: now)
        switch characteristic {
        case .pairingGDIO:
            actions += receivePairing(bytes, from: connection, at: now)
        case .keyturnerUSDIO:
            actions += receiveEncrypted(bytes, from: connection, at: now)
        case .keyturnerGDIO:
            actions += refusePlain(.unknown, command: Command(rawValue: 0), "the keyturner GDIO takes no writes", on: .keyturnerGDIO, connection)
        }
        return actions
    }

    /// Answers a write whose change could not be made durable (the state file could not be saved)
    /// with an Error Report and changes nothing else: ERROR_UNKNOWN (0xFF) naming the command, in
    /// plaintext on the pairing GDIO (command 0x0000 unless the frame's CRC holds; sealed under the
    /// pairing's key for the Ultra's encrypted Authorization Data; the connection's pairing starts
    /// over), encrypted on USDIO
    /// when the frame opens under a known key, else in plaintext on the keyturner GDIO. The runtime
    /// calls this instead of ``receive(_:on:from:at:)`` after it rolled the engine back, so a client
    /// is never acknowledged for a change the lock would forget (`docs/wire.md` §9: 0xFF is "none of
    /// the others"; Latchkey policy).
    public mutating func refuseUnpersisted(_ bytes: [UInt8], on characteristic: Characteristic, from connection: ConnectionID) -> [Action] {
        if connections[connection] == nil { _ = connect(connection) }
        let reason = "the lock could not save the change; nothing was changed"
        switch characteristic {
        case .pairingGDIO:
            // The Ultra's encrypted Authorization Data: refused under the pairing's key, command 0x0006.
            if var pairing = connections[connection]?.pairing, pairing.awaitsSealedAuthorizationData, !Self.isPublicKeyRequest(bytes) {
                let result = pairing.refuseSealed(
                    .unknown, .authorizationData, reason, authID: PairingResponder.clearAuthID(of: bytes), random: random)
                connections[connection]?.pairing = pairing
                return perform(result, on: connection)
            }
            connections[connection]?.pairing.reset()
            // Only a frame whose CRC holds names its command; anything else names 0x0000 (§13).
            let command = (try? PlainFrame.decode(bytes))?.command ?? Command(rawValue: 0)
            return refusePlain(.unknown, command: command, reason, on: .pairingGDIO, connection)
        case .keyturnerUSDIO:
            // The refused command still uses up the outstanding challenge: it cannot be sent again.
            connections[connection]?.challenge = nil
            connections[connection]?.challengeIssuedAt = nil
            let keys = self.keys
            guard let plaintext = try? EncryptedMessageCodec.open(bytes, key: { keys[$0] }) else {
                return refusePlain(.unknown, command: Command(rawValue: 0), reason, on: .keyturnerGDIO, connection)
            }
            return refuseEncrypted(.unknown, command: plaintext.command, reason, authID: plaintext.authID, connection)
        case .keyturnerGDIO:
            return refusePlain(.unknown, command: Command(rawValue: 0), reason, on: .keyturnerGDIO, connection)
        }
    }

    /// The next instant at which ``advance(to:)`` has work (``LockCore/LockMachine/nextDeadline``).
    public var nextDeadline: LockInstant? { machine.nextDeadline }

    /// Runs the motor and timers up to `now`.
    public mutating func advance(to now: LockInstant) -> [Action] {
        // Advanced to this very instant already and nothing fell due since (a write may make a
        // motor step due at once): nothing to do. A driver's turn advances once, then every
        // write of the turn passes here in O(1) (`docs/architecture.md` §6, R2).
        if advancedTo == now, !(machine.nextDeadline.map { $0 <= now } ?? false) { return [] }
        advancedTo = now
        return route(machine.advance(to: now))
    }

    /// Sets the time-zone rules the lock reckons local time with (``LockCore/TimeZoneRules``; the
    /// runtime hands in the host's tz database, tests and fuzzers their own). Not persisted.
    public mutating func setTimeZoneRules(_ rules: TimeZoneRules) {
        machine.timeZoneRules = rules
    }

    /// Sets (or with nil, removes) the lock's NFC relay time budget (``LockCore/LockMachine/nfcTimeBudgetMilliseconds``).
    public mutating func setNFCTimeBudget(milliseconds: Int64?) {
        machine.nfcTimeBudgetMilliseconds = milliseconds
    }

    /// A press of the lock's button (five seconds or more enter pairing mode).
    public mutating func pressButton(heldMilliseconds: Int64, at now: LockInstant) -> [Action] {
        route(machine.pressButton(heldMilliseconds: heldMilliseconds, at: now))
    }

    /// A turn of the physical key (emergency function): unlock, lock or unlatch with trigger manual.
    /// Throws the machine's ``LockCore/LockError`` for an action a key cannot make.
    public mutating func manualTurn(_ action: LockAction, at now: LockInstant) throws(LockError) -> [Action] {
        route(try machine.manualTurn(action, at: now))
    }

    /// Simulates the door sensor (see ``LockCore/LockMachine/simulateDoor(open:at:)``).
    public mutating func simulateDoor(open: Bool, at now: LockInstant) -> [Action] {
        route(machine.simulateDoor(open: open, at: now))
    }

    /// Sets the lock's calendar, as Update Time (0x0021) does but from the lock's own side (its
    /// owner's control channel); timers keep running on the lock's timebase. Throws
    /// ``LockCore/LockError`` `badParameter` for a time that is not a valid date.
    public mutating func setClock(to time: DateTime, at now: LockInstant) throws(LockError) -> [Action] {
        try machine.setClock(to: time, at: now)
        return route([.event(.clockSet(time))])
    }

    /// Simulates the lock's battery level (see ``LockCore/LockMachine/simulateBattery(percent:at:)``).
    public mutating func simulateBattery(percent: Int, at now: LockInstant) -> [Action] {
        route(machine.simulateBattery(percent: percent, at: now))
    }

    /// Simulates a motor fault or an uncalibrated lock (see
    /// ``LockCore/LockMachine/simulateMotorFault(_:at:)``).
    public mutating func simulateMotorFault(_ fault: MotorFault, at now: LockInstant) -> [Action] {
        route(machine.simulateMotorFault(fault, at: now))
    }

    /// A write on the pairing GDIO. Undecodable input gets one plain Error Report (`docs/wire.md`
    /// §13, issue 18): a write of exactly ATT_MTU − 3 bytes that is no frame (too short or failing
    /// its CRC) is the first part of a message split over plain writes (a client that does not use a
    /// long write at ATT_MTU 23): `12 00 FF 00 00` + CRC (ERROR_UNKNOWN naming 0x0000) and a
    /// disconnect, as a real lock answered it. Otherwise a frame too short, too long or failing its CRC names command 0x0000 (the
    /// lock cannot tell which command arrived, and the first two bytes may be anything); a frame
    /// whose CRC holds names its command id, except an undocumented one (0x0000 again); the error is
    /// the first check that failed, lengths before field values. On an Ultra lock that sent
    /// Authorization Info the write is the encrypted Authorization Data
    /// (``PairingResponder/receiveSealed(_:machine:lockUUID:random:at:outsidePairingMode:)``),
    /// unless it is a plain Request Data(Public Key), which starts over.
    private mutating func receivePairing(_ frame: [UInt8], from connection: ConnectionID, at now: LockInstant) -> [Action] {
        guard var pairing = connections[connection]?.pairing else { return [] }
        if pairing.awaitsSealedAuthorizationData, !Self.isPublicKeyRequest(frame) {
            let result = pairing.receiveSealed(
                frame, machine: &machine, lockUUID: lockUUID, random: random, at: now,
                outsidePairingMode: weaknesses.contains(.pairingOutsidePairingMode))
            connections[connection]?.pairing = pairing
            return perform(result, on: connection)
        }
        let message: NukiMessage
        do {
            let plain = try PlainFrame.decode(frame)
            do {
                message = try NukiMessage.decode(command: plain.command, payload: plain.payload, context: machine.model.wireContext)
            } catch {
                connections[connection]?.pairing.reset()
                let command = error.code == .unknownCommand ? Command(rawValue: 0) : plain.command
                return refusePlain(error.code == .badParameter ? .pairingBadParameter : error.code.nukiErrorCode, command: command, error.reason, on: .pairingGDIO, connection)
            }
        } catch {
            connections[connection]?.pairing.reset()
            if frame.count == (connections[connection]?.attMTU ?? Self.defaultATTMTU) - 3 {
                // A write that fills ATT_MTU − 3 and is no frame: the first part of a message split
                // over plain writes instead of one long write. ERROR_UNKNOWN naming 0x0000, then the
                // lock drops the link, as a real lock did (`docs/wire.md` §13).
                let reason = "\(frame.count) bytes fill ATT_MTU − 3 and are no frame (\(error.reason)): a message split over plain writes"
                let refusal = refusePlain(.unknown, command: Command(rawValue: 0), reason, on: .pairingGDIO, connection)
                disconnect(connection)
                return refusal + [.disconnect(connection, reason: "a pairing message split over plain writes")]
            }
            return refusePlain(error.code.nukiErrorCode, command: Command(rawValue: 0), error.reason, on: .pairingGDIO, connection)
        }
        let result = pairing.receive(
            message, machine: &machine, lockKeyPair: lockKeyPair, lockUUID: lockUUID, random: random, at: now,
            outsidePairingMode: weaknesses.contains(.pairingOutsidePairingMode),
            authenticatorPrefixOnly: weaknesses.contains(.authenticatorPrefixCompare),
            ultra: machine.model.wireContext.ultraPairing)
        connections[connection]?.pairing = pairing
        return perform(result, on: connection)
    }

    /// Whether `frame` is the plain Request Data(Public Key) that starts a pairing (`01 00 03 00 27 A7`).
    static func isPublicKeyRequest(_ frame: [UInt8]) -> Bool {
        guard let plain = try? PlainFrame.decode(frame), plain.command == .requestData else { return false }
        return (try? RequestData(payload: plain.payload))?.requestedCommand == .publicKey
    }

    /// Sends what a pairing step leads to on the pairing GDIO.
    private mutating func perform(_ result: PairingResponder.Result, on connection: ConnectionID) -> [Action] {
        switch result {
        case .reply(let messages):
            return messages.flatMap { send(PlainFrame(command: $0.command, payload: $0.encodedPayload()).encoded(), on: .pairingGDIO, to: connection) }
        case .paired(let authorization, let key, let outputs, let reply):
            keys[authorization.authID] = key
            return send(reply, on: .pairingGDIO, to: connection) + route(outputs)
        case .refuse(let code, let command, let reason):
            return refusePlain(code, command: command, reason, on: .pairingGDIO, connection)
        case .refuseSealed(let code, let command, let reason, let frame):
            return [.refused(connection, code, command: command, reason: reason)]
                + (frame.isEmpty ? [] : send(frame, on: .pairingGDIO, to: connection))
        }
    }

    private mutating func receiveEncrypted(_ frame: [UInt8], from connection: ConnectionID, at now: LockInstant) -> [Action] {
        let keys = self.keys
        let plaintext: EncryptedPlaintext
        do {
            plaintext = try EncryptedMessageCodec.open(frame, checks: plaintextChecks) { keys[$0] }
        } catch {
            // Not attributable to a key we could answer under: plaintext on the keyturner GDIO.
            if error.code == .notAuthorized || error.code.nukiErrorCode == .badLength {
                return refusePlain(error.code.nukiErrorCode, command: Command(rawValue: 0), error.reason, on: .keyturnerGDIO, connection)
            }
            // The MAC verified (so the auth id is genuine) but the plaintext is bad.
            let authID = (try? EncryptedFrame.decode(frame).authID) ?? 0
            return refuseEncrypted(error.code.nukiErrorCode, command: Command(rawValue: 0), error.reason, authID: authID, connection)
        }
        let authID = plaintext.authID
        if let bound = connections[connection]?.boundAuthID, bound != authID {
            return refuseEncrypted(.notAuthorized, command: plaintext.command, "connection is bound to auth id \(bound)", authID: authID, connection)
        }
        if connections[connection] != nil, connections[connection]?.boundAuthID == nil {
            connections[connection]?.boundAuthID = authID
            bindings[authID, default: []].insert(connection)
        }
        return handleDecrypted(plaintext, authID: authID, from: connection, at: now)
    }

    /// Makes `connection` the live session of `authID` once it proved freshness (a challenge it was
    /// issued matched): every other connection bound to `authID` is closed (`docs/attacks.md` F-05: a
    /// clone, or a reconnect that left the old link open).
    private mutating func prove(_ connection: ConnectionID, authID: UInt32) -> [Action] {
        guard connections[connection]?.proven == false else { return [] }
        connections[connection]?.proven = true
        var closed: [Action] = []
        for other in connectionIDs(boundTo: authID) where other != connection {
            disconnect(other)
            closed.append(.disconnect(other, reason: "authorization \(authID) opened a new session"))
        }
        return closed
    }

    private mutating func handleDecrypted(_ plaintext: EncryptedPlaintext, authID: UInt32, from connection: ConnectionID, at now: LockInstant) -> [Action] {

        let message: NukiMessage
        do {
            message = try NukiMessage.decode(command: plaintext.command, payload: plaintext.payload, context: machine.model.wireContext)
        } catch {
            if weaknesses.contains(.crashOnCommand), plaintext.command == .lockAction, plaintext.payload.isEmpty {
                // Weakness.crashOnCommand (a deliberate flaw of `lock serve --weaken`): the process dies.
                fatalError("weakened lock (crash-on-command): Lock Action with an empty payload")
            }
            if Self.carriesChallenge(plaintext.command) { connections[connection]?.challenge = nil }
            return refuseEncrypted(error.code.nukiErrorCode, command: plaintext.command, error.reason, authID: authID, connection)
        }

        if case .requestData(let request) = message, request.requestedCommand == .challenge {
            guard let auth = machine.authorization(authID), CommandAccess.allows(.requestData, from: auth.idType) else {
                return refuseEncrypted(.notAuthorized, command: .requestData, "unknown authorization", authID: authID, connection)
            }
            let nonce = random.bytes32()
            connections[connection]?.challenge = nonce
            connections[connection]?.challengeIssuedAt = now
            return sendEncrypted(.challenge(Challenge(nonce: nonce)), authID: authID, to: connection)
        }
        var issuedAt = now
        var replaced: [Action] = []
        if let challenge = message.challenge {
            let outstanding = connections[connection]?.challenge
            issuedAt = connections[connection]?.challengeIssuedAt ?? now
#if BUGBENCH_CHALLENGE_NOT_CONSUMED
            // (bugbench CHALLENGE_NOT_CONSUMED: the challenge is left outstanding)
#else
            connections[connection]?.challenge = nil
#endif
            connections[connection]?.challengeIssuedAt = nil
            let enforced = !weaknesses.contains(.challengeNotEnforced)
            guard !enforced || outstanding.map({ ConstantTime.equals($0, challenge) }) == true else {
                return refuseEncrypted(.badNonce, command: message.command, "challenge is not the one issued on this connection, or was used", authID: authID, connection)
            }
            replaced = prove(connection, authID: authID)
        }
        var nfc: NFCVerification?
        if case .keypadAction(let request) = message, request.source == .nfc {
            nfc = verifyNFC(request, age: now.milliseconds(since: issuedAt))
        }
        do {
            let outputs = try machine.handle(message, from: authID, at: now, nfc: nfc, weaknesses: weaknesses)
            return replaced + route(outputs, requester: connection)
        } catch {
            return replaced + refuseEncrypted(error.code, command: message.command, error.reason, authID: authID, connection)
        }
    }

    /// Checks an NFC Keypad Action's card authenticator: HMAC-SHA256(card key, nK ‖ credential id ‖
    /// counter), the card key derived from the claimed fob's shared key; no key means not valid.
    private func verifyNFC(_ request: KeypadActionRequest, age: Int64) -> NFCVerification {
        var valid = false
        if let evidence = request.nfc, let key = keys[request.code], machine.authorization(request.code)?.idType == .fob {
            let cardKey = NFCCardKey.derive(from: key, credentialID: request.code)
            let assertion = NFCCardAssertion(credentialID: request.code, counter: evidence.counter, authenticator: evidence.authenticator)
            valid = assertion.verifies(key: cardKey, challenge: request.challenge.bytes)
        }
        return NFCVerification(authenticatorValid: valid, challengeAgeMilliseconds: age)
    }

    /// The plaintext checks of ``LockCrypto/EncryptedMessageCodec/open(_:checks:key:)-(ArraySlice<UInt8>,_,_)``:
    /// all of them unless a ``LockCore/Weakness`` switches one off.
    var plaintextChecks: EncryptedPlaintext.Checks {
        guard !weaknesses.isEmpty else { return .all }
        var checks = EncryptedPlaintext.Checks.all
        if weaknesses.contains(.crcUnchecked) { checks.remove(.crc) }
        if weaknesses.contains(.innerAuthIDUnchecked) { checks.remove(.innerAuthID) }
        return checks
    }

    /// Every client command but Request Data carries a challenge (auth EC or ECP, `docs/wire.md` §4),
    /// so even a malformed one consumes the outstanding challenge: no retries against one nonce.
    static func carriesChallenge(_ command: Command) -> Bool {
        guard let rule = CommandAccess.rows[command] else { return false }
        return command != .requestData && rule != .notAClientCommand
    }

    // MARK: Output

    /// Turns lock outputs into actions: replies encrypted to the proven connections of their auth id
    /// and to `requester` (the connection whose command produced them) when it is bound to that
    /// auth id; revocations into key wipes and disconnects.
    private mutating func route(_ outputs: [LockOutput], requester: ConnectionID? = nil) -> [Action] {
        var actions: [Action] = []
        for output in outputs {
            switch output {
            case .reply(let authID, let message):
                for id in connectionIDs(boundTo: authID) where id == requester || connections[id]?.proven == true {
                    actions += sendEncrypted(message, authID: authID, to: id)
                    if case .keyturnerStates = message { keyturnerStatesSent &+= 1 }
                }
            case .event(.invitedAuthorizationKey(let authID, let sharedKey)):
                // The invitee's key goes to the key store and nowhere else: never into the event stream.
                if let key = try? SharedKey(rawBytes: sharedKey.bytes) { keys[authID] = key }
            case .event(let event):
                actions.append(.event(event))
                if case .authorizationRevoked(let authID) = event {
                    // Dropped, not wiped: the runtime may roll the revocation back (a save that
                    // failed), and its snapshot shares this key's storage; the storage zeroes
                    // itself when the last copy goes (``LockCrypto/SecretBytes``).
                    keys[authID] = nil
                    for id in connectionIDs(boundTo: authID) {
                        unbind(id)
                        connections[id] = nil
                        actions.append(.disconnect(id, reason: "authorization \(authID) revoked"))
                    }
                }
            }
        }
        return actions
    }

    /// Records the ATT_MTU a connection agreed on (Exchange MTU), which tells a write that fills
    /// ATT_MTU − 3 bytes, the first part of a message split over plain writes, from a message
    /// (``receive(_:on:from:at:)``). Values below 23 are taken as 23. Unknown connections: nothing.
    public mutating func setATTMTU(_ mtu: Int, for id: ConnectionID) {
        guard connections[id] != nil else { return }
        connections[id]?.attMTU = max(Self.defaultATTMTU, mtu)
    }

    /// The connections bound to `authID`, in connection order.
    private func connectionIDs(boundTo authID: UInt32) -> [ConnectionID] {
        guard let bound = bindings[authID] else { return [] }
        return bound.count == 1 ? Array(bound) : bound.sorted { $0.rawValue < $1.rawValue }
    }

    /// One whole message: GATT cuts it into indications at the connection's ATT_MTU − 3, once
    /// (``GATTServer/indicate(_:on:to:at:)``).
    private func send(_ bytes: [UInt8], on characteristic: Characteristic, to connection: ConnectionID) -> [Action] {
        [.indicate(connection, characteristic, bytes)]
    }

    private func sendEncrypted(_ message: NukiMessage, authID: UInt32, to connection: ConnectionID) -> [Action] {
        guard let key = keys[authID],
            let frame = try? EncryptedMessageCodec.seal(
                authID: authID, command: message.command, payload: message.encodedPayload(), key: key, random: random)
        else { return [] }
        return send(frame, on: .keyturnerUSDIO, to: connection)
    }

    private func refusePlain(_ code: NukiErrorCode, command: Command, _ reason: String, on characteristic: Characteristic, _ connection: ConnectionID) -> [Action] {
        [.refused(connection, code, command: command, reason: reason)]
            + send(PlainFrame(ErrorReport(errorCode: code, commandID: command)).encoded(), on: characteristic, to: connection)
    }

    private func refuseEncrypted(_ code: NukiErrorCode, command: Command, _ reason: String, authID: UInt32, _ connection: ConnectionID) -> [Action] {
        [.refused(connection, code, command: command, reason: reason)]
            + sendEncrypted(.errorReport(ErrorReport(errorCode: code, commandID: command)), authID: authID, to: connection)
    }
}
