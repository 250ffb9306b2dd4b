import Foundation
import LockAudit
import LockCore
import LockCrypto
import LockSession
import LockWire

/// The scripted operations of a campaign (``LiveOperation``): checks random inputs cannot reach
/// without blinding the fuzzer's own oracles, each judged by what a lock must do.
///
/// Oracles (findings, named by these ids):
/// - `wrong-pin-accepted`: a PIN burst's wrong security PIN (the first wrong only in its last byte)
///   was accepted; `pin-lockout-missing`: after ``PINLockoutModel/attempts`` wrong PINs in a row
///   the right PIN was accepted instead of refused with K_ERROR_TOO_MANY_PIN_ATTEMPTS (0x28);
///   `pin-refusal-unexpected`: a burst's PIN was refused with another code than K_ERROR_BAD_PIN
///   (wrong PINs) or K_ERROR_TOO_MANY_PIN_ATTEMPTS (the right one during the lockout).
/// - `disabled-code-accepted`: the keypad's Keypad Action with the keypad code the admin disabled
///   was accepted.
/// - `wrong-authenticator-accepted`: in a pairing, an Authorization Authenticator equal to the right
///   one but in its last byte was answered other than by an Error Report;
///   `authenticator-refusal-unexpected`: it was refused with another code than
///   P_ERROR_BAD_AUTHENTICATOR (0x11).
///
/// The PIN burst keeps the admin's oracle honest by its model of the lockout: while a lockout is
/// expected (from the burst's refusal of the right PIN for ``PINLockoutModel/duration``), the
/// admin's reads that need the PIN (authorizations, keypad codes) are left out of the comparison
/// and the operations that need the PIN wait; once it should have ended, the admin sends the right
/// PIN (accepted: the lock's count starts over, so the next burst meets the first lockout tier
/// again; still refused: asked again a second later). The campaign's clean-up waits for it.
extension LiveFuzzer {
    /// Whether the campaign can run `operation`: the security PIN for all, a keypad and the
    /// disabled code for the code operations, a way to pairing mode for the pairing.
    func canRun(_ operation: LiveOperation) -> Bool {
        guard options.securityPIN != nil, credentials[.admin] != nil else { return false }
        switch operation {
        case .pinBurst: return true
        case .disabledCode, .codeCycle: return disabledCode != nil
        case .pairingAuthenticator: return target.pressButton != nil || target.isPairingMode() == true
        }
    }

    /// Sends a scripted operation and judges it. Throws ``LinkLost``.
    func execute(_ operation: LiveOperation, _ input: LiveInput) throws {
        operationCounts[operation.rawValue, default: 0] += 1
        switch operation {
        case .pinBurst: try pinBurst()
        case .disabledCode: try typeDisabledCode()
        case .codeCycle: try cycleCode()
        case .pairingAuthenticator: try pairWithLateAuthenticator()
        }
    }

    // MARK: Security PIN

    /// The right PIN wrong only in its last byte on the wire (u16 or u32, little-endian).
    static func lateByteWrong(_ pin: SecurityPIN) -> SecurityPIN {
        switch pin {
        case .u16(let v): return .u16(v ^ 0x0100)
        case .u32(let v): return .u32(v ^ 0x0100_0000)
        }
    }

    /// A PIN wrong in its first byte.
    static func wrong(_ pin: SecurityPIN) -> SecurityPIN {
        switch pin {
        case .u16(let v): return .u16(v ^ 0x0001)
        case .u32(let v): return .u32(v ^ 0x0000_0001)
        }
    }

    func verifyPIN(_ pin: SecurityPIN, summary: String) throws -> FuzzExchange {
        let exchange = try admin(summary: summary) { .verifySecurityPIN(VerifySecurityPIN(challenge: $0, securityPIN: pin)) }
        let outcome = exchange.replies.first?.summary ?? "none"
        cells.insert("operation pin-burst: \(summary.prefix(while: { $0 != "(" })) → \(outcome)")
        return exchange
    }

    /// ``LiveOperation/pinBurst``; skipped while a lockout is expected.
    func pinBurst() throws {
        guard let pin = options.securityPIN, pinLockedUntil == nil else { return }
        let attempts = max(1, options.pinLockout.attempts)
        for n in 1...attempts {
            let wrongPIN = n == 1 ? Self.lateByteWrong(pin) : Self.wrong(pin)
            let which = n == 1 ? "the right PIN wrong only in its last byte" : "a wrong PIN"
            let exchange = try verifyPIN(wrongPIN, summary: "VERIFY_SECURITY_PIN (burst \(n) of \(attempts): \(which))")
            switch exchange.errorCode {
            case .badPIN?:
                continue
            case .tooManyPINAttempts?:
                // Locked out already (wrong PINs from elsewhere): nothing to judge; wait for its end.
                pinLockedUntil = .now + options.pinLockout.duration
                return
            case let code?:
                finding("pin-refusal-unexpected", "Verify Security PIN with \(which) (wrong PIN \(n) in a row) was refused with \(code), not K_ERROR_BAD_PIN (0x21)")
                return
            case nil:
                if let accepted = exchange.acceptance {
                    finding("wrong-pin-accepted", "Verify Security PIN with \(which) (wrong PIN \(n) in a row) was answered with \(accepted.summary); a wrong security PIN must be refused with K_ERROR_BAD_PIN (0x21) (PIN-07)")
                }
                return
            }
        }
        let lockedAt = ContinuousClock.now
        let right = try verifyPIN(pin, summary: "VERIFY_SECURITY_PIN (the right PIN after \(attempts) wrong ones)")
        switch right.errorCode {
        case .tooManyPINAttempts?:
            pinLockedUntil = lockedAt + options.pinLockout.duration
        case let code?:
            finding("pin-refusal-unexpected", "the right security PIN after \(attempts) wrong ones was refused with \(code), not K_ERROR_TOO_MANY_PIN_ATTEMPTS (0x28)")
        case nil:
            if let accepted = right.acceptance {
                finding("pin-lockout-missing", "after \(attempts) wrong security PINs in a row (each K_ERROR_BAD_PIN) the right PIN was answered with \(accepted.summary); it must be refused with K_ERROR_TOO_MANY_PIN_ATTEMPTS (0x28) until the lockout ends (PIN-07)")
            }
        }
    }

    /// Once the expected lockout is over, the admin sends the right PIN: accepted, the lockout is
    /// over (and the lock's count of wrong PINs starts over); refused, asked again a second later.
    func endPINLockoutIfDue() throws {
        guard let until = pinLockedUntil, ContinuousClock.now >= until, let pin = options.securityPIN else { return }
        let exchange = try verifyPIN(pin, summary: "VERIFY_SECURITY_PIN (the right PIN after the expected lockout)")
        if exchange.acceptance != nil, exchange.errorCode == nil {
            pinLockedUntil = nil
        } else {
            pinLockedUntil = .now + .seconds(1)
        }
    }

    /// Before the clean-up (which needs the PIN): waits for an expected lockout to end, at most
    /// four times the model's duration.
    func waitForPINLockout() {
        guard let first = pinLockedUntil else { return }
        let waitStarted = ContinuousClock.now
        let deadline = waitStarted + options.pinLockout.duration * 4 + .seconds(2)
        while let until = pinLockedUntil, ContinuousClock.now < deadline {
            let left = until - ContinuousClock.now
            if left > .zero { Thread.sleep(forTimeInterval: Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18) }
            do { try endPINLockoutIfDue() } catch { break }
        }
        let waited = ContinuousClock.now - waitStarted
        if pinLockedUntil == nil {
            notes.append("waited \(waited.components.seconds) s for the PIN lockout of the last PIN burst to end before the clean-up")
        } else {
            notes.append("the PIN lockout of the last PIN burst (expected until \(first)) had not ended after \(waited.components.seconds) s: the throwaway credentials and code may be left on the lock")
        }
    }

    // MARK: Keypad codes

    /// Adds the campaign's keypad code (six random digits 3–9 first, 1–9 then) as the admin and
    /// disables it. A note (and no code operations) when the lock refuses.
    func prepareDisabledCode() throws {
        guard options.securityPIN != nil, credentials[.keypad] != nil else { return }
        let digits = nonces.bytes(count: 6).enumerated().map { UInt32($0.offset == 0 ? 3 + $0.element % 7 : 1 + $0.element % 9) }
        let code = digits.reduce(0) { $0 * 10 + $1 }
        guard let pin = options.securityPIN else { return }
        let added = try admin(finals: [.keypadCodeID], summary: "ADD_KEYPAD_CODE (the campaign's code)") {
            .addKeypadCode(AddKeypadCode(code: code, name: Self.codeName, restriction: .unrestricted, challenge: $0, securityPIN: pin))
        }
        guard case .keypadCodeID(let id)? = added.messages.first(where: { $0.command == .keypadCodeID }) else {
            notes.append("the admin could not add the keypad code of the disabled-code operation: \(added.replies.map(\.summary).joined(separator: ", "))")
            return
        }
        disabledCode = (id.codeID, code)
        guard try setCode(enabled: false) else {
            notes.append("the admin could not disable the campaign's keypad code: no disabled-code operation")
            removeCode()
            return
        }
    }

    static let codeName = FixedName("latchkey-fuzz", width: FixedName.shortNameWidth)

    /// Update Keypad Code of the campaign's code as the admin; true when COMPLETE.
    func setCode(enabled: Bool) throws -> Bool {
        guard let (id, code) = disabledCode, let pin = options.securityPIN else { return false }
        let update = try admin(summary: "UPDATE_KEYPAD_CODE (the campaign's code, \(enabled ? "enabled" : "disabled"))") {
            .updateKeypadCode(UpdateKeypadCode(codeID: id, code: code, name: Self.codeName, enabled: enabled, restriction: .unrestricted, challenge: $0, securityPIN: pin))
        }
        let done = update.messages.contains(.status(Status(.complete)))
        codeDisabled = done ? !enabled : codeDisabled
        return done
    }

    /// Removes the campaign's keypad code (clean-up).
    func removeCode() {
        guard let (id, _) = disabledCode, let pin = options.securityPIN else { return }
        _ = try? admin(summary: "REMOVE_KEYPAD_CODE (the campaign's code, clean-up)") {
            .removeKeypadCode(RemoveKeypadCode(codeID: id, challenge: $0, securityPIN: pin))
        }
        disabledCode = nil
    }

    /// Keypad Action (source code, lock) of `code` as the keypad, with a fresh challenge; while the
    /// lock answers K_ERROR_BUSY (a motor run an input started), typed again every 100 ms for up to
    /// 10 s.
    func typeCode(_ code: UInt32, summary: String) throws -> FuzzExchange? {
        guard let keypad = credentials[.keypad], !challengeRefused.contains(.keypad) else { return nil }
        var exchange = FuzzExchange()
        let deadline = ContinuousClock.now + .seconds(10)
        repeat {
            if exchange.errorCode == .busy { Thread.sleep(forTimeInterval: 0.1) }
            let connection = try connection(FuzzRole.keypad.rawValue)
            guard let nonce = try challenge(.keypad, via: connection) else { return nil }
            exchange = try connection.send(
                seal(.keypadAction(KeypadActionRequest(source: .code, code: code, action: .lock, challenge: nonce)), as: keypad), on: .keyturnerUSDIO,
                command: .keypadAction, finals: [], timeout: options.replyTimeout, summary: summary)
            judgeProtocol(exchange, sender: keypad.authID)
        } while exchange.errorCode == .busy && ContinuousClock.now < deadline
        if let accepted = exchange.acceptance, case .status? = accepted.message {
            lastAcceptedMove = .now
            // A right code ends the lock's count of wrong codes.
            consecutiveCodeInvalid = 0
            streaks["keypad"] = nil
        }
        return exchange
    }

    /// ``LiveOperation/disabledCode``.
    func typeDisabledCode() throws {
        guard let (id, code) = disabledCode, codeDisabled else { return }
        guard let exchange = try typeCode(code, summary: "KEYPAD_ACTION as keypad (the disabled keypad code \(id))") else { return }
        cells.insert("operation disabled-code → " + (exchange.replies.first?.summary ?? "none"))
        if let accepted = exchange.acceptance {
            finding("disabled-code-accepted", "Keypad Action with keypad code \(id), which the admin disabled (Update Keypad Code, enabled 0), was answered with \(accepted.summary); a disabled code must be refused (K_ERROR_DISABLED 0x25, AU-03)")
        }
    }

    /// ``LiveOperation/codeCycle``: enabled, typed, disabled again; the admin's comparison is taken
    /// again after it. Waits while a PIN lockout is expected.
    func cycleCode() throws {
        guard disabledCode != nil, pinLockedUntil == nil else { return }
        if try setCode(enabled: true), let (id, code) = disabledCode {
            let typed = try typeCode(code, summary: "KEYPAD_ACTION as keypad (keypad code \(id), enabled again)")
            cells.insert("operation code-cycle → " + (typed?.replies.first?.summary ?? "none"))
        }
        if !(try setCode(enabled: false)) { notes.append("the admin could not disable the campaign's keypad code again: no disabled-code operation until it can") }
        if codeDisabled == false { _ = try setCode(enabled: false) }
        baseline = try adminSnapshot()
    }

    // MARK: Pairing

    /// ``LiveOperation/pairingAuthenticator``. Needs the PIN (the throwaway keypad that ends pairing
    /// mode is removed with it): waits while a PIN lockout is expected.
    func pairWithLateAuthenticator() throws {
        guard options.securityPIN != nil, pinLockedUntil == nil else { return }
        if target.isPairingMode() != true {
            guard let press = target.pressButton else { return }
            do { try press() } catch {
                notes.append("the button could not be pressed for the pairing operation: \(error)")
                return
            }
            guard target.isPairingMode() == true else {
                notes.append("the target did not enter pairing mode after the button press")
                return
            }
        }
        defer {
            finishPairingMode()
            if let states = try? readStates() { judgeStates(states) }
            baseline = try? adminSnapshot()
        }
        let connection = try connection("pairing")
        defer { connections.removeValue(forKey: "pairing")?.close() }
        func send(_ frame: [UInt8], finals: Set<Command>, _ summary: String) throws -> FuzzExchange {
            let exchange = try connection.send(frame, on: .pairingGDIO, finals: finals, timeout: options.replyTimeout, summary: summary)
            judgeProtocol(exchange, sender: nil)
            return exchange
        }
        let keys = try KeyPair(using: nonces)
        let first = try send(PlainFrame(RequestData(requestedCommand: .publicKey)).encoded(), finals: [.publicKey], "REQUEST_DATA(PUBLIC_KEY) (pairing)")
        var lockKey: Bytes32?
        for case .publicKey(let key) in first.messages { lockKey = key.key }
        guard let lockKey else { return }
        let second = try send(PlainFrame(PublicKey(key: keys.publicKey)).encoded(), finals: [.challenge], "PUBLIC_KEY (pairing)")
        var nonce: Bytes32?
        for case .challenge(let challenge) in second.messages { nonce = challenge.nonce }
        guard let nonce else { return }
        let shared = try SharedKey(ownKeyPair: keys, peerPublicKey: lockKey)
        defer { shared.wipe() }
        var bytes = PairingAuthenticator.authorizationAuthenticator(key: shared, clientPublicKey: keys.publicKey, lockPublicKey: lockKey, challenge: nonce).bytes
        bytes[bytes.count - 1] ^= 0x01
        let late = try send(
            PlainFrame(AuthorizationAuthenticator(authenticator: Bytes32(bytes) ?? .zero)).encoded(), finals: [.challenge],
            "AUTHORIZATION_AUTHENTICATOR (right but in its last byte)")
        cells.insert("operation pairing-authenticator → " + (late.replies.first?.summary ?? "none"))
        switch late.errorCode {
        case .badAuthenticator?: break
        case let code?:
            finding("authenticator-refusal-unexpected", "an Authorization Authenticator right but in its last byte was refused with \(code), not P_ERROR_BAD_AUTHENTICATOR (0x11)")
        case nil:
            if let accepted = late.acceptance {
                finding("wrong-authenticator-accepted", "an Authorization Authenticator right but in its last byte was answered with \(accepted.summary); it must be refused with P_ERROR_BAD_AUTHENTICATOR (0x11) (PA-03)")
            }
        }
    }

    /// Ends pairing mode the only way the API has, one pairing: a throwaway keypad (on a lock that
    /// pairs the Smart Lock Ultra way, a throwaway app with the security PIN) pairs on a link of its
    /// own and the admin removes it. A note when it cannot.
    func finishPairingMode() {
        guard target.isPairingMode() != false, let pin = options.securityPIN else { return }
        if target.oneLinkAtATime { closeAll() }
        do {
            let client = try target.connect()
            let role: AuditRole = client.wireContext.ultraPairing ? .admin : .keypad
            let paired = try? AuditPairing.pair(
                role, clientID: 1 + nonces.bytes(count: 4).reduce(0) { $0 << 8 | UInt32($1) } % 0xFFFF_FFF0, via: client, random: nonces,
                securityPIN: pin)
            client.close()
            guard let paired else {
                notes.append("the pairing operation could not end pairing mode (a throwaway \(role == .admin ? "app" : "keypad") did not pair)")
                return
            }
            _ = try admin(summary: "REMOVE_AUTHORIZATION_ENTRY (the pairing operation's keypad)") {
                .removeAuthorizationEntry(RemoveAuthorizationEntry(authID: paired.authID, challenge: $0, securityPIN: pin))
            }
        } catch {
            notes.append("the pairing operation could not end pairing mode: \(error)")
        }
    }
}
