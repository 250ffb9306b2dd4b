import BLETransport
import LockCrypto
import LockEmulator
import LockSession
import LockWire
import NukiProfile

/// The clients the auditor acts as: an app (admin), a keypad and a fob.
public enum AuditRole: String, CaseIterable, Hashable, Sendable, Codable {
    case admin
    case keypad
    case fob
}

/// What the audit may use besides the link (`latchkey audit` options).
public struct AuditOptions: @unchecked Sendable {
    /// The lock's security PIN, when known (`--security-pin`): cases that need it are skipped
    /// without it.
    public var securityPIN: SecurityPIN?
    /// How long a probe waits for the lock's reply.
    public var replyTimeout: Duration
    /// The most wall time the whole audit may take (`--budget`); nil: no limit.
    public var budget: Duration?
    /// Whether the target advertises pairing mode now, when the transport can tell (nil: unknown).
    public var isPairingMode: () -> Bool?
    /// Holds the target's button for 5 s (Latchkey's own lock: SIGUSR1 to its process, as
    /// `latchkey lock press-button` does); nil when the auditor cannot.
    public var pressButton: (() throws -> Void)?
    /// Nonces, keys and codes of the auditor.
    public var random: any RandomSource

    public init(
        securityPIN: SecurityPIN? = nil, replyTimeout: Duration = .seconds(2), budget: Duration? = nil,
        isPairingMode: @escaping () -> Bool? = { nil }, pressButton: (() throws -> Void)? = nil, random: any RandomSource
    ) {
        self.securityPIN = securityPIN
        self.replyTimeout = replyTimeout
        self.budget = budget
        self.isPairingMode = isPairingMode
        self.pressButton = pressButton
        self.random = random
    }
}

/// The auditor's side of a run: its credentials, one cached connection per role, the evidence of the
/// case running, and the requests every case needs (challenges, admin reads, invited throwaway
/// authorizations and their clean-up).
public final class AuditContext {
    let connectLink: () throws -> PeripheralClient
    public private(set) var credentials: [AuditRole: ClientCredentials]
    let options: AuditOptions
    /// Keys of invited throwaway authorizations, by auth id (kept after their removal, to read a
    /// lock's replies under them).
    var throwaways: [UInt32: SharedKey] = [:]
    var connections: [AuditRole: ProbeConnection] = [:]
    /// The exchanges of the case running (its evidence).
    var exchanges: [Exchange] = []
    let started = ContinuousClock.now
    /// Whether the target is reached one connection at a time (BlueZ: one LE link per controller
    /// and peer, and a lock stops advertising while connected): every new connection first closes
    /// the cached ones.
    let oneLinkAtATime: Bool

    /// - Parameters:
    ///   - connect: opens a new GATT connection to the target (socket link or BlueZ).
    ///   - oneLinkAtATime: close the other connections before opening one (BlueZ targets).
    public init(
        connect: @escaping () throws -> PeripheralClient, credentials: [AuditRole: ClientCredentials], options: AuditOptions,
        oneLinkAtATime: Bool = false
    ) {
        connectLink = connect
        self.credentials = credentials
        self.options = options
        self.oneLinkAtATime = oneLinkAtATime
    }

    var random: any RandomSource { options.random }

    /// Every key the auditor holds, by auth id (to open the lock's encrypted replies).
    var keys: [UInt32: SharedKey] {
        var all = throwaways
        for credential in credentials.values { all[credential.authID] = credential.sharedKey }
        return all
    }

    /// Time spent so far.
    var elapsed: Duration { ContinuousClock.now - started }

    // MARK: Connections

    /// A new connection. Throws ``TargetUnreachable`` when the target cannot be reached.
    func open() throws -> ProbeConnection {
        if oneLinkAtATime { closeAll() }
        do {
            return ProbeConnection(client: try connectLink(), keys: { [unowned self] in self.keys }, timeout: options.replyTimeout)
        } catch {
            throw TargetUnreachable(description: "cannot connect to the target: \(error)")
        }
    }

    /// The role's connection (opened once; a new session of the same authorization closes an older
    /// one on Latchkey's lock, so each role keeps one).
    func connection(_ role: AuditRole) throws -> ProbeConnection {
        if let open = connections[role] { return open }
        let made = try open()
        connections[role] = made
        return made
    }

    /// Drops the role's cached connection (the next use reconnects).
    func reconnect(_ role: AuditRole) {
        connections[role]?.close()
        connections[role] = nil
    }

    /// Closes every connection the context holds.
    public func closeAll() {
        for connection in connections.values { connection.close() }
        connections.removeAll()
    }

    // MARK: Frames

    /// `message` sealed by `credential` (a fresh nonce from the auditor's random source).
    func seal(_ message: NukiMessage, as credential: ClientCredentials) -> [UInt8] {
        (try? EncryptedMessageCodec.seal(
            authID: credential.authID, command: message.command, payload: message.encodedPayload(), key: credential.sharedKey,
            random: random)) ?? []
    }

    /// Sends `bytes` on `connection` and keeps the exchange as evidence.
    @discardableResult
    func send(_ bytes: [UInt8], on characteristic: Characteristic = .keyturnerUSDIO, via connection: ProbeConnection, finals: Set<Command> = []) throws -> Exchange {
        let exchange = try connection.send(bytes, on: characteristic, finals: finals)
        exchanges.append(exchange)
        if exchange.messages.contains(where: { if case .status = $0 { true } else { false } }) { connection.dirty = true }
        return exchange
    }

    /// Request Data(Challenge) as `credential` on `connection`: the nonce, or nil (the exchange
    /// says why).
    func challenge(as credential: ClientCredentials, via connection: ProbeConnection) throws -> Bytes32? {
        let exchange = try send(seal(.requestData(RequestData(requestedCommand: .challenge)), as: credential), via: connection, finals: [.challenge])
        for case .challenge(let challenge) in exchange.messages { return challenge.nonce }
        return nil
    }

    /// A whole request as `credential`: a challenge first when `build` needs one, then the message;
    /// the exchange of the message (or of the refused challenge).
    func request(
        as credential: ClientCredentials, via connection: ProbeConnection, needsChallenge: Bool = true, finals: Set<Command> = [],
        _ build: (Bytes32) -> NukiMessage
    ) throws -> Exchange {
        var nonce = Bytes32.zero
        if needsChallenge {
            guard let issued = try challenge(as: credential, via: connection) else { return exchanges.last ?? Exchange() }
            nonce = issued
        }
        return try send(seal(build(nonce), as: credential), via: connection, finals: finals)
    }

    /// A request as the admin on its connection; nil when the audit has no admin credential.
    func admin(needsChallenge: Bool = true, finals: Set<Command> = [], _ build: (Bytes32) -> NukiMessage) throws -> Exchange? {
        guard let credential = credentials[.admin] else { return nil }
        let exchange = try request(as: credential, via: try connection(.admin), needsChallenge: needsChallenge, finals: finals, build)
        return exchange
    }

    // MARK: Liveness

    /// Whether the target still answers: Request Data(Keyturner States) under any credential, or,
    /// with none, Request Data(Public Key) on the pairing GDIO (answered with a key or an error).
    /// Throws ``TargetUnreachable`` when it does not.
    func checkAlive() throws {
        let saved = exchanges
        defer { exchanges = saved }
        if let (role, credential) = AuditRole.allCases.lazy.compactMap({ r in self.credentials[r].map { (r, $0) } }).first {
            reconnect(role)
            let connection = try connection(role)
            let exchange = try connection.send(
                seal(.requestData(RequestData(requestedCommand: .keyturnerStates)), as: credential), on: .keyturnerUSDIO, finals: [.keyturnerStates])
            guard exchange.answered else { throw TargetUnreachable(description: "the target did not answer Request Data(Keyturner States)") }
            return
        }
        let probe = try open()
        defer { probe.close() }
        let exchange = try probe.send(PlainFrame(RequestData(requestedCommand: .publicKey)).encoded(), on: .pairingGDIO, finals: [.publicKey])
        guard exchange.answered else { throw TargetUnreachable(description: "the target did not answer Request Data(Public Key)") }
    }

    // MARK: Observable state

    /// What "changed nothing observable" compares: the Keyturner States, Config, authorization list
    /// and keypad codes as the admin reads them, with clocks and activity counters left out, and
    /// whether the security PIN still verifies.
    struct Snapshot: Equatable {
        var states: [String]
        var config: [UInt8]
        var authorizations: [[UInt8]]
        var keypadCodes: [[UInt8]]
        var pinVerifies: Bool
        /// The auth ids and keypad code ids listed (to remove what a refused-but-executed command added).
        var authIDs: Set<UInt32>
        var codeIDs: Set<UInt16>
    }

    /// The lock's observable state, or nil without an admin credential and the security PIN.
    func snapshot() throws -> Snapshot? {
        guard credentials[.admin] != nil, let pin = options.securityPIN else { return nil }
        let saved = exchanges
        defer { exchanges = saved }
        var states: [String] = []
        if let exchange = try admin(needsChallenge: false, finals: [.keyturnerStates], { _ in .requestData(RequestData(requestedCommand: .keyturnerStates)) }) {
            for case .keyturnerStates(let s) in exchange.messages {
                states = ["\(s.nukiState)", "\(s.lockState)", "\(s.configUpdateCount)", "\(String(describing: s.doorSensorState))"]
            }
        }
        var config: [UInt8] = []
        if let exchange = try admin(finals: [.config], { .requestConfig(RequestConfig(challenge: $0)) }) {
            for case .config(var c) in exchange.messages {
                c.currentTime = .unset
                config = NukiMessage.config(c).encodedPayload()
            }
        }
        var authorizations: [[UInt8]] = []
        var authIDs: Set<UInt32> = []
        var codeIDs: Set<UInt16> = []
        if let exchange = try admin({ .requestAuthorizationEntries(RequestAuthorizationEntries(offset: 0, count: 200, challenge: $0, securityPIN: pin)) }) {
            for case .authorizationEntry(var e) in exchange.messages {
                e.dateLastActive = .unset
                e.lockCount = 0
                authIDs.insert(e.authID)
                authorizations.append(NukiMessage.authorizationEntry(e).encodedPayload())
            }
        }
        var codes: [[UInt8]] = []
        if let exchange = try admin({ .requestKeypadCodes(RequestKeypadCodes(offset: 0, count: 200, challenge: $0, securityPIN: pin)) }) {
            for case .keypadCode(var k) in exchange.messages {
                k.dateLastActive = .unset
                k.lockCount = 0
                codeIDs.insert(k.codeID)
                codes.append(NukiMessage.keypadCode(k).encodedPayload())
            }
        }
        let verify = try admin { .verifySecurityPIN(VerifySecurityPIN(challenge: $0, securityPIN: pin)) }
        let pinVerifies = verify?.messages.contains(.status(Status(.complete))) ?? false
        return Snapshot(
            states: states, config: config, authorizations: authorizations, keypadCodes: codes, pinVerifies: pinVerifies, authIDs: authIDs,
            codeIDs: codeIDs)
    }

    /// What differs between two snapshots, in words; empty when nothing does.
    static func differences(_ a: Snapshot, _ b: Snapshot) -> [String] {
        var out: [String] = []
        if a.states != b.states { out.append("Keyturner States \(a.states) → \(b.states)") }
        if a.config != b.config { out.append("Config changed") }
        if a.authorizations != b.authorizations { out.append("authorization list changed (\(a.authorizations.count) → \(b.authorizations.count) entries)") }
        if a.keypadCodes != b.keypadCodes { out.append("keypad codes changed (\(a.keypadCodes.count) → \(b.keypadCodes.count))") }
        if a.pinVerifies != b.pinVerifies { out.append("the security PIN no longer verifies") }
        return out
    }

    // MARK: Throwaway authorizations

    /// Invites a throwaway authorization of `idType` (Authorization Data (Invite) 0x000B, as the
    /// admin, with a fresh random shared key): its credentials, or nil when the lock refused (the
    /// last exchange says why) or the audit lacks the admin or the PIN.
    func invite(_ idType: IDType, restriction: TimeRestriction = .unrestricted) throws -> ClientCredentials? {
        guard let admin = credentials[.admin], let pin = options.securityPIN else { return nil }
        let key = Bytes32(random.bytes(count: 32)) ?? .zero
        guard let exchange = try self.admin(finals: [.authorizationIDInvite], {
            .authorizationDataInvite(AuthorizationDataInvite(
                name: FixedName("latchkey-audit", width: FixedName.nameWidth), idType: idType, sharedKey: key, remoteAllowed: false,
                restriction: restriction, challenge: $0, securityPIN: pin))
        }) else { return nil }
        for case .authorizationIDInvite(let invite) in exchange.messages {
            guard let shared = try? SharedKey(rawBytes: key.bytes) else { return nil }
            throwaways[invite.authID] = shared
            return ClientCredentials(authID: invite.authID, sharedKey: shared, lockPublicKey: admin.lockPublicKey, lockUUID: admin.lockUUID)
        }
        return nil
    }

    /// Like ``invite(_:restriction:)`` but the authorization is kept (not a throwaway): for the
    /// auditor's own keypad or fob when the target cannot be put in pairing mode again.
    public func inviteKeeping(_ idType: IDType) throws -> ClientCredentials? {
        try invite(idType)
    }

    /// Removes an authorization as the admin (Remove Authorization Entry 0x0008): the exchange.
    @discardableResult
    func remove(authID: UInt32) throws -> Exchange? {
        guard let pin = options.securityPIN else { return nil }
        // The key stays known: a lock that ignores the removal answers under it (evidence).
        return try admin { .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: authID, challenge: $0, securityPIN: pin)) }
    }
}
