import BLEATT
import BLEGATT
import BLETransport
import Foundation
@testable import LockCore
import LockCrypto
@testable import LockEmulator
import LockNFC
import LockPeripherals
@testable import LockHost
@testable import LockSession
import LockWire
import NukiProfile

/// SplitMix64: the campaign's seeded choices (kill plans, requests, codes), so a seed replays the
/// same plan. (Timing on a loaded machine still varies: the lock's turns are its own.)
struct CrashRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// 0..<n.
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

/// When a life ends.
enum CrashKillPlan: CustomStringConvertible {
    /// While `lock serve` starts (loads the state, binds, resumes a run), before any client.
    case duringStartup(milliseconds: Int)
    /// At a random moment after the lock answers.
    case afterDelay(milliseconds: Int)
    /// Right after the n-th state-changing write of the life reached the socket (before any answer).
    case afterWrite(Int)
    /// Right after a client received the n-th ATT Write Response to a state-changing write.
    case afterWriteResponse(Int)
    /// Right after a client received the n-th acknowledgement of the life (pairing COMPLETE,
    /// Keypad Code ID, COMPLETE, ACCEPTED, K_ERROR_CODE_INVALID).
    case afterAcknowledgement(Int)
    /// Right after the first acknowledgement named `name` (the rarer ones: a pairing's COMPLETE, the
    /// COMPLETE of Remove Authorization Entry); the life starts with that request.
    case afterNamed(String)

    static let pairingComplete = "pairing COMPLETE"
    static let removalComplete = "COMPLETE (remove authorization)"
    static let keypadCodeID = "Keypad Code ID"
    static let badPIN = "K_ERROR_BAD_PIN"
    static let codeInvalid = "K_ERROR_CODE_INVALID"
    static let nfcAccepted = "ACCEPTED (NFC tap)"

    var name: String {
        switch self {
        case .duringStartup: return "during start-up"
        case .afterDelay: return "at a random moment"
        case .afterWrite: return "right after a write"
        case .afterWriteResponse: return "right after a Write Response"
        case .afterAcknowledgement: return "right after an acknowledgement"
        case .afterNamed(let ack): return "right after \(ack)"
        }
    }

    var description: String {
        switch self {
        case .duringStartup(let ms): return "\(name) (\(ms) ms)"
        case .afterDelay(let ms): return "\(name) (\(ms) ms)"
        case .afterWrite(let n), .afterWriteResponse(let n), .afterAcknowledgement(let n): return "\(name) (#\(n))"
        case .afterNamed: return name
        }
    }

    static func draw(_ random: inout CrashRandom) -> CrashKillPlan {
        let roll = random.below(100)
        switch roll {
        case ..<8: return .duringStartup(milliseconds: random.below(70))
        case ..<25: return .afterDelay(milliseconds: random.below(150))
        case ..<40: return .afterWrite(1 + random.below(8))
        case ..<50: return .afterWriteResponse(1 + random.below(8))
        case ..<56: return .afterNamed(pairingComplete)
        case ..<60: return .afterNamed(removalComplete)
        case ..<63: return .afterNamed(keypadCodeID)
        case ..<66: return .afterNamed(badPIN)
        case ..<69: return .afterNamed(codeInvalid)
        case ..<74: return .afterNamed(nfcAccepted)
        default: return .afterAcknowledgement(1 + random.below(10))
        }
    }
}

/// The campaign's figures.
struct CrashFigures: CustomStringConvertible {
    var lives = 0
    var kills = 0
    var killsByPlan: [String: Int] = [:]
    /// Kills sent from inside the client's handling of an acknowledgement, before anything else.
    var killsRightAfterAcknowledgement = 0
    var killsRightAfterAcknowledgementByKind: [String: Int] = [:]
    var killsRightAfterWriteResponse = 0
    var killsRightAfterWrite = 0
    /// Lives whose planned moment did not come within 8 s or 80 requests, ended then.
    var fallbackKills = 0
    var fallbackPlans: [String] = []
    var acknowledged = 0
    var kept = 0
    var lost = 0
    var acknowledgedByFamily: [String: Int] = [:]
    var lostByFamily: [String: Int] = [:]
    var brokenPromises: [String: Int] = [:]
    var writeResponses = 0
    var writeResponsesWithoutReply = 0
    var unacknowledged = 0
    var unacknowledgedKept = 0
    var requests = 0
    var refusedBusy = 0
    var pairings = 0
    var batteryReplacements = 0
    var strayTemporaryFiles = 0
    var seconds = 0.0
    /// Where the time went: waiting for the lock to listen, GATT set-up, requests, checking.
    var phases: [String: Duration] = [:]
    var failures: [String] = []

    var description: String {
        var lines = [
            String(format: "crash consistency: %d kill -9s in %.1f s (%d lives, %d requests)", kills, seconds, lives, requests),
            "  acknowledged changes \(acknowledged), kept \(kept), lost \(lost)",
            "  kills right after an acknowledgement \(killsRightAfterAcknowledgement) "
                + "(\(killsRightAfterAcknowledgementByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))",
            "  kills right after a Write Response \(killsRightAfterWriteResponse), right after a write \(killsRightAfterWrite), after 8 s or 80 requests (moment never came) \(fallbackKills) \(fallbackPlans)",
            "  kills by plan: \(killsByPlan.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))",
            "  Write Responses to state-changing writes checked \(writeResponses) (\(writeResponsesWithoutReply) with no Nuki reply before the kill)",
            "  unacknowledged writes \(unacknowledged), their change in the file \(unacknowledgedKept); busy refusals \(refusedBusy); pairings \(pairings); battery replacements \(batteryReplacements)",
            "  by family: \(acknowledgedByFamily.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))",
            "  lost by family: \(lostByFamily.isEmpty ? "none" : lostByFamily.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))",
            "  broken promises: \(brokenPromises.isEmpty ? "none" : brokenPromises.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))",
            "  stray temporary state files seen after kills: \(strayTemporaryFiles)",
            "  time: \(phases.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))",
        ]
        lines += failures.prefix(20).map { "  FAILURE: \($0)" }
        return lines.joined(separator: "\n")
    }
}

/// A client of the campaign: the real emulator (``AdminClient``, ``KeypadEmulator``,
/// ``FobEmulator``) over its own socket-link connection, set up by ``PeripheralClient``.
enum CrashPeripheral {
    case admin(AdminClient)
    case keypad(KeypadEmulator)
    case fob(FobEmulator)

    init(role: CrashRole, keyPair: KeyPair, random: any RandomSource, credentials: ClientCredentials?) {
        switch role {
        case .admin: self = .admin(AdminClient(appID: role.clientID, name: role.name.text, keyPair: keyPair, random: random, credentials: credentials))
        case .keypad: self = .keypad(KeypadEmulator(keypadID: role.clientID, name: role.name.text, keyPair: keyPair, random: random, credentials: credentials))
        case .fob: self = .fob(FobEmulator(fobID: role.clientID, name: role.name.text, keyPair: keyPair, random: random, credentials: credentials))
        }
    }

    var credentials: ClientCredentials? {
        switch self {
        case .admin(let p): return p.credentials
        case .keypad(let p): return p.credentials
        case .fob(let p): return p.credentials
        }
    }

    mutating func pair() -> [PeripheralAction] {
        switch self {
        case .admin(var p): defer { self = .admin(p) }; return p.pair()
        case .keypad(var p): defer { self = .keypad(p) }; return p.pair()
        case .fob(var p): defer { self = .fob(p) }; return p.pair()
        }
    }

    mutating func receive(_ bytes: [UInt8], on characteristic: Characteristic, at now: LockInstant) -> [PeripheralAction] {
        switch self {
        case .admin(var p): defer { self = .admin(p) }; return p.receive(bytes, on: characteristic, at: now)
        case .keypad(var p): defer { self = .keypad(p) }; return p.receive(bytes, on: characteristic, at: now)
        case .fob(var p): defer { self = .fob(p) }; return p.receive(bytes, on: characteristic, at: now)
        }
    }

    /// The NFC card's answer for the keypad's tap in progress.
    mutating func cardRead(_ read: NFCCardRead, at now: LockInstant) -> [PeripheralAction] {
        guard case .keypad(var p) = self else { return [] }
        defer { self = .keypad(p) }
        return p.cardRead(.success(read), at: now)
    }

    /// Starts the request of `kind` (a pairing is started with ``pair()``).
    mutating func start(_ kind: CrashOpKind, pin: SecurityPIN, at now: LockInstant) -> [PeripheralAction] {
        switch (self, kind) {
        case (.admin(var p), _):
            defer { self = .admin(p) }
            return p.send(Self.request(kind, pin: pin))
        case (.keypad(var p), .keypadCode(let code, _)):
            defer { self = .keypad(p) }
            return p.enter(code: code, at: now)
        case (.keypad(var p), .keypadLockKey):
            defer { self = .keypad(p) }
            return p.press(.lock, at: now)
        case (.keypad(var p), .keypadNFC):
            defer { self = .keypad(p) }
            return p.cardPresented(at: now)
        case (.fob(var p), .fobPress(let count)):
            defer { self = .fob(p) }
            return p.press(count: count, at: now)
        default:
            return [.feedback(.ignored(reason: "\(kind) is not for this client"))]
        }
    }

    /// The admin's requests (Nuki BLE API 2.1 §"Commands"; all carry the challenge and the PIN).
    static func request(_ kind: CrashOpKind, pin: SecurityPIN) -> ClientRequest {
        switch kind {
        case .addCode(let v):
            return ClientRequest(command: .addKeypadCode, needsChallenge: true, finalCommands: [.keypadCodeID]) { nonce in
                .addKeypadCode(AddKeypadCode(code: v.code, name: v.name, restriction: .unrestricted, challenge: nonce, securityPIN: pin))
            }
        case .updateCode(let id, let v):
            return ClientRequest(command: .updateKeypadCode, needsChallenge: true) { nonce in
                .updateKeypadCode(UpdateKeypadCode(
                    codeID: id, code: v.code, name: v.name, enabled: v.enabled, restriction: .unrestricted, challenge: nonce, securityPIN: pin))
            }
        case .removeCode(let id):
            return ClientRequest(command: .removeKeypadCode, needsChallenge: true) { nonce in
                .removeKeypadCode(RemoveKeypadCode(codeID: id, challenge: nonce, securityPIN: pin))
            }
        case .setConfig(let name):
            return ClientRequest(command: .setConfig, needsChallenge: true) { nonce in
                .setConfig(SetConfig(
                    name: name, latitude: 0, longitude: 0, autoUnlatch: false, pairingEnabled: true, buttonEnabled: true, ledEnabled: true,
                    ledBrightness: 3, timezoneOffsetMinutes: 0, dstMode: .european, fobAction1: .unlock, fobAction2: .lock,
                    fobAction3: .intelligent, singleLock: false, advertisingMode: .automatic, timezoneID: .none, challenge: nonce, securityPIN: pin))
            }
        case .removeAuthorization(_, let authID):
            return ClientRequest(command: .removeAuthorizationEntry, needsChallenge: true) { nonce in
                .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: authID, challenge: nonce, securityPIN: pin))
            }
        case .lockAction(let action):
            return .lockAction(action, appID: CrashRole.admin.clientID)
        case .wrongPIN:
            return .verifySecurityPIN(.u16(4321))  // not the lock's 1234
        default:
            return .keyturnerStates
        }
    }
}

/// The GATT set-ups of the clients, made on several threads at once.
final class SetUpResults: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Result<PeripheralClient, any Error>?]
    init(count: Int) { stored = Array(repeating: nil, count: count) }
    func store(_ index: Int, _ result: Result<PeripheralClient, any Error>) { lock.withLock { stored[index] = result } }
    var results: [Result<PeripheralClient, any Error>?] { lock.withLock { stored } }
}

/// One client and its connection.
final class CrashDevice {
    let role: CrashRole
    var credentials: ClientCredentials?
    var peripheral: CrashPeripheral?
    var client: PeripheralClient?
    /// Per GATT write in flight, in order: the request whose state-changing command it carries.
    var writes: [CrashOp?] = []
    var op: CrashOp?
    /// Not before this instant (after a refusal, e.g. pairing mode not yet entered).
    var notBefore = ContinuousClock.now
    /// The lock dropped the connection (revocation).
    var dropped = false

    init(role: CrashRole) { self.role = role }

    var fd: Int32? { client?.link.pollDescriptor }

    func disconnect() {
        client?.link.close()
        client = nil
        writes.removeAll()
        dropped = false
    }
}

/// The campaign: lives of `latchkey lock serve`, each ended by a kill -9, with an admin, a keypad
/// and a fob working the lock over the socket link; after each kill the state file is loaded and
/// checked (``verifyCrash(before:after:ops:)``).
final class CrashCampaign {
    static let nukiID: UInt32 = 0x2A37_599A
    /// A life whose planned moment has not come after this many requests ends there (so it logs
    /// far fewer entries than the state's 200-entry log ring holds).
    static let requestsPerLife = 80
    static let pin = SecurityPIN.u16(1234)

    let binary: String
    let folder: String
    let statePath: String
    let devicesPath: String
    let stderrPath: String
    let socketPath: String
    /// The kill plans: a stream of its own, so a seed gives the same sequence of plans whatever the
    /// timing (the requests' choices depend on how many fit in a life).
    var planRandom: CrashRandom
    var random: CrashRandom
    let clientRandom: SeededRandomSource
    var figures = CrashFigures()
    let lockPublicKey: Bytes32
    let lockUUID: LockUUID
    var devices: [CrashDevice] = CrashRole.allCases.map(CrashDevice.init(role:))
    /// The fob's NFC card (its counter is the card's own, kept across lives); a new one per pairing.
    var fobCard: NFCCardApplication?
    /// The state file at the start of the current life.
    var base: CrashSnapshot
    var seq = 0

    // The current life.
    var process: CrashLockProcess?
    var killed = false
    var plan: CrashKillPlan = .afterDelay(milliseconds: 0)
    var ops: [CrashOp] = []
    var acknowledgements = 0
    var stateWrites = 0
    var writeResponses = 0
    var lastButtonPress: ContinuousClock.Instant?
    var failures: [String] = []

    /// A new lock state in `folder` (motor step `motorStepMilliseconds`: short, so runs end
    /// quickly and many fit in a life; fob actions unlock, lock, intelligent).
    init(binary: String, folder: String, seed: UInt64, motorStepMilliseconds: Int64 = 3) throws {
        self.binary = binary
        self.folder = folder
        statePath = folder + "/lock.json"
        devicesPath = folder + "/devices"
        stderrPath = folder + "/lock.stderr"
        guard let address = DeviceAddress(octets: [0x54, 0xD2, 0x72, 0x37, 0x59, 0x9A]) else { throw CrashLockProcess.Failure(description: "address") }
        socketPath = DiscoveryFolder(path: devicesPath).socketPath(address)
        planRandom = CrashRandom(state: seed)
        random = CrashRandom(state: seed ^ 0xC0DE)
        clientRandom = SeededRandomSource(seed: seed)
        let engine = try Self.makeLockState(path: statePath, seed: seed, motorStepMilliseconds: motorStepMilliseconds)
        lockPublicKey = engine.publicKey
        lockUUID = engine.lockUUID
        base = CrashSnapshot(engine)
    }

    /// Writes a new lock's state file at `path` (Smart Lock 3 with a motor step of
    /// `motorStepMilliseconds`, fob actions unlock, lock, intelligent, a 200-entry log ring, PIN
    /// 1234, clock set, Nuki ID ``nukiID``) and returns its engine.
    static func makeLockState(path: String, seed: UInt64, motorStepMilliseconds: Int64 = 3) throws -> LockSessionEngine {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = motorStepMilliseconds
        var machine = LockMachine(
            model: model, nukiID: Self.nukiID,
            settings: LockSettings(name: FixedName("Crash lock", width: FixedName.nameWidth), fobActions: [.unlock, .lock, .intelligent]),
            securityPIN: Self.pin)
        // A log ring of 200 keeps every save small; a life logs far fewer entries than that, so
        // every entry since the life began is still there to check.
        machine.log.capacity = 200
        let now = LockServer.wallClock()
        try machine.setClock(to: now.utcDateTime, at: now)
        let lockRandom = SeededRandomSource(seed: seed ^ 0x5EED)
        let engine = LockSessionEngine(
            machine: machine, lockKeyPair: try KeyPair(using: lockRandom), lockUUID: LockUUID(lockRandom.bytes(count: LockUUID.byteCount)) ?? .zero,
            random: lockRandom)
        try LockStateFile(path: path).save(engine)
        return engine
    }

    // MARK: Lives

    /// Runs lives until `kills` kills have been made.
    func run(kills: Int) throws {
        let start = ContinuousClock.now
        while figures.kills < kills {
            try life()
        }
        try settle()
        let elapsed = ContinuousClock.now - start
        figures.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        figures.failures = failures
    }

    /// One life: starts `lock serve` on the state file, works it until the plan's moment, kills it
    /// and collects the file (checked while the next lock starts, or by ``run(kills:)``).
    func life() throws {
        figures.lives += 1
        plan = CrashKillPlan.draw(&planRandom)
        // A kill during start-up keeps its exact moment: the last life is checked first.
        if case .duringStartup = plan { try settle() }
        if base.battery < BatteryModel.full / 2 { try replaceBatteries() }
        killed = false
        ops = []
        acknowledgements = 0
        stateWrites = 0
        writeResponses = 0
        lastButtonPress = nil
        for device in devices {
            device.disconnect()
            device.op = nil
            device.peripheral = nil
            device.notBefore = .now
        }
        let process = try CrashLockProcess(binary: binary, arguments: ["lock", "serve", "--state", statePath, "--devices-dir", devicesPath], stderrPath: stderrPath)
        self.process = process
        // The last life's file is checked while this lock starts (it has the file's bytes already).
        try settle()
        if case .duringStartup(let ms) = plan {
            Thread.sleep(forTimeInterval: Double(ms) / 1000)
            kill(rightAfter: nil)
        } else {
            try serve(process)
        }
        collect()
    }

    /// Every motor run drains the lock's battery (40 milli-percent), so a long campaign would end
    /// with every action refused as K_ERROR_MOTOR_LOW_VOLTAGE: while the lock is off (between two
    /// lives, after the last one is checked), the batteries are replaced as a user would, and the
    /// new file is the next life's start.
    private func replaceBatteries() throws {
        try settle()
        var engine = try LockStateFile(path: statePath).load(random: SeededRandomSource(seed: 1))
        _ = engine.simulateBattery(percent: 100, at: LockServer.wallClock())
        try LockStateFile(path: statePath).save(engine)
        base = CrashSnapshot(engine)
        figures.batteryReplacements += 1
    }

    /// Waits for the lock, connects the clients and works the lock until the plan's kill.
    private func serve(_ process: CrashLockProcess) throws {
        let spawned = ContinuousClock.now
        let deadline = ContinuousClock.now + .seconds(10)
        var first: SeqPacketLink?
        while first == nil {
            if process.hasExited() {
                let tail = (try? String(contentsOfFile: stderrPath, encoding: .utf8))?.suffix(600) ?? ""
                throw CrashLockProcess.Failure(description: "lock serve exited at start-up: \(tail)")
            }
            guard ContinuousClock.now < deadline else { throw CrashLockProcess.Failure(description: "lock serve did not listen within 10 s") }
            first = try? SeqPacketLink.connect(path: socketPath)
            if first == nil { Thread.sleep(forTimeInterval: 0.0005) }
        }
        let ready = ContinuousClock.now
        figures.phases["1 start-up", default: .zero] += ready - spawned
        // The three clients set up GATT at once, each on its own thread, as devices would.
        var links: [SeqPacketLink] = []
        if let first { links.append(first) }
        while links.count < devices.count { links.append(try SeqPacketLink.connect(path: socketPath)) }
        let setUp = SetUpResults(count: devices.count)
        let allLinks = links
        DispatchQueue.concurrentPerform(iterations: allLinks.count) { i in
            setUp.store(i, Result { try PeripheralClient(link: allLinks[i], timeout: .seconds(5)) })
        }
        for (device, result) in zip(devices, setUp.results) {
            device.client = try result?.get()
            if let credentials = device.credentials {
                device.peripheral = CrashPeripheral(role: device.role, keyPair: try KeyPair(using: clientRandom), random: clientRandom, credentials: credentials)
            }
        }
        figures.phases["2 GATT set-up", default: .zero] += ContinuousClock.now - ready
        defer { figures.phases["3 requests", default: .zero] += ContinuousClock.now - ready }
        while !killed {
            if case .afterDelay(let ms) = plan, ContinuousClock.now - ready >= .milliseconds(ms) {
                kill(rightAfter: nil)
                break
            }
            if ContinuousClock.now - ready >= .seconds(8) || ops.count >= Self.requestsPerLife {
                // A plan whose moment did not come (a targeted request that could not be made).
                figures.fallbackKills += 1
                figures.fallbackPlans.append("\(plan)")
                kill(rightAfter: nil)
                break
            }
            for device in devices where !killed { try startNextRequest(device) }
            if killed { break }
            var fds = devices.compactMap { device in device.fd.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) } }
            _ = poll(&fds, nfds_t(fds.count), 1)
            for device in devices where !killed {
                guard let fd = device.fd, fds.contains(where: { $0.fd == fd && $0.revents != 0 }) else { continue }
                try drain(device)
            }
            // The lock answers every request within milliseconds; one left unanswered for 5 s is a
            // stall, not a moment to wait for.
            if let stuck = devices.compactMap(\.op).first(where: { ContinuousClock.now - $0.started > .seconds(5) }) {
                failures.append("life \(figures.lives) (\(plan)): \(stuck.role) \(stuck.kind) unanswered for 5 s")
                kill(rightAfter: nil)
            }
        }
    }

    /// Opens `device`'s connection (`link`, or a new one) and sets up GATT.
    private func connect(_ device: CrashDevice, link: SeqPacketLink? = nil) throws {
        device.disconnect()
        let link = try link ?? SeqPacketLink.connect(path: socketPath)
        device.client = try PeripheralClient(link: link, timeout: .seconds(5))
        if let credentials = device.credentials, device.peripheral == nil {
            device.peripheral = CrashPeripheral(role: device.role, keyPair: try KeyPair(using: clientRandom), random: clientRandom, credentials: credentials)
        }
    }

    /// Kills the lock now. `acknowledgement` names what the client had just received, if anything.
    private func kill(rightAfter acknowledgement: String?) {
        guard !killed else { return }
        process?.kill()
        killed = true
        figures.kills += 1
        figures.killsByPlan[plan.name, default: 0] += 1
        if let acknowledgement {
            figures.killsRightAfterAcknowledgement += 1
            figures.killsRightAfterAcknowledgementByKind[acknowledgement, default: 0] += 1
        }
    }

    /// The state file as a life's kill left it, with the life's requests, to be checked.
    struct Unchecked {
        /// The lock as a restart loads it: the state file and its journal (`LockStateFile.load`).
        var engine: LockSessionEngine?
        var readError: String?
        var ops: [CrashOp]
        var label: String
    }
    var unchecked: Unchecked?

    /// After the kill: reaps the lock and loads its state (a later lock may rewrite the files).
    private func collect() {
        let started = ContinuousClock.now
        defer { figures.phases["4 check", default: .zero] += ContinuousClock.now - started }
        process?.kill()
        process = nil
        for device in devices { device.disconnect() }
        let strays = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasPrefix(".lock.json.tmp-") } ?? []
        figures.strayTemporaryFiles += strays.count
        for stray in strays { try? FileManager.default.removeItem(atPath: folder + "/" + stray) }
        var entry = Unchecked(ops: ops, label: "life \(figures.lives) (\(plan))")
        do {
            entry.engine = try LockStateFile(path: statePath).load(random: SeededRandomSource(seed: 1))
        } catch {
            entry.readError = "\(error)"
        }
        unchecked = entry
    }

    /// Checks the collected state: it loaded (``LockHost/LockStateFile/load(random:owner:)``:
    /// the snapshot and the records of its journal, as a restart loads them), and holds every
    /// acknowledged change. Its content is the truth the next
    /// life starts from.
    private func settle() throws {
        guard let entry = unchecked else { return }
        unchecked = nil
        let started = ContinuousClock.now
        defer { figures.phases["4 check", default: .zero] += ContinuousClock.now - started }
        let engine: LockSessionEngine
        do {
            guard let loaded = entry.engine else { throw StateFileError(.invalid, entry.readError ?? "no state file") }
            engine = loaded
        } catch {
            failures.append("\(entry.label): the state file does not load: \(error)")
            throw error
        }
        let after = CrashSnapshot(engine)
        let verdict = verifyCrash(before: base, after: after, ops: entry.ops)
        figures.requests += entry.ops.count
        figures.acknowledged += verdict.acknowledgements.count
        figures.kept += verdict.kept
        figures.lost += verdict.lost
        for (family, n) in verdict.acknowledged { figures.acknowledgedByFamily[family, default: 0] += n }
        for (family, n) in verdict.lostByFamily { figures.lostByFamily[family, default: 0] += n }
        for (kind, n) in verdict.brokenPromises { figures.brokenPromises[kind, default: 0] += n }
        figures.writeResponses += verdict.writeResponses
        figures.writeResponsesWithoutReply += verdict.writeResponsesWithoutReply
        figures.unacknowledged += verdict.unacknowledged
        figures.unacknowledgedKept += verdict.unacknowledgedKept
        failures += verdict.failures.map { "\(entry.label): \($0)" }
        base = after
        for device in devices {
            guard let credentials = device.credentials else { continue }
            let key = credentials.sharedKey.withUnsafeBytes { Hex.encode($0) }
            if after.authorization(of: device.role)?.authID != credentials.authID || after.keys[credentials.authID] != key {
                device.credentials = nil
            }
        }
    }

    // MARK: Requests

    private var pairingInProgress: Bool { devices.contains { if case .pair = $0.op?.kind { return true } else { return false } } }

    /// Codes the lock holds for sure (the file at the start, then acknowledged changes).
    private var knownCodes: [UInt16: CodeValue] {
        var codes: [UInt16: CodeValue] = [:]
        for code in base.codes { codes[code.codeID] = CodeValue(code: code.code, name: code.name, enabled: code.enabled) }
        for op in ops where op.role == .admin && op.completed {
            switch op.kind {
            case .addCode(let v): if let id = op.assignedCodeID { codes[id] = v }
            case .updateCode(let id, let v): codes[id] = v
            case .removeCode(let id): codes[id] = nil
            default: break
            }
        }
        return codes
    }

    /// Consecutive wrong codes the lock may have counted at most.
    private var failuresAtMost: Int {
        var count = base.failures
        for op in ops {
            guard case .keypadCode(_, let id) = op.kind, op.written else { continue }
            if id == nil, op.refused == nil { count += 1 }
            if id != nil, op.accepted { count = 0 }
        }
        return count
    }

    /// Consecutive wrong security PINs the lock may have counted at most (three lock it out).
    private var pinFailuresAtMost: Int {
        var count = base.pinFailures
        for op in ops where op.written && op.kind.checksPIN {
            if case .wrongPIN = op.kind {
                if op.refused == nil { count += 1 }
            } else if op.completed {
                count = 0
            }
        }
        return count
    }

    private func newCode(avoiding codes: [UInt16: CodeValue]) -> UInt32 {
        let taken = Set(codes.values.map(\.code)) .union(ops.compactMap { op -> UInt32? in
            switch op.kind {
            case .addCode(let v), .updateCode(_, let v): return v.code
            default: return nil
            }
        })
        while true {
            var code: UInt32 = 0
            for _ in 0..<6 { code = code * 10 + UInt32(1 + random.below(9)) }
            if KeypadCode.isValidFormat(code), !taken.contains(code) { return code }
        }
    }

    /// Starts `device`'s next request when it is idle.
    private func startNextRequest(_ device: CrashDevice) throws {
        guard device.op == nil, ContinuousClock.now >= device.notBefore else { return }
        // A client being removed waits for the outcome.
        if devices.contains(where: { if case .removeAuthorization(device.role, _)? = $0.op?.kind { return true } else { return false } }) { return }
        let kind: CrashOpKind
        // A life aimed at a pairing's COMPLETE pairs the keypad or the fob until one completes (a
        // first try may be refused while the button press is not in yet).
        var forcePairing = false
        if case .afterNamed(CrashKillPlan.pairingComplete) = plan, device.role != .admin {
            forcePairing = true
        }
        let tapInFlight = devices[CrashRole.keypad.rawValue].op.map { if case .keypadNFC = $0.kind { true } else { false } } ?? false
        if device.credentials == nil || (device.role != .admin && (forcePairing || random.chance(2)) && !pairingInProgress) {
            // Re-pairing the fob replaces the authorization a tap of its card is checked against.
            guard !pairingInProgress, !(device.role == .fob && tapInFlight) else { return }
            kind = .pair
        } else {
            guard let chosen = choose(for: device) else { return }
            kind = chosen
        }
        seq += 1
        let op = CrashOp(seq: seq, role: device.role, kind: kind)
        ops.append(op)
        device.op = op
        let now = LockServer.wallClock()
        var actions: [PeripheralAction]
        if case .pair = kind {
            // A fresh connection and key pair for every pairing; the button held first.
            figures.pairings += 1
            try connect(device)
            let keyPair = try KeyPair(using: clientRandom)
            op.pairingKeyHex = try SharedKey(ownKeyPair: keyPair, peerPublicKey: lockPublicKey).withUnsafeBytes { Hex.encode($0) }
            var peripheral = CrashPeripheral(role: device.role, keyPair: keyPair, random: clientRandom, credentials: nil)
            if lastButtonPress.map({ ContinuousClock.now - $0 > .milliseconds(50) }) ?? true {
                process?.pressButton()
                lastButtonPress = .now
            }
            actions = peripheral.pair()
            device.peripheral = peripheral
        } else {
            if device.client == nil || device.dropped { try connect(device) }
            if device.peripheral == nil {
                device.peripheral = CrashPeripheral(role: device.role, keyPair: try KeyPair(using: clientRandom), random: clientRandom, credentials: device.credentials)
            }
            op.actingAuthID = device.credentials?.authID
            actions = device.peripheral?.start(kind, pin: Self.pin, at: now) ?? []
        }
        try perform(actions, for: device)
    }

    private func choose(for device: CrashDevice) -> CrashOpKind? {
        let codes = knownCodes
        let adminOp = devices[CrashRole.admin.rawValue].op
        let keypadOp = devices[CrashRole.keypad.rawValue].op
        switch device.role {
        case .admin:
            if case .afterNamed(CrashKillPlan.removalComplete) = plan, !pairingInProgress,
                !ops.contains(where: { if case .removeAuthorization = $0.kind { true } else { false } }) {
                let tapInFlight = keypadOp.map { if case .keypadNFC = $0.kind { true } else { false } } ?? false
                for target in [devices[CrashRole.fob.rawValue], devices[CrashRole.keypad.rawValue]] where target.op == nil && !(target.role == .fob && tapInFlight) {
                    if let authID = target.credentials?.authID { return .removeAuthorization(target.role, authID: authID) }
                }
            }
            var busyCode: UInt16?
            if case .keypadCode(_, let id?)? = keypadOp?.kind { busyCode = id }
            let editable = codes.keys.filter { $0 != busyCode }.sorted()
            // Lives aimed at a rarer acknowledgement begin with its request.
            if case .afterNamed(CrashKillPlan.keypadCodeID) = plan {
                // Until a code is added (room made first when the table the campaign keeps is full).
                if codes.count < 30 {
                    return .addCode(CodeValue(code: newCode(avoiding: codes), name: FixedName("c\(seq + 1)", width: FixedName.shortNameWidth), enabled: true))
                }
                if let id = editable.first { return .removeCode(id: id) }
            }
            if case .afterNamed(let name) = plan, !ops.contains(where: { $0.role == .admin && $0.kind.family != "pairing" }) {
                if name == CrashKillPlan.badPIN {
                    // Two wrong PINs at most in a row (a third locks the PIN out for 30 s): a right one first.
                    return pinFailuresAtMost + 1 < FailureLockout.securityPIN.freeAttempts ? .wrongPIN : .setConfig(name: FixedName("cfg \(seq + 1)", width: FixedName.nameWidth))
                }
            }
            if case .afterNamed(CrashKillPlan.badPIN) = plan, pinFailuresAtMost + 1 < FailureLockout.securityPIN.freeAttempts,
                !ops.contains(where: { if case .wrongPIN = $0.kind { true } else { false } }) {
                return .wrongPIN
            }
            let roll = random.below(100)
            if codes.count < 3 || (roll < 20 && codes.count < 30) {
                return .addCode(CodeValue(code: newCode(avoiding: codes), name: FixedName("c\(seq + 1)", width: FixedName.shortNameWidth), enabled: true))
            }
            if roll < 40, let id = editable.isEmpty ? nil : editable[random.below(editable.count)] {
                return .updateCode(id: id, CodeValue(
                    code: newCode(avoiding: codes), name: FixedName("u\(seq + 1)", width: FixedName.shortNameWidth), enabled: !random.chance(15)))
            }
            if roll < 50, codes.count > 3, let id = editable.isEmpty ? nil : editable[random.below(editable.count)] {
                return .removeCode(id: id)
            }
            if roll < 65 { return .setConfig(name: FixedName("cfg \(seq + 1)", width: FixedName.nameWidth)) }
            if roll < 70, pinFailuresAtMost + 1 < FailureLockout.securityPIN.freeAttempts { return .wrongPIN }
            if roll < 75, !pairingInProgress {
                let target = random.chance(50) ? devices[CrashRole.fob.rawValue] : devices[CrashRole.keypad.rawValue]
                let tapInFlight = keypadOp.map { if case .keypadNFC = $0.kind { true } else { false } } ?? false
                if target.op == nil, !(target.role == .fob && tapInFlight), let authID = target.credentials?.authID {
                    return .removeAuthorization(target.role, authID: authID)
                }
            }
            return .lockAction(random.chance(50) ? .unlock : .lock)
        case .keypad:
            var busyCode: UInt16?
            switch adminOp?.kind {
            case .updateCode(let id, _)?, .removeCode(let id)?: busyCode = id
            default: break
            }
            let usable = codes.filter { $0.value.enabled && $0.key != busyCode }.sorted { $0.key < $1.key }
            if case .afterNamed(CrashKillPlan.codeInvalid) = plan, !ops.contains(where: { $0.role == .keypad && $0.kind.family != "pairing" }) {
                // Four wrong codes at most in a row (a fifth locks the keypad out for 30 s): a right one first.
                if failuresAtMost + 1 < 5 { return .keypadCode(code: newCode(avoiding: codes), codeID: nil) }
                if let (id, value) = usable.first { return .keypadCode(code: value.code, codeID: id) }
            }
            let roll = random.below(100)
            if roll < 45, !usable.isEmpty {
                let (id, value) = usable[random.below(usable.count)]
                return .keypadCode(code: value.code, codeID: id)
            }
            // The fob's card at the reader, while the fob's authorization is the lock's for sure; in a
            // life aimed at a tap's ACCEPTED, until one is accepted.
            let fob = devices[CrashRole.fob.rawValue]
            let fobBusy = adminOp.map { if case .removeAuthorization(.fob, _) = $0.kind { true } else { false } } ?? false
            var aimed = false
            if case .afterNamed(CrashKillPlan.nfcAccepted) = plan { aimed = true }
            if roll < 57 || aimed, !fobBusy, fob.op?.kind.family != "pairing", let authID = fob.credentials?.authID, fobCard?.credentialID == authID {
                return .keypadNFC(fobAuthID: authID)
            }
            if roll < 85, failuresAtMost + 1 < 5 {
                return .keypadCode(code: newCode(avoiding: codes), codeID: nil)
            }
            return .keypadLockKey
        case .fob:
            return .fobPress(count: 1 + random.below(3))
        }
    }

    // MARK: The wire

    /// Carries out a client's actions: writes go out over GATT; feedback ends its request.
    private func perform(_ actions: [PeripheralAction], for device: CrashDevice) throws {
        for action in actions {
            guard !killed else { return }
            switch action {
            case .write(let which, let bytes):
                guard let client = device.client, let handle = client.handles[which] else {
                    failures.append("\(device.role): no connection or handle for \(which)")
                    continue
                }
                let op = device.op
                let changing = op.map { isStateChanging(bytes, on: which, by: device, for: $0) } ?? false
                device.writes.append(changing ? op : nil)
                if changing { op?.written = true }
                if changing || (which == .pairingGDIO && (try? PlainFrame.decode(bytes))?.command == .authorizationData) { op?.reachedLock = true }
                for case .send(let octets) in client.gatt.perform(.write(handle: handle, value: bytes), at: client.monotonic) {
                    try send(octets, on: device)
                }
                if changing {
                    stateWrites += 1
                    if case .afterWrite(let n) = plan, stateWrites == n {
                        figures.killsRightAfterWrite += 1
                        kill(rightAfter: nil)
                    }
                }
            case .feedback(let feedback):
                finish(device, with: feedback)
            case .readCard(let challenge):
                // The fob's card in the keypad's reader field answers the lock's challenge.
                guard let op = device.op, case .keypadNFC = op.kind, var card = fobCard, var peripheral = device.peripheral else {
                    failures.append("\(device.role): unexpected NFC read")
                    continue
                }
                do {
                    let read = try NFCCardReader.read(challenge: challenge, uid: FobEmulator.nfcUID(fobID: CrashRole.fob.clientID), over: &card)
                    fobCard = card
                    op.nfcCounter = read.assertion?.counter
                    let next = peripheral.cardRead(read, at: LockServer.wallClock())
                    device.peripheral = peripheral
                    try perform(next, for: device)
                } catch {
                    failures.append("\(device.role): NFC read failed: \(error)")
                }
            }
        }
    }

    /// The write that makes the change: the encrypted command (not Request Data), or the
    /// pairing's Authorization-ID Confirmation.
    private func isStateChanging(_ bytes: [UInt8], on which: Characteristic, by device: CrashDevice, for op: CrashOp) -> Bool {
        switch which {
        case .pairingGDIO:
            return (try? PlainFrame.decode(bytes))?.command == .authorizationIDConfirmation
        case .keyturnerUSDIO:
            guard let credentials = device.credentials,
                let plaintext = try? EncryptedMessageCodec.open(bytes, key: { $0 == credentials.authID ? credentials.sharedKey : nil })
            else { return false }
            return plaintext.command != .requestData
        case .keyturnerGDIO:
            return false
        }
    }

    private func send(_ octets: [UInt8], on device: CrashDevice) throws {
        guard !killed, let client = device.client else { return }
        do {
            try client.link.send(octets)
        } catch {
            if !device.dropped { failures.append("\(device.role): send failed: \(error)") }
        }
    }

    /// Reads everything waiting on `device`'s connection.
    private func drain(_ device: CrashDevice) throws {
        while !killed, let client = device.client {
            let pdu: [UInt8]?
            do {
                pdu = try client.link.receive(timeout: .zero)
            } catch {
                linkClosed(device, error)
                return
            }
            guard let pdu else { return }
            for event in client.gatt.receive(pdu, at: client.monotonic) {
                guard !killed else { return }
                switch event {
                case .send(let octets):
                    try send(octets, on: device)
                case .indication(let handle, let value):
                    guard let which = client.central.characteristic(atValueHandle: handle) else { continue }
                    try indication(value, on: which, for: device)
                case .valueWritten:
                    let op = device.writes.isEmpty ? nil : device.writes.removeFirst()
                    if let op {
                        op.writeResponded = true
                        writeResponses += 1
                        if case .afterWriteResponse(let n) = plan, writeResponses == n {
                            figures.killsRightAfterWriteResponse += 1
                            kill(rightAfter: nil)
                        }
                    }
                case .failed(let procedure, let error):
                    failures.append("\(device.role): GATT \(procedure) failed: \(error)")
                default:
                    break
                }
            }
        }
    }

    private func linkClosed(_ device: CrashDevice, _ error: any Error) {
        let expected = ops.contains { op in
            if case .removeAuthorization(device.role, _) = op.kind { return op.written }
            return false
        }
        if !expected { failures.append("life \(figures.lives): \(device.role)'s connection closed: \(error)") }
        device.dropped = true
        device.client?.link.close()
        device.client = nil
        device.writes.removeAll()
        if let op = device.op, !expected {
            op.refused = op.refused ?? .unknown
        }
        device.op = nil
    }

    /// An indication: first what it acknowledges (and maybe the kill, before the client does
    /// anything else), then the client's own handling.
    private func indication(_ value: [UInt8], on which: Characteristic, for device: CrashDevice) throws {
        if let op = device.op, let acknowledgement = note(value, on: which, by: device, for: op) {
            acknowledgements += 1
            var now = false
            if case .afterAcknowledgement(let n) = plan { now = acknowledgements == n }
            if case .afterNamed(let name) = plan { now = acknowledgement == name }
            if now {
                kill(rightAfter: acknowledgement)
                return
            }
        }
        guard var peripheral = device.peripheral else { return }
        let actions = peripheral.receive(value, on: which, at: LockServer.wallClock())
        device.peripheral = peripheral
        try perform(actions, for: device)
    }

    /// Records what a message from the lock tells about `op`; returns the acknowledgement's name
    /// when it is one.
    private func note(_ value: [UInt8], on which: Characteristic, by device: CrashDevice, for op: CrashOp) -> String? {
        let message: NukiMessage?
        switch which {
        case .pairingGDIO, .keyturnerGDIO:
            message = (try? PlainFrame.decode(value)).flatMap { try? NukiMessage.decode(command: $0.command, payload: $0.payload, context: .smartLock) }
        case .keyturnerUSDIO:
            guard let credentials = device.credentials,
                let plaintext = try? EncryptedMessageCodec.open(value, key: { $0 == credentials.authID ? credentials.sharedKey : nil })
            else { return nil }
            message = try? NukiMessage.decode(command: plaintext.command, payload: plaintext.payload, context: .smartLock)
        }
        guard let message else { return nil }
        switch message {
        case .authorizationID(let id):
            op.pairingAuthID = id.authID
        case .status(let status) where status.status == .accepted:
            op.accepted = true
            return "ACCEPTED (\(op.kind.family))"
        case .status(let status) where status.status == .complete:
            op.completed = true
            if case .pair = op.kind { return "pairing COMPLETE" }
            return "COMPLETE (\(op.kind.family))"
        case .keypadCodeID(let id):
            op.assignedCodeID = id.codeID
            op.completed = true
            return "Keypad Code ID"
        case .errorReport(let report):
            if case .keypadCode(_, nil) = op.kind, report.errorCode == .codeInvalid {
                op.wrongCounted = true
                return "K_ERROR_CODE_INVALID"
            }
            if case .wrongPIN = op.kind, report.errorCode == .badPIN {
                op.wrongCounted = true
                return "K_ERROR_BAD_PIN"
            }
            op.refused = report.errorCode
            if report.errorCode == .busy, op.kind.movesMotor {
                figures.refusedBusy += 1
            } else if case .pair = op.kind, report.errorCode == .notPairing {
                // The button press had not reached the lock yet: try again shortly.
            } else {
                failures.append("life \(figures.lives): \(device.role) \(op.kind) refused with \(report.errorCode) on \(which)")
            }
        default:
            break
        }
        return nil
    }

    /// A client's request ended (feedback): the client is free for the next one.
    private func finish(_ device: CrashDevice, with feedback: PeripheralFeedback) {
        switch feedback {
        case .lowBattery, .entryTimedOut:
            return
        case .paired:
            device.credentials = device.peripheral?.credentials
            if device.role == .fob, let credentials = device.credentials { fobCard = FobEmulator.card(for: credentials) }
        case .accepted, .wrongCode, .refused, .readBack:
            break
        case .lockedOut(let code, _):
            failures.append("life \(figures.lives): keypad locked out (\(code)); the campaign keeps below 5 wrong codes")
        case .failed(let error):
            // A pairing that failed leaves the client with its earlier credentials, if any.
            if case .pair? = device.op?.kind { device.peripheral = nil }
            if case .refused(.notPairing) = error.code {
                device.notBefore = .now + .milliseconds(3)
            } else if case .refused = error.code {
                // Reported by note(_:on:by:for:).
            } else {
                failures.append("life \(figures.lives): \(device.role) \(device.op?.kind.description ?? "request") failed: \(error)")
            }
        case .ignored(let reason):
            failures.append("life \(figures.lives): \(device.role) ignored a request: \(reason)")
        case .cardUnreadable:
            break
        }
        if let op = device.op, case .removeAuthorization(let role, _) = op.kind, op.completed {
            devices[role.rawValue].credentials = nil
            devices[role.rawValue].peripheral = nil
        }
        device.op = nil
    }
}
