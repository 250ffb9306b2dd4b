import LockWire

extension LockMachine {
    /// Config (0x0015) in the model's ``LockModel/configByteCount`` (71 to 79 bytes): the fields
    /// past that length are left out (Nuki BLE API 2.1/2.3 §"Config", `docs/wire.md` §5.8, §13).
    /// HomeKit status and Matter status are 0 (not available), has keypad 2 and the product variant 0.
    public func config(at now: LockInstant) -> Config {
        var config = Config(
            nukiID: nukiID, name: settings.name, latitude: settings.latitude, longitude: settings.longitude,
            autoUnlatch: settings.autoUnlatch, pairingEnabled: settings.pairingEnabled, buttonEnabled: settings.buttonEnabled,
            ledEnabled: settings.ledEnabled, ledBrightness: settings.ledBrightness,
            currentTime: lockTime(at: now)?.utcDateTime ?? .unset, timezoneOffsetMinutes: settings.timezoneOffsetMinutes,
            dstMode: settings.dstMode, hasFob: authorizations.contains { $0.idType == .fob },
            fobAction1: settings.fobAction(for: .fobAction1), fobAction2: settings.fobAction(for: .fobAction2),
            fobAction3: settings.fobAction(for: .fobAction3), singleLock: settings.singleLock,
            advertisingMode: settings.advertisingMode, hasKeypad: authorizations.contains { $0.idType == .keypad },
            firmwareVersion: model.firmwareVersion, hardwareRevision: model.hardwareRevision)
        let length = model.configByteCount
        if length > 71 { config.homeKitStatus = 0 }
        if length > 72 { config.timezoneID = settings.timezoneID }
        if length > 74 { config.deviceType = model.deviceType ?? 0 }
        if length > 75 { config.capabilities = model.capabilities ?? 0 }
        if length > 76 { config.hasKeypad2 = false }
        if length > 77 { config.matterStatus = 0 }
        if length > 78 { config.productVariant = 0 }
        return config
    }

    /// Advanced Config (0x0037) in the model's ``LockModel/advancedConfigByteCount``: the v2.1
    /// form (28 bytes), plus auto lock enabled, immediate auto lock and auto update from API 2.2.1 on
    /// (31; immediate auto lock 0xFF "not supported" where ``LockModel/reportsImmediateAutoLock``
    /// is false), plus motor speed and slow nightmode speed on the Ultra (33).
    /// Source: Nuki BLE API 2.1 and 2.3.0 §"Advanced Config", `docs/wire.md` §5.9, §12.
    public func advancedConfig() -> AdvancedConfig {
        var sent = advancedSettings
        if model.advancedConfigByteCount < 31 {
            sent.autoLockEnabled = nil
            sent.immediateAutoLockEnabled = nil
            sent.autoUpdateEnabled = nil
        } else if !model.reportsImmediateAutoLock {
            sent.immediateAutoLockEnabled = 0xFF
        }
        if model.advancedConfigByteCount < 33 {
            sent.motorSpeed = nil
            sent.slowSpeedDuringNightmode = nil
        }
        return AdvancedConfig(totalDegrees: LockMachine.totalDegrees, settings: sent)
    }

    /// Whether auto lock is on: the v2.2 "auto lock enabled" byte, or for the v2.1 form a non-zero
    /// timeout (v2.1: 0 = off).
    public var isAutoLockEnabled: Bool {
        (advancedSettings.autoLockEnabled ?? (advancedSettings.autoLockTimeout != 0)) && advancedSettings.autoLockTimeout != 0
    }

    /// Set Config (0x0013): validates, stores, and counts the change in Keyturner States byte 13.
    ///
    /// K_ERROR_BAD_PARAMETER for a name that is not UTF-8, latitude outside ±90°, longitude outside
    /// ±180°, a timezone offset outside −12 h…+14 h (the codec already refuses LED brightness > 5
    /// and undocumented DST modes, fob actions, advertising modes and timezone ids).
    /// Source: Nuki BLE API 2.1 §"Set Config", `docs/wire.md` §5.8.
    mutating func applyConfig(_ request: SetConfig) throws(LockError) {
        guard request.name.isWellFormed else { throw LockError(.badParameter, "name is not well-formed UTF-8") }
        guard (-90...90).contains(request.latitude), (-180...180).contains(request.longitude) else {
            throw LockError(.badParameter, "coordinates \(request.latitude), \(request.longitude) out of range")
        }
        guard (-720...840).contains(Int(request.timezoneOffsetMinutes)) else {
            throw LockError(.badParameter, "timezone offset \(request.timezoneOffsetMinutes) min out of range")
        }
        guard request.ledBrightness <= 5 else { throw LockError(.badParameter, "LED brightness exceeds 5") }
        settings.name = request.name
        settings.latitude = request.latitude
        settings.longitude = request.longitude
        settings.autoUnlatch = request.autoUnlatch
        settings.pairingEnabled = request.pairingEnabled
        // Switching pairing off also closes a pairing window that is already open (docs/attacks.md PA-05).
        if !request.pairingEnabled { pairingModeUntil = nil }
        settings.buttonEnabled = request.buttonEnabled
        settings.ledEnabled = request.ledEnabled
        settings.ledBrightness = request.ledBrightness
        settings.timezoneOffsetMinutes = request.timezoneOffsetMinutes
        settings.dstMode = request.dstMode
        settings.fobActions = [request.fobAction1, request.fobAction2, request.fobAction3]
        settings.singleLock = request.singleLock
        settings.advertisingMode = request.advertisingMode
        settings.timezoneID = request.timezoneID
        configUpdateCount &+= 1
    }

    /// Set Advanced Config (0x0035): validates, merges (optional fields a client leaves out keep
    /// their value), stores, counts the change in Keyturner States byte 13, and re-plans auto lock.
    ///
    /// K_ERROR_BAD_PARAMETER (ranges chosen here where the API gives none): position offsets outside
    /// ±180°, lock'n'go timeout outside 5–60 s, unlatch duration outside 1–30 s, an auto lock
    /// timeout of 1 s or of 0 with auto lock enabled (minimum 2 s, Nuki BLE API 2.3.0),
    /// immediate auto lock other than 0/1, motor speed above 2. Button actions and battery type
    /// are checked by the codec. Source: Nuki BLE API 2.1 and 2.3.0 §"Set Advanced Config",
    /// `docs/wire.md` §5.9.
    mutating func applyAdvancedConfig(_ new: AdvancedConfigSettings, at now: LockInstant) throws(LockError) {
        let offsets = [
            new.unlockedPositionOffsetDegrees, new.lockedPositionOffsetDegrees, new.singleLockedPositionOffsetDegrees,
            new.unlockedToLockedTransitionOffsetDegrees,
        ]
        guard offsets.allSatisfy({ (-180...180).contains($0) }) else {
            throw LockError(.badParameter, "position offsets \(offsets) exceed ±180°")
        }
        guard (5...60).contains(new.lockNGoTimeout) else {
            throw LockError(.badParameter, "lock'n'go timeout \(new.lockNGoTimeout) s is outside 5–60 s")
        }
        guard (1...30).contains(new.unlatchDuration) else {
            throw LockError(.badParameter, "unlatch duration \(new.unlatchDuration) s is outside 1–30 s")
        }
        guard new.nightmodeStartTime.isValid, new.nightmodeEndTime.isValid else {
            throw LockError(.badParameter, "nightmode times are not valid times of day")
        }
        var merged = new
        // A model without immediate auto lock reports 0xFF and ignores what a client writes back.
        if !model.reportsImmediateAutoLock { merged.immediateAutoLockEnabled = nil }
        merged.autoLockEnabled = new.autoLockEnabled ?? advancedSettings.autoLockEnabled
        merged.immediateAutoLockEnabled = merged.immediateAutoLockEnabled ?? advancedSettings.immediateAutoLockEnabled
        merged.autoUpdateEnabled = new.autoUpdateEnabled ?? advancedSettings.autoUpdateEnabled
        merged.motorSpeed = new.motorSpeed ?? advancedSettings.motorSpeed
        merged.slowSpeedDuringNightmode = new.slowSpeedDuringNightmode ?? advancedSettings.slowSpeedDuringNightmode
        if new.autoLockTimeout == 1 || (new.autoLockTimeout == 0 && new.autoLockEnabled == true) {
            throw LockError(.badParameter, "auto lock timeout \(new.autoLockTimeout) s is below 2 s")
        }
        if let immediate = merged.immediateAutoLockEnabled, immediate > 1 {
            throw LockError(.badParameter, "immediate auto lock \(immediate) is not 0 or 1")
        }
        if let speed = merged.motorSpeed, speed > 2 {
            throw LockError(.badParameter, "motor speed \(speed) is not 0–2")
        }
        advancedSettings = merged
        configUpdateCount &+= 1
        if !isAutoLockEnabled {
            autoLockAt = nil
        } else if motion == nil, lockState == .unlocked, autoLockAt == nil {
            autoLockAt = now.adding(milliseconds: Int64(advancedSettings.autoLockTimeout) * 1000)
        }
    }

    /// Authorization Data (Invite) (0x000B): stores a new authorization with the inviter's shared
    /// key and answers Authorization-ID (Invite) (0x001F) with its id and creation date. The key goes
    /// out only in ``LockEvent/invitedAuthorizationKey(authID:sharedKey:)`` for the session's key
    /// store. The invitee's client id is unknown (the invite carries none) and is set to its auth id.
    ///
    /// K_ERROR_BAD_PARAMETER for a name that is not UTF-8 or an all-zero key, K_ERROR_TOO_MANY_ENTRIES
    /// when the user table is full. Source: Nuki BLE API 2.1 §"Authorization Data (Invite)",
    /// `docs/wire.md` §3.6.
    mutating func invite(_ request: AuthorizationDataInvite, by auth: Authorization, created: DateTime) throws(LockError) -> [LockOutput] {
        guard request.name.isWellFormed else { throw LockError(.badParameter, "name is not well-formed UTF-8") }
        guard request.idType.isPairable else { throw LockError(.badParameter, "ID type \(request.idType) cannot be invited") }
        guard !ConstantTime.equals(request.sharedKey.bytes, Bytes32.zero.bytes) else {
            throw LockError(.badParameter, "an all-zero shared key")
        }
        guard authorizations.count < maxAuthorizations else {
            throw LockError(.tooManyEntries, "all \(maxAuthorizations) authorizations are used")
        }
        let authID = reserveAuthID()
        guard authID != 0, authorization(authID) == nil else {
            throw LockError(.tooManyEntries, "authorization ids are exhausted")
        }
        let entry = Authorization(
            authID: authID, idType: request.idType, clientID: authID, name: request.name, enabled: true,
            remoteAllowed: request.remoteAllowed, dateCreated: created, restriction: request.restriction)
        authorizations.append(entry)
        return [
            .event(.invitedAuthorizationKey(authID: authID, sharedKey: request.sharedKey)),
            .reply(authID: auth.authID, .authorizationIDInvite(AuthorizationIDInvite(authID: authID, dateCreated: created))),
            .event(.authorizationAdded(authID: authID, idType: request.idType)),
        ]
    }
}
