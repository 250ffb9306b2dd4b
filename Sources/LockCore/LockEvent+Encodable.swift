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
        try c.encode(eventName, forKey: Keys("event"))
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
            try put("pattern", pattern.rawValue)
        case .doorSensorChanged(let state):
            try code("doorSensorState", state)
        case .pairingModeLeft, .securityPINChanged, .rebootRequested:
            break
        }
    }
}

extension LockEvent {
    /// The event's name in the JSON event stream, part of its schema (``LockEventSchema/version``):
    /// spelled out here, not derived from the Swift case, so renaming a case cannot change the output.
    public var eventName: String {
        switch self {
        case .lockStateChanged: return "lockStateChanged"
        case .lockActionStarted: return "lockActionStarted"
        case .lockActionCompleted: return "lockActionCompleted"
        case .lockActionSkipped: return "lockActionSkipped"
        case .timeControlFired: return "timeControlFired"
        case .calibrationStarted: return "calibrationStarted"
        case .calibrationCompleted: return "calibrationCompleted"
        case .pairingModeEntered: return "pairingModeEntered"
        case .pairingModeLeft: return "pairingModeLeft"
        case .authorizationAdded: return "authorizationAdded"
        case .authorizationUpdated: return "authorizationUpdated"
        case .authorizationRevoked: return "authorizationRevoked"
        case .invitedAuthorizationKey: return "invitedAuthorizationKey"
        case .securityPINChanged: return "securityPINChanged"
        case .clockSet: return "clockSet"
        case .rebootRequested: return "rebootRequested"
        case .configChanged: return "configChanged"
        case .advancedConfigChanged: return "advancedConfigChanged"
        case .timeControlChanged: return "timeControlChanged"
        case .batteryLevelChanged: return "batteryLevelChanged"
        case .batteryCritical: return "batteryCritical"
        case .ringLightChanged: return "ringLightChanged"
        case .doorSensorChanged: return "doorSensorChanged"
        }
    }
}

/// The version of the JSON event stream's shape (`lock serve --format json`): every line carries it
/// as `"schema"`. Raised whenever a name or a field changes meaning.
public enum LockEventSchema {
    public static let version = 1
}
