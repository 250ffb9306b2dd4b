import Foundation
import LockCore
import LockDriver
import LockCrypto
import LockSession
import LockWire

/// The paired lock every stateful session input starts from, built once through the real engines and
/// copied per input.
///
/// Contents: a Smart Lock 3 (u16 PIN ``securityPIN``, motor step ``motorStepMilliseconds``, clock set
/// to ``start``) paired, through ``LockSession/ClientSessionEngine`` and
/// ``LockSession/LockSessionEngine`` in memory, with an app (auth id 1), a keypad (auth id 2) and a fob
/// (auth id 3), each pressing the button first; then the app adds the keypad code ``keypadCode``
/// with Add Keypad Code (0x0041). Every key comes from a ``LockCrypto/SeededRandomSource`` with a fixed
/// seed, so the fixture is the same on every machine.
///
/// Per input, ``makeEngine(random:clockNeverSet:)`` builds a new engine from the stored machine, the
/// lock's key pair (never written to by the engine) and fresh ``LockCrypto/SharedKey`` objects from
/// ``keyBytes``: a revocation in one input wipes only that input's key objects.
///
/// The same pairings are also made on a lock whose clock was never set (a factory-new lock paired
/// before the app sent Update Time): ``machineClockNeverSet``, the same keys, auth ids and code id,
/// every date in it unset. There a time-limited right must fail closed (`docs/attacks.md` AU-09).
///
/// Under the compile-time condition `LATCHKEY_PLANTED_BUG` (set only by `Fuzz/planted-bug`), the shared
/// fixture is built with ``PlantedBug/fobTreatedAsAdmin``: see ``PlantedBug``.
public struct SessionFixture: Sendable {
    /// The injected time the fixture was built at: 2025-11-30T08:00:00Z.
    public static let start = LockInstant(secondsSince1970: 1_764_489_600)
    /// The security PIN.
    public static let securityPIN = SecurityPIN.u16(4321)
    /// The one keypad code stored (six digits 1–9, not starting with 12).
    public static let keypadCode: UInt32 = 246_813
    /// Motor step of the emulated model: lock actions take a few steps of this on the virtual clock.
    public static let motorStepMilliseconds: Int64 = 400
    /// Client ids the fixture's clients paired with (the app id doubles as Lock Action's app id).
    public static let appClientID: UInt32 = 11
    public static let keypadClientID: UInt32 = 12
    public static let fobClientID: UInt32 = 13

    /// A deliberately broken lock for the planted-bug proof of the stateful target.
    public enum PlantedBug: Sendable {
        /// The lock stores the fob's authorization with ID type app, as if the pairing or the access
        /// check had lost the ID type: the lock then lets the fob send admin commands and any Lock
        /// Action (the CVE-2022-32507 class). The harness still knows the fob as a fob, so its
        /// invariants must catch the first command the lock wrongly accepts.
        case fobTreatedAsAdmin
    }

    /// The lock's state after pairing and setup.
    public let machine: LockMachine
    /// The same pairings and setup on a lock whose clock was never set (its clock offset nil).
    public let machineClockNeverSet: LockMachine
    /// The lock's long-term X25519 key pair.
    public let lockKeyPair: KeyPair
    public let lockUUID: LockUUID
    /// The 32-byte shared key of each authorization, by auth id.
    public let keyBytes: [UInt32: [UInt8]]
    public let appAuthID: UInt32
    public let keypadAuthID: UInt32
    public let fobAuthID: UInt32
    /// The bug this fixture was built with, if any.
    public let plantedBug: PlantedBug?
    /// The code id the lock answered Add Keypad Code with (Keypad Code ID 0x0042).
    public let keypadCodeID: UInt16

    /// What the reference model (``AccessModel``) knows of this fixture from building it: the three
    /// clients enabled and unrestricted, the keypad code, the PIN, the lock's clock set to the
    /// injected time (offset 0), UTC with EU DST (the factory Config).
    public var initialModel: AccessModel {
        AccessModel(
            clients: [appAuthID: .init(kind: .app), keypadAuthID: .init(kind: .keypad), fobAuthID: .init(kind: .fob)],
            codes: [keypadCodeID: .init(code: SessionFixture.keypadCode)], pin: SessionFixture.securityPIN.bytes, clockOffsetMilliseconds: 0)
    }

    /// The fixture of the stateful session target, built on first use (immutable afterwards). Nil only
    /// if building failed, which the harness reports as the invariant `fixture`.
    public static let shared: SessionFixture? = {
        #if LATCHKEY_PLANTED_BUG
            return try? build(plantedBug: .fobTreatedAsAdmin)
        #else
            return try? build()
        #endif
    }()

    /// Flaws planted at run time for a mutation-analysis run (``LockCore/Weakness``, the lock's own
    /// switches at the guarded check): ``FuzzConfiguration/weaknesses`` of the configuration in
    /// force (`LATCHKEY_FUZZ_WEAKEN`, read by the entry point). The stateful harnesses give them to
    /// every engine they build, so one fuzz build measures each planted bug (`Fuzz/README.md`,
    /// "Planted bugs").
    public static var plantedWeaknesses: Set<Weakness> { FuzzConfiguration.current.weaknesses }

    /// A new lock engine in the fixture's state (``machineClockNeverSet`` when `clockNeverSet`), with
    /// new key objects and `random` as its randomness.
    public func makeEngine(random: any RandomSource, clockNeverSet: Bool = false) -> LockSessionEngine {
        var keys: [UInt32: SharedKey] = [:]
        for (authID, bytes) in keyBytes {
            if let key = try? SharedKey(rawBytes: bytes) { keys[authID] = key }
        }
        return LockSessionEngine(
            machine: clockNeverSet ? machineClockNeverSet : machine, lockKeyPair: lockKeyPair, lockUUID: lockUUID, keys: keys, random: random)
    }

    /// A new ``LockCrypto/SharedKey`` for `authID`'s key, for the harness's client side.
    public func clientKey(_ authID: UInt32) -> SharedKey? {
        keyBytes[authID].flatMap { try? SharedKey(rawBytes: $0) }
    }

    /// Why building the fixture failed.
    public struct BuildError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Builds the fixture through the real engines (a few milliseconds: three pairings, made twice:
    /// with the lock's clock set to ``start`` and with it never set).
    /// - Throws: ``BuildError`` when a pairing or the keypad code fails, or the two locks differ in
    ///   their shared keys, auth ids, keypad code id or the lock's public key, or the second one's
    ///   clock is set.
    public static func build(plantedBug: PlantedBug? = nil) throws -> SessionFixture {
        let set = try paired(clockSet: true, plantedBug: plantedBug)
        let neverSet = try paired(clockSet: false, plantedBug: plantedBug)
        guard neverSet.keyBytes == set.keyBytes, neverSet.authIDs == set.authIDs, neverSet.codeID == set.codeID,
            neverSet.keyPair.publicKey == set.keyPair.publicKey, neverSet.machine.clockOffsetMilliseconds == nil
        else { throw BuildError(description: "the lock whose clock was never set paired differently") }
        return SessionFixture(
            machine: set.machine, machineClockNeverSet: neverSet.machine, lockKeyPair: set.keyPair, lockUUID: set.uuid,
            keyBytes: set.keyBytes, appAuthID: set.authIDs[0], keypadAuthID: set.authIDs[1], fobAuthID: set.authIDs[2],
            plantedBug: plantedBug, keypadCodeID: set.codeID)
    }

    /// One lock paired with the app, keypad and fob and given the keypad code; its clock set to
    /// ``start`` first when `clockSet`.
    static func paired(clockSet: Bool, plantedBug: PlantedBug?) throws -> (
        machine: LockMachine, keyPair: KeyPair, uuid: LockUUID, keyBytes: [UInt32: [UInt8]], authIDs: [UInt32], codeID: UInt16
    ) {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = motorStepMilliseconds
        var machine = LockMachine(
            model: model, nukiID: 0x5EED_F022, settings: LockSettings(name: FixedName("Fuzz door", width: FixedName.nameWidth)),
            securityPIN: securityPIN)
        if clockSet { try machine.setClock(to: start.utcDateTime, at: start) }
        let random = SeededRandomSource(seed: 0x4C41_5443_484B_4559)
        let keyPair = try KeyPair(using: random)
        guard let uuid = LockUUID(random.bytes(count: 16)) else { throw BuildError(description: "lock UUID") }
        var lock = LockSessionEngine(machine: machine, lockKeyPair: keyPair, lockUUID: uuid, random: random)

        var keyBytes: [UInt32: [UInt8]] = [:]
        var appCredentials: ClientCredentials?
        var authIDs: [UInt32] = []
        for (index, (idType, clientID)) in [(IDType.app, appClientID), (.keypad, keypadClientID), (.fob, fobClientID)].enumerated() {
            _ = lock.pressButton(heldMilliseconds: LockMachine.pairingButtonHoldMilliseconds, at: start)
            let clientRandom = SeededRandomSource(seed: 0xC11E_0000 + UInt64(index))
            var client = ClientSessionEngine(
                idType: idType, clientID: clientID, name: FixedName("fuzz \(idType)", width: FixedName.nameWidth),
                keyPair: try KeyPair(using: clientRandom), random: clientRandom)
            let results = try exchange(&lock, &client, client.startPairing(), connection: ConnectionID(UInt64(index) + 1), at: start)
            guard case .paired(let credentials) = results.first else {
                throw BuildError(description: "pairing \(idType) failed: \(results)")
            }
            keyBytes[credentials.authID] = credentials.sharedKey.withUnsafeBytes { Array($0) }
            authIDs.append(credentials.authID)
            if idType == .app { appCredentials = credentials }
            lock.disconnect(ConnectionID(UInt64(index) + 1))
        }
        guard let app = appCredentials, authIDs.count == 3 else { throw BuildError(description: "no app credentials") }

        var admin = ClientSessionEngine(
            idType: .app, clientID: appClientID, name: FixedName("fuzz app", width: FixedName.nameWidth),
            keyPair: try KeyPair(using: SeededRandomSource(seed: 0xC11E_00FF)), random: SeededRandomSource(seed: 0xC11E_00FE),
            credentials: app)
        let add = ClientRequest(command: .addKeypadCode, needsChallenge: true, finalCommands: [.keypadCodeID]) { nonce in
            .addKeypadCode(AddKeypadCode(
                code: keypadCode, name: FixedName("fuzz code", width: FixedName.shortNameWidth), restriction: .unrestricted,
                challenge: nonce, securityPIN: securityPIN))
        }
        let added = try exchange(&lock, &admin, admin.send(add), connection: ConnectionID(1), at: start)
        guard case .completed(_, let messages) = added.first, case .keypadCodeID(let codeID) = messages.last else {
            throw BuildError(description: "adding the keypad code failed: \(added)")
        }
        lock.disconnect(ConnectionID(1))

        var finalMachine = lock.machine
        if plantedBug == .fobTreatedAsAdmin, let fob = finalMachine.authorization(authIDs[2]) {
            var elevated = fob
            elevated.idType = .app
            finalMachine.restoreAuthorization(elevated)
        }
        return (finalMachine, keyPair, uuid, keyBytes, authIDs, codeID.codeID)
    }

    /// Feeds a client's writes to the lock and the lock's indications for `connection` back, until
    /// neither side has more to say (``LockDriver/PDUDriver``); returns the client's non-write actions.
    /// - Throws: ``LockDriver/PDUDriver/NotQuiet`` when they are still talking at the driver's cap.
    static func exchange(
        _ lock: inout LockSessionEngine, _ client: inout ClientSessionEngine, _ start: [ClientSessionEngine.Action],
        connection: ConnectionID, at now: LockInstant
    ) throws(PDUDriver.NotQuiet) -> [ClientSessionEngine.Action] {
        var pending = start
        var results: [ClientSessionEngine.Action] = []
        try PDUDriver.run("the fixture's \(client.idType) exchange") {
            guard !pending.isEmpty else { return false }
            var next: [ClientSessionEngine.Action] = []
            for action in pending {
                guard case .write(let characteristic, let bytes) = action else {
                    results.append(action)
                    continue
                }
                for reply in lock.receive(bytes, on: characteristic, from: connection, at: now) {
                    if case .indicate(let id, let c, let b) = reply, id == connection { next += client.receive(b, on: c) }
                }
            }
            pending = next
            return true
        }
        return results
    }
}
