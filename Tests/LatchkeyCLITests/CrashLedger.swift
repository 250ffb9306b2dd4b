import Foundation
@testable import LockCore
import LockCrypto
@testable import LockSession
import LockWire

// What the crash-consistency campaign holds the lock to, and how it checks a state file after a
// kill -9. The promises come from the Nuki protocol (`docs/wire.md` §3.1, §4, §4.1, §6, §7, §8),
// not from the lock's code:
//
// | acknowledgement the client received | what it promises is in the state file |
// |---|---|
// | pairing: Status COMPLETE on the pairing GDIO (§3.1 step 13) | the authorization with the auth id of Authorization-ID, the client's ID type, id and name, and the shared key the client holds (step 14: the client uses it from now on); an earlier authorization of the same client is gone (§13: pairing again replaces) |
// | Keypad Code ID for Add Keypad Code (§4.1, §7) | the code with that id, its code, name, enabled |
// | Status COMPLETE for Update Keypad Code, Remove Keypad Code, Set Config, Remove Authorization Entry (§4.1) | the new values; the removed entry gone |
// | Status ACCEPTED for Lock Action, Keypad Action (§4.1) | the action is the lock's: its run is in progress (resumed at restart) or finished and logged (§8 type 0x02 / 0x05), in order, and the authorization's lock count (§6) and the keypad code's lock count (§7) count it |
// | Status COMPLETE after a motor run (§4.1) | the run's log entry with completion status success (§8) |
// | Error Report K_ERROR_CODE_INVALID for a typed code (§7, §9) | the wrong attempt counts toward the lockout ("5 or more wrong attempts cause a time-out": consecutive failures, `KeypadLockout`) and is logged with completion status 0xE0 (§7) |
// | Status ACCEPTED for Keypad Action source NFC (Latchkey extension, README "NFC fob extension") | as for a typed code, and the card's counter is the lock's: a replay of that card answer is refused after a restart (the highest accepted counter per credential) |
// | Error Report K_ERROR_BAD_PIN for a wrong security PIN (§3.5, §9) | the wrong attempt counts toward K_ERROR_TOO_MANY_PIN_ATTEMPTS (consecutive failures); a command that passed the PIN check (COMPLETE) reset the count |
//
// The ATT Write Response to the write that carried a command (issue 17 lists it as an
// acknowledgement too) promises that the command was processed and its outcome is durable: for a
// command the campaign knows the lock accepts (key-pad code and config management, a wrong code, a
// pairing confirmation) the change must be there even when the Nuki reply never arrived; for a
// motor command (which may be refused as busy) either outcome is allowed.
//
// Anything unacknowledged may or may not be there; a refused command (Error Report) must not be.
// An item changed by a later command that was in flight at the kill may show that command's value
// instead.

/// The three clients of the campaign.
enum CrashRole: Int, CaseIterable, CustomStringConvertible, Sendable {
    case admin, keypad, fob

    var idType: IDType { [IDType.app, .keypad, .fob][rawValue] }
    var clientID: UInt32 { [0x0A00_0001, 0x0B00_0002, 0x0F00_0003][rawValue] }
    var name: FixedName { FixedName(["Crash admin", "Crash keypad", "Crash fob"][rawValue], width: FixedName.nameWidth) }
    var description: String { ["admin", "keypad", "fob"][rawValue] }
}

/// A keypad code's persisted values that the admin sets.
struct CodeValue: Hashable, CustomStringConvertible {
    var code: UInt32
    var name: FixedName
    var enabled: Bool
    var description: String { "\(code) \"\(name.text)\"\(enabled ? "" : " disabled")" }
}

/// One request of the campaign.
enum CrashOpKind: CustomStringConvertible {
    case pair
    case addCode(CodeValue)
    case updateCode(id: UInt16, CodeValue)
    case removeCode(id: UInt16)
    case setConfig(name: FixedName)
    case removeAuthorization(CrashRole, authID: UInt32)
    /// Admin Lock Action (unlock or lock).
    case lockAction(LockAction)
    /// Fob presses 1–3: Lock Action 0x81–0x83, mapped through Config fob actions.
    case fobPress(count: Int)
    /// Keypad Action with source code; `codeID` nil for a wrong code.
    case keypadCode(code: UInt32, codeID: UInt16?)
    /// Keypad Action with source back key (locks).
    case keypadLockKey
    /// Verify Security PIN (0x0020) with a wrong PIN: K_ERROR_BAD_PIN.
    case wrongPIN
    /// The fob's NFC card at the keypad's reader: Keypad Action source NFC (0x80) with the card's
    /// answer to the lock's challenge (credential id = the fob's auth id).
    case keypadNFC(fobAuthID: UInt32)

    var description: String {
        switch self {
        case .pair: return "pair"
        case .addCode(let v): return "add code \(v)"
        case .updateCode(let id, let v): return "update code \(id) to \(v)"
        case .removeCode(let id): return "remove code \(id)"
        case .setConfig(let name): return "set config name \"\(name.text)\""
        case .removeAuthorization(let role, let id): return "remove authorization \(id) (\(role))"
        case .lockAction(let a): return "lock action \(a)"
        case .fobPress(let count): return "fob press ×\(count)"
        case .keypadCode(let code, let id): return id == nil ? "wrong code \(code)" : "code \(code) (id \(id!))"
        case .keypadLockKey: return "keypad lock key"
        case .wrongPIN: return "wrong security PIN"
        case .keypadNFC(let id): return "NFC tap of fob \(id)"
        }
    }

    /// Carries the security PIN (auth ECP, §4): a right one resets the PIN failure count.
    var checksPIN: Bool {
        switch self {
        case .addCode, .updateCode, .removeCode, .setConfig, .removeAuthorization, .wrongPIN: return true
        default: return false
        }
    }

    /// Runs the motor when accepted (ACCEPTED, then COMPLETE).
    var movesMotor: Bool {
        switch self {
        case .lockAction, .fobPress, .keypadLockKey, .keypadNFC: return true
        case .keypadCode(_, let id): return id != nil
        default: return false
        }
    }

    /// The campaign only sends these when the lock must accept them (unique codes, known ids, a
    /// lockout out of reach), so a Write Response alone makes their effect durable.
    var acceptedForSure: Bool { !movesMotor }

    /// Short name for the figures.
    var family: String {
        switch self {
        case .pair: return "pairing"
        case .addCode: return "add code"
        case .updateCode: return "update code"
        case .removeCode: return "remove code"
        case .setConfig: return "set config"
        case .removeAuthorization: return "remove authorization"
        case .lockAction: return "admin lock action"
        case .fobPress: return "fob action"
        case .keypadCode(_, let id): return id == nil ? "wrong code" : "keypad code"
        case .keypadLockKey: return "keypad lock key"
        case .wrongPIN: return "wrong PIN"
        case .keypadNFC: return "NFC tap"
        }
    }
}

/// One request and what its client saw of it.
final class CrashOp {
    let seq: Int
    let role: CrashRole
    let kind: CrashOpKind
    let started = ContinuousClock.now
    /// The auth id the client acted under (motor commands), for lock counts and log entries.
    var actingAuthID: UInt32?
    /// Pairing: the shared key of this pairing (hex) and the auth id Authorization-ID gave.
    var pairingKeyHex: String?
    var pairingAuthID: UInt32?
    /// The state-changing write (the command, or the Authorization-ID Confirmation) reached the socket.
    var written = false
    /// A write that may change the lock's state reached the socket: the command; for a pairing
    /// already Authorization Data (`docs/wire.md` §3.1 step 9: a lock may store the user there,
    /// before Authorization-ID; this one does at the confirmation).
    var reachedLock = false
    /// Its ATT Write Response arrived.
    var writeResponded = false
    /// Status ACCEPTED (motor commands).
    var accepted = false
    /// Completed: pairing COMPLETE, Keypad Code ID, Status COMPLETE (after the run for motor commands).
    var completed = false
    /// Wrong code or wrong PIN: K_ERROR_CODE_INVALID or K_ERROR_BAD_PIN arrived.
    var wrongCounted = false
    /// Keypad Code ID's id.
    var assignedCodeID: UInt16?
    /// NFC tap: the counter of the card's answer.
    var nfcCounter: UInt32?
    /// The Error Report that refused it.
    var refused: NukiErrorCode?

    init(seq: Int, role: CrashRole, kind: CrashOpKind) {
        self.seq = seq
        self.role = role
        self.kind = kind
    }

    /// Whether the client holds a promise that the change is durable (see the table above).
    var acknowledged: Bool {
        if refused != nil { return false }
        switch kind {
        case .keypadCode(_, nil), .wrongPIN: return wrongCounted
        default: return kind.movesMotor ? accepted : completed
        }
    }

    /// Acknowledged, or answered by a Write Response for a command the lock accepts for sure.
    var definite: Bool { acknowledged || (refused == nil && writeResponded && kind.acceptedForSure) }

    /// Reached the lock (maybe) with no outcome known: its change may or may not be there.
    var pending: Bool { (written || reachedLock) && refused == nil && !definite }

    /// Whether the change may be in the state file at all.
    var mayBeThere: Bool { definite || pending }
}

/// What a state file says, reduced to what the campaign checks.
struct CrashSnapshot {
    var authorizations: [Authorization]
    var keys: [UInt32: String]
    var codes: [KeypadCode]
    var nextCodeID: UInt16
    var nextAuthID: UInt32
    var configName: FixedName
    var failures: Int
    var pinFailures: Int
    var log: [LogEntry]
    var logNextIndex: UInt32
    var motion: Motion?
    var nfcCounters: NFCCounterBook
    /// Battery level, milli-percent (every motor run drains it).
    var battery: Int

    init(_ engine: LockSessionEngine) {
        let machine = engine.machine
        authorizations = machine.authorizations
        keys = engine.keys.mapValues { key in key.withUnsafeBytes { Hex.encode($0) } }
        codes = machine.keypadCodes.codes
        nextCodeID = machine.keypadCodes.nextCodeID
        nextAuthID = machine.nextAuthID
        configName = machine.settings.name
        failures = machine.keypadLockout.consecutiveFailures
        pinFailures = machine.pinGuard.consecutiveFailures
        log = machine.log.entries
        logNextIndex = machine.log.nextIndex
        motion = machine.motion
        nfcCounters = machine.nfcCounters
        battery = machine.batteryMilliPercent
    }

    func authorization(of role: CrashRole) -> Authorization? {
        authorizations.first { $0.idType == role.idType && $0.clientID == role.clientID }
    }

    func code(_ id: UInt16) -> CodeValue? {
        codes.first { $0.codeID == id }.map { CodeValue(code: $0.code, name: $0.name, enabled: $0.enabled) }
    }
}

/// The verdict on one state file.
struct CrashVerdict {
    /// Each acknowledgement a client received (a request's ACCEPTED and its COMPLETE are two), by
    /// request and message: its family, and whether every promise checked for it held.
    var acknowledgements: [String: (family: String, kept: Bool)] = [:]
    /// Write Responses to state-changing writes checked (and among them those with no Nuki reply).
    var writeResponses = 0
    var writeResponsesWithoutReply = 0
    /// Unacknowledged writes, and how many of their changes the file holds.
    var unacknowledged = 0
    var unacknowledgedKept = 0
    /// What went wrong, one line each.
    var failures: [String] = []

    /// Records one promise of the acknowledgement `message` of `op`.
    mutating func count(_ op: CrashOp, _ message: String, kept isKept: Bool, promise: String, kind: String) {
        let key = "\(op.seq) \(message)"
        let family = op.kind.family + (message.isEmpty ? "" : " \(message)")
        acknowledgements[key] = (family, (acknowledgements[key]?.kept ?? true) && isKept)
        if !isKept {
            failures.append("LOST: \(op.role) \(op.kind) (op \(op.seq)) was acknowledged\(message.isEmpty ? "" : " (\(message))") but \(promise)")
            brokenPromises[kind, default: 0] += 1
        }
    }

    /// Acknowledgements by family, and those lost.
    var acknowledged: [String: Int] { acknowledgements.values.reduce(into: [:]) { $0[$1.family, default: 0] += 1 } }
    var lostByFamily: [String: Int] { acknowledgements.values.filter { !$0.kept }.reduce(into: [:]) { $0[$1.family, default: 0] += 1 } }
    /// Broken promises by what they were (one acknowledgement may break several).
    var brokenPromises: [String: Int] = [:]
    var kept: Int { acknowledgements.values.filter(\.kept).count }
    var lost: Int { acknowledgements.values.filter { !$0.kept }.count }
}

/// Checks `after` (the state file after the kill) against `before` (the file the life started
/// from) and the requests of the life.
func verifyCrash(before: CrashSnapshot, after: CrashSnapshot, ops: [CrashOp]) -> CrashVerdict {
    var verdict = CrashVerdict()
    // The log checks need every entry of the life: the ring must not have dropped any.
    if let oldest = after.log.first?.index, oldest > before.logNextIndex {
        verdict.failures.append("the life logged more than the log ring holds (oldest entry \(oldest), the life began at \(before.logNextIndex)): make lives shorter")
        return verdict
    }
    for op in ops where op.definite && op.writeResponded {
        verdict.writeResponses += 1
        if !op.acknowledged { verdict.writeResponsesWithoutReply += 1 }
    }
    verifyAuthorizations(before: before, after: after, ops: ops, &verdict)
    verifyCodes(before: before, after: after, ops: ops, &verdict)
    verifyConfig(before: before, after: after, ops: ops, &verdict)
    verifyLockout(before: before, after: after, ops: ops, &verdict)
    verifyPINLockout(before: before, after: after, ops: ops, &verdict)
    verifyMotorCommands(before: before, after: after, ops: ops, &verdict)
    verifyNFCCounters(before: before, after: after, ops: ops, &verdict)
    for op in ops where op.pending { verdict.unacknowledged += 1 }
    return verdict
}

// MARK: Authorizations

/// An authorization as the campaign knows it: absent, or present with its key (auth id unknown
/// while a pairing's Authorization-ID never arrived).
enum AuthValue: Equatable, CustomStringConvertible {
    case absent
    case present(authID: UInt32?, keyHex: String)

    func matches(_ observed: AuthValue) -> Bool {
        switch (self, observed) {
        case (.absent, .absent): return true
        case (.present(let id, let key), .present(let seen, let seenKey)): return key == seenKey && (id == nil || id == seen)
        default: return false
        }
    }

    var description: String {
        switch self {
        case .absent: return "absent"
        case .present(let id, let key): return "auth id \(id.map(String.init) ?? "?") key \(key.prefix(8))…"
        }
    }
}

private func authValue(of op: CrashOp) -> AuthValue? {
    switch op.kind {
    case .pair: return op.pairingKeyHex.map { .present(authID: op.pairingAuthID, keyHex: $0) }
    case .removeAuthorization: return .absent
    default: return nil
    }
}

private func verifyAuthorizations(before: CrashSnapshot, after: CrashSnapshot, ops: [CrashOp], _ verdict: inout CrashVerdict) {
    for role in CrashRole.allCases {
        let mine = ops.filter { op in
            if case .pair = op.kind { return op.role == role }
            if case .removeAuthorization(let target, _) = op.kind { return target == role }
            return false
        }
        let observed: AuthValue = after.authorization(of: role).map { .present(authID: $0.authID, keyHex: after.keys[$0.authID] ?? "none") } ?? .absent
        if let authorization = after.authorization(of: role), authorization.name != role.name {
            verdict.failures.append("\(role): authorization \(authorization.authID) has name \"\(authorization.name.text)\"")
        }
        check(item: "\(role) authorization", base: before.authorization(of: role).map { .present(authID: $0.authID, keyHex: before.keys[$0.authID] ?? "none") } ?? .absent,
              ops: mine, value: authValue(of:), observed: observed, matches: { $0.matches($1) }, &verdict)
        if case .present(let id?, _) = observed, id >= before.nextAuthID,
            !mine.contains(where: { $0.mayBeThere && authValue(of: $0)?.matches(observed) == true }) {
            verdict.failures.append("\(role): authorization \(id) appeared without a pairing that may have made it")
        }
    }
    for authorization in after.authorizations where !CrashRole.allCases.contains(where: { $0.idType == authorization.idType && $0.clientID == authorization.clientID }) {
        verdict.failures.append("unknown authorization \(authorization.authID) (\(authorization.idType) \(authorization.clientID))")
    }
}

/// The generic rule for one item: the file's value must be the last definite value (the file's
/// value before the life when none), or the value of a request still pending after it; every
/// acknowledged request on the item is kept when the file shows its value or that of a request
/// sent after it.
private func check<Value: CustomStringConvertible>(
    item: String, base: Value, ops: [CrashOp], value: (CrashOp) -> Value?, observed: Value, matches: (Value, Value) -> Bool,
    _ verdict: inout CrashVerdict
) {
    let relevant = ops.filter { $0.mayBeThere && value($0) != nil }.sorted { $0.seq < $1.seq }
    var allowed: [Value] = [base]
    for op in relevant {
        guard let v = value(op) else { continue }
        if op.definite { allowed = [v] } else { allowed.append(v) }
    }
    for (index, op) in relevant.enumerated() where op.definite {
        guard let own = value(op) else { continue }
        let later = relevant[(index + 1)...].compactMap(value)
        let kept = ([own] + later).contains { matches($0, observed) }
        if op.acknowledged {
            verdict.count(op, "", kept: kept, promise: "\(item) is \(observed)", kind: "value in the file")
        } else if !kept {
            verdict.failures.append("LOST: \(op.role) \(op.kind) (op \(op.seq)) had its Write Response but is not in the state file")
        }
    }
    if !allowed.contains(where: { matches($0, observed) }) {
        verdict.failures.append("\(item) is \(observed); allowed: \(allowed.map(\.description).joined(separator: " or "))")
    } else if let first = allowed.first, !matches(first, observed) {
        verdict.unacknowledgedKept += 1
    }
}

// MARK: Keypad codes

/// A code as the campaign knows it.
enum CodeState: Equatable, CustomStringConvertible {
    case absent
    case present(CodeValue)
    var description: String {
        switch self {
        case .absent: return "absent"
        case .present(let v): return v.description
        }
    }
}

private func verifyCodes(before: CrashSnapshot, after: CrashSnapshot, ops: [CrashOp], _ verdict: inout CrashVerdict) {
    let admin = ops.filter { $0.role == .admin }
    var ids = Set(before.codes.map(\.codeID))
    for op in admin { if let id = op.assignedCodeID { ids.insert(id) } }
    for id in ids.sorted() {
        let base: CodeState = before.code(id).map { .present($0) } ?? .absent
        let observed: CodeState = after.code(id).map { .present($0) } ?? .absent
        check(item: "keypad code \(id)", base: base, ops: admin, value: { op -> CodeState? in
            switch op.kind {
            case .addCode(let v): return op.assignedCodeID == id ? .present(v) : nil
            case .updateCode(let target, let v): return target == id ? .present(v) : nil
            case .removeCode(let target): return target == id ? .absent : nil
            default: return nil
            }
        }, observed: observed, matches: ==, &verdict)
    }
    // Codes the file holds under ids nobody was told: only from an add whose Keypad Code ID never
    // arrived; an add answered by a Write Response must be there.
    let unnamedAdds = admin.filter { op in
        if case .addCode = op.kind { return op.assignedCodeID == nil && op.mayBeThere }
        return false
    }
    var matched = Set<Int>()
    for code in after.codes where !ids.contains(code.codeID) {
        let value = CodeValue(code: code.code, name: code.name, enabled: code.enabled)
        if let op = unnamedAdds.first(where: { op in
            if case .addCode(let v) = op.kind { return v == value && !matched.contains(op.seq) }
            return false
        }) {
            matched.insert(op.seq)
            if op.pending { verdict.unacknowledgedKept += 1 }
        } else {
            verdict.failures.append("keypad code \(code.codeID) (\(value)) appeared without an add that may have made it")
        }
    }
    for op in unnamedAdds where op.definite && !matched.contains(op.seq) {
        verdict.failures.append("LOST: \(op.kind) (op \(op.seq)) had its Write Response but is not in the state file")
    }
}

// MARK: Config

private func verifyConfig(before: CrashSnapshot, after: CrashSnapshot, ops: [CrashOp], _ verdict: inout CrashVerdict) {
    check(item: "config name", base: NameValue(before.configName),
          ops: ops.filter { $0.role == .admin }, value: { op -> NameValue? in
              if case .setConfig(let name) = op.kind { return NameValue(name) }
              return nil
          }, observed: NameValue(after.configName), matches: ==, &verdict)
}

struct NameValue: Equatable, CustomStringConvertible {
    let name: FixedName
    init(_ name: FixedName) { self.name = name }
    var description: String { "\"\(name.text)\"" }
}

// MARK: Keypad lockout

private func verifyLockout(before: CrashSnapshot, after: CrashSnapshot, ops: [CrashOp], _ verdict: inout CrashVerdict) {
    let typed = ops.filter { op in
        if case .keypadCode = op.kind { return op.written }
        return false
    }.sorted { $0.seq < $1.seq }
    var value = before.failures
    var allowed = [value]
    // Wrong codes counted since the count was last reset (a right code accepted).
    var sinceReset: [CrashOp] = []
    for op in typed {
        guard case .keypadCode(_, let id) = op.kind else { continue }
        if id == nil {
            if op.definite {
                value += 1
                allowed = [value]
                sinceReset.append(op)
            } else if op.pending {
                allowed = [value, value + 1]
            }
        } else {
            if op.accepted {
                value = 0
                allowed = [0]
                sinceReset = []
            } else if op.pending {
                allowed = [value, 0]
            }
        }
    }
    let fine = allowed.contains(after.failures)
    // Missing counts are charged to the latest wrong codes.
    attribute(sinceReset, missing: fine ? 0 : value - after.failures, "", promise: "the lockout count is \(after.failures), expected \(allowed)", kind: "keypad lockout count", &verdict)
    if !fine {
        verdict.failures.append("keypad lockout count is \(after.failures); allowed \(allowed) (was \(before.failures))")
    }
    // The wrong attempts' log entries (§7: "The lock logs invalid codes … completion status 0xE0").
    let keypadIDs = Set(ops.filter { $0.role == .keypad }.compactMap(\.actingAuthID))
    let logged = after.log.filter { entry in
        guard entry.index >= before.logNextIndex, keypadIDs.contains(entry.authID), case .keypadAction(let k) = entry.event else { return false }
        return k.completionStatus == .invalidCode
    }.count
    let wrongDefinite = typed.filter { if case .keypadCode(_, nil) = $0.kind { return $0.definite } else { return false } }
    let wrongPending = typed.filter { if case .keypadCode(_, nil) = $0.kind { return $0.pending } else { return false } }.count
    attribute(wrongDefinite, missing: wrongDefinite.count - logged, "", promise: "\(logged) wrong-code log entries for \(wrongDefinite.count) wrong codes", kind: "wrong code logged", &verdict)
    if logged > wrongDefinite.count + wrongPending {
        verdict.failures.append("\(logged) wrong-code log entries; \(wrongDefinite.count) wrong codes acknowledged, \(wrongPending) pending")
    }
}

// MARK: NFC card counters

/// The highest accepted card counter of each fob credential: at least that of every accepted tap
/// (else a replay of that tap would open the door after a restart), at most that of a pending one.
private func verifyNFCCounters(before: CrashSnapshot, after: CrashSnapshot, ops: [CrashOp], _ verdict: inout CrashVerdict) {
    var byCredential: [UInt32: [CrashOp]] = [:]
    for op in ops where op.written {
        if case .keypadNFC(let fob) = op.kind { byCredential[fob, default: []].append(op) }
    }
    for (credential, taps) in byCredential.sorted(by: { $0.key < $1.key }) {
        // A revoked fob's counter goes with it.
        guard after.authorizations.contains(where: { $0.authID == credential }) else { continue }
        let base = before.nfcCounters[credential]
        let accepted = taps.filter(\.accepted)
        let low = max(base, accepted.compactMap(\.nfcCounter).max() ?? 0)
        let allowed = [low] + taps.filter { !$0.accepted && $0.pending }.compactMap(\.nfcCounter).filter { $0 > low }
        let now = after.nfcCounters[credential]
        for op in accepted {
            verdict.count(op, "ACCEPTED", kept: now >= (op.nfcCounter ?? 0), promise: "the card counter of credential \(credential) is \(now), below this tap's \(op.nfcCounter ?? 0)", kind: "NFC card counter")
        }
        if !allowed.contains(now) {
            verdict.failures.append("NFC counter of credential \(credential) is \(now); allowed \(allowed) (was \(base))")
        }
    }
}

// MARK: Security PIN lockout

private func verifyPINLockout(before: CrashSnapshot, after: CrashSnapshot, ops: [CrashOp], _ verdict: inout CrashVerdict) {
    var value = before.pinFailures
    var allowed = [value]
    var sinceReset: [CrashOp] = []
    for op in ops.filter({ $0.kind.checksPIN && $0.written }).sorted(by: { $0.seq < $1.seq }) {
        if case .wrongPIN = op.kind {
            if op.definite {
                value += 1
                allowed = [value]
                sinceReset.append(op)
            } else if op.pending {
                allowed = [value, value + 1]
            }
        } else if op.definite {
            value = 0
            allowed = [0]
            sinceReset = []
        } else if op.pending {
            allowed = [value, 0]
        }
    }
    let fine = allowed.contains(after.pinFailures)
    attribute(sinceReset, missing: fine ? 0 : value - after.pinFailures, "", promise: "the PIN failure count is \(after.pinFailures), expected \(allowed)", kind: "security PIN failure count", &verdict)
    if !fine {
        verdict.failures.append("security PIN failure count is \(after.pinFailures); allowed \(allowed) (was \(before.pinFailures))")
    }
}

/// Records `promise` of acknowledgement `message` for each of `ops` (in order): kept, except the
/// last `missing` (a count short by `missing` lost the latest changes). Write-Response-only
/// requests that are missing are reported as failures.
private func attribute(_ ops: [CrashOp], missing: Int, _ message: String, promise: String, kind: String, _ verdict: inout CrashVerdict) {
    let firstLost = ops.count - max(0, min(missing, ops.count))
    for (i, op) in ops.enumerated() {
        if op.acknowledged {
            verdict.count(op, message, kept: i < firstLost, promise: promise, kind: kind)
        } else if i >= firstLost {
            verdict.failures.append("LOST: \(op.role) \(op.kind) (op \(op.seq)) had its Write Response but \(promise)")
        }
    }
}

// MARK: Motor commands

/// One motor run of an authorization in the file: a log entry, or the run in progress.
private struct Run: CustomStringConvertible {
    var action: LockAction
    /// A keypad run's source (code or NFC) and code id (credential id's low 16 bits for NFC).
    var keypad: (source: KeypadActionSource, codeID: UInt16)?
    /// Nil while the run is in progress.
    var completion: CompletionStatus?
    var description: String { "\(action)\(keypad.map { " \($0.source) \($0.codeID)" } ?? "")\(completion.map { " \($0)" } ?? " running")" }
}

/// Keypad Action log entries written for refusals (a wrong code, an NFC tap refused), not runs.
private let refusalStatuses: Set<CompletionStatus> = [.invalidCode, .nfcNotAuthentic, .nfcCounterNotIncreasing, .nfcTooSlow, .nfcNotAllowedNow]

/// The action a motor command's run must show (nil: either way, e.g. the fob's intelligent action).
private func expectedAction(_ kind: CrashOpKind) -> LockAction? {
    switch kind {
    case .lockAction(let action): return action
    case .fobPress(let count): return count == 1 ? .unlock : count == 2 ? .lock : nil
    case .keypadCode, .keypadNFC: return .unlock
    case .keypadLockKey: return .lock
    default: return nil
    }
}

private func verifyMotorCommands(before: CrashSnapshot, after: CrashSnapshot, ops: [CrashOp], _ verdict: inout CrashVerdict) {
    let motorOps = ops.filter { $0.kind.movesMotor && $0.written }.sorted { $0.seq < $1.seq }
    let authIDs = Set(motorOps.compactMap(\.actingAuthID))
    for authID in authIDs.sorted() {
        let mine = motorOps.filter { $0.actingAuthID == authID }
        guard let role = mine.first?.role else { continue }
        // Runs in the file since the life began, in order.
        var runs: [Run] = after.log.compactMap { entry in
            guard entry.index >= before.logNextIndex, entry.authID == authID else { return nil }
            switch entry.event {
            case .lockAction(let l): return Run(action: l.action, keypad: nil, completion: l.completionStatus)
            case .keypadAction(let k) where !refusalStatuses.contains(k.completionStatus):
                return Run(action: k.action, keypad: (k.source, k.codeID), completion: k.completionStatus)
            default: return nil
            }
        }
        let motionMoved = after.motion != before.motion
        if let motion = after.motion, motion.requester == authID, motionMoved {
            var keypad: (KeypadActionSource, UInt16)?
            if case .keypad(let source, let id) = motion.logEvent { keypad = (source, id) }
            runs.append(Run(action: motion.action, keypad: keypad, completion: nil))
        }
        if let old = before.motion, old.requester == authID, motionMoved {
            // The run the life began with finished first (the motor was busy until then).
            if runs.isEmpty {
                verdict.failures.append("\(role): the run in progress at the start (\(old.action)) vanished without a log entry")
            } else {
                runs.removeFirst()
            }
        }
        let acceptedOps = mine.filter(\.accepted)
        let pending = mine.filter { !$0.accepted && $0.pending }
        var lostFrom: Int?
        if runs.count < acceptedOps.count { lostFrom = runs.count }
        for (i, op) in acceptedOps.enumerated() where i < runs.count {
            let run = runs[i]
            let actionFine = expectedAction(op.kind).map { $0 == run.action } ?? true
            var codeFine = true
            if case .keypadCode(_, let id?) = op.kind { codeFine = run.keypad?.source == .code && run.keypad?.codeID == id }
            if case .keypadNFC(let fob) = op.kind { codeFine = run.keypad?.source == .nfc && run.keypad?.codeID == UInt16(truncatingIfNeeded: fob) }
            if !actionFine || !codeFine { lostFrom = min(lostFrom ?? i, i) }
            if op.completed, run.completion != .success {
                verdict.count(op, "COMPLETE", kept: false, promise: "its run is logged as \(run)", kind: "run logged with success")
            } else if op.completed {
                verdict.count(op, "COMPLETE", kept: true, promise: "", kind: "run logged with success")
            }
        }
        for (i, op) in acceptedOps.enumerated() {
            verdict.count(op, "ACCEPTED", kept: lostFrom.map { i < $0 } ?? true, promise: "the runs in the file are \(runs)", kind: "run in progress or logged")
            if op.completed, i >= runs.count { verdict.count(op, "COMPLETE", kept: false, promise: "its run is not logged", kind: "run logged with success") }
        }
        if runs.count > acceptedOps.count + pending.count {
            verdict.failures.append("\(role) (auth \(authID)): \(runs.count) runs in the file (\(runs)); \(acceptedOps.count) accepted, \(pending.count) pending")
        } else if runs.count > acceptedOps.count, let op = pending.first {
            verdict.unacknowledgedKept += 1
            let run = runs[acceptedOps.count]
            if let action = expectedAction(op.kind), action != run.action {
                verdict.failures.append("\(role) (auth \(authID)): the run of pending \(op.kind) is \(run)")
            }
        }
        // Lock count (Authorization Entry §6) counts every accepted action.
        let baseCount = before.authorizations.first { $0.authID == authID }.map { Int($0.lockCount) } ?? 0
        if let now = after.authorizations.first(where: { $0.authID == authID }).map({ Int($0.lockCount) }) {
            let low = baseCount + acceptedOps.count, high = low + pending.count
            let fine = (low...high).contains(now)
            attribute(acceptedOps, missing: low - now, "ACCEPTED", promise: "the lock count is \(now), expected \(low)…\(high)", kind: "authorization lock count", &verdict)
            if !fine { verdict.failures.append("\(role) (auth \(authID)): lock count \(now), expected \(low)…\(high) (was \(baseCount))") }
        }
    }
    // Keypad codes' lock counts (§7) count every accepted use.
    for code in after.codes {
        let uses = motorOps.filter { if case .keypadCode(_, let id?) = $0.kind { return id == code.codeID } else { return false } }
        guard !uses.isEmpty else { continue }
        let base = before.codes.first { $0.codeID == code.codeID }.map { Int($0.lockCount) } ?? 0
        let low = base + uses.filter(\.accepted).count, high = low + uses.filter { !$0.accepted && $0.pending }.count
        if !(low...high).contains(Int(code.lockCount)) {
            verdict.failures.append("keypad code \(code.codeID): lock count \(code.lockCount), expected \(low)…\(high)")
        }
    }
}
