import BLEATT
import Foundation
import LockCrypto
import LockPeripherals
import LockSession
import LockWire
import NukiProfile

/// The cases of `docs/attacks.md` §B that can be judged from outside a lock, over the link, in the
/// order they run. Each case's "bug" — the flaw that makes it FAIL — is the ``LockCore/Weakness``
/// whose ``LockCore/Weakness/provenCases`` names it (`latchkey lock serve --weaken FLAW`).
///
/// Order matters: cases that leave the lock in a lockout (PIN-02, PIN-07) run last.
public enum AuditCatalogue {
    public static let all: [AuditCase] = [
        p01, p02, p03, p04, p05, p06, p07, p09, p10,
        c01, c02, c05,
        pa01, pa08, pa03,
        au01, au11, au02, au03, au04,
        s01, s03,
        pin02, pin07,
    ]

    // MARK: Helpers

    /// Nil when `exchange` ended in one of `codes` (or, with `silenceOK`, in no reply: a lock may
    /// drop what it rejects, `docs/attacks.md` §B conventions); else what happened instead.
    static func unexpected(_ exchange: Exchange, _ codes: Set<NukiErrorCode>, silenceOK: Bool = false) -> String? {
        if let code = exchange.errorCode, codes.contains(code) { return nil }
        if silenceOK, !exchange.answered { return nil }
        let wanted = codes.map { "\($0)" }.sorted().joined(separator: " or ")
        return "expected \(wanted), got \(exchange.outcome)"
    }

    /// A credential for probes that any client may send, least privileged first.
    static func anyCredential(_ context: AuditContext) -> (AuditRole, ClientCredentials)? {
        for role in [AuditRole.keypad, .fob, .admin] { if let c = context.credentials[role] { return (role, c) } }
        return nil
    }

    /// A fresh connection for the case, closed when the body returns.
    static func withFresh<T>(_ context: AuditContext, _ body: (ProbeConnection) throws -> T) throws -> T {
        let connection = try context.open()
        defer { connection.close() }
        return try body(connection)
    }

    static let keyturnerStates = NukiMessage.requestData(RequestData(requestedCommand: .keyturnerStates))

    /// Runs `probes`, collecting each failure; PASS with `passDetail` when none failed.
    static func verdict(_ failures: [String], pass passDetail: String) -> AuditVerdict {
        failures.isEmpty ? .pass(passDetail) : .fail(failures.joined(separator: "; "))
    }

    // MARK: B1 Parsing

    static let p01 = AuditCase("P-01", "B1", "Frame shorter than the clear header or than header + MAC: 0xFE, nothing decrypted") { context in
        try withFresh(context) { connection in
            let authID = anyCredential(context)?.1.authID ?? 1
            var failures: [String] = []
            for count in [29, 45] {
                var frame = context.random.bytes(count: count)
                if count >= 28 { for i in 0..<4 { frame[24 + i] = UInt8(truncatingIfNeeded: authID >> (8 * UInt32(i))) } }
                if count >= 30 { frame[28] = UInt8(count - 30); frame[29] = 0 }
                let exchange = try context.send(frame, via: connection)
                if let problem = unexpected(exchange, [.badLength], silenceOK: true) { failures.append("\(count)-byte frame: \(problem)") }
            }
            return verdict(failures, pass: "29- and 45-byte frames refused with ERROR_BAD_LENGTH")
        }
    }

    static let p02 = AuditCase("P-02", "B1", "Length field larger than the bytes received or than the largest message: 0xFE", needs: [.anyCredential]) { context in
        guard let (_, credential) = anyCredential(context) else { return .skip("no credential") }
        return try withFresh(context) { connection in
            let frame = context.seal(keyturnerStates, as: credential)
            var failures: [String] = []
            for (name, bad) in [("length + 1", HostileClient.badLength(frame, delta: 1)), ("length 0xFFFF", HostileClient.badLength(frame, delta: 0xFFFF - (frame.count - 30)))] {
                let exchange = try context.send(bad, via: connection, finals: [.keyturnerStates])
                if let problem = unexpected(exchange, [.badLength], silenceOK: true) { failures.append("\(name): \(problem)") }
            }
            return verdict(failures, pass: "length one too large and 0xFFFF refused with ERROR_BAD_LENGTH")
        }
    }

    static let p03 = AuditCase("P-03", "B1", "Length field smaller than the bytes received (trailing garbage): 0xFE", needs: [.anyCredential]) { context in
        guard let (_, credential) = anyCredential(context) else { return .skip("no credential") }
        return try withFresh(context) { connection in
            var failures: [String] = []
            let shorter = HostileClient.badLength(context.seal(keyturnerStates, as: credential), delta: -1)
            let trailing = context.seal(keyturnerStates, as: credential) + [0x00, 0x42]
            for (name, bad) in [("length − 1", shorter), ("2 trailing bytes", trailing)] {
                let exchange = try context.send(bad, via: connection, finals: [.keyturnerStates])
                if let problem = unexpected(exchange, [.badLength], silenceOK: true) { failures.append("\(name): \(problem)") }
            }
            return verdict(failures, pass: "length one too small and trailing bytes refused with ERROR_BAD_LENGTH")
        }
    }

    static let p04 = AuditCase("P-04", "B1", "Valid MAC, wrong plaintext CRC: 0xFD, command not executed", needs: [.anyCredential]) { context in
        guard let (_, credential) = anyCredential(context) else { return .skip("no credential") }
        return try withFresh(context) { connection in
            let frame = try HostileClient.badCRC(keyturnerStates, credentials: credential, random: context.random)
            let exchange = try context.send(frame, via: connection, finals: [.keyturnerStates])
            if exchange.messages.contains(where: { $0.command == .keyturnerStates }) {
                return .fail("Request Data(Keyturner States) with a wrong CRC was executed: \(exchange.outcome)")
            }
            return verdict(unexpected(exchange, [.badCRC]).map { [$0] } ?? [], pass: "refused with ERROR_BAD_CRC")
        }
    }

    static let p05 = AuditCase("P-05", "B1", "Unknown or reserved command ids 0x0000, 0x0002, 0xFFFF: refused", needs: [.anyCredential]) { context in
        guard let (_, credential) = anyCredential(context) else { return .skip("no credential") }
        return try withFresh(context) { connection in
            var failures: [String] = []
            for id: UInt16 in [0x0000, 0x0002, 0xFFFF] {
                let frame = (try? EncryptedMessageCodec.seal(
                    authID: credential.authID, command: Command(rawValue: id), payload: [], key: credential.sharedKey, random: context.random)) ?? []
                let exchange = try context.send(frame, via: connection)
                if exchange.errorCode == nil, exchange.answered { failures.append("command 0x\(Probe.hex16(id)): \(exchange.outcome)") }
            }
            return verdict(failures, pass: "each refused with an Error Report")
        }
    }

    static let p06 = AuditCase("P-06", "B1", "Lock Action with an empty payload or one byte too many: 0xFE", needs: [.anyCredential]) { context in
        guard let (_, credential) = anyCredential(context) else { return .skip("no credential") }
        return try withFresh(context) { connection in
            var failures: [String] = []
            let valid = NukiMessage.lockAction(LockActionRequest(action: .lock, appID: credential.authID, challenge: .zero)).encodedPayload()
            for (name, payload) in [("empty payload", [UInt8]()), ("payload + 1 byte", valid + [0x00])] {
                _ = try context.challenge(as: credential, via: connection)
                let frame = (try? EncryptedMessageCodec.seal(
                    authID: credential.authID, command: .lockAction, payload: payload, key: credential.sharedKey, random: context.random)) ?? []
                let exchange = try context.send(frame, via: connection)
                if let problem = unexpected(exchange, [.badLength], silenceOK: true) { failures.append("\(name): \(problem)") }
            }
            return verdict(failures, pass: "both refused with ERROR_BAD_LENGTH")
        }
    }

    static let p07 = AuditCase("P-07", "B1", "Prepare Write queue for one message is capped (16 KiB offered)") { context in
        try withFresh(context) { connection in
            let client = connection.peripheral
            guard let handle = client.handle(of: .keyturnerUSDIO) else { return .fail("no keyturner USDIO handle") }
            let chunk = max(1, client.mtu - 5)
            let offered = 16 * 1024
            var accepted = 0
            var refusal: String?
            var evidence = Exchange()
            while accepted < offered, refusal == nil {
                let pdu = ATTPDU.prepareWriteRequest(ATTPreparedWrite(handle: handle, offset: UInt16(truncatingIfNeeded: accepted), value: [UInt8](repeating: 0x41, count: chunk))).encoded()
                do { try client.sendRawATT(pdu) } catch { throw TargetUnreachable(description: "the link closed during Prepare Writes (\(error))") }
                if accepted == 0 || accepted + chunk >= offered {
                    evidence.attFrames.append(EvidenceFrame(direction: "sent", channel: "ATT", hex: Hex.encode(pdu), summary: "Prepare Write Request, offset \(accepted), \(chunk) bytes"))
                }
                guard let reply = try? client.receiveRawATT(timeout: context.options.replyTimeout) else {
                    throw TargetUnreachable(description: "no answer to Prepare Write after \(accepted) bytes")
                }
                switch try? ATTPDU.decode(reply) {
                case .prepareWriteResponse?: accepted += chunk
                case .errorResponse(let error)?:
                    refusal = "\(error.error)"
                    evidence.writeFailures.append("ATT Error Response \(error.error) after \(accepted) bytes queued")
                default:
                    refusal = "unexpected PDU \(Hex.encode(reply))"
                }
            }
            _ = try? client.sendRawATT(ATTPDU.executeWriteRequest(ATTExecuteWriteFlags.cancel).encoded())
            _ = try? client.receiveRawATT(timeout: context.options.replyTimeout)
            if refusal == nil {
                evidence.writeFailures.append("all \(accepted) bytes of Prepare Writes queued, none refused")
                context.exchanges.append(evidence)
                return .fail("the target queued \(accepted) bytes of Prepare Writes for one attribute (no cap; the largest Nuki message is \(WireLimits.maxFrameBytes) bytes)")
            }
            return .pass("Prepare Writes refused after \(accepted) bytes queued (\(refusal ?? ""))")
        }
    }

    static let p09 = AuditCase("P-09", "B1", "Lock Action with action 0x00, 0x07 or 0x80: 0x23, never treated as another action", needs: [.anyCredential]) { context in
        guard let (_, credential) = anyCredential(context) else { return .skip("no credential") }
        return try withFresh(context) { connection in
            var failures: [String] = []
            for raw: UInt8 in [0x00, 0x07, 0x80] {
                let exchange = try context.request(as: credential, via: connection) {
                    .lockAction(LockActionRequest(action: LockAction(rawValue: raw), appID: credential.authID, challenge: $0))
                }
                if let problem = unexpected(exchange, [.badParameter]) { failures.append("action 0x\(String(raw, radix: 16)): \(problem)") }
            }
            return verdict(failures, pass: "each refused with K_ERROR_BAD_PARAMETER")
        }
    }

    static let p10 = AuditCase("P-10", "B1", "One bit flipped in the MAC (first or last byte) or the ciphertext: 0x20, nothing parsed", needs: [.anyCredential]) { context in
        guard let (_, credential) = anyCredential(context) else { return .skip("no credential") }
        return try withFresh(context) { connection in
            var failures: [String] = []
            var flipped = context.seal(keyturnerStates, as: credential)
            flipped[flipped.count - 1] ^= 0x80
            // The last MAC byte too: a tag compared on its first bytes only accepts that one.
            var lateMAC = context.seal(keyturnerStates, as: credential)
            lateMAC[EncryptedFrame.headerBytes + EncryptedFrame.macBytes - 1] ^= 0x01
            for (name, bad) in [("MAC bit", HostileClient.badMAC(context.seal(keyturnerStates, as: credential))), ("last MAC byte", lateMAC), ("ciphertext bit", flipped)] {
                let exchange = try context.send(bad, via: connection, finals: [.keyturnerStates])
                if let problem = unexpected(exchange, [.notAuthorized], silenceOK: true) { failures.append("\(name): \(problem)") }
            }
            return verdict(failures, pass: "a flipped first and last MAC byte and ciphertext bit refused with K_ERROR_NOT_AUTHORIZED")
        }
    }

    // MARK: B2 Crypto, nonces and replay

    /// Request Config (0x0014, admin, challenge-bearing, no PIN, changes nothing) sent once, then
    /// replayed byte for byte on the same connection or (`reconnect`) a new one.
    static func replay(_ context: AuditContext, reconnect: Bool) throws -> AuditVerdict {
        guard let admin = context.credentials[.admin] else { return .skip("needs the admin credential") }
        var connection = try context.open()
        defer { connection.close() }
        guard let nonce = try context.challenge(as: admin, via: connection) else {
            return .fail("no challenge: \(context.exchanges.last?.outcome ?? "")")
        }
        let frame = context.seal(.requestConfig(RequestConfig(challenge: nonce)), as: admin)
        let first = try context.send(frame, via: connection, finals: [.config])
        guard first.messages.contains(where: { $0.command == .config }) else { return .fail("the original request was refused: \(first.outcome)") }
        if reconnect {
            connection.close()
            connection = try context.open()
        }
        let again = try context.send(HostileClient.replay(frame), via: connection, finals: [.config])
        if again.messages.contains(where: { $0.command == .config }) { return .fail("the replayed Request Config was answered with Config") }
        return verdict(unexpected(again, [.badNonce]).map { [$0] } ?? [], pass: "replay refused with K_ERROR_BAD_NONCE")
    }

    static let c01 = AuditCase("C-01", "B2", "Replay of an encrypted command in the same session: 0x22", needs: [.credential(.admin)]) { try replay($0, reconnect: false) }

    static let c02 = AuditCase("C-02", "B2", "Replay of an encrypted command after reconnecting: 0x22", needs: [.credential(.admin)]) { try replay($0, reconnect: true) }

    static let c05 = AuditCase("C-05", "B2", "Clear auth id swapped (other user, 0, 0xFFFFFFFF) or inner auth id different: 0x20", needs: [.anyCredential]) { context in
        guard let (_, credential) = anyCredential(context) else { return .skip("no credential") }
        // The inner id is the admin's when the probe runs as a keypad or fob: the forgery that would
        // let a peripheral holding only its own key act as the admin app.
        let admin = context.credentials[.admin]?.authID
        let other = admin.flatMap { $0 != credential.authID ? $0 : nil }
            ?? context.credentials.values.map(\.authID).first { $0 != credential.authID } ?? credential.authID &+ 1
        var failures: [String] = []
        for swapped in [other, 0, 0xFFFF_FFFF] as [UInt32] {
            try withFresh(context) { connection in
                let frame = HostileClient.wrongAuthID(context.seal(keyturnerStates, as: credential), authID: swapped)
                let exchange = try context.send(frame, via: connection, finals: [.keyturnerStates])
                if let problem = unexpected(exchange, [.notAuthorized], silenceOK: true) { failures.append("clear auth id \(swapped): \(problem)") }
            }
        }
        for (name, message, finals) in [
            ("Request Data(Keyturner States)", keyturnerStates, Set([Command.keyturnerStates])),
            ("Request Data(Challenge)", .requestData(RequestData(requestedCommand: .challenge)), [.challenge]),
        ] {
            try withFresh(context) { connection in
                let frame = try HostileClient.innerAuthID(message, innerAuthID: other, credentials: credential, random: context.random)
                let exchange = try context.send(frame, via: connection, finals: finals)
                if let problem = unexpected(exchange, [.notAuthorized]) { failures.append("\(name) with inner auth id \(other) under auth id \(credential.authID): \(problem)") }
            }
        }
        return verdict(failures, pass: "swapped clear auth ids, and a different inner auth id (the admin's, under a valid MAC) on a state read and a challenge request, refused with K_ERROR_NOT_AUTHORIZED")
    }

    // MARK: B3 Pairing

    static let pa01 = AuditCase("PA-01", "B3", "Pairing request outside pairing mode: 0x10") { context in
        if context.options.isPairingMode() == true { return .skip("the target is in pairing mode now") }
        return try withFresh(context) { connection in
            let exchange = try context.send(PlainFrame(RequestData(requestedCommand: .publicKey)).encoded(), on: .pairingGDIO, via: connection, finals: [.publicKey])
            if exchange.messages.contains(where: { $0.command == .publicKey }) {
                return .fail("the target sent its public key outside pairing mode")
            }
            return verdict(unexpected(exchange, [.notPairing]).map { [$0] } ?? [], pass: "refused with P_ERROR_NOT_PAIRING")
        }
    }

    static let pa08 = AuditCase("PA-08", "B3", "Pairing messages out of order: refused, no user added") { context in
        let before = try context.snapshot()
        var failures: [String] = []
        try withFresh(context) { connection in
            for frame in HostileClient.outOfOrderPairing() {
                let exchange = try context.send(frame, on: .pairingGDIO, via: connection)
                if exchange.errorCode == nil { failures.append("\(Hex.encode(frame.prefix(2))): \(exchange.outcome)") }
            }
        }
        if let before, let after = try context.snapshot() { failures += AuditContext.differences(before, after) }
        return verdict(failures, pass: before == nil ? "each refused with an Error Report (state not compared: needs the admin and --security-pin)" : "each refused with an Error Report; nothing changed")
    }

    static let pa03 = AuditCase("PA-03", "B3", "Wrong Authorization Authenticator in pairing (random, or wrong in its last byte): 0x11, no auth id allocated", seconds: 1) { context in
        if context.options.isPairingMode() != true {
            guard let press = context.options.pressButton else {
                return .skip("needs the target in pairing mode (Latchkey's own lock: the auditor presses its button)")
            }
            try press()
            let deadline = ContinuousClock.now + .seconds(3)
            while context.options.isPairingMode() != true, ContinuousClock.now < deadline { usleepMilliseconds(20) }
            guard context.options.isPairingMode() == true else { return .skip("the target did not enter pairing mode after the button press") }
        }
        let before = try context.snapshot()
        let failure: String? = try withFresh(context) { connection in
            let key = try KeyPair(using: context.random)
            let first = try context.send(PlainFrame(RequestData(requestedCommand: .publicKey)).encoded(), on: .pairingGDIO, via: connection, finals: [.publicKey])
            guard first.messages.contains(where: { $0.command == .publicKey }) else { return "no public key in pairing mode: \(first.outcome)" }
            let second = try context.send(PlainFrame(PublicKey(key: key.publicKey)).encoded(), on: .pairingGDIO, via: connection, finals: [.challenge])
            guard second.messages.contains(where: { $0.command == .challenge }) else { return "no challenge: \(second.outcome)" }
            let wrong = try context.send(
                PlainFrame(AuthorizationAuthenticator(authenticator: context.random.bytes32())).encoded(), on: .pairingGDIO, via: connection, finals: [.challenge])
            if let problem = unexpected(wrong, [.badAuthenticator]) { return "random authenticator: \(problem)" }
            // Again from the start, with the right authenticator wrong in its last byte only (the frame's
            // CRC is computed over it, so the lock reaches the compare): a compare of the first bytes
            // accepts it.
            let again = try context.send(PlainFrame(RequestData(requestedCommand: .publicKey)).encoded(), on: .pairingGDIO, via: connection, finals: [.publicKey])
            var lockKey: Bytes32?
            for case .publicKey(let k) in again.messages { lockKey = k.key }
            guard let lockKey else { return "no public key after the refusal: \(again.outcome)" }
            let challenge = try context.send(PlainFrame(PublicKey(key: key.publicKey)).encoded(), on: .pairingGDIO, via: connection, finals: [.challenge])
            var nonce: Bytes32?
            for case .challenge(let c) in challenge.messages { nonce = c.nonce }
            guard let nonce else { return "no challenge after the refusal: \(challenge.outcome)" }
            let shared = try SharedKey(ownKeyPair: key, peerPublicKey: lockKey)
            defer { shared.wipe() }
            var bytes = PairingAuthenticator.authorizationAuthenticator(
                key: shared, clientPublicKey: key.publicKey, lockPublicKey: lockKey, challenge: nonce).bytes
            bytes[31] ^= 0x01
            let late = try context.send(
                PlainFrame(AuthorizationAuthenticator(authenticator: Bytes32(bytes) ?? .zero)).encoded(), on: .pairingGDIO, via: connection, finals: [.challenge])
            return unexpected(late, [.badAuthenticator]).map { "authenticator wrong in its last byte: \($0)" }
        }
        var failures = failure.map { [$0] } ?? []
        if let before, let after = try context.snapshot() { failures += AuditContext.differences(before, after) }
        // Leave pairing mode the only way the API has: one pairing. A throwaway pairs and is removed.
        let left = try finishPairingMode(context)
        return verdict(failures, pass: "a random authenticator and the right one wrong in its last byte refused with P_ERROR_BAD_AUTHENTICATOR; no authorization added" + (left.map { "; \($0)" } ?? ""))
    }

    /// Ends the pairing mode PA-03 opened: pairs a throwaway keypad (a throwaway app with the
    /// security PIN on a lock that pairs the Smart Lock Ultra way, which takes no keypad), then
    /// removes it as the admin. Returns a note when it had to leave the pairing mode on (an Ultra
    /// without `--security-pin`: the mode ends by its own timeout).
    static func finishPairingMode(_ context: AuditContext) throws -> String? {
        guard context.options.isPairingMode() == true else { return nil }
        let connection = try context.open()
        defer { connection.close() }
        let ultra = connection.peripheral.wireContext.ultraPairing
        if ultra, context.options.securityPIN == nil {
            return "pairing mode left on (ending it on a lock that pairs the Smart Lock Ultra way needs --security-pin)"
        }
        guard let credentials = try AuditPairing.pair(
            ultra ? .admin : .keypad, clientID: UInt32.random(in: 1...0xFFFF_FFF0), via: connection.peripheral, random: context.random,
            securityPIN: context.options.securityPIN) else { return nil }
        _ = try context.remove(authID: credentials.authID)
        return nil
    }

    // MARK: B4 Authorization

    /// Every admin command of AU-01, as a keypad or fob would send it (with the right security PIN
    /// when known, so that a lock that accepts it carries it out).
    static func adminCommands(_ context: AuditContext, role: AuditRole) -> [(String, (Bytes32) -> NukiMessage)] {
        let pin = context.options.securityPIN ?? .u16(0)
        let name = FixedName("latchkey-audit", width: FixedName.nameWidth)
        let codeName = FixedName("latchkey-audit", width: FixedName.shortNameWidth)
        let someTime = DateTime(year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0)
        var list: [(String, (Bytes32) -> NukiMessage)] = [
            ("Set Security PIN", { .setSecurityPIN(SetSecurityPIN(newPIN: pin, challenge: $0, securityPIN: pin)) }),
            ("Add Keypad Code", { .addKeypadCode(AddKeypadCode(code: 359_147, name: codeName, restriction: .unrestricted, challenge: $0, securityPIN: pin)) }),
            ("Update Keypad Code", { .updateKeypadCode(UpdateKeypadCode(codeID: 0xFFF0, code: 359_147, name: codeName, enabled: true, restriction: .unrestricted, challenge: $0, securityPIN: pin)) }),
            ("Remove Keypad Code", { .removeKeypadCode(RemoveKeypadCode(codeID: 0xFFF0, challenge: $0, securityPIN: pin)) }),
            ("Remove Authorization Entry", { .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: 0xFFFF_FFF0, challenge: $0, securityPIN: pin)) }),
            ("Update Authorization Entry", { .updateAuthorizationEntry(UpdateAuthorizationEntry(authID: 0xFFFF_FFF0, name: name, enabled: true, remoteAllowed: false, restriction: .unrestricted, challenge: $0, securityPIN: pin)) }),
            ("Authorization Data (Invite)", { .authorizationDataInvite(AuthorizationDataInvite(name: name, idType: .app, sharedKey: Bytes32([UInt8](repeating: 0x5A, count: 32)) ?? .zero, remoteAllowed: false, restriction: .unrestricted, challenge: $0, securityPIN: pin)) }),
            ("Update Time", { .updateTime(UpdateTime(time: someTime, challenge: $0, securityPIN: pin)) }),
            ("Enable Logging", { .enableLogging(EnableLogging(enabled: true, challenge: $0, securityPIN: pin)) }),
            ("Request Reboot", { .requestReboot(RequestReboot(challenge: $0, securityPIN: pin)) }),
            ("Request Calibration", { .requestCalibration(RequestCalibration(challenge: $0, securityPIN: pin)) }),
        ]
        if role == .keypad {
            list.append(("Lock Action (lock)", { .lockAction(LockActionRequest(action: .lock, appID: 0, challenge: $0)) }))
        }
        return list
    }

    /// The reads of admin data of AU-11.
    static func adminReads(_ context: AuditContext) -> [(String, Set<Command>, (Bytes32) -> NukiMessage)] {
        let pin = context.options.securityPIN ?? .u16(0)
        return [
            ("Request Config", [.config], { .requestConfig(RequestConfig(challenge: $0)) }),
            ("Request Advanced Config", [.advancedConfig], { .requestAdvancedConfig(RequestAdvancedConfig(challenge: $0)) }),
            ("Request Log Entries", [], { .requestLogEntries(RequestLogEntries(startIndex: 0, count: 10, descending: true, totalCount: true, challenge: $0, securityPIN: pin)) }),
            ("Request Authorization Entries", [], { .requestAuthorizationEntries(RequestAuthorizationEntries(offset: 0, count: 10, challenge: $0, securityPIN: pin)) }),
            ("Request Keypad Codes", [], { .requestKeypadCodes(RequestKeypadCodes(offset: 0, count: 10, challenge: $0, securityPIN: pin)) }),
            ("Request Time Control Entries", [], { .requestTimeControlEntries(RequestTimeControlEntries(challenge: $0, securityPIN: pin)) }),
        ]
    }

    /// Sends `commands` as each of `roles` it holds a credential of; each must be refused with 0x20.
    static func refusedToNonAdmins(_ context: AuditContext, _ commands: (AuditRole) -> [(String, Set<Command>, (Bytes32) -> NukiMessage)]) throws -> (failures: [String], cells: Int) {
        var failures: [String] = []
        var cells = 0
        for role in [AuditRole.keypad, .fob] {
            guard let credential = context.credentials[role] else { continue }
            for (name, finals, build) in commands(role) {
                cells += 1
                context.reconnect(role)
                let exchange = try context.request(as: credential, via: try context.connection(role), finals: finals, build)
                if let problem = unexpected(exchange, [.notAuthorized]) { failures.append("\(name) from the \(role.rawValue): \(problem)") }
            }
            context.reconnect(role)
        }
        return (failures, cells)
    }

    static let au01 = AuditCase("AU-01", "B4", "Every admin command from keypad and fob: 0x20 and nothing changes (CVE-2022-32507)", needs: [.anyCredential], seconds: 1) { context in
        guard context.credentials[.keypad] != nil || context.credentials[.fob] != nil else {
            return .skip("needs a keypad or fob credential (--pair, --keypad-state or --fob-state)")
        }
        let before = try context.snapshot()
        var (failures, cells) = try refusedToNonAdmins(context) { role in adminCommands(context, role: role).map { ($0.0, [], $0.1) } }
        if let before, let after = try context.snapshot() {
            let changed = AuditContext.differences(before, after)
            failures += changed.map { "changed: \($0)" }
            if !changed.isEmpty { try restore(context, to: before) }
        }
        let compared = before == nil ? " (state not compared: needs the admin and --security-pin)" : "; nothing changed"
        return verdict(failures, pass: "\(cells) command × ID-type cells refused with K_ERROR_NOT_AUTHORIZED\(compared)")
    }

    /// Best effort after a lock accepted admin commands from a non-admin: removes the keypad codes
    /// and authorizations that were not there before.
    static func restore(_ context: AuditContext, to before: AuditContext.Snapshot) throws {
        guard let pin = context.options.securityPIN, let after = try context.snapshot() else { return }
        let saved = context.exchanges
        defer { context.exchanges = saved }
        for codeID in after.codeIDs.subtracting(before.codeIDs) {
            _ = try context.admin { .removeKeypadCode(RemoveKeypadCode(codeID: codeID, challenge: $0, securityPIN: pin)) }
        }
        for authID in after.authIDs.subtracting(before.authIDs) { try context.remove(authID: authID) }
    }

    static let au11 = AuditCase("AU-11", "B4", "Keypad and fob read admin data (config, log, users, codes): 0x20", needs: [.anyCredential]) { context in
        guard context.credentials[.keypad] != nil || context.credentials[.fob] != nil else {
            return .skip("needs a keypad or fob credential (--pair, --keypad-state or --fob-state)")
        }
        let (failures, cells) = try refusedToNonAdmins(context) { _ in adminReads(context) }
        return verdict(failures, pass: "\(cells) reads refused with K_ERROR_NOT_AUTHORIZED")
    }

    /// Runs `body` with a throwaway keypad invited by the admin (removed afterwards).
    static func withThrowaway(_ context: AuditContext, restriction: TimeRestriction = .unrestricted, _ body: (ClientCredentials) throws -> AuditVerdict) throws -> AuditVerdict {
        guard let throwaway = try context.invite(.keypad, restriction: restriction) else {
            return .fail("the admin could not invite a throwaway keypad: \(context.exchanges.last?.outcome ?? "")")
        }
        defer { _ = try? context.remove(authID: throwaway.authID) }
        return try body(throwaway)
    }

    static let au02 = AuditCase("AU-02", "B4", "Revoked authorization: its live session is dropped and its commands refused (0x20/0x24)", needs: [.credential(.admin), .securityPIN, .twoConnections]) { context in
        try withThrowaway(context) { throwaway in
            let live = try context.open()
            defer { live.close() }
            let before = try context.send(context.seal(keyturnerStates, as: throwaway), via: live, finals: [.keyturnerStates])
            guard before.messages.contains(where: { $0.command == .keyturnerStates }) else { return .fail("the invited keypad could not read the state: \(before.outcome)") }
            guard let removal = try context.remove(authID: throwaway.authID), removal.messages.contains(.status(Status(.complete))) else {
                return .fail("the admin's Remove Authorization Entry was refused: \(context.exchanges.last?.outcome ?? "")")
            }
            var failures: [String] = []
            do {
                let after = try live.send(context.seal(keyturnerStates, as: throwaway), on: .keyturnerUSDIO, finals: [.keyturnerStates])
                context.exchanges.append(after)
                if after.messages.contains(where: { $0.command == .keyturnerStates }) { failures.append("the revoked keypad's live session still read the state") }
            } catch is TargetUnreachable {
                // The lock dropped the revoked session: what it must do.
            }
            try withFresh(context) { connection in
                let fresh = try context.send(context.seal(keyturnerStates, as: throwaway), via: connection, finals: [.keyturnerStates])
                if let problem = unexpected(fresh, [.notAuthorized, .invalidAuthID]) { failures.append("new session of the revoked keypad: \(problem)") }
            }
            return verdict(failures, pass: "live session dropped; a new one refused")
        }
    }

    static let au03 = AuditCase("AU-03", "B4", "Disabled (not deleted) authorization or keypad code: 0x25; a re-enabled code opens", needs: [.credential(.admin), .securityPIN]) { context in
        guard let pin = context.options.securityPIN else { return .skip("needs --security-pin") }
        let authorization = try withThrowaway(context) { throwaway in
            let update = try context.admin {
                .updateAuthorizationEntry(UpdateAuthorizationEntry(
                    authID: throwaway.authID, name: FixedName("latchkey-audit", width: FixedName.nameWidth), enabled: false, remoteAllowed: false,
                    restriction: .unrestricted, challenge: $0, securityPIN: pin))
            }
            guard update?.messages.contains(.status(Status(.complete))) == true else { return .fail("disabling was refused: \(update?.outcome ?? "")") }
            return try withFresh(context) { connection in
                let exchange = try context.send(context.seal(keyturnerStates, as: throwaway), via: connection, finals: [.keyturnerStates])
                return verdict(unexpected(exchange, [.disabled]).map { [$0] } ?? [], pass: "the disabled keypad was refused with K_ERROR_DISABLED")
            }
        }
        guard case .pass(let detail) = authorization else { return authorization }
        guard let keypad = context.credentials[.keypad] else {
            return .pass(detail + " (disabled keypad code not tried: needs a keypad credential)")
        }
        let code = try disabledCode(context, keypad: keypad, pin: pin)
        return verdict(code.map { [$0] } ?? [], pass: detail + "; a disabled keypad code was refused with K_ERROR_DISABLED and opened once enabled again")
    }

    /// The keypad-code half of AU-03: the admin adds a code (Add Keypad Code) and disables it
    /// (Update Keypad Code, enabled 0); typed at the keypad (Keypad Action, lock) it must be refused
    /// with K_ERROR_DISABLED (0x25). Enabled again, the same code must be accepted, so the refusal
    /// came from the flag. The code is removed afterwards. Nil when both hold, else what happened.
    static func disabledCode(_ context: AuditContext, keypad: ClientCredentials, pin: SecurityPIN) throws -> String? {
        let code: UInt32 = 473_829
        let name = FixedName("latchkey-audit", width: FixedName.shortNameWidth)
        guard let added = try context.admin(finals: [.keypadCodeID], {
            .addKeypadCode(AddKeypadCode(code: code, name: name, restriction: .unrestricted, challenge: $0, securityPIN: pin))
        }) else { return "the admin could not add a keypad code" }
        var codeID: UInt16?
        for case .keypadCodeID(let id) in added.messages { codeID = id.codeID }
        guard let codeID else { return "the admin could not add a keypad code: \(added.outcome)" }
        defer { _ = try? context.admin { .removeKeypadCode(RemoveKeypadCode(codeID: codeID, challenge: $0, securityPIN: pin)) } }
        func set(enabled: Bool) throws -> Bool {
            let update = try context.admin {
                .updateKeypadCode(UpdateKeypadCode(codeID: codeID, code: code, name: name, enabled: enabled, restriction: .unrestricted, challenge: $0, securityPIN: pin))
            }
            return update?.messages.contains(.status(Status(.complete))) == true
        }
        func type() throws -> Exchange {
            try context.request(as: keypad, via: try context.connection(.keypad)) {
                .keypadAction(KeypadActionRequest(source: .code, code: code, action: .lock, challenge: $0))
            }
        }
        guard try set(enabled: false) else { return "disabling the keypad code was refused: \(context.exchanges.last?.outcome ?? "")" }
        if let problem = unexpected(try type(), [.disabled]) { return "the disabled keypad code: \(problem)" }
        guard try set(enabled: true) else { return "enabling the keypad code again was refused: \(context.exchanges.last?.outcome ?? "")" }
        // A motor still running from an earlier case answers K_ERROR_BUSY: wait for it (up to 10 s).
        var enabled = try type()
        for _ in 0..<40 where enabled.errorCode == .busy {
            usleepMilliseconds(250)
            enabled = try type()
        }
        guard enabled.errorCode == nil, enabled.messages.contains(where: { $0.command == .status }) else {
            return "the keypad code enabled again did not open: \(enabled.outcome)"
        }
        return nil
    }

    static let au04 = AuditCase("AU-04", "B4", "Authorization outside its date window: 0x27", needs: [.credential(.admin), .securityPIN]) { context in
        let past = TimeRestriction(
            timeLimited: true, allowedFrom: DateTime(year: 2001, month: 1, day: 1, hour: 0, minute: 0, second: 0),
            allowedUntil: DateTime(year: 2001, month: 1, day: 2, hour: 0, minute: 0, second: 0), allowedWeekdays: [],
            allowedFromTime: .midnight, allowedUntilTime: .midnight)
        return try withThrowaway(context, restriction: past) { throwaway in
            try withFresh(context) { connection in
                let exchange = try context.send(context.seal(keyturnerStates, as: throwaway), via: connection, finals: [.keyturnerStates])
                return verdict(unexpected(exchange, [.timeNotAllowed]).map { [$0] } ?? [], pass: "a keypad allowed only on 2001-01-01 was refused with K_ERROR_TIME_NOT_ALLOWED")
            }
        }
    }

    // MARK: B9 State machine

    static let s01 = AuditCase("S-01", "B9", "Lock Action from an unpaired client (unknown auth id, or plain on the pairing GDIO): refused") { context in
        var failures: [String] = []
        try withFresh(context) { connection in
            let stranger = try SharedKey(rawBytes: context.random.bytes(count: 32))
            let frame = (try? EncryptedMessageCodec.seal(
                authID: 0x7FFF_FFF0, command: .lockAction,
                payload: NukiMessage.lockAction(LockActionRequest(action: .unlock, appID: 1, challenge: context.random.bytes32())).encodedPayload(),
                key: stranger, random: context.random)) ?? []
            let exchange = try context.send(frame, via: connection)
            if let problem = unexpected(exchange, [.notAuthorized], silenceOK: true) { failures.append("unknown auth id: \(problem)") }
            let plain = PlainFrame(LockActionRequest(action: .unlock, appID: 1, challenge: context.random.bytes32())).encoded()
            let onPairing = try context.send(plain, on: .pairingGDIO, via: connection)
            if onPairing.errorCode == nil, onPairing.answered { failures.append("plain Lock Action on the pairing GDIO: \(onPairing.outcome)") }
        }
        return verdict(failures, pass: "both refused")
    }

    static let s03 = AuditCase("S-03", "B9", "Lock Action with no challenge issued, a stale one, or one wrong in its last byte: 0x22", needs: [.credential(.admin)]) { context in
        guard let admin = context.credentials[.admin] else { return .skip("needs the admin credential") }
        var failures: [String] = []
        try withFresh(context) { connection in
            let none = try HostileClient.staleChallenge(
                { .lockAction(LockActionRequest(action: .lock, appID: admin.authID, challenge: $0)) }, credentials: admin, random: context.random)
            let exchange = try context.send(none, via: connection)
            if let problem = unexpected(exchange, [.badNonce]) { failures.append("no challenge issued: \(problem)") }
        }
        try withFresh(context) { connection in
            guard let stale = try context.challenge(as: admin, via: connection), try context.challenge(as: admin, via: connection) != nil else {
                failures.append("no challenge issued")
                return
            }
            let exchange = try context.send(context.seal(.lockAction(LockActionRequest(action: .lock, appID: admin.authID, challenge: stale)), as: admin), via: connection)
            if let problem = unexpected(exchange, [.badNonce]) { failures.append("stale challenge: \(problem)") }
        }
        try withFresh(context) { connection in
            guard let issued = try context.challenge(as: admin, via: connection) else {
                failures.append("no challenge issued")
                return
            }
            // The issued challenge wrong in its last byte only: a compare of the first bytes accepts it.
            var bytes = issued.bytes
            bytes[31] ^= 0x01
            let late = Bytes32(bytes) ?? .zero
            let exchange = try context.send(context.seal(.lockAction(LockActionRequest(action: .lock, appID: admin.authID, challenge: late)), as: admin), via: connection)
            if let problem = unexpected(exchange, [.badNonce]) { failures.append("challenge wrong in its last byte: \(problem)") }
        }
        return verdict(failures, pass: "none issued, stale, and wrong in its last byte: each refused with K_ERROR_BAD_NONCE")
    }

    // MARK: B5 PIN and keypad lockout

    static let lockoutCodes: Set<NukiErrorCode> = [.codeInvalidTimeout1, .codeInvalidTimeout2, .codeInvalidTimeout3]

    static let pin02 = AuditCase("PIN-02", "B5", "Wrong keypad codes lock the keypad out, the right code is refused during the lockout", needs: [.credential(.keypad)], seconds: 1) { context in
        guard let keypad = context.credentials[.keypad] else { return .skip("needs a keypad credential") }
        // A known right code, added by the admin when it can (removed afterwards).
        var rightCode: UInt32?
        var addedCodeID: UInt16?
        if let pin = context.options.securityPIN,
           let added = try context.admin(finals: [.keypadCodeID], {
               .addKeypadCode(AddKeypadCode(code: 467_389, name: FixedName("latchkey-audit", width: FixedName.shortNameWidth), restriction: .unrestricted, challenge: $0, securityPIN: pin))
           }) {
            for case .keypadCodeID(let id) in added.messages {
                rightCode = 467_389
                addedCodeID = id.codeID
            }
        }
        defer {
            if let id = addedCodeID, let pin = context.options.securityPIN {
                _ = try? context.admin { .removeKeypadCode(RemoveKeypadCode(codeID: id, challenge: $0, securityPIN: pin)) }
            }
        }
        var locked: NukiErrorCode?
        var attempts = 0
        var wrong: [String] = []
        while locked == nil, attempts < 6 {
            attempts += 1
            let code = UInt32(truncatingIfNeeded: 311_111 + attempts * 1_111)
            let exchange = try context.request(as: keypad, via: try context.connection(.keypad)) {
                .keypadAction(KeypadActionRequest(source: .code, code: code, action: .lock, challenge: $0))
            }
            if let error = exchange.errorCode, lockoutCodes.contains(error) { locked = error } else { wrong.append(exchange.outcome) }
        }
        guard let locked else {
            return .fail("\(attempts) wrong codes in a row and no lockout (K_ERROR_CODE_INVALID_TIMEOUT_1…3): \(wrong.joined(separator: ", "))")
        }
        guard attempts <= 5 else { return .fail("the lockout came only after \(attempts) wrong codes (at most 5 allowed)") }
        if let rightCode {
            let exchange = try context.request(as: keypad, via: try context.connection(.keypad)) {
                .keypadAction(KeypadActionRequest(source: .code, code: rightCode, action: .lock, challenge: $0))
            }
            guard let error = exchange.errorCode, lockoutCodes.contains(error) else {
                return .fail("the right code was not refused during the lockout: \(exchange.outcome)")
            }
        }
        let right = rightCode == nil ? " (right code not tried: needs the admin and --security-pin)" : "; the right code refused too"
        return .pass("locked out after \(attempts) wrong codes with \(locked)\(right); the keypad stays locked out for the tier's time (30 s for the first), its failure count kept until a right code")
    }

    static let pin07 = AuditCase("PIN-07", "B5", "Security PIN brute force (the first wrong PIN off in its last byte only): 0x21, then 0x28 lockout (also for the right PIN)", needs: [.credential(.admin), .securityPIN], seconds: 1) { context in
        guard let pin = context.options.securityPIN else { return .skip("needs --security-pin") }
        let wrongPIN: SecurityPIN = switch pin {
        case .u16(let v): .u16(v == 0 ? 1 : v - 1)
        case .u32(let v): .u32(v == 0 ? 1 : v - 1)
        }
        // The first wrong PIN differs from the right one in its last byte only (u16/u32 LE on the wire).
        let lateByteWrong: SecurityPIN = switch pin {
        case .u16(let v): .u16(v ^ 0x0100)
        case .u32(let v): .u32(v ^ 0x0100_0000)
        }
        var outcomes: [String] = []
        var lockedAfter: Int?
        for attempt in 1...6 where lockedAfter == nil {
            let wrong = attempt == 1 ? lateByteWrong : wrongPIN
            let exchange = try context.admin { .verifySecurityPIN(VerifySecurityPIN(challenge: $0, securityPIN: wrong)) }
            guard let exchange else { return .skip("needs the admin credential") }
            outcomes.append(exchange.outcome)
            if exchange.errorCode == .tooManyPINAttempts { lockedAfter = attempt - 1 }
            else if let problem = unexpected(exchange, [.badPIN]) { return .fail("wrong PIN attempt \(attempt): \(problem)") }
        }
        guard let lockedAfter else { return .fail("6 wrong security PINs in a row and no K_ERROR_TOO_MANY_PIN_ATTEMPTS") }
        let right = try context.admin { .verifySecurityPIN(VerifySecurityPIN(challenge: $0, securityPIN: pin)) }
        guard right?.errorCode == .tooManyPINAttempts else { return .fail("the right PIN was not refused during the lockout: \(right?.outcome ?? "")") }
        return .pass("locked after \(lockedAfter) wrong PINs (K_ERROR_TOO_MANY_PIN_ATTEMPTS), the right PIN refused too; the PIN stays locked for 30 s")
    }
}

func usleepMilliseconds(_ ms: Int) { Thread.sleep(forTimeInterval: Double(ms) / 1000) }
