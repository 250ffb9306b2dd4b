import LockWire

/// JSON form of lock events for the event stream (one object per line in JSON Lines):
/// `{"event": "lockStateChanged", "lockState": "UNLOCKED", "lockStateValue": 3, "trigger": "MANUAL", …}`.
/// Codes carry their spec name and raw value. The invite key is never encoded: that event is
/// written as `{"event": "invitedAuthorizationKey", "authID": n}` with no key field.
extension LockEvent: Encodable {
    private struct Keys: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        func code<C: WireCode>(_ name: String, _ value: C) throws {
            try c.encode(value.name ?? value.description, forKey: Keys(name))
            try c.encode(UInt64(value.rawValue), forKey: Keys(name + "Value"))
        }
        func put<T: Encodable>(_ name: String, _ value: T?) throws {
            if let value { try c.encode(value, forKey: Keys(name)) }
        }
        let name = String(String(describing: self).prefix { $0 != "(" })
        try c.encode(name, forKey: Keys("event"))
        switch self {
        case .lockStateChanged(let state, let trigger):
            try code("lockState", state)
            try code("trigger", trigger)
        case .lockActionStarted(let action, let trigger, let authID):
            try code("lockAction", action)
            try code("trigger", trigger)
            try put("authID", authID)
        case .lockActionCompleted(let action, let trigger, let authID, let status):
            try code("lockAction", action)
            try code("trigger", trigger)
            try put("authID", authID)
            try code("completionStatus", status)
        case .lockActionSkipped(let action, let trigger, let status):
            try code("lockAction", action)
            try code("trigger", trigger)
            try code("completionStatus", status)
        case .timeControlFired(let entryID, let action):
            try put("entryID", entryID)
            try code("lockAction", action)
        case .calibrationStarted(let authID):
            try put("authID", authID)
        case .calibrationCompleted(let authID, let status):
            try put("authID", authID)
            try code("completionStatus", status)
        case .pairingModeEntered(let until):
            try put("until", until.description)
        case .authorizationAdded(let authID, let idType):
            try put("authID", authID)
            try code("idType", idType)
        case .authorizationUpdated(let authID), .authorizationRevoked(let authID), .invitedAuthorizationKey(let authID, _):
            try put("authID", authID)
        case .clockSet(let time):
            try put("time", time)
        case .configChanged(let count), .advancedConfigChanged(let count):
            try put("updateCount", count)
        case .timeControlChanged(let entryID):
            try put("entryID", entryID)
        case .batteryLevelChanged(let percent), .batteryCritical(let percent):
            try put("percent", percent)
        case .ringLightChanged(let pattern):
            try put("ringLight", pattern.description)
        case .pairingModeLeft, .securityPINChanged, .rebootRequested:
            break
        }
    }
}
