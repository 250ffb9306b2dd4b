import BLETransport
import LockCrypto
import LockSession
import LockWire

/// One way the hostile lock misbehaves (issue 14 item 5): a corrupted Nuki message (the
/// ``LockSession/HostileLockEngine`` modes, encrypted messages only), a structure-aware
/// ``LockSession/ReplyMutation`` (plain or encrypted), or a GATT behaviour.
///
/// JSON (Foundation's synthesized coding): `{"badMAC":{}}`, `{"lengthDelta":{"_0":-1}}`,
/// `{"mutation":{"_0":{"payloadByte":{"offset":3,"value":255}}}}`, `{"split":{"_0":[1,7]}}`…
public enum HostileFault: Sendable, Hashable, Codable {
    /// Nothing changes.
    case honest
    /// ``LockSession/HostileLockEngine/Mode/malformedLength(delta:)``: the length field moved by the
    /// delta (docs/attacks.md P-02, P-03).
    case lengthDelta(Int)
    /// ``LockSession/HostileLockEngine/Mode/badMAC`` (P-10).
    case badMAC
    /// ``LockSession/HostileLockEngine/Mode/wrongAuthID(_:)`` (C-05).
    case wrongAuthID(UInt32)
    /// ``LockSession/HostileLockEngine/Mode/badCRCValidMAC`` (P-04).
    case badCRCValidMAC
    /// ``LockSession/HostileLockEngine/Mode/oversizeIndication(bytes:)``: one indication of this many
    /// bytes whatever the ATT_MTU (P-07, X-04), at most what the link carries (514 on the socket link).
    case oversize(Int)
    /// ``LockSession/HostileLockEngine/Mode/truncated`` (P-01).
    case truncated
    /// A structure-aware change with valid MAC and CRC (``LockSession/ReplyMutation``).
    case mutation(ReplyMutation)
    /// A fresh random ``LockSession/ReplyMutation`` for every encrypted message it applies to (`lock serve
    /// --hostile mutate`).
    case randomMutations
    /// Every indication from the message on cut into chunks of these sizes (cycled; each clamped to
    /// 1…ATT_MTU − 3) instead of ATT_MTU − 3: valid (`docs/wire.md` §1.2, a client reassembles by
    /// the frame's layout), but rarely exercised.
    case split([Int])
    /// Exchange MTU Request answered with Error Response, Request Not Supported (Core Vol 3 Part F
    /// §3.4.1.1): a correct client goes on at ATT_MTU 23 (§3.4.2).
    case mtuRefused
    /// Exchange MTU Response with server Rx MTU 23: every message longer than 20 bytes is fragmented.
    case mtuMinimum
    /// The lock's advertising data and scan response changed for the whole run
    /// (``AdvertisingMutation``); every message goes out as made.
    case advertising(AdvertisingMutation)

    /// Whether the fault acts on the advertising (the whole run) rather than on messages.
    public var isAdvertising: Bool {
        if case .advertising = self { return true }
        return false
    }

    /// Whether the fault acts on ATT (the whole connection) rather than on one message.
    public var isGATTBehaviour: Bool {
        switch self {
        case .split, .mtuRefused, .mtuMinimum: return true
        default: return false
        }
    }

    /// Whether it only applies to encrypted messages (the ``LockSession/HostileLockEngine`` modes).
    public var encryptedOnly: Bool {
        switch self {
        case .lengthDelta, .badMAC, .wrongAuthID, .badCRCValidMAC, .oversize, .truncated: return true
        default: return false
        }
    }

    /// The ``LockSession/HostileLockEngine/Mode`` for the frame modes, nil for the others.
    public var engineMode: HostileLockEngine.Mode? {
        switch self {
        case .lengthDelta(let delta): return .malformedLength(delta: delta)
        case .badMAC: return .badMAC
        case .wrongAuthID(let id): return .wrongAuthID(id)
        case .badCRCValidMAC: return .badCRCValidMAC
        case .oversize(let bytes): return .oversizeIndication(bytes: bytes)
        case .truncated: return .truncated
        case .mutation(let mutation): return .mutated(mutation)
        default: return nil
        }
    }

    /// What is changed, for de-duplicating findings: `length-field`, `mac`, `auth-id`, `crc`,
    /// `oversize-indication`, `truncated-frame`, the mutation's ``LockSession/ReplyMutation/field``,
    /// `indication-split`, `mtu-refused`, `mtu-23`, `honest`.
    public var field: String {
        switch self {
        case .honest: return "honest"
        case .lengthDelta: return "length-field"
        case .badMAC: return "mac"
        case .wrongAuthID: return "auth-id"
        case .badCRCValidMAC: return "crc"
        case .oversize: return "oversize-indication"
        case .truncated: return "truncated-frame"
        case .mutation(let mutation): return mutation.field
        case .randomMutations: return "random-mutations"
        case .split: return "indication-split"
        case .mtuRefused: return "mtu-refused"
        case .mtuMinimum: return "mtu-23"
        case .advertising(let mutation): return mutation.field
        }
    }

    /// A one-line description.
    public var label: String {
        switch self {
        case .honest: return "honest"
        case .lengthDelta(let delta): return "length field \(delta > 0 ? "+" : "")\(delta)"
        case .badMAC: return "MAC bit flipped"
        case .wrongAuthID(let id): return "re-sealed under auth id \(id)"
        case .badCRCValidMAC: return "CRC flipped under a valid MAC"
        case .oversize(let bytes): return "one indication of \(bytes) bytes"
        case .truncated: return "last byte cut"
        case .mutation(let mutation): return mutation.label
        case .randomMutations: return "a random mutation on every message"
        case .split(let sizes): return "indications split into \(sizes.map(String.init).joined(separator: ",")) bytes"
        case .mtuRefused: return "Exchange MTU refused (Request Not Supported)"
        case .mtuMinimum: return "Exchange MTU answered with 23"
        case .advertising(let mutation): return mutation.label
        }
    }
}

/// When a ``HostileFault`` applies during one client run: from the lock's message number
/// ``message`` (counted from 0 over every Nuki message the lock sends in the run, plain and
/// encrypted, in order), to that message and every later one with the same original command
/// (``Scope/sameCommand``: a client that retries meets the same fault again), or to every message
/// from there (``Scope/every``). GATT behaviours apply to the whole run.
public struct HostilePlan: Sendable, Hashable, Codable {
    /// Which messages after the first one the fault applies to.
    public enum Scope: String, Sendable, Hashable, Codable {
        /// The first message and later ones with its original command.
        case sameCommand
        /// Every message from the first one.
        case every
    }

    public var fault: HostileFault
    /// The first message the fault applies to.
    public var message: Int
    public var scope: Scope

    public init(fault: HostileFault, message: Int = 0, scope: Scope = .sameCommand) {
        self.fault = fault
        self.message = message
        self.scope = scope
    }

    /// The honest lock.
    public static let honest = HostilePlan(fault: .honest)

    /// A one-line description, e.g. `MAC bit flipped at message 5 (and its command again)`.
    public var label: String {
        if fault == .honest { return "honest" }
        if fault.isGATTBehaviour || fault.isAdvertising { return fault.label }
        return "\(fault.label) at message \(message)" + (scope == .every ? " and every later one" : " (and its command again)")
    }
}

/// What one client run looked like against the honest lock: the lock's messages in order, by
/// channel and command. Random plans pick their message from it.
public struct MessageProfile: Sendable, Hashable, Codable {
    public var messages: [Message]

    /// One message the lock sent.
    public struct Message: Sendable, Hashable, Codable {
        public var channel: ReplyMutation.Channel
        public var command: UInt16
        public var payloadBytes: Int
        public init(channel: ReplyMutation.Channel, command: UInt16, payloadBytes: Int) {
            self.channel = channel
            self.command = command
            self.payloadBytes = payloadBytes
        }
    }

    public init(messages: [Message]) { self.messages = messages }
}

extension HostilePlan {
    /// A plan drawn from `random` for a client whose honest run sent `profile`'s messages (issue 14
    /// item 5's `fuzz` mode). The same random stream and profile give the same plan. Weights: 45 %
    /// a structure-aware mutation of any message, 35 % a HostileLockEngine frame mode on an
    /// encrypted message, 12 % odd indication splits, 8 % an Exchange MTU behaviour; with
    /// `advertising` (a lock with Nuki ID `nukiID` whose client scans), one plan in 5 first is an
    /// ``AdvertisingMutation`` instead.
    public static func random(_ random: any RandomSource, profile: MessageProfile, advertising: Bool = false, nukiID: UInt32 = 0x2A37_599A) -> HostilePlan {
        var draw = Draw(random)
        let messages = profile.messages
        let encrypted = messages.indices.filter { messages[$0].channel == .encrypted }
        if advertising, draw.below(5) == 0 {
            return HostilePlan(fault: .advertising(AdvertisingMutation.random(&draw, nukiID: nukiID)), message: 0, scope: .every)
        }
        let roll = draw.below(100)
        if roll < 45 || (roll < 80 && encrypted.isEmpty) {
            guard !messages.isEmpty else { return HostilePlan(fault: .mutation(.crcFlipped)) }
            let index = draw.below(messages.count)
            let target = messages[index]
            return HostilePlan(fault: .mutation(Self.mutation(&draw, payloadBytes: target.payloadBytes)), message: index)
        }
        if roll < 80 {
            let index = encrypted[draw.below(encrypted.count)]
            let faults: [HostileFault] = [
                .lengthDelta(-1), .lengthDelta(1), .lengthDelta(-4), .lengthDelta(0xFFFF), .badMAC, .wrongAuthID(0),
                .wrongAuthID(UInt32(1 + draw.below(8))), .wrongAuthID(0xFFFF_FFFF), .badCRCValidMAC, .oversize(514), .truncated,
            ]
            return HostilePlan(fault: faults[draw.below(faults.count)], message: index)
        }
        if roll < 92 {
            let count = 1 + draw.below(3)
            let sizes = (0..<count).map { _ in [1, 2, 3, 7, 19, 20][draw.below(6)] }
            return HostilePlan(fault: .split(sizes), message: 0, scope: .every)
        }
        return HostilePlan(fault: draw.below(2) == 0 ? .mtuRefused : .mtuMinimum, message: 0, scope: .every)
    }

    /// A structure-aware mutation for a payload of `payloadBytes` bytes.
    static func mutation(_ draw: inout Draw, payloadBytes: Int) -> ReplyMutation {
        // Commands a lock sends, plus ones it never sends (a client's own commands).
        let commands: [UInt16] = [0x0001, 0x0003, 0x0004, 0x0007, 0x000A, 0x000C, 0x000D, 0x000E, 0x0012, 0x0015, 0x0027, 0x0032, 0x00FF]
        let interesting: [UInt8] = [0x00, 0x01, 0x02, 0x7F, 0x80, 0xFE, 0xFF]
        switch draw.below(10) {
        case 0, 1:
            return .command(commands[draw.below(commands.count)])
        case 2, 3, 4, 5:
            let offset = payloadBytes > 0 ? draw.below(payloadBytes) : 0
            return .payloadByte(offset: offset, value: draw.below(3) == 0 ? UInt8(truncatingIfNeeded: draw.below(256)) : interesting[draw.below(interesting.count)])
        case 6:
            return .payloadTruncated(bytes: payloadBytes > 0 ? 1 + draw.below(payloadBytes) : 1)
        case 7:
            let count = [1, 2, 16, 200][draw.below(4)]
            return .payloadExtended(bytes: (0..<count).map { _ in UInt8(truncatingIfNeeded: draw.below(256)) })
        case 8:
            return .crcFlipped
        default:
            return .payloadTruncated(bytes: payloadBytes)
        }
    }
}

/// Small uniform numbers from a ``LockCrypto/RandomSource`` (4 bytes per draw, modulo: the bias is
/// below 2⁻²⁰ for the ranges used here).
struct Draw {
    let random: any RandomSource
    init(_ random: any RandomSource) { self.random = random }

    mutating func below(_ bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        let value = random.bytes(count: 4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return Int(value % UInt32(truncatingIfNeeded: bound))
    }
}

extension HostilePlan {
    /// The modes of `latchkey lock serve --hostile MODE`, each applied to every message it can
    /// apply to (pairing is plain and only `split`, `mtu-refused` and `mtu-23` touch it). `fuzz` is
    /// not here: it draws a ``random(_:profile:)`` plan per connection.
    public static let named: [(name: String, plan: HostilePlan)] = [
        ("honest", .honest),
        ("length-minus-1", HostilePlan(fault: .lengthDelta(-1), scope: .every)),
        ("length-plus-1", HostilePlan(fault: .lengthDelta(1), scope: .every)),
        ("length-max", HostilePlan(fault: .lengthDelta(0xFFFF), scope: .every)),
        ("bad-mac", HostilePlan(fault: .badMAC, scope: .every)),
        ("wrong-auth-id", HostilePlan(fault: .wrongAuthID(0xFFFF_FFFF), scope: .every)),
        ("bad-crc", HostilePlan(fault: .badCRCValidMAC, scope: .every)),
        ("oversize", HostilePlan(fault: .oversize(514), scope: .every)),
        ("truncated", HostilePlan(fault: .truncated, scope: .every)),
        ("mutate", HostilePlan(fault: .randomMutations, scope: .every)),
        ("split", HostilePlan(fault: .split([1, 7]), scope: .every)),
        ("mtu-refused", HostilePlan(fault: .mtuRefused, scope: .every)),
        ("mtu-23", HostilePlan(fault: .mtuMinimum, scope: .every)),
        ("adv-length", HostilePlan(fault: .advertising(.lengthDelta(structure: 1, delta: 1)), scope: .every)),
        ("adv-length-zero", HostilePlan(fault: .advertising(.lengthZero(structure: 1)), scope: .every)),
        ("adv-service-uuid", HostilePlan(fault: .advertising(.serviceDataUUID("a92ee200-5501-11e4-916c-0800200c9a66")), scope: .every)),
        ("adv-short-nuki-id", HostilePlan(fault: .advertising(.shortNukiID(bytes: 2)), scope: .every)),
        ("adv-nuki-id", HostilePlan(fault: .advertising(.serviceDataNukiID(0xDEAD_BEEF)), scope: .every)),
        ("adv-beacon-prefix", HostilePlan(fault: .advertising(.beaconPrefix([0x4C, 0x00, 0x02, 0x16])), scope: .every)),
        ("adv-beacon-nuki-id", HostilePlan(fault: .advertising(.beaconNukiID(0xDEAD_BEEF)), scope: .every)),
        ("adv-manufacturer-short", HostilePlan(fault: .advertising(.manufacturerDataBytes(20)), scope: .every)),
        ("adv-manufacturer-long", HostilePlan(fault: .advertising(.manufacturerDataBytes(26)), scope: .every)),
        ("adv-duplicated", HostilePlan(fault: .advertising(.duplicated), scope: .every)),
        ("adv-conflicting", HostilePlan(fault: .advertising(.conflicting(0xDEAD_BEEF)), scope: .every)),
        ("adv-name-overlong", HostilePlan(fault: .advertising(.localName(Array(repeating: 0x41, count: 40))), scope: .every)),
        ("adv-name-not-utf8", HostilePlan(fault: .advertising(.localName(Array("Nuki_".utf8) + [0xFF, 0xFE, 0xC3])), scope: .every)),
        ("adv-state-flapping", HostilePlan(fault: .advertising(.stateChangedFlapping), scope: .every)),
    ]

    /// The `adv-*` named plans: every advertising mutation kind once.
    public static var namedAdvertising: [(name: String, plan: HostilePlan)] { named.filter { $0.plan.fault.isAdvertising } }

    /// The profile `lock serve --hostile fuzz` draws from when it knows nothing of its clients:
    /// pairing (public key, two challenges, Authorization-ID, Status), then eight encrypted replies.
    public static let genericProfile = MessageProfile(
        messages: [
            .init(channel: .plain, command: 0x0003, payloadBytes: 32), .init(channel: .plain, command: 0x0004, payloadBytes: 32),
            .init(channel: .plain, command: 0x0004, payloadBytes: 32), .init(channel: .plain, command: 0x0007, payloadBytes: 84),
            .init(channel: .plain, command: 0x000E, payloadBytes: 1),
        ] + Array(repeating: .init(channel: .encrypted, command: 0x000C, payloadBytes: 20), count: 8))
}
