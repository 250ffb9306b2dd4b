import Foundation
import LockCore
import LockWire

/// The JSON event stream of `lock serve --format json` (JSON Lines, one object per event), schema
/// ``LockCore/LockEventSchema/version``. Every object has `"schema"` and `"event"`:
///
/// | event | other fields |
/// |---|---|
/// | a ``LockCore/LockEvent`` name (`lockStateChanged`, …) | as ``LockCore/LockEvent``'s JSON form |
/// | `listening` | `name` (advertised local name), `location` |
/// | `connected` | `connection` (the lock's connection number) |
/// | `disconnected` | `connection`, `reason` |
/// | `refused` | `connection`, `errorCode` (spec name), `errorCodeValue`, `command` (spec name), `commandValue`, `reason` |
/// | `storageFailed` | `reason` |
/// | `storageRecovered` | — |
/// | `storageWarning` | `reason` |
///
/// Names are spelled out, never derived from Swift identifiers, so the format changes only with
/// the schema version.
extension LockServer.Event: Encodable {
    private enum Keys: String, CodingKey {
        case schema, event, name, location, connection, reason, errorCode, errorCodeValue, command, commandValue
    }

    /// The `"event"` value.
    public var eventName: String {
        switch self {
        case .lock(let event): return event.eventName
        case .listening: return "listening"
        case .connected: return "connected"
        case .disconnected: return "disconnected"
        case .refused: return "refused"
        case .storageFailed: return "storageFailed"
        case .storageRecovered: return "storageRecovered"
        case .storageWarning: return "storageWarning"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if case .lock(let event) = self { try event.encode(to: encoder) }
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(LockEventSchema.version, forKey: .schema)
        try c.encode(eventName, forKey: .event)
        switch self {
        case .lock, .storageRecovered:
            break
        case .listening(let location, let name):
            try c.encode(name, forKey: .name)
            try c.encode(location, forKey: .location)
        case .connected(let id):
            try c.encode(id, forKey: .connection)
        case .disconnected(let id, let reason):
            try c.encode(id, forKey: .connection)
            try c.encode(reason, forKey: .reason)
        case .refused(let id, let code, let command, let reason):
            try c.encode(id, forKey: .connection)
            try c.encode(code.name ?? code.description, forKey: .errorCode)
            try c.encode(code.rawValue, forKey: .errorCodeValue)
            try c.encode(command.name ?? command.description, forKey: .command)
            try c.encode(command.rawValue, forKey: .commandValue)
            try c.encode(reason, forKey: .reason)
        case .storageFailed(let reason), .storageWarning(let reason):
            try c.encode(reason, forKey: .reason)
        }
    }
}
