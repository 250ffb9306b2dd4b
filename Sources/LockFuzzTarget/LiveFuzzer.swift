import BLEATT
import Foundation
import LockAudit
import LockCore
import LockCrypto
import LockEmulator
import LockSession
import LockWire
import NukiProfile

/// How the CLI hands a live target to the fuzzer.
public struct LiveTarget {
    /// `socket:54:D2:…`, as given to `--target`.
    public var description: String
    /// Opens a new GATT connection to the lock.
    public var connect: () throws -> PeripheralClient
    /// Who is serving, where the transport can tell (socket link: the process id in the discovery
    /// record and the socket's inode); a different value after a lost link means the lock restarted.
    public var identity: () -> String?
    /// Whether the target is reached one connection at a time. Over BlueZ it is: a controller
    /// holds at most one LE link to a peer, the kernel one ATT channel (L2CAP CID 4) on it, and a
    /// lock stops advertising while a central is connected (Bluetooth Core 5.4, Vol 6, Part B,
    /// §4.4.2), so a second connection never finds it. The fuzzer then closes its other
    /// connections before it opens one (not counted as reconnects).
    public var oneLinkAtATime: Bool
    /// Whether the target advertises pairing mode now, where the transport can tell (nil: unknown).
    public var isPairingMode: () -> Bool?
    /// Presses the target's button and waits for its pairing mode (Latchkey's own lock, through
    /// its control socket); nil when the fuzzer cannot.
    public var pressButton: (() throws -> Void)?

    /// A target described as `description`, reached by `connect`, identified by `identity`.
    public init(
        description: String, connect: @escaping () throws -> PeripheralClient, identity: @escaping () -> String? = { nil },
        oneLinkAtATime: Bool = false, isPairingMode: @escaping () -> Bool? = { nil }, pressButton: (() throws -> Void)? = nil
    ) {
        self.description = description
        self.connect = connect
        self.identity = identity
        self.oneLinkAtATime = oneLinkAtATime
        self.isPairingMode = isPairingMode
        self.pressButton = pressButton
    }
}

/// When a scripted operation (``LiveOperation``) replaces the mutated input: at input index
/// `first`, then every `every` inputs (0: once).
public struct OperationSchedule: Hashable, Sendable {
    /// The input index of the first run.
    public var first: Int
    /// Inputs between two runs; 0: only at `first`.
    public var every: Int

    /// At `first`, then every `every` inputs.
    public init(first: Int, every: Int) {
        self.first = first
        self.every = every
    }

    /// Whether the operation runs at input `index`.
    public func isDue(at index: Int) -> Bool {
        index == first || (every > 0 && index > first && (index - first) % every == 0)
    }
}

/// The fuzzer's model of the target's security-PIN lockout: after `attempts` wrong PINs in a row
/// the PIN (the right one too) is refused with K_ERROR_TOO_MANY_PIN_ATTEMPTS (0x28) for `duration`.
/// The Nuki API leaves both undocumented (`docs/protocol.md` §3.5); the defaults are Latchkey's own
/// policy (``LockCore/FailureLockout/securityPIN``: 3 attempts, 30 s for the first lockout).
public struct PINLockoutModel: Hashable, Sendable {
    /// Wrong PINs in a row that start a lockout.
    public var attempts: Int
    /// How long the first lockout lasts.
    public var duration: Duration

    /// `attempts` wrong PINs lock the PIN for `duration`.
    public init(attempts: Int, duration: Duration) {
        self.attempts = attempts
        self.duration = duration
    }

    /// Latchkey's policy.
    public static let latchkey = PINLockoutModel(
        attempts: FailureLockout.securityPIN.freeAttempts, duration: .milliseconds(FailureLockout.securityPIN.firstLockoutMilliseconds))
}

/// The options of `latchkey fuzz --target` (and `latchkey replay`).
public struct LiveFuzzOptions: Sendable {
    /// `--mode`.
    public var mode: FuzzMode = .structured
    /// Keys the fuzzer's choices (``FuzzDice``): the same seed sends the same inputs.
    public var seed: UInt64 = 1
    /// Stop after this many inputs (`--runs`).
    public var runs: Int?
    /// Stop after this much wall time (`--duration`).
    public var duration: Duration?
    /// The liveness oracle's Keyturner States request after every N inputs (`--check-every`).
    public var checkEvery: Int = 1
    /// The admin-data comparison (Config, authorizations, keypad codes) after every N inputs.
    public var snapshotEvery: Int = 500
    /// The lock's security PIN (`--security-pin`): without it there are no throwaway credentials
    /// (revoked, disabled, expired) and the authorizations and keypad codes are not compared.
    public var securityPIN: SecurityPIN?
    /// How long a request waits for its decisive reply.
    public var replyTimeout: Duration = .seconds(1)
    /// How long the fuzzer tries to reach the lock again after the link dropped.
    public var reconnectTimeout: Duration = .seconds(3)
    /// Inputs kept before a finding in its trace.
    public var traceWindow: Int = 256
    /// Where findings' traces and `summary.json` go (nil: nowhere).
    public var outDirectory: String?
    /// Go on after a finding (findings are then de-duplicated by oracle).
    public var keepGoing = false
    /// How long a lock state change is explained by an accepted Lock Action or Keypad Action (a
    /// motor run, lock'n'go's 20 s).
    public var motionGrace: Duration = .seconds(30)
    /// The scripted operations and when they run (``LiveOperation``); one the campaign cannot run
    /// (no security PIN, no keypad, no way to pairing mode) is left out. Defaults: the disabled code
    /// at input 16 then every 1,000; the code cycle at 2,500 then every 5,000; the pairing at 40
    /// then every 100,000; the PIN burst at 64 then every 200,000 (each burst locks the PIN out,
    /// and the admin's reads that need it wait, for ``pinLockout``'s duration).
    public var operations: [LiveOperation: OperationSchedule] = [
        .disabledCode: OperationSchedule(first: 16, every: 1_000),
        .codeCycle: OperationSchedule(first: 2_500, every: 5_000),
        .pairingAuthenticator: OperationSchedule(first: 40, every: 100_000),
        .pinBurst: OperationSchedule(first: 64, every: 200_000),
    ]
    /// The target's PIN lockout as the PIN burst expects it.
    public var pinLockout = PINLockoutModel.latchkey

    /// The defaults of `latchkey fuzz --target`.
    public init() {}
}

/// One oracle violation.
public struct LiveFinding: Codable, Hashable, Sendable {
    /// The oracle, e.g. `access-matrix`, `liveness-lost` (`latchkey fuzz --help` lists them).
    public var oracle: String
    /// What was seen, in words, with the command and codes.
    public var detail: String
    /// The input after which it was seen (index in the campaign or trace).
    public var input: Int
    /// Seconds since the campaign started.
    public var seconds: Double
    /// The trace file written for it.
    public var trace: String?
}

/// The end of a campaign: counts, rate, coverage and findings (`summary.json`).
public struct LiveFuzzSummary: Codable, Sendable {
    /// The `--target`.
    public var target: String
    /// `structured`, `frame` or `att`.
    public var mode: String
    /// The `--seed`.
    public var seed: UInt64
    /// Inputs sent.
    public var inputs: Int
    /// Wall time from the fuzzer's start (set-up included), seconds.
    public var seconds: Double
    /// `inputs` / `seconds`.
    public var inputsPerSecond: Double
    /// Liveness checks run.
    public var checks: Int
    /// Admin-data comparisons run.
    public var snapshots: Int
    /// Links the lock dropped while staying up (reconnected, not findings).
    public var reconnects: Int
    /// Inputs that got no answer within the reply timeout.
    public var unanswered: Int
    /// The credentials used.
    public var roles: [String]
    /// Distinct (command sent → reply: command or error code) cells seen.
    public var coverageCells: Int
    /// Distinct command ids sent.
    public var commandsSeen: Int
    /// Distinct Error Report codes received, `0x20`…
    public var errorCodesSeen: [String]
    /// The findings, in order.
    public var findings: [LiveFinding]
    /// `runs`, `duration`, `finding` or `unreachable`.
    public var stoppedBy: String
    /// 77 with a finding, 0 without.
    public var exitCode: Int32
    /// What the inputs started from: `messages`, `sequences`, `plainFrames` and `tokens` of the
    /// ``FuzzSeeds`` (built-in, corpus and dictionaries together); nil in summaries written before.
    public var seeds: [String: Int]?
    /// Whether the fuzzer held one connection at a time (``LiveTarget/oneLinkAtATime``).
    public var oneLinkAtATime: Bool?
    /// Scripted operations run (``LiveOperation``), by name; nil in summaries written before.
    public var operations: [String: Int]?
}

/// The target could not be prepared (credentials, throwaways): exit 1.
public struct LiveFuzzSetupError: Error, CustomStringConvertible {
    /// What could not be done.
    public let description: String
}

/// Black-box stateful fuzzing of a live lock inside the encryption (`latchkey fuzz --target`),
/// sans CLI. See `README.md` "Testing another lock or client" and ``LiveMutator`` for the inputs.
///
/// Oracles (each a finding named by the id given here):
/// - **liveness**: after every `checkEvery` inputs the admin's Request Data(Keyturner States) must be
///   answered. A link that closes or a request left unanswered is followed by reconnecting for up to
///   `reconnectTimeout`: no answer is `liveness-lost`; an answer from a different serving process
///   (``LiveTarget/identity``) or with the lock's clock gone backwards is `liveness-reboot` (it
///   restarted); an unanswered request on a link that stayed open is `liveness-unanswered`; a link
///   the lock dropped while staying up is only counted (reconnects). `admin-locked-out`: the lock
///   still answers but refuses the admin's request (an input removed or disabled the admin).
/// - **security**: `access-matrix`, a command accepted (answered other than by an Error Report) from
///   a client whose ID type the Nuki access matrix does not allow it (``LockCore/CommandAccess``,
///   CVE-2022-32507), or a fob's Lock Action other than 0x81–0x83; `revoked-credential-accepted`,
///   `disabled-credential-accepted`, `expired-credential-accepted`, anything but a challenge answered
///   to a throwaway credential (a revoked one must not even get a challenge); `stale-challenge-accepted`, a command with a used or forged
///   challenge accepted; `tampered-frame-accepted`, a frame with a broken CRC, inner auth id or
///   envelope accepted; `keypad-lockout-missing`, a sixth K_ERROR_CODE_INVALID in a row without a
///   lockout (K_ERROR_CODE_INVALID_TIMEOUT_1–3); `pin-lockout-missing`, a fourth K_ERROR_BAD_PIN in
///   a row without K_ERROR_TOO_MANY_PIN_ATTEMPTS; `pairing-outside-pairing-mode`, a plain pairing
///   request answered with a public key while the lock says it is not in pairing mode;
///   `state-moved-without-accepted-action`, the admin's Keyturner States show the lock leaving a
///   resting state (locked, unlocked, uncalibrated, blocked) with no accepted Lock Action or Keypad
///   Action from a credential that may act within `motionGrace` (and not in the first 2 s, when a run
///   an earlier session started may still begin);
///   `admin-data-changed`, Config, the authorizations or the keypad codes (or the Keyturner States'
///   config update count) changed although the admin wrote nothing. The scripted operations
///   (``LiveOperation``, `LiveFuzzer+Operations.swift`) add `wrong-pin-accepted`,
///   `pin-refusal-unexpected` and the PIN burst's `pin-lockout-missing`, `disabled-code-accepted`,
///   `wrong-authenticator-accepted` and `authenticator-refusal-unexpected`.
/// - **protocol**: `reply-undecodable` (a reply that does not open, decode with LockWire, or
///   re-encode to itself), `reply-over-mtu` (an indication longer than ATT_MTU − 3),
///   `reply-wrong-auth-id` (an encrypted reply under another client's auth id),
///   `att-request-unanswered` and `att-pdu-undecodable` (ATT mode), `prepare-queue-unbounded` (more
///   than 512 Prepare Write Requests queued without a refusal or an Execute Write).
public final class LiveFuzzer {
    let target: LiveTarget
    var credentials: [FuzzRole: ClientCredentials]
    let options: LiveFuzzOptions
    let seeds: FuzzSeeds
    let nonces: any RandomSource = SystemRandomSource()
    let started = ContinuousClock.now

    var connections: [String: FuzzConnection] = [:]
    /// Inputs since the last check, and the ring of recent inputs with their frames (the trace).
    var ring: [(LiveInput, [TraceFrame])] = []
    var currentFrames: [TraceFrame] = []
    var currentInput: LiveInput?

    // Oracle state.
    var lastStates: KeyturnerStates?
    var lastAcceptedMove: ContinuousClock.Instant?
    var consecutiveCodeInvalid = 0
    var consecutiveBadPIN = 0
    /// The inputs of the current wrong-code and wrong-PIN streaks (kept for the trace however far
    /// back they go, so a replay sends the whole streak).
    var streaks: [String: [(LiveInput, [TraceFrame])]] = [:]
    var streakOfCurrent: String?
    /// Roles the lock refused a challenge on their current connection (not asked again until a reconnect).
    var challengeRefused: Set<FuzzRole> = []
    var preparedQueued = 0
    var baseline: AdminSnapshot?
    var identity: String?
    /// Until when the PIN burst's lockout is expected to run (the admin's reads that need the PIN
    /// wait for it); nil when none is.
    var pinLockedUntil: ContinuousClock.Instant?
    /// The keypad code the admin added and disabled for ``LiveOperation/disabledCode``: its id and code.
    var disabledCode: (id: UInt16, code: UInt32)?
    /// Whether the campaign's code is disabled now (the code cycle enables it for a moment).
    var codeDisabled = false
    /// Scripted operations run, by name.
    var operationCounts: [String: Int] = [:]

    // Counters.
    var inputs = 0
    var checks = 0
    var snapshots = 0
    var reconnects = 0
    var unanswered = 0
    var cells: Set<String> = []
    var commandsSeen: Set<UInt16> = []
    var errorCodesSeen: Set<UInt8> = []
    public internal(set) var findings: [LiveFinding] = []
    var findingOracles: Set<String> = []
    var header: TraceHeader?
    /// What went wrong in the set-up without stopping it (shown by the CLI).
    public internal(set) var notes: [String] = []

    /// - Parameters:
    ///   - credentials: the fuzzer's paired clients (admin needed; keypad and fob optional).
    public init(target: LiveTarget, credentials: [AuditRole: ClientCredentials], seeds: FuzzSeeds, options: LiveFuzzOptions) {
        self.target = target
        var roles: [FuzzRole: ClientCredentials] = [:]
        for (role, credential) in credentials {
            switch role {
            case .admin: roles[.admin] = credential
            case .keypad: roles[.keypad] = credential
            case .fob: roles[.fob] = credential
            }
        }
        self.credentials = roles
        self.seeds = seeds
        self.options = options
    }

    var micros: Int64 {
        let elapsed = ContinuousClock.now - started
        return elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
    }

    var seconds: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    var keys: [UInt32: SharedKey] {
        var all: [UInt32: SharedKey] = [:]
        for credential in credentials.values { all[credential.authID] = credential.sharedKey }
        return all
    }

    /// The roles in use, in a fixed order.
    public var roles: [FuzzRole] { FuzzRole.allCases.filter { credentials[$0] != nil } }

    // MARK: Connections

    func connection(_ name: String) throws -> FuzzConnection {
        if let open = connections[name] { return open }
        if target.oneLinkAtATime { closeAll() }
        let client: PeripheralClient
        do { client = try target.connect() } catch { throw LinkLost("cannot connect to the target: \(error)") }
        let made = FuzzConnection(role: name, client: client, keys: { [unowned self] in self.keys }, clock: { [unowned self] in self.micros }) { [unowned self] frame in
            self.currentFrames.append(frame)
        }
        connections[name] = made
        return made
    }

    /// A connection of the ATT mode or of plain frames, authenticated once (Request Data(Keyturner
    /// States) through the GATT client, as the keypad, else the fob, else the admin) so the lock
    /// does not hold it to its budget for unauthenticated connections (Latchkey: 200 PDUs/s,
    /// `docs/attacks.md` X-04). It never carries a challenge, so it never becomes that credential's
    /// live session and never closes the admin's.
    func authenticatedConnection(_ name: String) throws -> FuzzConnection {
        if let open = connections[name] { return open }
        let made = try connection(name)
        if let (role, credential) = [FuzzRole.keypad, .fob, .admin].lazy.compactMap({ r in self.credentials[r].map { (r, $0) } }).first {
            _ = try made.send(
                seal(.requestData(RequestData(requestedCommand: .keyturnerStates)), as: credential), on: .keyturnerUSDIO, finals: [.keyturnerStates],
                timeout: options.replyTimeout, summary: "REQUEST_DATA(KEYTURNER_STATES) as \(role.rawValue) (authenticates the \(name) connection)")
        }
        return made
    }

    func closeAll() {
        challengeRefused.removeAll()
        for connection in connections.values { connection.close() }
        connections.removeAll()
    }

    func seal(_ message: NukiMessage, as credential: ClientCredentials) -> [UInt8] {
        (try? EncryptedMessageCodec.seal(authID: credential.authID, command: message.command, payload: message.encodedPayload(), key: credential.sharedKey, random: nonces)) ?? []
    }

    /// The replies that end a request of `command` besides an Error Report or a Status.
    static func finals(for command: Command, payload: [UInt8]) -> Set<Command> {
        switch command {
        case .requestData:
            if payload.count >= 2 { return [Command(rawValue: UInt16(payload[0]) | UInt16(payload[1]) << 8)] }
            return []
        case .requestConfig: return [.config]
        case .requestAdvancedConfig: return [.advancedConfig]
        case .addKeypadCode: return [.keypadCodeID]
        case .authorizationDataInvite: return [.authorizationIDInvite]
        case .addTimeControlEntry: return [.timeControlEntryID]
        default: return []
        }
    }

    /// Request Data(Challenge) as `role` on its connection: the nonce, or nil when refused.
    func challenge(_ role: FuzzRole, via connection: FuzzConnection) throws -> Bytes32? {
        guard let credential = credentials[role] else { return nil }
        let exchange = try connection.send(
            seal(.requestData(RequestData(requestedCommand: .challenge)), as: credential), on: .keyturnerUSDIO, command: .requestData,
            finals: [.challenge], statusEnds: false, timeout: options.replyTimeout, summary: "REQUEST_DATA(CHALLENGE) as \(role.rawValue)")
        judgeProtocol(exchange, sender: credential.authID)
        for case .challenge(let challenge) in exchange.messages {
            connection.lastChallenge = challenge.nonce
            if role == .revoked { finding("\(role.rawValue)-credential-accepted", "Request Data(Challenge) from the \(role.rawValue) (auth id \(credential.authID)) was answered with a challenge; this authorization is \(role.rawValue) and must be refused") }
            return challenge.nonce
        }
        // Asked once per connection: a lock that refuses this credential a challenge (a revoked one)
        // throttles connections that never authenticate.
        if exchange.errorCode != nil { challengeRefused.insert(role) }
        return nil
    }

    /// An admin request with a fresh challenge when `build` needs one; the exchange.
    func admin(needsChallenge: Bool = true, finals: Set<Command> = [], summary: String, _ build: (Bytes32) -> NukiMessage) throws -> FuzzExchange {
        guard let credential = credentials[.admin] else { throw LiveFuzzSetupError(description: "the fuzzer needs an admin (app) credential") }
        let connection = try connection(FuzzRole.admin.rawValue)
        var nonce = Bytes32.zero
        if needsChallenge {
            guard let issued = try challenge(.admin, via: connection) else { return FuzzExchange() }
            nonce = issued
        }
        let message = build(nonce)
        let exchange = try connection.send(seal(message, as: credential), on: .keyturnerUSDIO, finals: finals, timeout: options.replyTimeout, summary: summary)
        judgeProtocol(exchange, sender: credential.authID)
        if message.securityPIN != nil, exchange.answered { pinStreakEnded() }
        return exchange
    }

    // MARK: Set-up

    /// Invites the throwaway credentials (revoked, disabled, expired) as the admin with the PIN.
    func prepareThrowaways(_ wanted: [FuzzRole]) throws {
        guard let pin = options.securityPIN, let admin = credentials[.admin] else { return }
        for role in wanted {
            var restriction = TimeRestriction.unrestricted
            if role == .expired {
                restriction = TimeRestriction(
                    timeLimited: true, allowedFrom: DateTime(year: 2001, month: 1, day: 1, hour: 0, minute: 0, second: 0),
                    allowedUntil: DateTime(year: 2001, month: 1, day: 2, hour: 0, minute: 0, second: 0), allowedWeekdays: [],
                    allowedFromTime: .midnight, allowedUntilTime: .midnight)
            }
            let key = Bytes32(nonces.bytes(count: 32)) ?? .zero
            let name = FixedName("latchkey-fuzz-\(role.rawValue)", width: FixedName.nameWidth)
            let invited = try self.admin(finals: [.authorizationIDInvite], summary: "AUTHORIZATION_DATA_INVITE (\(role.rawValue))") {
                .authorizationDataInvite(AuthorizationDataInvite(
                    name: name, idType: .app, sharedKey: key, remoteAllowed: false, restriction: restriction, challenge: $0, securityPIN: pin))
            }
            guard case .authorizationIDInvite(let id)? = invited.messages.first(where: { $0.command == .authorizationIDInvite }),
                let shared = try? SharedKey(rawBytes: key.bytes)
            else {
                throw LiveFuzzSetupError(description: "the admin could not invite the \(role.rawValue) throwaway: \(invited.replies.map(\.summary).joined(separator: ", "))")
            }
            credentials[role] = ClientCredentials(authID: id.authID, sharedKey: shared, lockPublicKey: admin.lockPublicKey, lockUUID: admin.lockUUID)
            switch role {
            case .revoked:
                _ = try self.admin(summary: "REMOVE_AUTHORIZATION_ENTRY (revoked)") {
                    .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: id.authID, challenge: $0, securityPIN: pin))
                }
            case .disabled:
                _ = try self.admin(summary: "UPDATE_AUTHORIZATION_ENTRY (disabled)") {
                    .updateAuthorizationEntry(UpdateAuthorizationEntry(
                        authID: id.authID, name: name, enabled: false, remoteAllowed: false, restriction: .unrestricted, challenge: $0, securityPIN: pin))
                }
            default: break
            }
        }
    }

    /// Removes the throwaways and the campaign's keypad code still listed (the end of a campaign or replay).
    func removeThrowaways() {
        removeCode()
        guard let pin = options.securityPIN else { return }
        for role in [FuzzRole.revoked, .disabled, .expired] {
            guard let credential = credentials[role] else { continue }
            _ = try? admin(summary: "REMOVE_AUTHORIZATION_ENTRY (\(role.rawValue), clean-up)") {
                .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: credential.authID, challenge: $0, securityPIN: pin))
            }
        }
    }

    // MARK: Campaign

    /// Runs the campaign: set-up, inputs until the budget or the first finding (all findings with
    /// `keepGoing`), clean-up. `progress` gets a status line about once a second.
    public func run(progress: ((String) -> Void)? = nil) -> LiveFuzzSummary {
        var stoppedBy = "runs"
        do {
            try start(throwaways: options.securityPIN != nil ? [.revoked, .disabled, .expired] : [], disabledCode: options.operations[.disabledCode] != nil)
        } catch {
            record(LiveFinding(oracle: "liveness-lost", detail: "the lock could not be prepared: \(error)", input: 0, seconds: seconds))
            return summary(stoppedBy: "unreachable")
        }
        var mutator = LiveMutator(seed: options.seed, seeds: seeds, roles: roles, pinKnown: options.securityPIN != nil)
        mutator.authIDs = credentials.mapValues(\.authID)
        if target.oneLinkAtATime { mutator.clientRun = options.checkEvery }
        if options.mode != .att { mutator.operations = options.operations.filter { canRun($0.key) } }
        if options.mode == .att, let client = try? authenticatedConnection("att").client {
            mutator.handles = Characteristic.allCases.compactMap { client.handle(of: $0) }.flatMap { [$0, $0 &+ 1] }
        }
        header = TraceHeader(
            target: target.description, mode: options.mode.rawValue, seed: options.seed, roles: Dictionary(uniqueKeysWithValues: credentials.map { ($0.key.rawValue, $0.value.authID) }),
            checkEvery: options.checkEvery, mtu: (try? connection(FuzzRole.admin.rawValue).mtu) ?? 0, version: 1)
        var lastProgress = ContinuousClock.now
        let deadline = options.duration.map { started + $0 }
        var index = 0
        loop: while true {
            if let runs = options.runs, index >= runs { stoppedBy = "runs"; break }
            if let deadline, ContinuousClock.now >= deadline { stoppedBy = "duration"; break }
            let input = mutator.next(index: index, mode: options.mode)
            index += 1
            // What the admin changes on purpose is compared first, so a change an earlier input made is not taken for it.
            if input.operation?.changesAdminData == true, compareSnapshot(), !options.keepGoing { stoppedBy = "finding"; break }
            let found = step(input, check: index % max(1, options.checkEvery) == 0)
            if found, !options.keepGoing { stoppedBy = "finding"; break loop }
            if options.snapshotEvery > 0, index % options.snapshotEvery == 0, compareSnapshot(), !options.keepGoing { stoppedBy = "finding"; break }
            if let progress, ContinuousClock.now - lastProgress >= .seconds(1) {
                lastProgress = .now
                progress(statusLine())
            }
        }
        if findings.isEmpty || options.keepGoing { _ = compareSnapshot() }
        waitForPINLockout()
        removeThrowaways()
        closeAll()
        progress?(statusLine())
        return summary(stoppedBy: stoppedBy)
    }

    /// Connects the admin, reads the first states, invites `throwaways`, adds the disabled keypad
    /// code (`disabledCode`, with the security PIN and a keypad), takes the admin baseline.
    func start(throwaways: [FuzzRole], disabledCode wantsCode: Bool = false) throws {
        identity = target.identity()
        guard credentials[.admin] != nil else { throw LiveFuzzSetupError(description: "the fuzzer needs an admin (app) credential (--pair or --admin-state)") }
        guard try readStates() != nil else { throw LinkLost("the lock did not answer Request Data(Keyturner States)") }
        // A motor run an earlier session started may still begin moving: explained for the first
        // 2 s (a lock'n'go started before the campaign can still show up after that).
        lastAcceptedMove = .now - options.motionGrace + .seconds(2)
        do {
            try prepareThrowaways(throwaways)
        } catch let error as LinkLost {
            throw error
        } catch {
            // A lock an earlier campaign changed (e.g. a weakened one that let a keypad set the PIN):
            // go on without the throwaways; their inputs are skipped.
            notes.append("\(error)")
        }
        if wantsCode { try prepareDisabledCode() }
        baseline = try? adminSnapshot()
        currentFrames = []
    }

    /// Sends one input, judges it, runs the liveness and state oracles when `check`; true when it
    /// produced a finding.
    func step(_ input: LiveInput, check: Bool) -> Bool {
        let before = findings.count
        currentInput = input
        currentFrames = []
        streakOfCurrent = nil
        inputs += 1
        do {
            try endPINLockoutIfDue()
            try execute(input)
            if check { try liveness() }
        } catch let lost as LinkLost {
            recover(after: lost, linkClosed: true)
        } catch {
            recover(after: LinkLost("\(error)"), linkClosed: true)
        }
        if let streak = streakOfCurrent { streaks[streak, default: []].append((input, currentFrames)) }
        ring.append((input, currentFrames))
        if ring.count > options.traceWindow { ring.removeFirst(ring.count - options.traceWindow) }
        if findings.count > before {
            for i in before..<findings.count { findings[i].trace = writeTrace(for: findings[i], number: i + 1) }
            return true
        }
        return false
    }

    func record(_ finding: LiveFinding) {
        if options.keepGoing, findingOracles.contains(finding.oracle) { return }
        findingOracles.insert(finding.oracle)
        findings.append(finding)
    }

    func finding(_ oracle: String, _ detail: String) {
        record(LiveFinding(oracle: oracle, detail: detail, input: currentInput?.index ?? 0, seconds: seconds))
    }

    // MARK: Inputs

    /// Sends `input` and judges its replies. Throws ``LinkLost``.
    func execute(_ input: LiveInput) throws {
        switch input.mode {
        case .att:
            try auxiliary("att") { try executeATT(input, on: $0) }
        case .structured, .frame:
            if let operation = input.operation {
                try execute(operation, input)
                return
            }
            if let plain = input.plain.flatMap(Hex.decode) {
                let characteristic = input.characteristic.flatMap(Characteristic.init(traceName:)) ?? .pairingGDIO
                try auxiliary("plain") { connection in
                    let exchange = try connection.send(plain, on: characteristic, finals: [.publicKey, .challenge], timeout: options.replyTimeout, summary: "plain frame")
                    judgePlain(input, plain: plain, on: characteristic, exchange)
                }
                return
            }
            try executeSealed(input)
        }
    }

    /// Runs `body` on the auxiliary connection `name` (plain frames, raw ATT). When that link closes
    /// (the input made the lock drop it, or the lock closed it because its credential proved a
    /// session elsewhere), the connection is dropped and counted, and the liveness check runs at
    /// once: a lock that died is still a finding.
    func auxiliary(_ name: String, _ body: (FuzzConnection) throws -> Void) throws {
        do {
            try body(try authenticatedConnection(name))
        } catch is LinkLost {
            connections.removeValue(forKey: name)?.close()
            reconnects += 1
            try liveness()
        }
    }

    func executeSealed(_ input: LiveInput) throws {
        guard let credential = credentials[input.role], let command = input.commandID else { return }
        let connection = try connection(input.freshConnection == true ? "fresh" : input.role.rawValue)
        defer { if input.freshConnection == true { connections.removeValue(forKey: "fresh")?.close() } }
        var payload = Hex.decode(input.payload ?? "") ?? []
        var sentChallenge = input.challenge
        if let offset = input.challengeOffset, offset >= 0, offset + 32 <= payload.count {
            switch input.challenge {
            case .fresh:
                if challengeRefused.contains(input.role) {
                    sentChallenge = .none
                } else if let nonce = try challenge(input.role, via: connection) {
                    payload.replaceSubrange(offset..<offset + 32, with: nonce.bytes)
                } else {
                    sentChallenge = .none
                }
            case .stale:
                if let old = connection.lastChallenge { payload.replaceSubrange(offset..<offset + 32, with: old.bytes) }
            case .forged, .none:
                break
            }
        }
        if let offset = input.pinOffset, offset >= 0, let pin = options.securityPIN, offset + pin.bytes.count <= payload.count {
            payload.replaceSubrange(offset..<offset + pin.bytes.count, with: pin.bytes)
        }
        var frame: [UInt8]
        if !(input.pdataEdits ?? []).isEmpty || input.innerAuthIDOf != nil {
            let inner = input.innerAuthIDOf.flatMap { credentials[$0]?.authID } ?? credential.authID
            var pdata = EncryptedPlaintext(authID: inner, command: command, payload: payload).encoded()
            for edit in input.pdataEdits ?? [] { edit.apply(to: &pdata) }
            if input.recomputeCRC == true, pdata.count >= 2 {
                let crc = CRC16.checksum(pdata.dropLast(2))
                pdata[pdata.count - 2] = UInt8(truncatingIfNeeded: crc)
                pdata[pdata.count - 1] = UInt8(truncatingIfNeeded: crc >> 8)
            }
            let nonce = nonces.secretboxNonce()
            let box = (try? SecretBox.seal(pdata, nonce: nonce, key: credential.sharedKey)) ?? []
            frame = EncryptedFrame(nonce: nonce, authID: credential.authID, ciphertext: box).encoded()
        } else {
            guard let sealed = try? EncryptedMessageCodec.seal(authID: credential.authID, command: command, payload: payload, key: credential.sharedKey, random: nonces)
            else { return }
            frame = sealed
        }
        for edit in input.frameEdits ?? [] { edit.apply(to: &frame) }
        let exchange = try connection.send(
            frame, on: .keyturnerUSDIO, command: command, finals: Self.finals(for: command, payload: payload),
            statusEnds: input.role.mayAct && !input.tampered && CommandAccess.allows(command, from: input.role.idType), timeout: options.replyTimeout,
            summary: "\(command) as \(input.role.rawValue), \(payload.count)-byte payload\(input.tampered ? ", tampered" : "")")
        if !exchange.answered { unanswered += 1 }
        judgeSealed(input, command: command, payload: payload, challenge: sentChallenge, exchange, sender: credential.authID)
    }

    func executeATT(_ input: LiveInput, on connection: FuzzConnection) throws {
        guard let pdu = input.att.flatMap(Hex.decode) else { return }
        // A trace is input from outside: a burst is capped.
        let count = min(max(1, input.repeatCount ?? 1), 10_000)
        let (received, missing) = try connection.sendRaw(Array(repeating: pdu, count: count), timeout: options.replyTimeout)
        if missing > 0 { finding("att-request-unanswered", "\(missing) of \(count) ATT requests (\(RawATT.describe(pdu))) got no response within \(options.replyTimeout)") }
        for reply in received {
            if reply.count > connection.mtu { finding("reply-over-mtu", "an ATT PDU of \(reply.count) octets exceeds ATT_MTU \(connection.mtu)") }
            if (try? ATTPDU.decode(reply, mtu: max(connection.mtu, 23))) == nil { finding("att-pdu-undecodable", "the lock sent an ATT PDU that does not decode: \(Hex.encode(reply.prefix(32)))") }
            switch reply.first {
            case 0x17?: preparedQueued += 1
            case 0x19?: preparedQueued = 0
            case 0x01? where reply.count >= 2 && (reply[1] == 0x16 || reply[1] == 0x18): preparedQueued = 0
            default: break
            }
        }
        if preparedQueued > Self.preparedWriteLimit {
            finding("prepare-queue-unbounded", "\(preparedQueued) Prepare Write Requests queued (answered with Prepare Write Responses) without Prepare Queue Full or an Execute Write")
            preparedQueued = 0
        }
        cells.insert("ATT 0x\(String(pdu.first ?? 0, radix: 16)) → " + (received.last.map { "0x\(String($0.first ?? 0, radix: 16))" } ?? "none"))
    }

    /// Prepared writes a lock may queue on one connection before the oracle calls it unbounded
    /// (`docs/attacks.md` P-07: a cap is required; Latchkey's is 64).
    static let preparedWriteLimit = 512

    // MARK: Oracles

    func judgeProtocol(_ exchange: FuzzExchange, sender: UInt32?) {
        for reply in exchange.replies + exchange.strays {
            if let problem = reply.problem {
                finding("reply-undecodable", "a reply on \(reply.characteristic.traceName) breaks the protocol: \(problem) (\(Hex.encode(reply.bytes.prefix(64))))")
            }
            if let sender, let authID = reply.authID, reply.characteristic == .keyturnerUSDIO, reply.message != nil, authID != sender {
                finding("reply-wrong-auth-id", "a reply to auth id \(sender) came under auth id \(authID): \(reply.summary)")
            }
            if case .errorReport(let report)? = reply.message { errorCodesSeen.insert(report.errorCode.rawValue) }
        }
        if let size = exchange.oversizedChunks.first {
            finding("reply-over-mtu", "an indication of \(size) bytes exceeds ATT_MTU − 3")
        }
    }

    func judgeSealed(_ input: LiveInput, command: Command, payload: [UInt8], challenge: ChallengeUse, _ exchange: FuzzExchange, sender: UInt32) {
        judgeProtocol(exchange, sender: sender)
        commandsSeen.insert(command.rawValue)
        let outcome = exchange.replies.first.map { r -> String in
            if let code = r.errorCode { return "0x" + String(code.rawValue, radix: 16, uppercase: true) }
            return r.message.map { "\($0.command)" } ?? "undecoded"
        } ?? (exchange.writeFailures.isEmpty ? "none" : "write refused")
        cells.insert("\(command) → \(outcome)")
        let accepted = exchange.acceptance
        let role = input.role
        if let accepted {
            let what = "\(command) from the \(role.rawValue) (auth id \(sender), ID type \(role.idType)) was answered with \(accepted.summary)"
            if input.tampered {
                finding("tampered-frame-accepted", "\(what) although the frame was tampered (\(input.note))")
            }
            if !role.mayAct, role == .revoked || !(command == .requestData && accepted.message?.command == .challenge) {
                finding("\(role.rawValue)-credential-accepted", "\(what); this authorization is \(role.rawValue) and must be refused")
            }
            if role.mayAct, !input.tampered {
                if !CommandAccess.allows(command, from: role.idType) {
                    finding("access-matrix", "\(what); the Nuki access matrix allows it only to \(Self.allowed(command)) (CVE-2022-32507)")
                } else if role == .fob, command == .lockAction, let action = payload.first, !(0x81...0x83).contains(action) {
                    finding("access-matrix", "\(what); a fob may only send fob actions 0x81–0x83, this was Lock Action 0x\(String(action, radix: 16))")
                }
            }
            let challengeBearing = command != .requestData && CommandAccess.rows[command].map { $0 != .notAClientCommand } == true
            if challengeBearing, !input.tampered, challenge != .fresh, input.challengeOffset != nil || challenge == .none, accepted.message?.command != .challenge,
                (try? NukiMessage.decode(command: command, payload: payload, context: .smartLock))?.challenge != nil
            {
                finding("stale-challenge-accepted", "\(what) with a \(challenge == .stale ? "used" : challenge == .forged ? "forged" : "never issued") challenge")
            }
            if [Command.lockAction, .simpleLockAction, .keypadAction, .requestCalibration].contains(command), role.mayAct,
                case .status? = accepted.message
            {
                lastAcceptedMove = .now
            }
        }
        if command == .keypadAction {
            switch exchange.errorCode {
            case .codeInvalid?:
                consecutiveCodeInvalid += 1
                streakOfCurrent = "keypad"
                if consecutiveCodeInvalid > 5 {
                    finding("keypad-lockout-missing", "\(consecutiveCodeInvalid) wrong keypad codes in a row answered K_ERROR_CODE_INVALID, no lockout (K_ERROR_CODE_INVALID_TIMEOUT_1) after the fifth")
                }
            case .codeInvalidTimeout1?, .codeInvalidTimeout2?, .codeInvalidTimeout3?:
                consecutiveCodeInvalid = 0
                streaks["keypad"] = nil
            case nil where accepted != nil && payload.first == KeypadActionSource.code.rawValue:
                // A right code ends the streak (the back key or another source does not).
                consecutiveCodeInvalid = 0
                streaks["keypad"] = nil
            default: break
            }
        }
        switch exchange.errorCode {
        case .badPIN?:
            consecutiveBadPIN += 1
            streakOfCurrent = "pin"
            if consecutiveBadPIN > 3 {
                finding("pin-lockout-missing", "\(consecutiveBadPIN) wrong security PINs in a row answered K_ERROR_BAD_PIN, no K_ERROR_TOO_MANY_PIN_ATTEMPTS after the third")
            }
        case .tooManyPINAttempts?:
            pinStreakEnded()
        default:
            // The right PIN may have been checked (and the lock's count reset) whatever came after.
            if input.pinOffset != nil, exchange.answered { pinStreakEnded() }
        }
    }

    /// The lock's count of wrong PINs may have started over (a lockout, or the right PIN checked).
    func pinStreakEnded() {
        consecutiveBadPIN = 0
        streaks["pin"] = nil
    }

    func judgePlain(_ input: LiveInput, plain: [UInt8], on characteristic: Characteristic, _ exchange: FuzzExchange) {
        judgeProtocol(exchange, sender: nil)
        let command = plain.count >= 2 ? Command(rawValue: UInt16(plain[0]) | UInt16(plain[1]) << 8) : Command(rawValue: 0)
        commandsSeen.insert(command.rawValue)
        cells.insert("plain \(command) on \(characteristic.traceName) → " + (exchange.replies.first?.summary ?? "none"))
        if characteristic == .pairingGDIO, let states = lastStates, states.nukiState != .pairingMode,
            exchange.messages.contains(where: { $0.command == .publicKey })
        {
            finding("pairing-outside-pairing-mode", "plain \(command) on the pairing GDIO was answered with PUBLIC_KEY while the lock reports nuki state \(states.nukiState)")
        }
        // Whatever the plain write started (a pairing), the next one starts over on a new connection.
        if exchange.acceptance != nil, characteristic == .pairingGDIO { connections.removeValue(forKey: "plain")?.close() }
    }

    static func allowed(_ command: Command) -> String {
        switch CommandAccess.rows[command] {
        case .adminOnly?: return "apps and bridges"
        case .adminOrFob?: return "apps, bridges and fobs"
        case .adminOrKeypad?: return "apps, bridges and keypads"
        case .everyone?: return "every client"
        default: return "no client (not a client command)"
        }
    }

    // MARK: Liveness and state

    /// What the admin's Request Data(Keyturner States) got.
    enum StatesReply {
        case states(KeyturnerStates)
        /// Answered, but not with the states (an Error Report: the admin's authorization is gone).
        case refused(String)
        case silent
    }

    /// Lock states a motor run starts from (anything else moves on by itself).
    static let restingStates: Set<LockState> = [.locked, .unlocked, .uncalibrated, .motorBlocked, .undefined]

    /// The admin's Keyturner States. Throws ``LinkLost``.
    func readStatesReply() throws -> StatesReply {
        guard let credential = credentials[.admin] else { return .silent }
        let connection = try connection(FuzzRole.admin.rawValue)
        let exchange = try connection.send(
            seal(.requestData(RequestData(requestedCommand: .keyturnerStates)), as: credential), on: .keyturnerUSDIO, command: .requestData,
            finals: [.keyturnerStates], statusEnds: false, timeout: options.replyTimeout, summary: "REQUEST_DATA(KEYTURNER_STATES) as admin (liveness)")
        judgeProtocol(exchange, sender: credential.authID)
        for case .keyturnerStates(let states) in exchange.messages { return .states(states) }
        if let reply = exchange.replies.first { return .refused(reply.summary) }
        return exchange.writeFailures.first.map { .refused("write refused: \($0)") } ?? .silent
    }

    /// The admin's Keyturner States, or nil when not answered with them. Throws ``LinkLost``.
    func readStates() throws -> KeyturnerStates? {
        if case .states(let states) = try readStatesReply() { return states }
        return nil
    }

    /// The liveness oracle and the per-check state oracle. Throws ``LinkLost`` (recovered by the caller).
    func liveness() throws {
        checks += 1
        switch try readStatesReply() {
        case .states(let states): judgeStates(states)
        case .refused(let reply):
            recover(after: LinkLost("Request Data(Keyturner States) was answered with \(reply)"), linkClosed: false, refused: reply)
        case .silent:
            recover(after: LinkLost("Request Data(Keyturner States) was not answered within \(options.replyTimeout)"), linkClosed: false)
        }
    }

    func judgeStates(_ states: KeyturnerStates) {
        defer { lastStates = states }
        guard let last = lastStates else { return }
        if states.lockState != last.lockState {
            // A run only starts from a resting state (locked, unlocked, uncalibrated, blocked): what
            // follows a moving or timed state (unlocking, lock'n'go's hold, unlatched…) ends on its own.
            let fromRest = Self.restingStates.contains(last.lockState)
            let explained = !fromRest || (lastAcceptedMove.map { ContinuousClock.now - $0 <= options.motionGrace } ?? false)
            if !explained {
                finding("state-moved-without-accepted-action", "the lock state went from \(last.lockState) to \(states.lockState) with no accepted Lock Action or Keypad Action from a credential that may act")
            }
        }
        if states.configUpdateCount != last.configUpdateCount {
            finding("admin-data-changed", "the Keyturner States' config update count went from \(last.configUpdateCount) to \(states.configUpdateCount) although the admin changed nothing")
        }
    }

    /// After a closed link or an unanswered check: reconnect and classify (see the type's
    /// documentation).
    func recover(after lost: LinkLost, linkClosed: Bool, refused: String? = nil) {
        closeAll()
        let deadline = ContinuousClock.now + options.reconnectTimeout
        var states: KeyturnerStates?
        var lastRefusal = refused
        while states == nil, ContinuousClock.now < deadline {
            switch (try? readStatesReply()) ?? .silent {
            case .states(let read): states = read
            case .refused(let reply): lastRefusal = reply
            case .silent: lastRefusal = nil
            }
            if states == nil {
                closeAll()
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        guard let states else {
            if let lastRefusal {
                finding("admin-locked-out", "the lock answers the admin's Request Data(Keyturner States) with \(lastRefusal) now: an input took the admin's authorization away")
                return
            }
            finding("liveness-lost", "the lock stopped answering (\(lost.description)) and could not be reached again within \(options.reconnectTimeout)")
            return
        }
        let now = target.identity()
        let clockBack = lastStates.map { states.currentTime < $0.currentTime && states.currentTime != .unset } ?? false
        if now != identity || clockBack {
            finding("liveness-reboot", "the lock restarted (\(lost.description)); it answered again as \(now ?? "?") (was \(identity ?? "?"))\(clockBack ? ", its clock went backwards" : "")")
            identity = now
        } else if !linkClosed {
            finding("liveness-unanswered", "\(lost.description) on an open link; the lock answered again after reconnecting")
        } else {
            reconnects += 1
        }
        judgeStates(states)
    }

    // MARK: Admin data

    struct AdminSnapshot: Equatable {
        var config: [UInt8]
        /// Nil when not read (no PIN, or the PIN locked out by a PIN burst).
        var authorizations: [[UInt8]]?
        var keypadCodes: [[UInt8]]?
    }

    /// Config (currentTime left out), and with the PIN the authorization entries and keypad codes
    /// (use counters and last-active dates left out), as the admin reads them; those two are left
    /// out while a PIN burst's lockout is expected.
    func adminSnapshot() throws -> AdminSnapshot {
        var snapshot = AdminSnapshot(config: [], authorizations: nil, keypadCodes: nil)
        for case .config(var config) in try admin(finals: [.config], summary: "REQUEST_CONFIG (snapshot)", { .requestConfig(RequestConfig(challenge: $0)) }).messages {
            config.currentTime = .unset
            snapshot.config = NukiMessage.config(config).encodedPayload()
        }
        guard let pin = options.securityPIN, pinLockedUntil == nil else { return snapshot }
        snapshot.authorizations = []
        snapshot.keypadCodes = []
        let entries = try admin(summary: "REQUEST_AUTHORIZATION_ENTRIES (snapshot)") {
            .requestAuthorizationEntries(RequestAuthorizationEntries(offset: 0, count: 200, challenge: $0, securityPIN: pin))
        }
        for case .authorizationEntry(var entry) in entries.messages {
            entry.dateLastActive = .unset
            entry.lockCount = 0
            snapshot.authorizations?.append(NukiMessage.authorizationEntry(entry).encodedPayload())
        }
        let codes = try admin(summary: "REQUEST_KEYPAD_CODES (snapshot)") {
            .requestKeypadCodes(RequestKeypadCodes(offset: 0, count: 200, challenge: $0, securityPIN: pin))
        }
        for case .keypadCode(var code) in codes.messages {
            code.dateLastActive = .unset
            code.lockCount = 0
            snapshot.keypadCodes?.append(NukiMessage.keypadCode(code).encodedPayload())
        }
        snapshot.authorizations?.sort { $0.lexicographicallyPrecedes($1) }
        return snapshot
    }

    /// Compares the admin data with the baseline: true when it produced a finding.
    func compareSnapshot() -> Bool {
        guard let baseline else { return false }
        let before = findings.count
        snapshots += 1
        do {
            let now = try adminSnapshot()
            var changed: [String] = []
            if now.config != baseline.config { changed.append("Config") }
            if let was = baseline.authorizations, let entries = now.authorizations, entries != was {
                changed.append("the authorizations (\(was.count) → \(entries.count) entries)")
            }
            if let was = baseline.keypadCodes, let codes = now.keypadCodes, codes != was { changed.append("the keypad codes (\(was.count) → \(codes.count))") }
            if !changed.isEmpty { finding("admin-data-changed", "\(changed.joined(separator: ", ")) changed although the admin wrote nothing") }
            // The parts read now replace the baseline's (after a finding, and where a lockout left them unread before).
            self.baseline = AdminSnapshot(
                config: now.config, authorizations: now.authorizations ?? baseline.authorizations, keypadCodes: now.keypadCodes ?? baseline.keypadCodes)
        } catch {
            recover(after: LinkLost("\(error)"), linkClosed: true)
        }
        if findings.count > before {
            for i in before..<findings.count where findings[i].trace == nil { findings[i].trace = writeTrace(for: findings[i], number: i + 1) }
            return true
        }
        return false
    }

    // MARK: Replay

    /// Sends a trace's inputs again, in order (fresh challenges fetched and written where the trace
    /// used them; throwaway credentials invited again when the trace used them), with the liveness
    /// check after every input, until the first finding. The summary's findings say whether it
    /// reproduced.
    public func replay(_ trace: LiveTrace) -> LiveFuzzSummary {
        let used = Set(trace.inputs.map(\.input.role) + trace.inputs.compactMap(\.input.innerAuthIDOf))
        do {
            let operations = Set(trace.inputs.compactMap(\.input.operation))
            try start(
                throwaways: [FuzzRole.revoked, .disabled, .expired].filter { used.contains($0) },
                disabledCode: operations.contains(.disabledCode) || operations.contains(.codeCycle))
        } catch {
            record(LiveFinding(oracle: "liveness-lost", detail: "the lock could not be prepared: \(error)", input: 0, seconds: seconds))
            return summary(stoppedBy: "unreachable")
        }
        header = trace.header
        var stoppedBy = "runs"
        for entry in trace.inputs {
            if step(entry.input, check: true) { stoppedBy = "finding"; break }
        }
        if findings.isEmpty { _ = compareSnapshot() }
        waitForPINLockout()
        removeThrowaways()
        closeAll()
        return summary(stoppedBy: findings.isEmpty ? stoppedBy : "finding")
    }

    // MARK: Output

    func statusLine() -> String {
        let rate = seconds > 0 ? Double(inputs) / seconds : 0
        return String(
            format: "fuzz %@ (%@): %.0fs  inputs %d  inputs/s %.0f  findings %d  coverage %d cells (%d commands, %d error codes)  reconnects %d",
            target.description, options.mode.rawValue, seconds, inputs, rate, findings.count, cells.count, commandsSeen.count, errorCodesSeen.count, reconnects)
    }

    func summary(stoppedBy: String) -> LiveFuzzSummary {
        let result = LiveFuzzSummary(
            target: target.description, mode: options.mode.rawValue, seed: options.seed, inputs: inputs, seconds: (seconds * 1000).rounded() / 1000,
            inputsPerSecond: seconds > 0 ? (Double(inputs) / seconds).rounded() : 0, checks: checks, snapshots: snapshots, reconnects: reconnects,
            unanswered: unanswered, roles: roles.map(\.rawValue), coverageCells: cells.count, commandsSeen: commandsSeen.count,
            errorCodesSeen: errorCodesSeen.sorted().map { "0x" + String($0, radix: 16, uppercase: true) }, findings: findings,
            stoppedBy: stoppedBy, exitCode: findings.isEmpty ? 0 : 77,
            seeds: ["messages": seeds.messages.count, "sequences": seeds.sequences.count, "plainFrames": seeds.plainFrames.count, "tokens": seeds.tokens.count],
            oneLinkAtATime: target.oneLinkAtATime, operations: operationCounts.isEmpty ? nil : operationCounts)
        if let out = options.outDirectory {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            if let data = try? encoder.encode(result) { try? data.write(to: URL(fileURLWithPath: out + "/summary.json")) }
        }
        return result
    }

    /// Writes the trace of `finding` (the last ``LiveFuzzOptions/traceWindow`` inputs with their
    /// frames): its path, or nil without `--out`.
    func writeTrace(for finding: LiveFinding, number: Int) -> String? {
        guard let out = options.outDirectory, let header else { return nil }
        let path = out + "/finding-\(String(format: "%03d", number))-\(finding.oracle).jsonl"
        var entries = ring
        let inRing = Set(ring.map(\.0.index))
        for streak in streaks.values { entries += streak.filter { !inRing.contains($0.0.index) } }
        entries.sort { $0.0.index < $1.0.index }
        var trace = LiveTrace(header: header, inputs: entries.map { LiveTrace.Entry(input: $0.0, frames: $0.1) }, finding: finding)
        if let last = ring.last, last.0.index != currentInput?.index, let current = currentInput {
            trace.inputs.append(LiveTrace.Entry(input: current, frames: currentFrames))
        }
        do {
            try trace.write(to: path)
            return path
        } catch {
            return nil
        }
    }
}
