// The lock's runtime under load: one LockServer (its event loop on its own thread, a state file
// saved with every commit) serving N emulated fobs over the SOCK_SEQPACKET link at once; idle CPU
// with open idle connections; a paired client's latency next to hostile ones. Method and figures:
// Benchmarks/README.md, "Runtime".

import BLEATT
import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockEmulator
import LockPeripherals
import LockHost
import LockSession
import LockWire
import Synchronization

final class ServerThread: @unchecked Sendable {
    let server: LockServer
    let folder: DiscoveryFolder
    let stateFolder: String
    private var thread: Thread?

    /// A lock with `fobs` fob authorizations (auth ids 1…fobs), its credentials, served from a
    /// private discovery folder with a state file in a private folder.
    init(fobs: Int, limits: LockServer.Limits = LockServer.Limits()) throws {
        let tag = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        folder = DiscoveryFolder(path: NSTemporaryDirectory() + "latchkey-bench-\(tag)")
        stateFolder = NSTemporaryDirectory() + "latchkey-bench-state-\(tag)"
        try FileManager.default.createDirectory(atPath: stateFolder, withIntermediateDirectories: true)
        let (engine, credentials) = try Self.lock(fobs: fobs)
        self.credentials = credentials
        // As `latchkey lock serve --state`: a snapshot, then one synced journal record per commit.
        let store = ProcessInfo.processInfo.environment["LATCHKEY_BENCH_NO_STATE"] == nil
            ? try LockStateJournal(path: stateFolder + "/lock.json", engine: engine) : nil
        server = try LockServer(engine: engine, folder: folder, statePath: nil, store: store, limits: limits) { _ in }
    }

    let credentials: [ClientCredentials]

    static func lock(fobs: Int) throws -> (LockSessionEngine, [ClientCredentials]) {
        let random = SystemRandomSource()
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = 0
        var machine = LockMachine(model: model, nukiID: 0x00BE_0C4E, settings: LockSettings(name: FixedName("Bench", width: 32)), securityPIN: .u16(1))
        let now = LockServer.wallClock()
        try machine.setClock(to: now.utcDateTime, at: now)
        machine.maxAuthorizations = fobs + 1
        var keys: [UInt32: SharedKey] = [:]
        var credentials: [ClientCredentials] = []
        let lockUUID = LockUUID(random.bytes(count: 16)) ?? .zero
        for i in 0..<fobs {
            let authID = UInt32(i + 1)
            machine.restoreAuthorization(Authorization(authID: authID, idType: .fob, clientID: authID, name: FixedName("Fob \(i)", width: 32), dateCreated: .unset))
            let key = try SharedKey(rawBytes: random.bytes(count: 32))
            keys[authID] = key
            credentials.append(ClientCredentials(authID: authID, sharedKey: key, lockPublicKey: .zero, lockUUID: lockUUID))
        }
        return (LockSessionEngine(machine: machine, lockKeyPair: try KeyPair(using: random), lockUUID: lockUUID, keys: keys, random: random), credentials)
    }

    func start() {
        let box = UncheckedServer(server: server)
        let thread = Thread { box.server.run() }
        thread.stackSize = 8 << 20
        thread.start()
        self.thread = thread
    }

    /// Stops the loop and removes its folders.
    func stop() {
        server.controls.stop()
        while thread?.isFinished == false { Thread.sleep(forTimeInterval: 0.002) }
        server.stop()
        try? FileManager.default.removeItem(atPath: stateFolder)
        try? FileManager.default.removeItem(atPath: folder.path)
    }
}

/// Raises this process's descriptor limit as far as allowed (10,000 connections are 20,000
/// descriptors here: both ends live in this process).
func raiseDescriptorLimit(to wanted: UInt) {
    var limit = rlimit()
    getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    if limit.rlim_max < wanted {
        var raised = limit
        raised.rlim_max = rlim_t(wanted)
        raised.rlim_cur = rlim_t(wanted)
        if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { return }
    }
    limit.rlim_cur = limit.rlim_max
    setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
}

struct Percentiles {
    let p50: Double
    let p99: Double
    init(_ samples: [Double]) {
        let sorted = samples.sorted()
        func at(_ q: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.down)))] }
        p50 = at(0.50)
        p99 = at(0.99)
    }
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

/// The fob emulators a pass's workers hand back (each worker writes only its own indices, under the
/// lock; they read the pass's starting copy, never this one).
final class FobsBox: @unchecked Sendable {
    /// The emulators as the pass starts (read only).
    let start: [FobEmulator]
    var fobs: [FobEmulator]
    let lock = Mutex<Void>(())
    init(fobs: [FobEmulator]) {
        start = fobs
        self.fobs = fobs
    }
    func update(_ indices: [Int], _ values: [FobEmulator]) {
        lock.withLock { _ in for (k, i) in indices.enumerated() { fobs[i] = values[k] } }
    }
}

/// Hands the lock to its loop's thread, which alone uses it until stopped.
struct UncheckedServer: @unchecked Sendable { let server: LockServer }

/// Hands the clients to worker threads; each worker uses only its own clients.
struct UncheckedBox: @unchecked Sendable {
    let clients: [PeripheralClient]
    let credentials: [ClientCredentials]
}

struct ScalingResult {
    let connections: Int
    let held: Int
    let actions: Int
    let accepted: Int
    let seconds: Double
    let latency: Percentiles
    let saves: Int
}

/// N fobs connect (GATT set-up) and stay connected; then 64 worker threads make each fob press
/// (fob action 1 → Lock Action with a fresh challenge → ACCEPTED … COMPLETE), `rounds` times each.
/// The fobs run in a child process (`--runtime-clients`): 10,000 connections are 20,000 descriptors,
/// more than one process may open here (the hard limit is 20,000 and cannot be raised).
func concurrentConnections(_ count: Int, rounds: Int = 1) throws -> ScalingResult {
    let running = try ServerThread(fobs: count)
    running.start()
    defer { running.stop() }
    let credentialsPath = running.stateFolder + "/fobs.json"
    let fobs = running.credentials.map { FobCredentials(authID: $0.authID, key: $0.sharedKey.withUnsafeBytes { Hex.encode($0) }) }
    try JSONEncoder().encode(fobs).write(to: URL(fileURLWithPath: credentialsPath))
    let savesBefore = running.server.saves
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["--runtime-clients", running.folder.path, credentialsPath, String(rounds)]
    let output = Pipe()
    let input = Pipe()
    child.standardOutput = output
    child.standardInput = input
    try child.run()
    // The clients ask for a new battery between passes of 2,000 actions (a lock action drains
    // 0.04 %: an emulated lock is flat after 2,500 of them).
    var data = Data()
    var buffer = Data()
    while true {
        let chunk = output.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        buffer += chunk
        while let newline = buffer.firstIndex(of: 0x0A) {
            let line = buffer[buffer.startIndex..<newline]
            buffer = Data(buffer[buffer.index(after: newline)...])
            if String(decoding: line, as: UTF8.self) == "recharge" {
                let done = Atomic(false)
                running.server.controls.submit { engine, now in
                    defer { done.store(true, ordering: .releasing) }
                    return engine.simulateBattery(percent: 100, at: now)
                }
                while !done.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.001) }
                input.fileHandleForWriting.write(Data("ok\n".utf8))
            } else {
                data += line
            }
        }
    }
    data += buffer
    child.waitUntilExit()
    guard child.terminationStatus == 0 else { throw BenchFailure("the clients' process exited \(child.terminationStatus)") }
    let report = try JSONDecoder().decode(ClientsReport.self, from: data)
    return ScalingResult(
        connections: count, held: report.held, actions: report.actions, accepted: report.accepted, seconds: report.seconds,
        latency: Percentiles(report.latencies), saves: running.server.saves - savesBefore)
}

struct FobCredentials: Codable {
    let authID: UInt32
    let key: String
}

struct ClientsReport: Codable {
    let held: Int
    let actions: Int
    let accepted: Int
    let seconds: Double
    let latencies: [Double]
}

/// The child side of ``concurrentConnections(_:rounds:)``: connects every fob of `credentialsPath`
/// to the lock in `folder`, then presses each `rounds` times from 64 worker threads; prints a
/// ``ClientsReport`` as JSON.
func runClients(folder: String, credentialsPath: String, rounds: Int, workers: Int = 64) throws {
    let fobs = try JSONDecoder().decode([FobCredentials].self, from: Data(contentsOf: URL(fileURLWithPath: credentialsPath)))
    let credentials = try fobs.map { fob -> ClientCredentials in
        guard let bytes = Hex.decode(fob.key) else { throw BenchFailure("bad key") }
        return ClientCredentials(authID: fob.authID, sharedKey: try SharedKey(rawBytes: bytes), lockPublicKey: .zero, lockUUID: .zero)
    }
    let count = credentials.count
    var clients: [PeripheralClient] = []
    clients.reserveCapacity(count)
    for _ in 0..<count { clients.append(try PeripheralClient(folder: DiscoveryFolder(path: folder), timeout: .seconds(60))) }
    let accepted = Atomic(0)
    let failures = Atomic(0)
    let latencies = Mutex<[Double]>([])
    let box = UncheckedBox(clients: clients, credentials: credentials)
    let start = ContinuousClock.now
    let group = DispatchGroup()
    var emulators = credentials.map { FobEmulator(fobID: $0.authID, keyPair: KeyPair.bench, random: SystemRandomSource(), credentials: $0) }
    let passSize = 2_000
    let plan = (0..<rounds).flatMap { _ in 0..<count }
    var passStart = 0
    var elapsed: Duration = .zero
    while passStart < plan.count {
        if passStart > 0 {
            // A fresh battery (the parent recharges the lock), not timed.
            FileHandle.standardOutput.write(Data("recharge\n".utf8))
            guard readLine() == "ok" else { throw BenchFailure("no recharge") }
        }
        let pass = Array(plan[passStart..<min(plan.count, passStart + passSize)])
        passStart += passSize
        let passBegan = ContinuousClock.now
        let fobsBox = FobsBox(fobs: emulators)
        // A fob belongs to one worker (index modulo the workers), so no client is shared.
        let workerCount = max(1, min(workers, count))
        for worker in 0..<workerCount {
            let mine = pass.filter { $0 % workerCount == worker }
            DispatchQueue.global().async(group: group) {
                var local: [Int: FobEmulator] = [:]
                var mineLatencies: [Double] = []
                for i in mine {
                    var fob = local[i] ?? fobsBox.start[i]
                    let began = ContinuousClock.now
                    let feedback: [PeripheralFeedback]
                    do {
                        feedback = try box.clients[i].run(&fob, start: fob.press(count: 1, at: LockServer.wallClock()), timeout: .seconds(120))
                    } catch {
                        feedback = []
                        if failures.add(1, ordering: .relaxed).newValue <= 5 { FileHandle.standardError.write(Data("fob \(i + 1): \(error)\n".utf8)) }
                    }
                    local[i] = fob
                    mineLatencies.append(seconds(ContinuousClock.now - began))
                    if feedback.contains(.accepted(.lockAction)) {
                        accepted.add(1, ordering: .relaxed)
                    } else if !feedback.isEmpty, failures.add(1, ordering: .relaxed).newValue <= 5 {
                        FileHandle.standardError.write(Data("fob \(i + 1): \(feedback)\n".utf8))
                    }
                }
                latencies.withLock { $0 += mineLatencies }
                fobsBox.update(Array(local.keys), Array(local.values))
            }
        }
        group.wait()
        emulators = fobsBox.fobs
        elapsed += ContinuousClock.now - passBegan
    }
    _ = start
    let report = ClientsReport(
        held: clients.count, actions: count * rounds, accepted: accepted.load(ordering: .relaxed),
        seconds: seconds(elapsed), latencies: latencies.withLock { $0 })
    FileHandle.standardOutput.write(try JSONEncoder().encode(report))
}

extension KeyPair {
    /// The fobs' own key pair is not used once they hold credentials.
    static let bench: KeyPair = {
        do { return try KeyPair(secretKeyBytes: [UInt8](repeating: 7, count: 32)) } catch { fatalError("X25519 key pair: \(error)") }
    }()
}

/// CPU used per second of wall time while `count` connections are open and idle (GATT set up,
/// nobody sends): the whole process's user + system time (RUSAGE_SELF) over `window`, so it counts
/// the lock's loop and anything else that woke up; the idle clients use none.
func idleCPU(connections count: Int, window: Duration = .seconds(10)) throws -> Double {
    let running = try ServerThread(fobs: 1)
    running.start()
    defer { running.stop() }
    var clients: [PeripheralClient] = []
    for _ in 0..<count { clients.append(try PeripheralClient(folder: running.folder, timeout: .seconds(60))) }
    Thread.sleep(forTimeInterval: 1)
    let before = processCPUSeconds()
    Thread.sleep(forTimeInterval: seconds(window))
    let used = processCPUSeconds() - before
    withExtendedLifetime(clients) {}
    return used / seconds(window)
}

/// CPU seconds (user + system) of the whole process.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
}

struct FairnessResult {
    let unloaded: Percentiles
    let loaded: Percentiles
    let junkSent: Int
    let neverReadingReconnects: Int
}

/// A paired fob's lock-action latency alone, then next to one unauthenticated junk writer at full
/// speed and two clients that send requests but never read (reconnecting whenever the lock drops
/// them), `actions` lock actions each time.
func fairness(actions: Int = 300) throws -> FairnessResult {
    let running = try ServerThread(fobs: 1)
    running.start()
    defer { running.stop() }
    let client = try PeripheralClient(folder: running.folder, timeout: .seconds(60))
    var fob = FobEmulator(fobID: 1, keyPair: KeyPair.bench, random: SystemRandomSource(), credentials: running.credentials[0])
    func measure() throws -> Percentiles {
        var samples: [Double] = []
        for _ in 0..<actions {
            let began = ContinuousClock.now
            let feedback = try client.run(&fob, start: fob.press(count: 1, at: LockServer.wallClock()), timeout: .seconds(60))
            samples.append(seconds(ContinuousClock.now - began))
            guard feedback.contains(.accepted(.lockAction)) else { throw BenchFailure("lock action refused: \(feedback)") }
        }
        return Percentiles(samples)
    }
    let unloaded = try measure()

    guard let socket = DiscoveryScanner(folder: running.folder).scan().first?.record.socket else { throw BenchFailure("no lock in the folder") }
    let stop = Atomic(false)
    let junkSent = Atomic(0)
    let reconnects = Atomic(0)
    let group = DispatchGroup()
    // The junk writer: ATT Write Requests of garbage to the keyturner USDIO handle range and random
    // PDUs, as fast as the socket takes them; it reads (and discards) whatever comes back.
    DispatchQueue.global().async(group: group) {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        while !stop.load(ordering: .relaxed) {
            guard let link = try? SeqPacketLink.connect(path: socket) else { continue }
            while !stop.load(ordering: .relaxed) {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                let length = Int(seed >> 58) + 3
                var pdu = [UInt8](repeating: 0, count: length)
                for i in pdu.indices { pdu[i] = UInt8(truncatingIfNeeded: seed >> UInt64((i % 8) * 8)) }
                pdu[0] = (seed & 1) == 0 ? 0x12 : UInt8(truncatingIfNeeded: seed >> 40)
                do {
                    try link.send(pdu)
                    junkSent.add(1, ordering: .relaxed)
                    while (try? link.receive(timeout: .zero)) != nil {}
                } catch {
                    break
                }
            }
            link.close()
        }
    }
    // Two clients that ask (ATT Read Request of the Device Name, handle 0x0003) and never read.
    for _ in 0..<2 {
        DispatchQueue.global().async(group: group) {
            while !stop.load(ordering: .relaxed) {
                guard let link = try? SeqPacketLink.connect(path: socket) else { continue }
                while !stop.load(ordering: .relaxed), (try? link.send([0x0A, 0x03, 0x00])) != nil {}
                link.close()
                reconnects.add(1, ordering: .relaxed)
            }
        }
    }
    Thread.sleep(forTimeInterval: 1)
    let loaded = try measure()
    stop.store(true, ordering: .relaxed)
    group.wait()
    return FairnessResult(unloaded: unloaded, loaded: loaded, junkSent: junkSent.load(ordering: .relaxed), neverReadingReconnects: reconnects.load(ordering: .relaxed))
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
