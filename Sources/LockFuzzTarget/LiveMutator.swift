import LockCore
import LockCrypto
import LockWire
import NukiProfile

/// The fuzzer's dice: every choice of a campaign comes from one ``LockCrypto/SeededRandomSource``
/// keyed by `--seed`, so the same seed gives the same inputs (the lock's challenges are written in
/// at fixed offsets and do not steer the choices).
final class FuzzDice {
    let source: SeededRandomSource

    init(seed: UInt64) { source = SeededRandomSource(seed: seed) }

    func next() -> UInt64 {
        source.bytes(count: 8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// 0 ..< n (0 when n ≤ 0).
    func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }

    /// True with `percent` % probability.
    func chance(_ percent: Int) -> Bool { below(100) < percent }

    func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }

    func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[below(items.count)] }

    func bytes(_ count: Int) -> [UInt8] { source.bytes(count: count) }
}

/// Generates the inputs of a campaign (`--mode structured|frame|att`), structure-aware.
///
/// Structured: a seed message (a single one, or the next of a `LockSession` sequence) as a client
/// (weights: admin 10, keypad 30, fob 30, and when the campaign has them revoked 4, disabled 8,
/// expired 8), mutated by
/// 0–3 of: a field byte set to an edge value or a dictionary token where the payload still decodes
/// with LockWire (so other fields stay valid), the command id changed to another of the Nuki
/// command table with a payload of that command, the payload cut (down to empty) or extended. The
/// challenge field (found by decoding) gets a fresh challenge (70 %), the previous one (stale, 10 %),
/// 32 bytes of our own (forged, 10 %), or stays (10 %); the PIN field gets the real PIN (50 %, non-admins only).
/// The admin only sends reads without a PIN (Request Data, Request Config, Request Advanced
/// Config): anything else is sent by the keypad or fob instead, so the admin never moves the lock,
/// never changes admin data and never spends PIN attempts.
///
/// Frame: a structured input with at least one integrity edit (plaintext CRC, inner auth id, or the
/// envelope's nonce, clear auth id, length, MAC, ciphertext, a cut or extra bytes), or a plain frame
/// (corpus `PlainFrame`, CRC fixed half the time) written to the pairing or keyturner GDIO.
///
/// ATT: a raw ATT PDU built on the lock's real handles (MTU exchange, discovery, reads, writes,
/// prepared and executed writes, confirmations), mutated (opcode, handle, cut, extra bytes, a byte
/// flipped), sometimes as a burst of up to 600 (Prepare Write Requests fill a queue).
struct LiveMutator {
    let dice: FuzzDice
    let seeds: FuzzSeeds
    let roles: [FuzzRole]
    let pinKnown: Bool
    /// The auth id of each role (frame mode: an inner auth id naming another client).
    var authIDs: [FuzzRole: UInt32] = [:]
    /// The value handles of the Nuki characteristics (ATT mode).
    var handles: [UInt16] = []
    var pending: [SeedMessage] = []
    /// Structured inputs in a row from one client, starting at every multiple of it (1: each input
    /// draws its client). A target reached one link at a time sets it to the inputs between two
    /// liveness checks, so the link changes hands twice per check rather than up to twice per
    /// input; such runs are keypad, fob or throwaway runs (the admin only reads, and its reads come
    /// with every check).
    var clientRun = 1
    /// The client of the current run (``clientRun`` above 1).
    var runRole: FuzzRole?
    /// The scripted operations the campaign can run and when (``LiveFuzzOptions/operations``).
    /// One that is due replaces the mutated input at that index without drawing from the dice, so
    /// the other inputs stay those of the seed.
    var operations: [LiveOperation: OperationSchedule] = [:]

    static let adminSafe: Set<Command> = [.requestData, .requestConfig, .requestAdvancedConfig]
    static let edgeBytes: [UInt8] = [0x00, 0x01, 0x02, 0x7F, 0x80, 0x81, 0x83, 0xFE, 0xFF]

    init(seed: UInt64, seeds: FuzzSeeds, roles: [FuzzRole], pinKnown: Bool) {
        dice = FuzzDice(seed: seed)
        self.seeds = seeds
        self.roles = roles
        self.pinKnown = pinKnown
    }

    mutating func next(index: Int, mode: FuzzMode) -> LiveInput {
        if let due = LiveOperation.allCases.first(where: { operations[$0]?.isDue(at: index) == true }) {
            return Self.operation(due, index: index, mode: mode)
        }
        switch mode {
        case .structured: return structured(index: index, light: false)
        case .frame: return frame(index: index)
        case .att: return att(index: index)
        }
    }

    /// The input of a scripted operation.
    static func operation(_ operation: LiveOperation, index: Int, mode: FuzzMode) -> LiveInput {
        let role: FuzzRole = operation == .disabledCode ? .keypad : .admin
        var input = LiveInput(index: index, mode: mode, role: role, note: "operation \(operation.rawValue)")
        input.operation = operation
        return input
    }

    // MARK: Structured

    func role() -> FuzzRole {
        var weighted: [(FuzzRole, Int)] = [(.admin, 10), (.keypad, 30), (.fob, 30)]
        // The revoked credential's connection never authenticates, so a lock may throttle it (Latchkey:
        // 200 PDUs/s): it gets fewer inputs.
        for (extra, weight) in [(FuzzRole.revoked, 4), (.disabled, 8), (.expired, 8)] where roles.contains(extra) { weighted.append((extra, weight)) }
        var roll = dice.below(weighted.reduce(0) { $0 + $1.1 })
        for (role, weight) in weighted {
            if roll < weight { return role }
            roll -= weight
        }
        return .keypad
    }

    mutating func seedMessage() -> SeedMessage {
        if pending.isEmpty, !seeds.sequences.isEmpty, dice.chance(5), let sequence = dice.pick(seeds.sequences) {
            pending = sequence
        }
        if !pending.isEmpty { return pending.removeFirst() }
        return dice.pick(seeds.messages) ?? SeedMessage(command: Command.requestData.rawValue, payload: [0x0C, 0x00])
    }

    mutating func structured(index: Int, light: Bool) -> LiveInput {
        let seed = seedMessage()
        var role: FuzzRole
        if clientRun > 1 {
            if index % clientRun == 0 || runRole == nil {
                var drawn = self.role()
                for _ in 0..<16 where drawn == .admin { drawn = self.role() }
                runRole = drawn == .admin ? .keypad : drawn
            }
            role = runRole ?? .keypad
        } else {
            role = seed.role.flatMap { dice.chance(70) ? $0 : nil } ?? self.role()
        }
        var command = seed.command
        var payload = seed.payload
        var notes: [String] = []
        let rounds = light ? dice.below(2) : [0, 1, 1, 1, 1, 2, 2, 2, 3, 3][dice.below(10)]
        for _ in 0..<rounds {
            switch dice.below(20) {
            case 0..<9:
                if let note = mutateField(command: command, payload: &payload) { notes.append(note) }
            case 9..<13:
                let commands = Command.documented.map(\.code.rawValue)
                let newCommand = dice.chance(90) ? (dice.pick(commands) ?? command) : UInt16(truncatingIfNeeded: dice.next())
                if let spliced = dice.pick(seeds.messages(for: newCommand)) { payload = spliced.payload }
                notes.append("command \(Command(rawValue: command)) → \(Command(rawValue: newCommand))")
                command = newCommand
            case 13..<16:
                let cut = dice.below(payload.count + 1)
                notes.append("payload cut \(payload.count) → \(cut)")
                payload = Array(payload.prefix(cut))
            case 16..<18:
                let extra = dice.chance(50) ? (dice.pick(seeds.tokens) ?? [0]) : dice.bytes(1 + dice.below(16))
                payload += extra
                notes.append("\(extra.count) bytes appended")
            default:
                notes.append("payload emptied")
                payload = []
            }
        }
        let cmd = Command(rawValue: command)
        if role == .admin, !Self.adminSafe.contains(cmd) {
            role = cmd == .keypadAction ? .keypad : (dice.chance(50) ? .fob : .keypad)
        }
        var input = LiveInput(index: index, mode: .structured, role: role, note: notes.isEmpty ? "seed as is" : notes.joined(separator: "; "))
        input.command = command
        // Where the challenge and PIN fields are, by decoding.
        if let message = try? NukiMessage.decode(command: cmd, payload: payload, context: .smartLock) {
            if let challenge = message.challenge, let offset = Self.offset(of: challenge.bytes, in: payload, command: cmd, check: { $0.challenge != nil }) {
                input.challengeOffset = offset
                switch dice.below(20) {
                case 0..<14: input.challenge = .fresh
                case 14..<16: input.challenge = .stale
                case 16..<18:
                    input.challenge = .forged
                    payload.replaceSubrange(offset..<offset + 32, with: dice.bytes(32))
                default: input.challenge = .none
                }
            }
            if pinKnown, role != .admin, let pin = message.securityPIN, dice.chance(50),
                let offset = Self.offset(of: pin.bytes, in: payload, command: cmd, check: { $0.securityPIN != nil })
            {
                input.pinOffset = offset
            }
        }
        input.payload = Hex.encode(payload)
        return input
    }

    /// One field byte of a decodable payload set to an edge value, a random byte or a dictionary
    /// token, kept only where the payload still decodes (up to 4 tries; else a 20 % chance to keep
    /// the last, undecodable try). The description, or nil when nothing changed.
    func mutateField(command: UInt16, payload: inout [UInt8]) -> String? {
        guard !payload.isEmpty else { return nil }
        let cmd = Command(rawValue: command)
        let decodes = (try? NukiMessage.decode(command: cmd, payload: payload, context: .smartLock)) != nil
        var last: ([UInt8], String)?
        for _ in 0..<4 {
            var candidate = payload
            let at = dice.below(candidate.count)
            let note: String
            if dice.chance(30), let token = dice.pick(seeds.tokens) {
                let end = min(candidate.count, at + token.count)
                candidate.replaceSubrange(at..<end, with: token.prefix(end - at))
                note = "token at \(at)"
            } else {
                let value = dice.chance(60) ? (dice.pick(Self.edgeBytes) ?? 0) : dice.byte()
                candidate[at] = value
                note = "byte \(at) = 0x\(String(value, radix: 16, uppercase: true))"
            }
            if !decodes || (try? NukiMessage.decode(command: cmd, payload: candidate, context: .smartLock)) != nil {
                payload = candidate
                return note
            }
            last = (candidate, note + " (undecodable)")
        }
        if let last, dice.chance(20) {
            payload = last.0
            return last.1
        }
        return nil
    }

    /// The offset of `field` in `payload`, searched from the end, where writing a different value
    /// there still decodes and changes the field (`check`).
    static func offset(of field: [UInt8], in payload: [UInt8], command: Command, check: (NukiMessage) -> Bool) -> Int? {
        guard !field.isEmpty, payload.count >= field.count else { return nil }
        var start = payload.count - field.count
        while start >= 0 {
            if payload[start..<start + field.count].elementsEqual(field) {
                var probe = payload
                for i in start..<start + field.count { probe[i] ^= 0x5A }
                if let message = try? NukiMessage.decode(command: command, payload: probe, context: .smartLock), check(message) {
                    let flipped = field.map { $0 ^ 0x5A }
                    if message.challenge?.bytes == flipped || message.securityPIN?.bytes == flipped { return start }
                }
            }
            start -= 1
        }
        return nil
    }

    // MARK: Frame

    mutating func frame(index: Int) -> LiveInput {
        if dice.chance(25) {
            var frame = dice.pick(seeds.plainFrames) ?? PlainFrame(RequestData(requestedCommand: .publicKey)).encoded()
            var note = "plain frame"
            if dice.chance(60), frame.count > 2 {
                let at = dice.below(frame.count - 2)
                frame[at] = dice.chance(50) ? (dice.pick(Self.edgeBytes) ?? 0) : dice.byte()
                note += ", byte \(at) changed"
                if dice.chance(50) {
                    let body = Array(frame.dropLast(2))
                    frame = body + CRC16.checksum(body).littleEndianBytes
                    note += ", CRC fixed"
                }
            }
            let channels: [Characteristic] = [.pairingGDIO, .pairingGDIO, .pairingGDIO, .keyturnerGDIO, .keyturnerUSDIO]
            var input = LiveInput(index: index, mode: .frame, role: .admin, note: note)
            input.plain = Hex.encode(frame)
            input.characteristic = dice.pick(channels)?.traceName
            return input
        }
        var input = structured(index: index, light: true)
        input.mode = .frame
        let payloadCount = (Hex.decode(input.payload ?? "") ?? []).count
        let pdataCount = 6 + payloadCount + 2
        var pdata: [ByteEdit] = []
        var frame: [ByteEdit] = []
        var notes: [String] = []
        repeat {
            switch dice.below(10) {
            case 0, 1:
                pdata.append(.xor(at: pdataCount - 2 + dice.below(2), mask: 1 + dice.byte() % 255))
                notes.append("plaintext CRC")
            case 2:
                let own = authIDs[input.role] ?? 0
                if dice.chance(70), let other = dice.pick(authIDs.filter { $0.key != input.role && $0.value != own }.map(\.key).sorted { $0.rawValue < $1.rawValue }) {
                    // The inner auth id names another client, on a connection not yet bound to anyone.
                    input.innerAuthIDOf = other
                    input.freshConnection = true
                    input.recomputeCRC = true
                    input.challenge = .none
                    notes.append("inner auth id of the \(other.rawValue)")
                } else {
                    pdata.append(.xor(at: dice.below(4), mask: 1 + dice.byte() % 255))
                    if dice.chance(50) { input.recomputeCRC = true }
                    notes.append("inner auth id")
                }
            case 3:
                frame.append(.xor(at: dice.below(24), mask: 1 + dice.byte() % 255))
                notes.append("nonce")
            case 4:
                frame.append(.xor(at: 24 + dice.below(4), mask: 1 + dice.byte() % 255))
                notes.append("clear auth id")
            case 5:
                frame.append(.xor(at: 28 + dice.below(2), mask: 1 + dice.byte() % 255))
                notes.append("length")
            case 6:
                frame.append(.xor(at: 30 + dice.below(16), mask: 1 + dice.byte() % 255))
                notes.append("MAC")
            case 7:
                frame.append(.xor(at: 46 + dice.below(pdataCount), mask: 1 + dice.byte() % 255))
                notes.append("ciphertext")
            case 8:
                frame.append(.truncate(count: dice.below(46 + pdataCount)))
                notes.append("frame cut")
            default:
                frame.append(.append(Hex.encode(dice.bytes(1 + dice.below(8)))))
                notes.append("bytes appended")
            }
        } while dice.chance(20)
        input.pdataEdits = pdata.isEmpty ? nil : pdata
        input.frameEdits = frame.isEmpty ? nil : frame
        input.note += "; tampered: " + notes.joined(separator: ", ")
        return input
    }

    // MARK: ATT

    mutating func att(index: Int) -> LiveInput {
        let handle = dice.pick(handles) ?? 0x0003
        let h = handle.littleEndianBytes
        let any = UInt16(truncatingIfNeeded: dice.next()).littleEndianBytes
        var pdu: [UInt8]
        var note: String
        var repeatCount = 1
        switch dice.below(12) {
        case 0: pdu = [0x02] + UInt16(23 + dice.below(500)).littleEndianBytes; note = "Exchange MTU"
        case 1: pdu = [0x04, 0x01, 0x00, 0xFF, 0xFF]; note = "Find Information"
        case 2: pdu = [0x10, 0x01, 0x00, 0xFF, 0xFF, 0x00, 0x28]; note = "Read By Group Type (primary services)"
        case 3: pdu = [0x08, 0x01, 0x00, 0xFF, 0xFF, 0x03, 0x28]; note = "Read By Type (characteristics)"
        case 4: pdu = [0x0A] + (dice.chance(50) ? h : any); note = "Read"
        case 5: pdu = [0x0C] + h + UInt16(dice.below(600)).littleEndianBytes; note = "Read Blob"
        case 6: pdu = [0x12] + (dice.chance(80) ? h : any) + dice.bytes(dice.below(40)); note = "Write Request"
        case 7: pdu = [0x52] + h + dice.bytes(dice.below(40)); note = "Write Command"
        case 8:
            pdu = [0x16] + h + UInt16(dice.below(600)).littleEndianBytes + dice.bytes(dice.below(20))
            note = "Prepare Write"
            if dice.chance(25) { repeatCount = 1 + dice.below(600); note += " ×\(repeatCount)" }
        case 9: pdu = [0x18, dice.chance(80) ? 0x01 : dice.byte()]; note = "Execute Write"
        case 10: pdu = [0x1E]; note = "Handle Value Confirmation (unasked)"
        default: pdu = [dice.byte()] + dice.bytes(dice.below(12)); note = "random opcode"
        }
        switch dice.below(6) {
        case 0 where pdu.count > 1:
            let cut = 1 + dice.below(pdu.count - 1)
            pdu = Array(pdu.prefix(cut))
            note += ", cut to \(cut)"
        case 1:
            let at = dice.below(pdu.count)
            pdu[at] = dice.pick(Self.edgeBytes) ?? 0
            note += ", byte \(at) changed"
        case 2:
            pdu += dice.bytes(1 + dice.below(300))
            note += ", extended to \(pdu.count)"
        default: break
        }
        var input = LiveInput(index: index, mode: .att, role: .admin, note: note)
        input.att = Hex.encode(pdu)
        input.repeatCount = repeatCount > 1 ? repeatCount : nil
        return input
    }
}

extension UInt16 {
    /// The two bytes little-endian.
    var littleEndianBytes: [UInt8] { [UInt8(truncatingIfNeeded: self), UInt8(truncatingIfNeeded: self >> 8)] }
}
