import BLEATT
import BLEGATT
import NukiProfile

/// Target 5: the lock's GATT server (``BLEGATT/GATTServer`` over ``BLEATT/ATTBearer``) with the Nuki
/// profile, fed raw ATT PDUs from two clients, with server indications and time in between.
///
/// Input shape: a sequence of operations, each `op (u8) ‖ arguments`, at most ``maxOperations``:
/// - `op & 0x03 == 0`: receive. `length (u8) ‖ PDU[length]` arrives from client `op >> 7`
///   (bit 7: client A or B) as one L2CAP SDU on CID 0x0004.
/// - `op & 0x03 == 1`: indicate. `length (u16 LE, taken mod 1,024) ` bytes (a counting pattern) are
///   indicated on the Keyturner USDIO to client `op >> 7`, chunked to ATT_MTU − 3.
/// - `op & 0x03 == 2`: time. The clock advances by `seconds (u8)` and the server ticks (30 s
///   transaction timeout, Core 5.4 Vol 3 Part F §3.3.3).
/// - `op & 0x03 == 3`: the client `op >> 7` disconnects and a new connection takes its place.
///
/// Invariants (Core 5.4 Vol 3 Part F §3.3.2, §3.4.9; Part G §3.3.3.3):
/// - `sent-pdu-decodes`: every PDU the server sends decodes, at the connection's ATT_MTU;
/// - `sent-pdu-within-mtu`: and is at most ATT_MTU octets long;
/// - `sent-pdu-server-role`: and is a response, an Error Response or an indication;
/// - `request-answered`: a request received on an open bearer gets exactly one answer: its response
///   opcode, or an Error Response naming the request opcode;
/// - `no-request-left-pending`: after each operation no client request awaits an answer;
/// - `cccd-only-by-write`: each connection's CCCD values are exactly those reported by
///   ``BLEGATT/GATTServer/Event/clientConfigurationChanged(_:_:_:)`` (0x0000 on a new connection);
/// - `written-value-fits`: a reported written value is at most 512 octets (Part F §3.2.9);
/// - `bearer-usable`: after the input, a Read By Group Type for «Primary Service» from a fresh
///   connection gets the same answer as on an untouched server.
public enum AttGATTHarness {
    /// Operations read from one input at most.
    public static let maxOperations = 48
    /// Largest indication message an input can ask for.
    public static let maxIndicationBytes = 1024

    static let profile = NukiGATTProfile(nukiID: 0x2A37_3E5F)
    static let characteristics = [profile.pairingGDIO, profile.keyturnerGDIO, profile.keyturnerUSDIO]
    /// Read By Group Type Request (0x10), handles 0x0001…0xFFFF, «Primary Service» (0x2800).
    static let discoverServices: [UInt8] = [0x10, 0x01, 0x00, 0xFF, 0xFF, 0x00, 0x28]

    /// Checks one input; nil when every invariant holds. Never traps.
    public static func check(_ input: ArraySlice<UInt8>) -> InvariantViolation? {
        var reader = FuzzInputReader(input)
        var server = GATTServer(database: profile.database)
        var clients = [server.connect(), server.connect()]
        var configurations: [GATTConnectionID: [UInt16: UInt16]] = [:]
        var now = Duration.zero
        var operations = 0
        while !reader.isAtEnd, operations < maxOperations {
            operations += 1
            let op = reader.byte()
            let slot = Int(op >> 7)
            let id = clients[slot]
            var events: [GATTServer.Event] = []
            switch op & 0x03 {
            case 0:
                let pdu = reader.bytes(upTo: Int(reader.byte()))
                let wasOpen = !(server.bearer(of: id)?.isClosed ?? true)
                let mtu = server.mtu(of: id) ?? ATTLimits.defaultMTU
                do {
                    events = try server.receive(pdu, from: id, at: now)
                } catch {
                    return InvariantViolation("connection-known", "\(id) unknown to the server: \(error)")
                }
                if wasOpen, let first = pdu.first, ATTOpcode(rawValue: first).kind == .request,
                   let v = checkAnswered(ATTOpcode(rawValue: first), events: events, id: id, mtu: mtu, pdu: pdu) {
                    return v
                }
            case 1:
                let count = Int(reader.u16()) % (maxIndicationBytes + 1)
                let message = (0..<count).map { UInt8(truncatingIfNeeded: $0) }
                events = (try? server.indicate(message, on: profile.keyturnerUSDIO, to: id, at: now)) ?? []
            case 2:
                now += .seconds(Int(reader.byte()))
                events = server.tick(now: now)
            default:
                server.disconnect(id)
                configurations[id] = nil
                clients[slot] = server.connect()
            }
            if let v = checkEvents(events, server: server, configurations: &configurations) { return v }
            for client in clients {
                if let pending = server.bearer(of: client)?.pendingRequest {
                    return InvariantViolation("no-request-left-pending", "\(pending.opcode) from \(client) left unanswered")
                }
                for characteristic in characteristics {
                    let expected = characteristic.clientConfigurationHandle.flatMap { configurations[client]?[$0] } ?? 0
                    let actual = server.clientConfiguration(of: characteristic, on: client)
                    if actual != expected {
                        return InvariantViolation("cccd-only-by-write", "\(client) CCCD of \(characteristic.uuid) is \(actual), reported \(expected)")
                    }
                }
            }
        }
        return checkUsable(server)
    }

    /// `request-answered` for one received request: `events` must hold exactly one response-kind PDU
    /// sent to `id`, either `opcode`'s response opcode or an Error Response (0x01) naming `opcode`.
    /// `mtu` and `pdu` only go into the violation's detail.
    public static func checkAnswered(_ opcode: ATTOpcode, events: [GATTServer.Event], id: GATTConnectionID, mtu: Int, pdu: [UInt8]) -> InvariantViolation? {
        let answers = events.compactMap { event -> [UInt8]? in
            guard case .send(let to, let octets) = event, to == id, let first = octets.first,
                  ATTOpcode(rawValue: first).kind == .response else { return nil }
            return octets
        }
        let expected = opcode.responseOpcode?.rawValue ?? 0xFF
        let fits = answers.count == 1 && (answers[0][0] == expected || (answers[0][0] == 0x01 && answers[0].count >= 2 && answers[0][1] == opcode.rawValue))
        return Invariant.holds("request-answered", fits,
                               "\(opcode) (\(Invariant.hexPreview(pdu))) at MTU \(mtu) answered by \(answers.map { Invariant.hexPreview($0) })")
    }

    /// `sent-pdu-*`, `written-value-fits` and the CCCD model, for one operation's events: each sent
    /// PDU is checked at its connection's current ATT_MTU in `server` (23 when unknown), and each
    /// reported CCCD write is recorded in `configurations` (connection → CCCD handle → value).
    public static func checkEvents(_ events: [GATTServer.Event], server: GATTServer, configurations: inout [GATTConnectionID: [UInt16: UInt16]]) -> InvariantViolation? {
        for event in events {
            switch event {
            case .send(let id, let octets):
                let mtu = server.mtu(of: id) ?? ATTLimits.defaultMTU
                if octets.count > mtu {
                    return InvariantViolation("sent-pdu-within-mtu", "\(octets.count) octets at MTU \(mtu): \(Invariant.hexPreview(octets))")
                }
                let pdu: ATTPDU
                do {
                    pdu = try ATTPDU.decode(octets, mtu: mtu)
                } catch {
                    return InvariantViolation("sent-pdu-decodes", "\(error): \(Invariant.hexPreview(octets))")
                }
                switch pdu.opcode.kind {
                case .response, .indication: break
                default:
                    return InvariantViolation("sent-pdu-server-role", "server sent \(pdu.opcode)")
                }
            case .valueWritten(_, let characteristic, let value):
                if value.count > ATTLimits.maximumAttributeValue {
                    return InvariantViolation("written-value-fits", "\(value.count) octets written to \(characteristic.uuid)")
                }
            case .clientConfigurationChanged(let id, let characteristic, let value):
                if let handle = characteristic.clientConfigurationHandle {
                    configurations[id, default: [:]][handle] = value
                }
            default:
                break
            }
        }
        return nil
    }

    /// `bearer-usable`: a fresh connection discovers the same services as on an untouched server.
    static func checkUsable(_ server: GATTServer) -> InvariantViolation? {
        var used = server
        var untouched = GATTServer(database: profile.database)
        let a = used.connect()
        let b = untouched.connect()
        let after = (try? used.receive(discoverServices, from: a, at: .zero)) ?? []
        let reference = (try? untouched.receive(discoverServices, from: b, at: .zero)) ?? []
        let sent = after.compactMap { if case .send(_, let octets) = $0 { octets } else { nil } }
        let expected = reference.compactMap { if case .send(_, let octets) = $0 { octets } else { nil } }
        return Invariant.holds("bearer-usable", sent == expected && !expected.isEmpty,
                               "service discovery on a fresh connection: \(sent.map { Invariant.hexPreview($0) })")
    }
}

extension AttGATTHarness {
    /// Seeds: a client's real GATT session with the lock, written as operations. Service, characteristic
    /// and descriptor discovery, the three CCCDs set to indicate, every handle read, Set A's pairing
    /// messages written to the Pairing GDIO (Write Requests at ATT_MTU 247, Prepare/Execute Write at
    /// ATT_MTU 23), indications of 8, 84 and 600 octets with and without confirmation, the 30 s
    /// timeout, and a reconnect. `messages` are the Set A plain messages.
    public static func seeds(messages: [[UInt8]]) -> [[UInt8]] {
        func receive(_ pdu: [UInt8], client: UInt8 = 0) -> [UInt8] {
            [client << 7, UInt8(truncatingIfNeeded: pdu.count)] + pdu
        }
        func le(_ value: UInt16) -> [UInt8] { [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)] }
        let gdio = profile.pairingGDIO.valueHandle
        let discovery = receive(discoverServices)
            + receive([0x08, 0x01, 0x00, 0xFF, 0xFF, 0x03, 0x28])
            + receive([0x04, 0x01, 0x00, 0xFF, 0xFF])
            + characteristics.compactMap(\.clientConfigurationHandle).flatMap { receive([0x12] + le($0) + [0x02, 0x00]) }
        let reads = profile.database.attributes.flatMap { receive([0x0A] + le($0.handle)) }
        let mtu247 = receive([0x02, 0xF7, 0x00])
        let writeRequests = messages.flatMap { receive([0x12] + le(gdio) + $0) }
        let preparedWrites = messages.flatMap { message -> [UInt8] in
            var ops: [UInt8] = []
            var offset = 0
            while offset < message.count {
                let part = Array(message[offset..<min(message.count, offset + 18)])
                ops += receive([0x16] + le(gdio) + le(UInt16(truncatingIfNeeded: offset)) + part)
                offset += part.count
            }
            return ops + receive([0x18, 0x01])
        }
        func indicate(_ count: UInt16, client: UInt8 = 0) -> [UInt8] { [client << 7 | 0x01] + le(count) }
        let confirm = receive([0x1E])
        return [
            discovery,
            discovery + reads,
            discovery + preparedWrites,
            mtu247 + discovery + writeRequests,
            discovery + indicate(8) + confirm + indicate(84) + confirm + confirm + confirm + confirm + confirm,
            mtu247 + discovery + indicate(600) + confirm + confirm + confirm,
            discovery + indicate(84) + [0x02, 31] + receive([0x1E]) + receive(discoverServices),
            discovery + [0x03] + discovery + receive(discoverServices, client: 1) + [0x83] + indicate(20, client: 1),
            receive([0x16] + le(gdio) + le(0) + [1, 2, 3]) + receive([0x16] + le(gdio) + le(10) + [4]) + receive([0x18, 0x01]),
        ]
    }
}
