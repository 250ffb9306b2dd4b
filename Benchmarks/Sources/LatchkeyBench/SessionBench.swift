// Session-level benchmarks: a whole lock-action transaction and a whole pairing between a client
// engine and a lock engine in one process, next to the raw libsodium calls they cannot avoid.

import CSodiumBench
import LockCore
import LockCrypto
import LockSession
import LockWire

/// A lock with one app authorization and a paired client, wired in memory at ATT_MTU 247.
struct SessionPair {
    var lock: LockSessionEngine
    var client: ClientSessionEngine
    let connection = ConnectionID(1)
    let now = LockInstant(secondsSince1970: 1_764_489_600)

    init(random: any RandomSource) throws {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = 0
        var machine = LockMachine(model: model, nukiID: 1, settings: LockSettings(name: FixedName("Bench", width: 32)), securityPIN: .u16(1234))
        try machine.setClock(to: now.utcDateTime, at: now)
        machine.restoreAuthorization(Authorization(authID: 1, idType: .app, clientID: 1, name: FixedName("App", width: 32), dateCreated: .unset))
        let key = try SharedKey(rawBytes: random.bytes(count: 32))
        let lockUUID = LockUUID(random.bytes(count: 16)) ?? LockUUID([UInt8](repeating: 0, count: 16))
        lock = LockSessionEngine(machine: machine, lockKeyPair: try KeyPair(using: random), lockUUID: lockUUID!, keys: [1: key], random: random)
        lock.connect(connection)
        let credentials = ClientCredentials(authID: 1, sharedKey: key, lockPublicKey: .zero, lockUUID: lockUUID!)
        client = ClientSessionEngine(idType: .app, clientID: 1, name: FixedName("App", width: 32), keyPair: try KeyPair(using: random), random: random, credentials: credentials)
    }

    /// Runs client actions through the lock until the client reports; returns how many messages the
    /// finished request carried.
    mutating func run(_ actions: [ClientSessionEngine.Action]) -> Int {
        var pending = actions
        var result = 0
        while !pending.isEmpty {
            let action = pending.removeFirst()
            switch action {
            case .write(let characteristic, let bytes):
                for reply in lock.receive(bytes, on: characteristic, from: connection, at: now) {
                    if case .indicate(_, let c, let b) = reply { pending += client.receive(b, on: c) }
                }
            case .completed(_, let messages): result = messages.count
            case .paired: result = 1
            case .failed, .readBack: result = -1_000_000  // a lost COMPLETE would be a broken transaction
            case .challengeReceived: break  // only NFC requests pause for a card
            }
        }
        return result
    }
}

/// One lock action per iteration, alternating unlock and lock: Request Data(Challenge) → Challenge →
/// Lock Action → ACCEPTED, 2 × Keyturner States, COMPLETE. 7 secretbox seals and 7 opens.
func lockActionTransactions(random: any RandomSource) throws -> (Int) -> UInt64 {
    var pair = try SessionPair(random: random)
    return { n in
        var acc: UInt64 = 0
        for i in 0..<n {
            let action: LockAction = i & 1 == 0 ? .unlock : .lock
            acc &+= UInt64(bitPattern: Int64(pair.run(pair.client.send(.lockAction(action, appID: 1)))))
        }
        return acc
    }
}

/// One whole pairing per iteration (button, 5 plain exchanges, keys derived on both sides). The same
/// app id pairs again each time, which replaces its authorization, so the table stays at one entry.
func pairings(random: any RandomSource) throws -> (Int) -> UInt64 {
    var pair = try SessionPair(random: random)
    let clientKeys = try KeyPair(using: random)
    return { n in
        var acc: UInt64 = 0
        for _ in 0..<n {
            _ = pair.lock.pressButton(heldMilliseconds: 5_000, at: pair.now)
            pair.client = ClientSessionEngine(idType: .app, clientID: 7, name: FixedName("Pairing", width: 32), keyPair: clientKeys, random: random)
            acc &+= UInt64(bitPattern: Int64(pair.run(pair.client.startPairing())))
        }
        return acc
    }
}

/// The libsodium floor of one lock-action transaction: 7 × (seal + open) of its plaintexts
/// (request data 8+8 = 16 B ×2, challenge 40 B, lock action 46 B, status 9 B ×2, states 29 B ×2).
func rawTransactionFloor() -> (Int) -> UInt64 {
    let boxes = [16, 16, 40, 46, 9, 29, 29, 9].prefix(7).map { RawSecretBox(plaintext: [UInt8](repeating: 0x5A, count: $0)) }
    return { n in
        var acc: UInt64 = 0
        for _ in 0..<n {
            for box in boxes {
                box.seal()
                if box.open() { acc &+= 1 }
            }
        }
        return acc
    }
}

/// The libsodium floor of one pairing: 2 × crypto_box_beforenm (one per side) and 8 HMAC-SHA256
/// (each of the 4 authenticators computed by one side and verified by the other) over their inputs.
func rawPairingFloor() -> (Int) -> UInt64 {
    var skA = [UInt8](repeating: 0, count: 32), pkA = [UInt8](repeating: 0, count: 32)
    var skB = [UInt8](repeating: 0, count: 32), pkB = [UInt8](repeating: 0, count: 32)
    _ = crypto_box_keypair(&pkA, &skA)
    _ = crypto_box_keypair(&pkB, &skB)
    var k = [UInt8](repeating: 0, count: 32)
    var mac = [UInt8](repeating: 0, count: 32)
    let inputs = [96, 101, 84, 36].map { [UInt8](repeating: 0x33, count: $0) }
    return { n in
        var acc: UInt64 = 0
        for _ in 0..<n {
            _ = crypto_box_beforenm(&k, pkB, skA)
            _ = crypto_box_beforenm(&k, pkA, skB)
            for input in inputs {
                for _ in 0..<2 {
                    _ = crypto_auth_hmacsha256(&mac, input, UInt64(input.count), k)
                    acc &+= UInt64(mac[0])
                }
            }
        }
        return acc
    }
}

/// Runs the session rows and returns the summary lines (transactions/s and pairings/s per core, each
/// against its libsodium floor).
func runSessions(_ bench: inout Bench) -> [String] {
    bench.section("sessions: LockSessionEngine ⇄ ClientSessionEngine in memory, motor time zero, MTU 247")
    let random = SystemRandomSource()
    guard let transactions = try? lockActionTransactions(random: random), let pairs = try? pairings(random: random) else {
        return ["  sessions: set-up failed"]
    }
    let transaction = bench.run("lock action transaction (challenge … COMPLETE)", bytes: 0, transactions)
    let transactionFloor = bench.run("  its libsodium floor: 7 × secretbox seal + open", bytes: 0, rawTransactionFloor())
    let pairing = bench.run("pairing (5 exchanges, both sides)", bytes: 0, pairs)
    let pairingFloor = bench.run("  its libsodium floor: 2 × beforenm + 8 × HMAC", bytes: 0, rawPairingFloor())
    let perPeripheral = (try? memoryPerPeripheral(count: 10_000)) ?? 0
    return [
        "  memory per emulated peripheral (10,000 paired keypads + 10,000 fobs, resident): "
            + "\(fixed(perPeripheral / 1024, 2)) KiB (target ≤ 64 KiB)",
        "  lock action transactions/s per core: \(grouped(1e9 / transaction.median)) (target ≥ 50,000); "
            + "\(fixed(transaction.median / transactionFloor.median, 2))x its libsodium floor",
        "  pairings/s per core: \(grouped(1e9 / pairing.median)); "
            + "\(fixed(pairing.median / pairingFloor.median, 2))x its X25519 + HMAC cost (target ≤ 1.3x)",
    ]
}
