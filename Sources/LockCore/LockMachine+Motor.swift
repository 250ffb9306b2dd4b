import LockWire

extension LockMachine {
    // MARK: Requests that move the motor

    /// Starts a Lock Action (0x000D), Simple Lock Action (0x0100) or keypad action: ACCEPTED now,
    /// then one Keyturner States per motor step and COMPLETE from ``advance(to:)``.
    ///
    /// Fob actions 0x81–0x83 follow Config fob action 1–3 (none → COMPLETE at once, unlock, lock,
    /// lock'n'go, intelligent); Config "auto unlatch" turns every unlocking case into its unlatching
    /// form (unlock → unlatch, lock'n'go → lock'n'go with unlatch). Errors: K_ERROR_BUSY while the
    /// motor runs, K_ERROR_NOT_CALIBRATED while a ``MotorFault`` lasts, the auto unlock refusals of ``checkAutoUnlock(_:by:at:)``,
    /// K_ERROR_MOTOR_LOW_VOLTAGE with an empty battery. `nameSuffix` (Lock Action and Simple Lock
    /// Action's optional 20 bytes) names the log entry with ``logName(_:suffix:)``.
    /// Source: Nuki BLE API 2.1 §"Lock Action", `docs/wire.md` §4.1 and §5.3.
    mutating func startLockAction(
        _ requested: LockAction, flags: LockActionFlags, by auth: Authorization, command: Command, at now: LockInstant,
        logAs logKind: Motion.LogKind? = nil, nameSuffix: FixedName? = nil
    ) throws(LockError) -> [LockOutput] {
        guard motion == nil else { throw LockError(.busy, "a lock action is already running") }
        if let motorFault {
            throw LockError(.notCalibrated, "the lock must be calibrated first (\(motorFault.rawValue))")
        }
        if flags.contains(.autoUnlock) { try checkAutoUnlock(requested, by: auth, at: now) }
        var action = requested
        if (0x81...0x83).contains(requested.rawValue) {
            switch settings.fobAction(for: requested) {
            case .unlock: action = .unlock
            case .lock: action = .lock
            case .lockNGo: action = .lockNGo
            case .intelligent: action = lockState == .locked ? .unlock : .lock
            default:
                // No action configured: nothing moves, the request completes at once.
                return [.reply(authID: auth.authID, .status(Status(.complete)))]
            }
        }
        if settings.autoUnlatch {
            if action == .unlock { action = .unlatch }
            if action == .lockNGo { action = .lockNGoWithUnlatch }
        }
        guard batteryMilliPercent > 0 else { throw LockError(.motorLowVoltage, "the battery is empty") }
        if let index = authorizations.firstIndex(where: { $0.authID == auth.authID }) {
            authorizations[index].lockCount &+= 1
            authorizations[index].dateLastActive = lockTime(at: now)?.utcDateTime ?? .unset
        }
        var outputs: [LockOutput] = [.reply(authID: auth.authID, .status(Status(.accepted)))]
        outputs += beginMotion(
            action, trigger: .system, requester: auth.authID, command: command,
            logKind: logKind ?? .lockAction(flags: flags.rawValue), at: now)
        if let nameSuffix { motion?.logName = Self.logName(auth.name, suffix: nameSuffix) }
        if model.motorStepMilliseconds == 0 { outputs += advance(to: now) }
        return outputs
    }

    /// The name of a log entry for a Lock Action with a name suffix: the authorization's name
    /// followed directly by the suffix's text (no separator: the client sends its own, e.g. " (Ann)"),
    /// cut to the log name's 32 bytes at a UTF-8 scalar boundary and NUL-padded. The suffix's text
    /// ends at its first NUL (NukiBleEsp32 NUL-terminates within 20 bytes; pyNukiBT pads with NULs);
    /// bytes that are not UTF-8 become U+FFFD, so the stored name stays well-formed (P-08). An empty
    /// suffix leaves the name as it is.
    /// Source: Nuki BLE API 2.1 §"Lock Action" (name suffix, appended to the name in the log),
    /// `docs/wire.md` §5.3; the separator and the cut are not in the record (README "Behaviour").
    static func logName(_ name: FixedName, suffix: FixedName) -> FixedName {
        FixedName(name.text + suffix.text, width: FixedName.nameWidth)
    }

    /// The auto unlock policy (Lock Action flag bit 0, "AU": the app's geofence asks to unlock).
    ///
    /// - AU only qualifies unlock (0x01) and unlatch (0x03); with another action it is
    ///   K_ERROR_BAD_PARAMETER.
    /// - Advanced Config "auto unlock disabled": K_ERROR_REJECTED (0x4E); nightmode active with
    ///   "nightmode auto unlock disabled": K_ERROR_REJECTED_NIGHTMODE (0x4F).
    /// - Within ``autoUnlockCoolDownMilliseconds`` (5 min) of the end of the last lock action of
    ///   any kind, manual turns included: K_ERROR_AUTO_UNLOCK_TOO_RECENT (0x40). This stops a
    ///   geofence that bounces at the door from undoing a lock just made.
    /// - Being connected, or near, is never enough: the lock has no path that unlocks on
    ///   connection or proximity. AU is honoured only on a Lock Action that passed every other check
    ///   (known auth id, allowed ID type, enabled, remote access for bridges, time window, a fresh
    ///   challenge consumed by the session), so it only ever narrows what the sender may do.
    /// Source: Nuki BLE API 2.1 §"Lock Action" (flags), §"Error codes"; `docs/wire.md` §5.3 and §9.
    func checkAutoUnlock(_ action: LockAction, by auth: Authorization, at now: LockInstant) throws(LockError) {
        guard action == .unlock || action == .unlatch else {
            throw LockError(.badParameter, "the auto unlock flag only goes with unlock or unlatch, not \(action)")
        }
        guard !advancedSettings.autoUnlockDisabled else { throw LockError(.rejected, "auto unlock is disabled") }
        if advancedSettings.nightmodeAutoUnlockDisabled, isNightmodeActive(at: now) {
            throw LockError(.rejectedNightmode, "auto unlock is disabled during nightmode")
        }
        if let last = lastLockActionAt, now.milliseconds(since: last) < LockMachine.autoUnlockCoolDownMilliseconds {
            throw LockError(.autoUnlockTooRecent, "a lock action ended \(now.milliseconds(since: last)) ms ago")
        }
    }

    /// Whether Advanced Config nightmode is on and the lock's local time is inside its window
    /// (start inclusive, end exclusive, crossing midnight when end < start). False while the clock is unset.
    public func isNightmodeActive(at now: LockInstant) -> Bool {
        guard advancedSettings.nightmodeEnabled, let lockNow = lockTime(at: now) else { return false }
        let local = lockNow.adding(milliseconds: Int64(localOffsetMinutes(at: now)) * 60_000)
        let minute = Int(local.millisecondsSince1970.dividedFlooring(by: 86_400_000).remainder / 60_000)
        let start = advancedSettings.nightmodeStartTime.minutesSinceMidnight
        let end = advancedSettings.nightmodeEndTime.minutesSinceMidnight
        if start == end { return true }
        return start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
    }

    /// Keypad Action (0x0048): the back key locks; a typed code is matched in constant time against
    /// every stored code, refused during a lockout (also when right), and a wrong one counts toward
    /// the lockout tiers of ``KeypadLockout`` and is logged with completion status 0xE0.
    /// `lockout` false (``Weakness/noKeypadLockout``) neither checks nor counts toward the lockout;
    /// `disabledCodes` false (``Weakness/disabledCodeIgnored``) lets a disabled code open.
    mutating func keypadAction(
        _ request: KeypadActionRequest, nfc: NFCVerification?, by auth: Authorization, at now: LockInstant, lockout: Bool = true,
        disabledCodes: Bool = true
    ) throws(LockError) -> [LockOutput] {
        let time = lockTime(at: now)?.utcDateTime ?? .unset
        switch request.source {
        case .backKey:
            return try startLockAction(.lock, flags: [], by: auth, command: .keypadAction, at: now, logAs: .keypad(source: .backKey, codeID: 0))
        case .code:
            break
        case .nfc:
            return try nfcKeypadAction(request, verification: nfc, by: auth, at: now)
        default:
            throw LockError(.badParameter, "keypad source \(request.source) is not supported")
        }
#if BUGBENCH_KEYPAD_LOCKOUT_IGNORED
        // (bugbench KEYPAD_LOCKOUT_IGNORED: the check after #else is left out)
#else
        if lockout, let active = keypadLockout.active(at: now) {
            throw LockError(active.code, "keypad locked out for \(active.remainingMilliseconds) ms more")
        }
#endif
        guard let index = keypadCodes.match(request.code) else {
            // Kept by handle(_:from:at:) although the request is refused.
#if BUGBENCH_KEYPAD_FAILURE_NOT_COUNTED
            let code: NukiErrorCode = .codeInvalid
#else
            let code = lockout ? keypadLockout.recordFailure(at: now) : .codeInvalid
#endif
            log.append(timestamp: time, authID: auth.authID, name: auth.name, event: .keypadAction(.init(
                action: LockAction(rawValue: request.action.rawValue), source: .code, completionStatus: .invalidCode, codeID: 0)))
            throw LockError(code, "wrong keypad code")
        }
        let entry = keypadCodes.codes[index]
#if BUGBENCH_DISABLED_CODE_OPENS
        // (bugbench DISABLED_CODE_OPENS: the check after #else is left out)
#else
        guard entry.enabled || !disabledCodes else { throw LockError(.disabled, "keypad code \(entry.codeID) is disabled") }
#endif
        if let refusal = timeWindowRefusal(entry.restriction, at: now) {
            throw refusal
        }
        let outputs = try startLockAction(
            lockAction(for: request.action), flags: [], by: auth, command: .keypadAction, at: now, logAs: .keypad(source: .code, codeID: entry.codeID))
        keypadLockout.recordSuccess()
        keypadCodes.recordUse(at: index, time: time)
        return outputs
    }

    /// The lock action a keypad's action byte asks for (intelligent: unlock when locked, else lock).
    func lockAction(for action: KeypadLockAction) -> LockAction {
        switch action {
        case .unlock: return .unlock
        case .lock: return .lock
        case .unlatch: return .unlatch
        case .lockNGo: return .lockNGo
        default: return lockState == .locked ? .unlock : .lock
        }
    }

    /// Keypad Action with source NFC (0x80, Latchkey extension, README §"NFC fob extension"): a
    /// fob's card answered the challenge of this very request at the keypad's reader. Checks, in
    /// order, each refusal logged as a Keypad Action entry (source 0x80, code id = the credential id's
    /// low 16 bits, completion status 0xE8–0xEB) under the keypad's authorization:
    /// 1. the credential is a paired fob (unknown or revoked: K_ERROR_NOT_AUTHORIZED, 0xE8); a
    ///    UID-only tag (credential 0, zero authenticator) is refused here too;
    /// 2. the authenticator verifies under the fob's card key (``NFCVerification``; 0x20, 0xE8);
    /// 3. the answer came within ``nfcTimeBudgetMilliseconds`` of the challenge, if set (0x20, 0xEA);
    /// 4. the counter is above the highest accepted one (K_ERROR_BAD_NONCE 0x22, 0xE9);
    /// 5. the fob's authorization is enabled (0x25) and inside its time window (0x27), status 0xEB.
    /// Then the action runs and the counter is kept; the log entry of the finished action carries
    /// source 0x80 and the credential id.
    mutating func nfcKeypadAction(_ request: KeypadActionRequest, verification: NFCVerification?, by auth: Authorization, at now: LockInstant) throws(LockError) -> [LockOutput] {
        let time = lockTime(at: now)?.utcDateTime ?? .unset
        let credentialID = request.code
        let evidence = request.nfc ?? KeypadNFCEvidence(counter: 0, authenticator: .zero, uid: [])
        let uid = evidence.uid.isEmpty ? "none" : Hex.encode(evidence.uid)
        let action = lockAction(for: request.action)
        func refuse(_ code: NukiErrorCode, _ status: CompletionStatus, _ reason: String) -> LockError {
            log.append(timestamp: time, authID: auth.authID, name: auth.name, event: .keypadAction(.init(
                action: action, source: .nfc, completionStatus: status, codeID: UInt16(truncatingIfNeeded: credentialID))))
            return LockError(code, "NFC credential \(credentialID) (UID \(uid)): \(reason)")
        }
        guard let fob = authorization(credentialID), fob.idType == .fob else {
            if evidence.isUIDOnly { throw refuse(.notAuthorized, .nfcNotAuthentic, "UID only: a UID is not an authenticator") }
            throw refuse(.notAuthorized, .nfcNotAuthentic, "no paired fob has this credential id (unknown or revoked)")
        }
        guard let verification, verification.authenticatorValid else {
            throw refuse(.notAuthorized, .nfcNotAuthentic, evidence.isUIDOnly ? "UID only: a UID is not an authenticator" : "card authenticator does not verify")
        }
        if let budget = nfcTimeBudgetMilliseconds, verification.challengeAgeMilliseconds > budget {
            throw refuse(.notAuthorized, .nfcTooSlow, "answer \(verification.challengeAgeMilliseconds) ms after the challenge exceeds the \(budget) ms budget (relay?)")
        }
        let highest = nfcCounters[credentialID]
#if BUGBENCH_NFC_COUNTER_REPEAT
        guard evidence.counter >= highest else {
            throw refuse(.badNonce, .nfcCounterNotIncreasing, "counter \(evidence.counter) is not above \(highest) (replay or rollback)")
        }
#else
        guard evidence.counter > highest else {
            throw refuse(.badNonce, .nfcCounterNotIncreasing, "counter \(evidence.counter) is not above \(highest) (replay or rollback)")
        }
#endif
        guard fob.enabled else { throw refuse(.disabled, .nfcNotAllowedNow, "fob authorization is disabled") }
        if let refusal = timeWindowRefusal(fob.restriction, at: now) {
            throw refuse(refusal.code, .nfcNotAllowedNow, "fob authorization is outside its time window")
        }
        let outputs = try startLockAction(
            action, flags: [], by: auth, command: .keypadAction, at: now, logAs: .keypad(source: .nfc, codeID: UInt16(truncatingIfNeeded: credentialID)))
        var counters = nfcCounters
        counters[credentialID] = evidence.counter
        nfcCounterStore = counters
        return outputs
    }

    /// Request Calibration (0x001A): ACCEPTED, lock state 0xFC (calibration, no unlocking/locking
    /// states between, `docs/wire.md` §13), then the position it started from (locked, or unlocked
    /// when it was unlocked), COMPLETE, and a log entry of type 0x03.
    /// K_ERROR_BUSY while the motor runs; K_ERROR_VOLTAGE_TOO_LOW below 10 % battery.
    /// Source: Nuki BLE API 2.1 §"Request Calibration", `docs/wire.md` §4.1 and §8.
    mutating func startCalibration(by auth: Authorization, at now: LockInstant) throws(LockError) -> [LockOutput] {
        guard motion == nil else { throw LockError(.busy, "a lock action is already running") }
        guard batteryMilliPercent >= BatteryModel.calibrationMinimumMilliPercent else {
            throw LockError(.voltageTooLow, "battery at \(batteryPercent) % is too low to calibrate")
        }
        let unlocked = lockState == .unlocked || lockState == .unlatched || lockState == .unlockedLockNGo
        let end: LockState = unlocked ? .unlocked : .locked
        var outputs: [LockOutput] = [.reply(authID: auth.authID, .status(Status(.accepted))), .event(.calibrationStarted(authID: auth.authID))]
        autoLockAt = nil
        lastActionDrainMilliPercent = BatteryModel.calibrationMilliPercent
        outputs += drainBattery(milliPercent: BatteryModel.calibrationMilliPercent)
        let step = model.motorStepMilliseconds
        motion = Motion(
            action: unlocked ? .unlock : .lock, trigger: .system, requester: auth.authID, command: .requestCalibration,
            steps: [.calibration, end], holdMilliseconds: [step &* 3, step], nextStep: 0,
            nextStepAt: now.adding(milliseconds: step), logEvent: .calibration)
        if step == 0 { outputs += advance(to: now) }
        return outputs
    }

    // MARK: Motor runs

    /// Starts the motor for `action`: battery drain, cancels a pending auto lock, and the
    /// "started" event. Holds: lock'n'go rests in state 0x06 for Advanced Config "lock'n'go
    /// timeout", unlatch keeps the latch drawn for "unlatch duration"; every other step takes the
    /// model's motor step time.
    mutating func beginMotion(
        _ action: LockAction, trigger: Trigger, requester: UInt32?, command: Command, logKind: Motion.LogKind, at now: LockInstant
    ) -> [LockOutput] {
        let step = model.motorStepMilliseconds
        let steps = Motion.steps(for: action)
        let holds = steps.map { state -> Int64 in
            switch state {
            case .unlockedLockNGo: return Int64(advancedSettings.lockNGoTimeout) * 1000
            case .unlatched: return Int64(advancedSettings.unlatchDuration) * 1000
            default: return step
            }
        }
        autoLockAt = nil
        let drain = BatteryModel.drainMilliPercent(for: action)
        lastActionDrainMilliPercent = drain
        var outputs: [LockOutput] = [.event(.lockActionStarted(action, trigger: trigger, authID: requester))]
        outputs += drainBattery(milliPercent: drain)
        motion = Motion(
            action: action, trigger: trigger, requester: requester, command: command, steps: steps, holdMilliseconds: holds,
            nextStep: 0, nextStepAt: now.adding(milliseconds: step), logEvent: logKind)
        return outputs
    }

    /// Runs the lock up to `now`, in time order: motor steps (one Keyturner States update per step
    /// to the requester, then Status COMPLETE), auto lock, time control entries, and the battery's
    /// idle drain. Emits the ring-light pattern whenever it changes.
    /// Source: Nuki BLE API 2.1 §"Lock Action" (state updates), `docs/wire.md` §4.1, §5.9, §5.10.
    public mutating func advance(to now: LockInstant) -> [LockOutput] {
        var outputs: [LockOutput] = []
        var rounds = 0
        while rounds < 100_000, let (at, due) = nextDue(upTo: now) {
            rounds += 1
            outputs += drainIdle(to: at)
            switch due {
            case .motor: outputs += stepMotor(at: at)
            case .autoLock: outputs += fireAutoLock(at: at)
            case .timeControl(let ids): outputs += fireTimeControl(ids, at: at)
            }
            outputs += updateRingLight()
        }
        outputs += drainIdle(to: now)
        if timeControlCheckedUntil.map({ $0 < now }) ?? true { timeControlCheckedUntil = now }
        outputs += updateRingLight()
        return outputs
    }

    /// The earliest instant (injected time) at which something is due without any input: a motor
    /// step, auto lock, a time control entry, or the end of pairing mode. Nil when nothing is
    /// pending, so an event loop may sleep until its next input. The battery's idle drain is
    /// accounted whenever ``advance(to:)`` runs and needs no deadline.
    public var nextDeadline: LockInstant? {
        var best = motion?.nextStepAt
        for candidate in [autoLockAt, nextTimeControlFiring()?.0, pairingModeUntil] {
            if let candidate, best.map({ candidate < $0 }) ?? true { best = candidate }
        }
        return best
    }

    enum Due {
        case motor
        case autoLock
        case timeControl([UInt8])
    }

    /// The earliest pending timer at or before `now`; on a tie the motor goes first, then auto lock.
    func nextDue(upTo now: LockInstant) -> (LockInstant, Due)? {
        var best: (LockInstant, Due)?
        if let m = motion, m.nextStepAt <= now { best = (m.nextStepAt, .motor) }
        if let a = autoLockAt, a <= now, best.map({ a < $0.0 }) ?? true { best = (a, .autoLock) }
        if let (at, ids) = nextTimeControlFiring(), at <= now, best.map({ at < $0.0 }) ?? true { best = (at, .timeControl(ids)) }
        return best
    }

    /// One motor step: the lock state, one Keyturner States to the requester; the last step finishes
    /// the run (COMPLETE). Lock'n'go (0x04, 0x05) sends its COMPLETE right after the Keyturner States
    /// of lock state 0x06 (unlocked, lock'n'go active), before the hold of Advanced Config "lock'n'go
    /// timeout": a real lock sends COMPLETE about 17 ms after the last state update of the action it
    /// confirms, and a client waiting 20 s (pyNukiBT's `command_response_timeout`) must not miss it;
    /// the relock follows as Keyturner States updates (locking, locked) and the log entry is written
    /// when the relock ends. Source: `docs/wire.md` §4.1 and §13 (timing).
    mutating func stepMotor(at now: LockInstant) -> [LockOutput] {
        guard var current = motion else { return [] }
        var outputs: [LockOutput] = []
        if current.nextStep < current.steps.count {
            lockState = current.steps[current.nextStep]
            lockTrigger = current.trigger
            outputs.append(.event(.lockStateChanged(lockState, trigger: current.trigger)))
            let hold = current.holdMilliseconds.indices.contains(current.nextStep) ? current.holdMilliseconds[current.nextStep] : 0
            current.nextStep += 1
            current.nextStepAt = now.adding(milliseconds: hold)
            motion = current
            let last = current.nextStep == current.steps.count
            if last, current.logEvent != .calibration {
                lastLockAction = current.action
                lastLockActionTrigger = current.trigger
                lastLockActionCompletion = .success
            }
            if let requester = current.requester {
                outputs.append(.reply(authID: requester, .keyturnerStates(keyturnerStates(at: now))))
                // Lock'n'go: COMPLETE right after the state update that starts the hold (0x06), as a
                // real lock does, not after the relock (README "Behaviour", lock'n'go's COMPLETE).
                if !last, lockState == .unlockedLockNGo, current.completeSent != true {
                    current.completeSent = true
                    motion = current
                    outputs.append(.reply(authID: requester, .status(Status(.complete))))
                }
            }
            if !last { return outputs }
        }
        return outputs + finishMotion(current, status: .success, at: now)
    }

    /// Ends the run: COMPLETE (or the Error Report of a canceled run) to the requester unless a
    /// lock'n'go already sent its COMPLETE after the unlock phase, the completion event, counters,
    /// the log entry, and auto lock when it came to rest unlocked.
    mutating func finishMotion(
        _ finished: Motion, status: CompletionStatus, error: NukiErrorCode = .canceled, at now: LockInstant
    ) -> [LockOutput] {
        motion = nil
        var outputs: [LockOutput] = []
        if let requester = finished.requester, finished.completeSent != true {
            if status == .success {
                outputs.append(.reply(authID: requester, .status(Status(.complete))))
            } else {
                outputs.append(.reply(authID: requester, .errorReport(ErrorReport(errorCode: error, commandID: finished.command))))
            }
        }
        if status == .success, finished.logEvent == .calibration { motorFault = nil }
        lastLockActionAt = now
        let name = finished.logName ?? finished.requester.flatMap { authorization($0)?.name } ?? FixedName("", width: FixedName.nameWidth)
        let event: LogEntry.Event
        let log = LogEntry.LockActionLog(action: finished.action, trigger: finished.trigger, flags: 0, completionStatus: status)
        switch finished.logEvent {
        case .lockAction(let flags):
            event = .lockAction(.init(action: finished.action, trigger: finished.trigger, flags: flags, completionStatus: status))
            outputs.append(.event(.lockActionCompleted(finished.action, trigger: finished.trigger, authID: finished.requester, status: status)))
        case .keypad(let source, let codeID):
            event = .keypadAction(.init(action: finished.action, source: source, completionStatus: status, codeID: codeID))
            outputs.append(.event(.lockActionCompleted(finished.action, trigger: finished.trigger, authID: finished.requester, status: status)))
        case .calibration:
            event = .calibration(log)
            outputs.append(.event(.calibrationCompleted(authID: finished.requester, status: status)))
        }
        self.log.append(timestamp: lockTime(at: now)?.utcDateTime ?? .unset, authID: finished.requester ?? 0, name: name, event: event)
        if status == .success, finished.logEvent != .calibration { countOpeningOrClosing(finished.action) }
        if status == .success { planAutoLock(at: now) }
        return outputs
    }

    /// Counts a finished action in Openings Closings Summary: ending unlocked is an opening,
    /// ending locked a closing.
    mutating func countOpeningOrClosing(_ action: LockAction) {
        switch action {
        case .unlock, .unlatch:
            openingsClosings.openingsTotal &+= 1
            openingsClosings.openingsSinceBoot &+= 1
        case .lock, .fullLock:
            openingsClosings.closingsTotal &+= 1
            openingsClosings.closingsSinceBoot &+= 1
        case .lockNGo, .lockNGoWithUnlatch:
            openingsClosings.openingsTotal &+= 1
            openingsClosings.openingsSinceBoot &+= 1
            openingsClosings.closingsTotal &+= 1
            openingsClosings.closingsSinceBoot &+= 1
        default: break
        }
    }

    /// Arms auto lock when the lock rests unlocked: it locks, trigger auto lock (0x06), Advanced
    /// Config "auto lock timeout" seconds later (Nuki BLE API 2.2.1 §"Advanced Config", `docs/wire.md` §5.9).
    mutating func planAutoLock(at now: LockInstant) {
        guard isAutoLockEnabled, lockState == .unlocked else {
            autoLockAt = nil
            return
        }
        autoLockAt = now.adding(milliseconds: Int64(advancedSettings.autoLockTimeout) * 1000)
    }

    mutating func fireAutoLock(at now: LockInstant) -> [LockOutput] {
        autoLockAt = nil
        guard lockState == .unlocked else { return [] }
        guard motion == nil else { return [.event(.lockActionSkipped(.lock, trigger: .autoLock, status: .busy))] }
        if let motorFault { return [.event(.lockActionSkipped(.lock, trigger: .autoLock, status: motorFault.completionStatus))] }
        guard batteryMilliPercent > 0 else { return [.event(.lockActionSkipped(.lock, trigger: .autoLock, status: .lowMotorVoltage))] }
        return beginMotion(.lock, trigger: .autoLock, requester: nil, command: .lockAction, logKind: .lockAction(flags: 0), at: now)
    }

    // MARK: Manual operation

    /// A turn of the physical key or thumb-turn (emergency function): `.unlock`, `.lock` or
    /// `.unlatch` (ends unlocked). The lock state follows at once with trigger manual (0x01), the
    /// turn is logged (type 0x02, auth id 0) and counted, auto lock re-plans, and the motor stays
    /// in sync: a run in progress is canceled (its requester gets K_ERROR_CANCELED, it is logged
    /// with completion status 0x02). Turning to the state the lock already rests in does nothing.
    /// Runs ``advance(to:)`` first. K_ERROR_BAD_PARAMETER for another action.
    /// Source: Nuki BLE API 2.1 §"Lock action triggers" (manual), `docs/wire.md` §5.4.
    public mutating func manualTurn(_ action: LockAction, at now: LockInstant) throws(LockError) -> [LockOutput] {
        let target: LockState
        switch action {
        case .unlock, .unlatch: target = .unlocked
        case .lock: target = .locked
        default: throw LockError(.badParameter, "a key turn can unlock, unlatch or lock, not \(action)")
        }
        var outputs = advance(to: now)
        if let running = motion {
            lastLockAction = running.action
            lastLockActionTrigger = running.trigger
            lastLockActionCompletion = .canceled
            outputs += finishMotion(running, status: .canceled, at: now)
        } else if lockState == target, action != .unlatch {
            return outputs
        }
        if action == .unlatch {
            lockState = .unlatched
            outputs.append(.event(.lockStateChanged(.unlatched, trigger: .manual)))
        }
        lockState = target
        lockTrigger = .manual
        outputs.append(.event(.lockStateChanged(target, trigger: .manual)))
        lastLockAction = action
        lastLockActionTrigger = .manual
        lastLockActionCompletion = .success
        lastLockActionAt = now
        countOpeningOrClosing(action)
        log.append(
            timestamp: lockTime(at: now)?.utcDateTime ?? .unset, authID: 0, name: FixedName("", width: FixedName.nameWidth),
            event: .lockAction(.init(action: action, trigger: .manual, flags: 0, completionStatus: .success)))
        outputs.append(.event(.lockActionCompleted(action, trigger: .manual, authID: nil, status: .success)))
        planAutoLock(at: now)
        return outputs + updateRingLight()
    }
}
