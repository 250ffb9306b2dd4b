import LockWire

/// The emulated smart lock, sans-I/O: its state and what it does with each decoded command.
///
/// `LockMachine` is a value. ``handle(_:from:at:)`` works on a copy and commits it only when the
/// command succeeds, so a refused command (``LockError``) changes nothing. Time is always passed
/// in; the motor, auto lock, time control and the battery's idle drain advance only through
/// ``advance(to:)`` (the session calls it before every input). Challenges, encryption and
/// fragmentation are the session's (`LockSession`); the security PIN, its lockout, the access
/// matrix (``CommandAccess``), time windows and the motor are here.
///
/// Policies decided here (the Nuki API leaves them open):
/// - **Remote access** (`docs/wire.md` §6, error 0x26): the API has no "relayed" flag, and a bridge
///   has no user interface of its own, so every request that arrives under an authorization of ID
///   type bridge is a relayed one. A bridge whose entry has remoteAllowed = 0 is refused with
///   K_ERROR_REMOTE_NOT_ALLOWED for every command except Request Data (reading the state, the
///   battery, counters). A bridge paired at the lock (button held: physical consent) starts with
///   remoteAllowed = 1; an admin revokes it with Update Authorization Entry. Apps, fobs and keypads
///   talk to the lock directly and are never "remote".
/// - **Order of checks** in ``handle(_:from:at:)``: unknown auth id or command not allowed for its
///   ID type (0x20), disabled (0x25), remote not allowed (0x26), outside its time window (0x27),
///   then the security PIN (0x21/0x28), then the command's own checks.
/// - **Auto unlock** (Lock Action flag bit 0, ``autoUnlockCoolDownMilliseconds``): see
///   ``checkAutoUnlock(_:by:at:)``.
///
/// Source: Nuki BLE API 2.1 and 2.3.0 §"Commands", `docs/wire.md` §4–§8.
public struct LockMachine: Hashable, Sendable, Codable {
    public var model: LockModel
    public var nukiID: UInt32
    public var settings: LockSettings
    /// The settings of Advanced Config (0x0037), written by Set Advanced Config (0x0035); all five
    /// optional fields are always set here (the reply sends those of the model).
    public internal(set) var advancedSettings: AdvancedConfigSettings = LockMachine.defaultAdvancedSettings

    public internal(set) var nukiState: NukiState
    public internal(set) var lockState: LockState = .locked
    public internal(set) var lockTrigger: Trigger = .system
    public internal(set) var lastLockAction: LockAction?
    public internal(set) var lastLockActionTrigger: Trigger?
    public internal(set) var lastLockActionCompletion: CompletionStatus?
    /// When the last lock action (any trigger, manual turns included) finished; starts the auto
    /// unlock cool-down.
    public internal(set) var lastLockActionAt: LockInstant?
    /// Why the motor may not move until a calibration completes, or nil (``MotorFault``). Missing
    /// from state files written before it existed, which then load as calibrated.
    public internal(set) var motorFault: MotorFault?
    public var doorSensorState: DoorSensorState = .unavailable
    /// The time-zone rules local time is reckoned with (``TimeZoneRules``), handed in by the
    /// runtime from the host's tz database. Not the lock's state (``HostProvidedRules``): not in
    /// the state file, not compared; a loaded machine has ``TimeZoneRules/empty`` (fixed offset
    /// for every zone) until its runtime sets them.
    @HostProvidedRules public var timeZoneRules: TimeZoneRules = .empty
    public var configUpdateCount: UInt8 = 0
    /// Keyturner States byte 14 while no lock'n'go runs (while one runs, the seconds left are sent).
    public var lockNGoTimer: UInt8 = 0

    /// Battery level in milli-percent (100,000 = 100 %), drained by ``BatteryModel``.
    public internal(set) var batteryMilliPercent: Int = BatteryModel.full
    /// Up to when the idle drain has been applied; nil before the first ``advance(to:)``.
    public internal(set) var batteryAccountedAt: LockInstant?
    /// Whether the "below 20 %" notification was sent for the current drop.
    public internal(set) var batteryCriticalNotified = false
    /// Drain of the last motor action, milli-percent (Battery Report).
    public internal(set) var lastActionDrainMilliPercent: Int = 0
    /// The ring light's current pattern.
    public internal(set) var ringLight: RingLight = .off

    public internal(set) var authorizations: [Authorization] = []
    /// Most authorizations the lock holds (real locks: 200, `docs/wire.md` §13).
    public var maxAuthorizations: Int = 200
    public internal(set) var nextAuthID: UInt32 = 1
    /// The last command each authorization sent that the lock carried out (Request Data for
    /// Most Recent Command 0x000F).
    public internal(set) var mostRecentCommands = CommandsByAuthorization()
    /// Openings and closings counters (Request Data for 0x0010); "since boot" resets on Request Reboot.
    public internal(set) var openingsClosings = OpeningsClosingsSummary(openingsTotal: 0, closingsTotal: 0, openingsSinceBoot: 0, closingsSinceBoot: 0)

    public internal(set) var securityPIN: SecurityPIN
    /// The security PIN's failure count and lockout. `package(set)` so the fuzz oracle can mask the
    /// failure records when it compares two machines (`LockFuzzing.LockSessionHarness`).
    public package(set) var pinGuard = FailureLockout.securityPIN

    /// Offset of the lock's clock from the injected time, set by Update Time; nil until set.
    public internal(set) var clockOffsetMilliseconds: Int64?
    /// How long pairing mode lasts once entered.
    public var pairingModeMilliseconds: Int64 = 300_000
    public internal(set) var pairingModeUntil: LockInstant?

    var motion: Motion?
    /// When auto lock fires, set when the lock comes to rest unlocked with auto lock enabled.
    public internal(set) var autoLockAt: LockInstant?

    /// Time control entries (`docs/wire.md` §5.10), in the order added.
    public internal(set) var timeControlEntries: [TimeControlEntry] = []
    /// Most time control entries the lock holds (not documented; chosen here).
    public var timeControlCapacity: Int = 20
    /// Injected time up to which time control schedules have been run; nil before the first
    /// ``advance(to:)``.
    public internal(set) var timeControlCheckedUntil: LockInstant?

    /// Keypad codes and their brute-force lockout (persisted: a restart does not end a lockout).
    public internal(set) var keypadCodes = KeypadCodeBook()
    /// `package(set)`: see ``pinGuard``.
    public package(set) var keypadLockout = KeypadLockout()
    /// The highest NFC card counter accepted per credential.
    public var nfcCounters: NFCCounterBook { nfcCounterStore ?? NFCCounterBook() }
    /// The log ring (`package(set)`: see ``pinGuard``).
    public package(set) var log = LockLog()
    /// Highest NFC card counter accepted per credential; nil until the first NFC tap (so state files
    /// written before NFC load unchanged).
    var nfcCounterStore: NFCCounterBook?
    /// Optional relay defence for NFC taps (`docs/attacks.md` F-06): an NFC Keypad Action arriving more
    /// than this many milliseconds after the lock issued its challenge is refused. Nil: no budget.
    /// A relay faster than the budget still works (residual risk).
    public var nfcTimeBudgetMilliseconds: Int64?

    /// Hold time of the button that enters pairing mode (Nuki BLE API 2.1: 5 s).
    public static let pairingButtonHoldMilliseconds: Int64 = 5_000
    /// An auto unlock is refused with K_ERROR_AUTO_UNLOCK_TOO_RECENT this long after the last lock
    /// action (5 min; chosen here, the API names no figure).
    public static let autoUnlockCoolDownMilliseconds: Int64 = 300_000
    /// Advanced Config "total degrees" (the measured turn range; fixed in the emulator).
    public static let totalDegrees: UInt16 = 720
    /// Factory advanced settings (Nuki BLE API 2.1 §"Advanced Config" defaults: single press
    /// intelligent, double press lock'n'go; lock'n'go 20 s, unlatch 3 s, auto lock off). Auto
    /// unlock is off until the owner switches it on (Nuki Smart Lock FAQ: "activated in the lock's
    /// settings"; Advanced Config "auto unlock disabled" = 1).
    public static let defaultAdvancedSettings = AdvancedConfigSettings(
        unlockedPositionOffsetDegrees: 0, lockedPositionOffsetDegrees: 0, singleLockedPositionOffsetDegrees: 0,
        unlockedToLockedTransitionOffsetDegrees: 0, lockNGoTimeout: 20, singleButtonPressAction: .intelligent,
        doubleButtonPressAction: .lockNGo, detachedCylinder: false, batteryType: .alkali, automaticBatteryTypeDetection: true,
        unlatchDuration: 3, autoLockTimeout: 300, autoUnlockDisabled: true, nightmodeEnabled: false,
        nightmodeStartTime: TimeOfDay(hour: 22, minute: 0), nightmodeEndTime: TimeOfDay(hour: 6, minute: 0),
        nightmodeAutoLockEnabled: false, nightmodeAutoUnlockDisabled: false, nightmodeImmediateLockOnStart: false,
        autoLockEnabled: false, immediateAutoLockEnabled: 0, autoUpdateEnabled: true, motorSpeed: 0,
        slowSpeedDuringNightmode: false)

    /// A lock in door mode with no users yet (or uninitialized), locked, clock unset.
    public init(model: LockModel, nukiID: UInt32, settings: LockSettings, securityPIN: SecurityPIN, initialized: Bool = true) {
        self.model = model
        self.nukiID = nukiID
        self.settings = settings
        self.securityPIN = securityPIN
        nukiState = initialized ? .doorMode : .uninitialized
    }

    // MARK: Clock

    /// The lock's own time: the injected time corrected by Update Time, nil while never set.
    public func lockTime(at now: LockInstant) -> LockInstant? {
        clockOffsetMilliseconds.map { now.adding(milliseconds: $0) }
    }

    /// Sets the lock's clock so that `now` reads as `time` (UTC).
    public mutating func setClock(to time: DateTime, at now: LockInstant) throws(LockError) {
        guard let instant = LockInstant(utc: time) else {
            throw LockError(.badParameter, "time \(time) is not a valid date-time")
        }
        clockOffsetMilliseconds = instant.milliseconds(since: now)
    }

    /// How the lock reckons local time, from Config's timezone id, offset and DST mode.
    public var localTime: LocalTime {
        LocalTime(
            timezoneID: settings.timezoneID, fixedOffsetMinutes: Int(settings.timezoneOffsetMinutes), dstMode: settings.dstMode,
            rules: timeZoneRules)
    }

    /// Local time minus UTC at `now`, in minutes.
    func localOffsetMinutes(at now: LockInstant) -> Int { localTime.offsetMinutes(at: lockTime(at: now) ?? now) }

    /// Nil when `restriction` allows an action at `now` on the lock's clock, else the refusal
    /// (``TimeWindow/check(_:now:localOffsetMinutes:repeatedWallTimeEnd:)``, K_ERROR_TIME_NOT_ALLOWED).
    func timeWindowRefusal(_ restriction: TimeRestriction, at now: LockInstant) -> LockError? {
        guard restriction.timeLimited else { return nil }
        let lockNow = lockTime(at: now)
        return TimeWindow.check(
            restriction, now: lockNow, localOffsetMinutes: localOffsetMinutes(at: now),
            repeatedWallTimeEnd: lockNow.flatMap { localTime.repeatedWallTimeEnd(at: $0) })
    }

    // MARK: Pairing mode and users

    /// Whether pairing mode is active at `now` (leaving it when its time ran out).
    public func isPairingMode(at now: LockInstant) -> Bool {
        guard let until = pairingModeUntil else { return false }
#if BUGBENCH_PAIRING_MODE_NEVER_ENDS
        return until.millisecondsSince1970 > 0
#else
        return now < until
#endif
    }

    /// A press of the lock's button held for `heldMilliseconds`. Five seconds or more enter
    /// pairing mode, unless Config "pairing enabled" is off on a lock that has users.
    public mutating func pressButton(heldMilliseconds: Int64, at now: LockInstant) -> [LockOutput] {
        guard heldMilliseconds >= LockMachine.pairingButtonHoldMilliseconds else { return [] }
        guard settings.pairingEnabled || authorizations.isEmpty else { return [] }
        let until = now.adding(milliseconds: pairingModeMilliseconds)
        pairingModeUntil = until
        return [.event(.pairingModeEntered(until: until))]
    }

    /// Leaves pairing mode (after a pairing, or when asked).
    public mutating func leavePairingMode() -> [LockOutput] {
        guard pairingModeUntil != nil else { return [] }
        pairingModeUntil = nil
        return [.event(.pairingModeLeft)]
    }

    public func authorization(_ authID: UInt32) -> Authorization? {
        authorizations.first { $0.authID == authID }
    }

    /// Takes the next authorization id for a pairing in progress (sent in Authorization-ID before the
    /// client confirms). Ids are never reused, so an abandoned pairing only skips one.
    public mutating func reserveAuthID() -> UInt32 {
        defer { nextAuthID &+= 1 }
        return nextAuthID
    }

    /// Why a pairing by `idType`/`clientID` would be refused now, checked before an authorization id
    /// is handed out (issue 18: a full table is refused at Authorization Data, not at the
    /// confirmation): P_ERROR_NOT_PAIRING outside pairing mode, P_ERROR_BAD_PARAMETER for an ID type
    /// that cannot pair, P_ERROR_MAX_USER when the table is full and the pairing replaces nobody.
    /// Nil when ``addAuthorization(authID:idType:clientID:name:at:outsidePairingMode:)`` would take it.
    public func pairingRefusal(idType: IDType, clientID: UInt32, at now: LockInstant, outsidePairingMode: Bool = false) -> LockError? {
        guard isPairingMode(at: now) || outsidePairingMode else { return LockError(.notPairing, "the lock is not in pairing mode") }
        guard idType.isPairable else { return LockError(.pairingBadParameter, "ID type \(idType) cannot pair") }
        let replaces = replacedAuthorizationIndex(idType: idType, clientID: clientID) != nil
#if BUGBENCH_MAX_USERS_OFF_BY_ONE
        guard authorizations.count - (replaces ? 1 : 0) <= maxAuthorizations else {
            return LockError(.maxUser, "all \(maxAuthorizations) authorizations are used")
        }
#else
        guard authorizations.count - (replaces ? 1 : 0) < maxAuthorizations else {
            return LockError(.maxUser, "all \(maxAuthorizations) authorizations are used")
        }
#endif
        return nil
    }

    /// The authorization a new pairing with `idType`/`clientID` replaces: the one with the same ID
    /// type and client id (`docs/wire.md` §13), never for client id 0, which the protocol treats as
    /// "do not replace" (the v2.1 example pairs as app id 0; issue 18).
    func replacedAuthorizationIndex(idType: IDType, clientID: UInt32) -> Int? {
        guard clientID != 0 else { return nil }
        return authorizations.firstIndex { $0.idType == idType && $0.clientID == clientID }
    }

    /// Stores a newly paired client under `authID` (from ``reserveAuthID()``) and leaves pairing
    /// mode, so one pairing ends it. Pairing again with the same ID type and client id replaces
    /// the earlier authorization (`docs/wire.md` §13), revoking it; client id 0 never replaces.
    /// Throws P_ERROR_NOT_PAIRING outside pairing mode, P_ERROR_BAD_PARAMETER for an ID type that
    /// cannot pair or an id already in use, P_ERROR_MAX_USER when the table is full.
    /// `outsidePairingMode` (``Weakness/pairingOutsidePairingMode``) skips the pairing-mode check.
    public mutating func addAuthorization(
        authID: UInt32, idType: IDType, clientID: UInt32, name: FixedName, at now: LockInstant, outsidePairingMode: Bool = false
    ) throws(LockError) -> (Authorization, [LockOutput]) {
        if let refusal = pairingRefusal(idType: idType, clientID: clientID, at: now, outsidePairingMode: outsidePairingMode) { throw refusal }
        var copy = self
        var outputs: [LockOutput] = []
        if let old = copy.replacedAuthorizationIndex(idType: idType, clientID: clientID) {
            outputs.append(.event(.authorizationRevoked(authID: copy.authorizations[old].authID)))
            copy.mostRecentCommands[copy.authorizations[old].authID] = nil
            copy.authorizations.remove(at: old)
        }
        guard copy.authorizations.count < maxAuthorizations else {
            throw LockError(.maxUser, "all \(maxAuthorizations) authorizations are used")
        }
        guard copy.authorization(authID) == nil else {
            throw LockError(.pairingBadParameter, "authorization id \(authID) is in use")
        }
        let created = copy.lockTime(at: now)?.utcDateTime ?? .unset
        // A bridge paired at the lock (button held: physical consent) may relay requests; see the
        // remote-access policy above.
        let authorization = Authorization(
            authID: authID, idType: idType, clientID: clientID, name: name, remoteAllowed: idType == .bridge, dateCreated: created)
        copy.nextAuthID = max(copy.nextAuthID, authID &+ 1)
        copy.authorizations.append(authorization)
        if copy.nukiState == .uninitialized { copy.nukiState = .doorMode }
        outputs.append(.event(.authorizationAdded(authID: authorization.authID, idType: idType)))
        outputs += copy.leavePairingMode()
        self = copy
        return (authorization, outputs)
    }

    /// Puts back an authorization loaded from persisted state (or a test fixture), keeping its auth
    /// id; an existing entry with the same id is replaced. Later pairings get higher ids.
    public mutating func restoreAuthorization(_ authorization: Authorization) {
        authorizations.removeAll { $0.authID == authorization.authID }
        authorizations.append(authorization)
        authorizations.sort { $0.authID < $1.authID }
        nextAuthID = max(nextAuthID, authorization.authID &+ 1)
        if nukiState == .uninitialized { nukiState = .doorMode }
    }

    // MARK: Commands

    /// Handles one decoded, authenticated command from `authID` at `now`. The challenge nonce has
    /// already been checked and consumed by the session, which also ran ``advance(to:)`` first.
    ///
    /// Throws ``LockError`` (state unchanged): K_ERROR_NOT_AUTHORIZED for an unknown auth id or a
    /// command its ID type may not send, K_ERROR_DISABLED, K_ERROR_REMOTE_NOT_ALLOWED,
    /// K_ERROR_TIME_NOT_ALLOWED, K_ERROR_BAD_PIN, K_ERROR_TOO_MANY_PIN_ATTEMPTS, then the
    /// command's own errors (listed at each case of `apply`), e.g. K_ERROR_BUSY,
    /// K_ERROR_BAD_PARAMETER. Source: Nuki BLE API 2.1 §"Error codes", `docs/wire.md` §6 and §9.
    ///
    /// `nfc` is the session's verification of an NFC Keypad Action (source 0x80); without it such a
    /// request is refused as not authentic.
    ///
    /// `weaknesses` switches off the checks of a weakened lock (``Weakness``, `lock serve --weaken`);
    /// empty everywhere else.
    public mutating func handle(
        _ message: NukiMessage, from authID: UInt32, at now: LockInstant, nfc: NFCVerification? = nil, weaknesses: Set<Weakness> = []
    ) throws(LockError) -> [LockOutput] {
        guard let auth = authorization(authID) else {
            throw LockError(.notAuthorized, "unknown authorization id \(authID)")
        }
        guard CommandAccess.allows(message.command, from: auth.idType) || weaknesses.contains(.adminFromNonAdmin) else {
            throw LockError(.notAuthorized, "\(auth.idType) may not send \(message.command)")
        }
#if BUGBENCH_DISABLED_AUTH_SERVED
        // (bugbench DISABLED_AUTH_SERVED: the check after #else is left out)
#else
        guard auth.enabled || weaknesses.contains(.disabledIgnored) else { throw LockError(.disabled, "authorization \(auth.authID) is disabled") }
#endif
        if auth.idType == .bridge, !auth.remoteAllowed, message.command != .requestData {
            throw LockError(.remoteNotAllowed, "authorization \(auth.authID) is a bridge without remote access")
        }
#if BUGBENCH_TIME_WINDOW_IGNORED
        // (bugbench TIME_WINDOW_IGNORED: the check after #else is left out)
#else
        if !weaknesses.contains(.timeWindowsIgnored), let refusal = timeWindowRefusal(auth.restriction, at: now) {
            throw refusal
        }
#endif
        if let pin = message.securityPIN {
            // Outside the copy: a failed attempt counts toward the lockout even though it is refused.
            try checkSecurityPIN(pin, at: now, lockout: !weaknesses.contains(.noPINLockout), firstByteOnly: weaknesses.contains(.pinPrefixCompare))
        }
        // The log is append-only and entries of refused attempts must stay, so it is moved into the
        // working copy rather than shared with it (sharing would copy the whole ring on the first
        // append).
        var log = LockLog()
        swap(&log, &self.log)
        var copy = self
        copy.log = log
        log = LockLog()
        do {
            var outputs = try copy.apply(message, from: auth, at: now, nfc: nfc, weaknesses: weaknesses)
            if message.command != .requestData, copy.authorization(authID) != nil {
                copy.mostRecentCommands[authID] = message.command
            }
            outputs += copy.updateRingLight()
            self = copy
            return outputs
        } catch {
            // A refused command changes nothing, except the record of a failed attempt: the keypad
            // lockout count and the log entry of a wrong code must survive the refusal.
            keypadLockout = copy.keypadLockout
            swap(&self.log, &copy.log)
            throw error
        }
    }

    /// Every client command of `docs/wire.md` §4 with its errors; lock-to-client and pairing
    /// messages never get here (``CommandAccess`` refuses them with K_ERROR_NOT_AUTHORIZED).
    private mutating func apply(
        _ message: NukiMessage, from auth: Authorization, at now: LockInstant, nfc: NFCVerification?, weaknesses: Set<Weakness>
    ) throws(LockError) -> [LockOutput] {
        let reply = { (m: NukiMessage) in LockOutput.reply(authID: auth.authID, m) }
        let complete = reply(.status(Status(.complete)))
        let created = lockTime(at: now)?.utcDateTime ?? .unset
        switch message {
        case .requestData(let request):
            // ERROR_UNKNOWN for anything but the documented reads (`docs/wire.md` §4.1, §13).
            switch request.requestedCommand {
            case .keyturnerStates: return [reply(.keyturnerStates(keyturnerStates(at: now)))]
            case .batteryReport: return [reply(.batteryReport(batteryReport()))]
            case .openingsClosingsSummary: return [reply(.openingsClosingsSummary(openingsClosings))]
            case .mostRecentCommand:
                return [reply(.mostRecentCommand(MostRecentCommand(commandID: mostRecentCommands[auth.authID] ?? Command(rawValue: 0))))]
            default: throw LockError(.unknown, "Request Data for \(request.requestedCommand) is not answered")
            }

        // Motor: K_ERROR_BUSY, K_ERROR_BAD_PARAMETER, K_ERROR_AUTO_UNLOCK_TOO_RECENT, K_ERROR_REJECTED,
        // K_ERROR_REJECTED_NIGHTMODE, K_ERROR_MOTOR_LOW_VOLTAGE, K_ERROR_VOLTAGE_TOO_LOW.
        case .lockAction(let request):
#if BUGBENCH_FOB_ANY_LOCK_ACTION
            // (bugbench FOB_ANY_LOCK_ACTION: the check after #else is left out)
#else
            if auth.idType == .fob, !(0x81...0x83).contains(request.action.rawValue) {
                throw LockError(.notAuthorized, "a fob may only send fob actions 0x81–0x83")
            }
#endif
            return try startLockAction(request.action, flags: request.flags, by: auth, command: .lockAction, at: now, nameSuffix: request.nameSuffix)
        case .simpleLockAction(let request):
            guard request.action == .unlock || request.action == .lock else {
                throw LockError(.badParameter, "Simple Lock Action takes unlock or lock, not \(request.action)")
            }
            return try startLockAction(request.action, flags: [], by: auth, command: .simpleLockAction, at: now, nameSuffix: request.nameSuffix)
        case .keypadAction(let request):
            return try keypadAction(
                request, nfc: nfc, by: auth, at: now, lockout: !weaknesses.contains(.noKeypadLockout),
                disabledCodes: !weaknesses.contains(.disabledCodeIgnored))
        case .requestCalibration:
            return try startCalibration(by: auth, at: now)

        // Security PIN, clock, reboot.
        case .verifySecurityPIN:
            return [complete]
        case .setSecurityPIN(let request):
            guard request.newPIN.width == model.wireContext.securityPINWidth else {
                throw LockError(.badParameter, "new PIN has the wrong width")
            }
            // The PIN has the model's digits (4, Ultra 6): a u16 above 9999 cannot be typed in.
            guard request.newPIN.value <= model.maximumSecurityPIN else {
                throw LockError(.badParameter, "new PIN \(request.newPIN.value) has more than \(model.securityPINDigits) digits")
            }
            securityPIN = request.newPIN
            return [complete, .event(.securityPINChanged)]
        case .updateTime(let request):
            try setClock(to: request.time, at: now)
            return [complete, .event(.clockSet(request.time))]
        case .requestReboot:
            openingsClosings.openingsSinceBoot = 0
            openingsClosings.closingsSinceBoot = 0
            return [complete, .event(.rebootRequested)]

        // Config: K_ERROR_BAD_PARAMETER for values out of range.
        case .requestConfig:
            return [reply(.config(config(at: now)))]
        case .setConfig(let request):
            try applyConfig(request)
            return [complete, .event(.configChanged(updateCount: configUpdateCount))]
        case .requestAdvancedConfig:
            return [reply(.advancedConfig(advancedConfig()))]
        case .setAdvancedConfig(let request):
            try applyAdvancedConfig(request.settings, at: now)
            return [complete, .event(.advancedConfigChanged(updateCount: configUpdateCount))]

        // Authorizations: K_ERROR_INVALID_AUTH_ID, K_ERROR_BAD_PARAMETER, K_ERROR_TOO_MANY_ENTRIES.
        case .requestAuthorizationEntries(let request):
            var entries = authorizations.filter { request.filter == nil || $0.idType == request.filter }
            if let own = entries.firstIndex(where: { $0.authID == auth.authID }) {
                entries.insert(entries.remove(at: own), at: 0)
            }
            let page = entries.dropFirst(Int(request.offset)).prefix(Int(request.count))
            var out: [LockOutput] = []
            if request.offset == 0 {
                out.append(reply(.authorizationEntryCount(AuthorizationEntryCount(count: UInt16(clamping: entries.count)))))
            }
            out += page.map { reply(.authorizationEntry($0.entry)) }
            return out + [complete]
        case .removeAuthorizationEntry(let request):
            guard let index = authorizations.firstIndex(where: { $0.authID == request.authID }) else {
                throw LockError(.invalidAuthID, "no authorization \(request.authID)")
            }
            if weaknesses.contains(.revocationIgnored) { return [complete] }
#if BUGBENCH_REVOCATION_IGNORED
            // (bugbench REVOCATION_IGNORED: the entry is kept)
#else
            authorizations.remove(at: index)
#endif
            mostRecentCommands[request.authID] = nil
            nfcCounterStore?.remove(request.authID)
            return [complete, .event(.authorizationRevoked(authID: request.authID))]
        case .updateAuthorizationEntry(let request):
            guard let index = authorizations.firstIndex(where: { $0.authID == request.authID }) else {
                throw LockError(.invalidAuthID, "no authorization \(request.authID)")
            }
            guard request.name.isWellFormed else { throw LockError(.badParameter, "name is not well-formed UTF-8") }
            authorizations[index].name = request.name
            authorizations[index].enabled = request.enabled
            authorizations[index].remoteAllowed = request.remoteAllowed
            authorizations[index].restriction = request.restriction
            return [complete, .event(.authorizationUpdated(authID: request.authID))]
        case .authorizationDataInvite(let request):
            return try invite(request, by: auth, created: created)

        // Keypad codes: see ``KeypadCodeBook``.
        case .addKeypadCode(let request):
            let entry = try keypadCodes.add(code: request.code, name: request.name, restriction: request.restriction, created: created)
            return [reply(.keypadCodeID(KeypadCodeID(codeID: entry.codeID, dateCreated: entry.dateCreated)))]
        case .requestKeypadCodes(let request):
            let page = keypadCodes.codes.dropFirst(Int(request.offset)).prefix(Int(request.count))
            return [reply(.keypadCodeCount(KeypadCodeCount(count: UInt16(clamping: keypadCodes.codes.count))))]
                + page.map { reply(.keypadCode($0)) } + [complete]
        case .updateKeypadCode(let request):
            try keypadCodes.update(request)
            return [complete]
        case .removeKeypadCode(let request):
            try keypadCodes.remove(codeID: request.codeID)
            return [complete]

        // Time control: K_ERROR_TOO_MANY_ENTRIES, K_ERROR_BAD_PARAMETER (unknown entry id).
        case .addTimeControlEntry(let request):
            let id = try addTimeControlEntry(request.schedule)
            // Schedules run from now on, also when the clock was never advanced before.
            if timeControlCheckedUntil == nil { timeControlCheckedUntil = now }
            return [reply(.timeControlEntryID(TimeControlEntryID(entryID: id))), .event(.timeControlChanged(entryID: id))]
        case .updateTimeControlEntry(let request):
            try updateTimeControlEntry(request.entry)
            return [complete, .event(.timeControlChanged(entryID: request.entry.entryID))]
        case .removeTimeControlEntry(let request):
            try removeTimeControlEntry(request.entryID)
            return [complete, .event(.timeControlChanged(entryID: request.entryID))]
        case .requestTimeControlEntries:
            return [reply(.timeControlEntryCount(TimeControlEntryCount(count: UInt8(clamping: timeControlEntries.count))))]
                + timeControlEntries.map { reply(.timeControlEntry($0)) } + [complete]

        // Log.
        case .requestLogEntries(let request):
            var out: [LockOutput] = []
            if request.totalCount {
                out.append(reply(.logEntryCount(LogEntryCount(
                    loggingEnabled: log.enabled, count: UInt16(clamping: log.entries.count), doorSensorEnabled: false,
                    doorSensorLoggingEnabled: false))))
            }
            out += log.page(startIndex: request.startIndex, count: request.count, descending: request.descending).map { reply(.logEntry($0)) }
            return out + [complete]
        case .enableLogging(let request):
            log.enabled = request.enabled
            log.append(timestamp: created, authID: auth.authID, name: auth.name, event: .loggingEnabled(request.enabled))
            return [complete]

        // Pairing-channel and lock-to-client messages: refused by CommandAccess before apply; kept
        // explicit so a new message cannot slip through a default.
        case .publicKey, .challenge, .authorizationAuthenticator, .authorizationData, .ultraAuthorizationData,
            .authorizationID, .ultraAuthorizationID, .authorizationEntry, .keyturnerStates, .status, .mostRecentCommand,
            .openingsClosingsSummary, .batteryReport, .errorReport, .config, .authorizationIDConfirmation,
            .authorizationIDInvite, .authorizationEntryCount, .logEntry, .logEntryCount, .advancedConfig,
            .timeControlEntryID, .timeControlEntryCount, .timeControlEntry, .keypadCodeID, .keypadCodeCount, .keypadCode,
            .authorizationInfo:
            throw LockError(.notAuthorized, "\(message.command) is not a client command")
        }
    }

    /// Checks a security PIN in constant time, counting failures toward the lockout (none when
    /// `lockout` is false: ``Weakness/noPINLockout``). `firstByteOnly` (``Weakness/pinPrefixCompare``
    /// of a weakened lock only) compares the first byte alone.
    package mutating func checkSecurityPIN(_ pin: SecurityPIN, at now: LockInstant, lockout: Bool = true, firstByteOnly: Bool = false) throws(LockError) {
        if lockout, let remaining = pinGuard.remainingLockout(at: now) {
            throw LockError(.tooManyPINAttempts, "security PIN locked out for \(remaining) ms more")
        }
        let matches = firstByteOnly
            ? ConstantTime.equals(Array(pin.bytes.prefix(1)), Array(securityPIN.bytes.prefix(1)))
            : ConstantTime.equals(pin.bytes, securityPIN.bytes)
        guard matches else {
#if BUGBENCH_PIN_FAILURE_NOT_RECORDED
            // (bugbench PIN_FAILURE_NOT_RECORDED: the check after #else is left out)
#else
            if lockout { pinGuard.recordFailure(at: now) }
#endif
            throw LockError(.badPIN, "wrong security PIN")
        }
        pinGuard.recordSuccess()
    }

    /// Whether the motor is running.
    public var isBusy: Bool { motion != nil }
}
