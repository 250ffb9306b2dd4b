// Concurrent connections: one lock process (LockServer on its own thread) serving N emulated fobs
// over the SOCK_SEQPACKET link at once, each doing a lock action while all stay connected.

import BLETransport
import Foundation
import LockCore
import LockCrypto
import LockEmulator
import LockPeripherals
import LockSession
import LockWire

final class ServerThread: @unchecked Sendable {
    var server: LockServer?
    var stop = false
}

/// Runs the scenario and returns (connections held, lock actions accepted, seconds for the actions).
func concurrentConnections(_ count: Int, workers: Int = 8) throws -> (held: Int, accepted: Int, seconds: Double) {
    let folder = DiscoveryFolder(path: NSTemporaryDirectory() + "latchkey-bench-\(getpid())")
    let random = SystemRandomSource()
    var model = LockModel.smartLock3
    model.motorStepMilliseconds = 0
    var machine = LockMachine(model: model, nukiID: 0x00BE_0C4E, settings: LockSettings(name: FixedName("Bench", width: 32)), securityPIN: .u16(1))
    let now = LockServer.wallClock()
    try machine.setClock(to: now.utcDateTime, at: now)
    machine.maxAuthorizations = count + 1
    var keys: [UInt32: SharedKey] = [:]
    var credentials: [ClientCredentials] = []
    let lockUUID = LockUUID(random.bytes(count: 16)) ?? LockUUID([UInt8](repeating: 0, count: 16))!
    for i in 0..<count {
        let authID = UInt32(i + 1)
        machine.restoreAuthorization(Authorization(authID: authID, idType: .fob, clientID: authID, name: FixedName("Fob \(i)", width: 32), dateCreated: .unset))
        let key = try SharedKey(rawBytes: random.bytes(count: 32))
        keys[authID] = key
        credentials.append(ClientCredentials(authID: authID, sharedKey: key, lockPublicKey: .zero, lockUUID: lockUUID))
    }
    var engine = LockSessionEngine(machine: machine, lockKeyPair: try KeyPair(using: random), lockUUID: lockUUID, keys: keys, random: random)
    engine.maxConnections = count + 16
    let running = ServerThread()
    running.server = try LockServer(engine: engine, folder: folder, statePath: nil) { _ in }
    let thread = Thread {
        while !running.stop { running.server?.step(timeout: .milliseconds(2)) }
        running.server?.stop()
    }
    thread.stackSize = 8 << 20
    thread.start()
    defer { running.stop = true }

    // Connect everyone first, and keep every connection open.
    var clients: [PeripheralClient] = []
    for _ in 0..<count { clients.append(try PeripheralClient(folder: folder, timeout: .seconds(30))) }

    let accepted = Atomic(0)
    let start = ContinuousClock.now
    let group = DispatchGroup()
    for worker in 0..<workers {
        let mine = Array(stride(from: worker, to: count, by: workers))
        let box = UncheckedBox(clients: clients, credentials: credentials)
        DispatchQueue.global().async(group: group) {
            for i in mine {
                var fob = FobEmulator(fobID: UInt32(i + 1), keyPair: (try? KeyPair(using: SystemRandomSource())) ?? box.fallbackKeyPair(), random: SystemRandomSource(), credentials: box.credentials[i])
                let feedback = (try? box.clients[i].run(&fob, start: fob.press(count: 1, at: LockServer.wallClock()), timeout: .seconds(60))) ?? []
                if feedback.contains(.accepted(.lockAction)) { accepted.add(1, ordering: .relaxed) }
            }
        }
    }
    group.wait()
    let elapsed = ContinuousClock.now - start
    let (s, attos) = elapsed.components
    return (clients.count, accepted.load(ordering: .relaxed), Double(s) + Double(attos) * 1e-18)
}

import Synchronization

/// Hands the clients to worker threads; each worker uses only its own clients.
struct UncheckedBox: @unchecked Sendable {
    let clients: [PeripheralClient]
    let credentials: [ClientCredentials]
    func fallbackKeyPair() -> KeyPair { try! KeyPair(secretKeyBytes: [UInt8](repeating: 1, count: 32)) }
}
