import LockCore
import LockSession
import LockWire

/// One command of the lock's own controls: its physical side, which only its owner can reach (the
/// control socket of `latchkey lock serve`, ``LockControlChannel``; `latchkey lock button|key-turn|
/// door|battery|clock|state`). Nothing here goes over the Nuki protocol.
///
/// Text form, one line of words separated by single spaces (what the control socket carries):
///
/// | line | effect |
/// |---|---|
/// | `button` | the button held 5 s: pairing mode (if Config allows it) |
/// | `key-turn lock`, `key-turn unlock`, `key-turn unlatch` | the physical key (emergency function): works whatever the battery; trigger manual, logged |
/// | `door open`, `door closed` | the door sensor: Keyturner States' door sensor state DOOR_OPENED / DOOR_CLOSED |
/// | `battery P` | the battery at P % (0–100): a fall below 20 % raises the alert and the ring-light signal |
/// | `clock set YYYY-MM-DDTHH:MM:SSZ` | the lock's calendar (UTC), as Update Time sets it |
/// | `clock advance S` | the lock's calendar S seconds (1 to 31,622,400, a leap year) later; timers (motor, lockouts, pairing window) keep real time |
/// | `state` | nothing; the reply describes the lock |
///
/// Source: Nuki Smart Lock FAQ (physical key, battery, door sensor) restated in the README's "How the
/// emulated lock behaves"; the Keyturner States fields in `docs/wire.md` §5.5.
public enum LockControl: Sendable, Hashable, CustomStringConvertible {
    case button
    case keyTurn(LockAction)
    case door(open: Bool)
    case battery(percent: Int)
    case clockSet(DateTime)
    case clockAdvance(seconds: Int64)
    case state

    /// The longest `clock advance`: a leap year, in seconds.
    public static let maximumAdvanceSeconds: Int64 = 366 * 86_400

    /// Why a line is not a control command (its text says what was expected).
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Parses one line (the table above). Throws ``ParseError`` for anything else: an unknown word,
    /// a missing or extra argument, a percent outside 0–100, a malformed or impossible time.
    public init(line: String) throws(ParseError) {
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        func one(_ name: String) throws(ParseError) -> String {
            guard words.count == 2 else { throw ParseError("\(name) takes one argument, got \(words.count - 1)") }
            return words[1]
        }
        switch words.first ?? "" {
        case "button" where words.count == 1: self = .button
        case "state" where words.count == 1: self = .state
        case "key-turn":
            switch try one("key-turn") {
            case "lock": self = .keyTurn(.lock)
            case "unlock": self = .keyTurn(.unlock)
            case "unlatch": self = .keyTurn(.unlatch)
            case let other: throw ParseError("key-turn: expected lock, unlock or unlatch, got \"\(other)\"")
            }
        case "door":
            switch try one("door") {
            case "open": self = .door(open: true)
            case "closed": self = .door(open: false)
            case let other: throw ParseError("door: expected open or closed, got \"\(other)\"")
            }
        case "battery":
            let text = try one("battery")
            guard let percent = Int(text), (0...100).contains(percent) else {
                throw ParseError("battery: expected a percent from 0 to 100, got \"\(text)\"")
            }
            self = .battery(percent: percent)
        case "clock":
            guard words.count == 3 else { throw ParseError("clock: expected `clock set YYYY-MM-DDTHH:MM:SSZ` or `clock advance SECONDS`") }
            switch words[1] {
            case "set": self = .clockSet(try Self.parseTime(words[2]))
            case "advance":
                guard let seconds = Int64(words[2]), (1...Self.maximumAdvanceSeconds).contains(seconds) else {
                    throw ParseError("clock advance: expected whole seconds from 1 to \(Self.maximumAdvanceSeconds), got \"\(words[2])\"")
                }
                self = .clockAdvance(seconds: seconds)
            case let other: throw ParseError("clock: expected set or advance, got \"\(other)\"")
            }
        case "button", "state": throw ParseError("\(words[0]) takes no argument")
        case let other:
            throw ParseError("unknown control \"\(other)\": expected button, key-turn, door, battery, clock or state")
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` (UTC, the `Z` optional) as a valid calendar time.
    static func parseTime(_ text: String) throws(ParseError) -> DateTime {
        let body = text.hasSuffix("Z") ? String(text.dropLast()) : text
        let bytes = Array(body.utf8)
        let layout = Array("0000-00-00T00:00:00".utf8)
        guard bytes.count == layout.count else { throw ParseError("clock set: expected YYYY-MM-DDTHH:MM:SSZ, got \"\(text)\"") }
        var fields: [Int] = []
        var value = 0
        for (byte, expected) in zip(bytes, layout) {
            if expected == UInt8(ascii: "0") {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { throw ParseError("clock set: expected YYYY-MM-DDTHH:MM:SSZ, got \"\(text)\"") }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            } else {
                guard byte == expected else { throw ParseError("clock set: expected YYYY-MM-DDTHH:MM:SSZ, got \"\(text)\"") }
                fields.append(value)
                value = 0
            }
        }
        fields.append(value)
        let time = DateTime(
            year: UInt16(clamping: fields[0]), month: UInt8(clamping: fields[1]), day: UInt8(clamping: fields[2]),
            hour: UInt8(clamping: fields[3]), minute: UInt8(clamping: fields[4]), second: UInt8(clamping: fields[5]))
        guard time.isValid, !time.isUnset, time.year >= 2000 else { throw ParseError("clock set: \(text) is not a valid date from the year 2000 on") }
        return time
    }

    /// The text form (parses back to the same command).
    public var description: String {
        switch self {
        case .button: return "button"
        case .keyTurn(let action): return "key-turn " + (action == .lock ? "lock" : action == .unlatch ? "unlatch" : "unlock")
        case .door(let open): return "door " + (open ? "open" : "closed")
        case .battery(let percent): return "battery \(percent)"
        case .clockSet(let time): return "clock set \(time)Z"
        case .clockAdvance(let seconds): return "clock advance \(seconds)"
        case .state: return "state"
        }
    }

    /// Carries the command out on `engine` at `now`: what the lock must indicate or report, and
    /// the reply (``LockControlReply``; `error` set when the lock could not do it).
    public func apply(to engine: inout LockSessionEngine, at now: LockInstant) -> (actions: [LockSessionEngine.Action], reply: LockControlReply) {
        var actions: [LockSessionEngine.Action] = []
        var error: String?
        switch self {
        case .button:
            actions = engine.pressButton(heldMilliseconds: LockMachine.pairingButtonHoldMilliseconds, at: now)
        case .keyTurn(let action):
            do {
                actions = try engine.manualTurn(action, at: now)
            } catch {
                return ([], LockControlReply(engine.machine, at: now, error: error.reason))
            }
        case .door(let open):
            actions = engine.simulateDoor(open: open, at: now)
        case .battery(let percent):
            actions = engine.simulateBattery(percent: percent, at: now)
        case .clockSet(let time):
            do {
                actions = try engine.setClock(to: time, at: now)
            } catch {
                return ([], LockControlReply(engine.machine, at: now, error: error.reason))
            }
        case .clockAdvance(let seconds):
            guard let current = engine.machine.lockTime(at: now) else {
                error = "the lock's clock is not set: use `clock set` first"
                break
            }
            do {
                actions = try engine.setClock(to: current.adding(milliseconds: seconds * 1000).utcDateTime, at: now)
            } catch {
                return ([], LockControlReply(engine.machine, at: now, error: error.reason))
            }
        case .state:
            break
        }
        return (actions, LockControlReply(engine.machine, at: now, error: error))
    }
}

/// The answer to a ``LockControl``: what the lock is like after it. JSON on the control socket
/// (keys sorted):
///
/// ```json
/// {"batteryCritical":false,"batteryPercent":80,"door":"DOOR_CLOSED","lockState":"LOCKED",
///  "ok":true,"pairingMode":false,"ringLight":"off","saved":true,"time":"2026-12-07T10:00:00Z"}
/// ```
///
/// `error` (and `ok` false) when the lock could not do it; `time` absent while the lock's clock is
/// unset; `saved` false when the state could not be saved (the physical change happened; the lock
/// keeps trying, `storage failed` on its stderr). `ringLight` is a ``LockCore/RingLight`` name.
public struct LockControlReply: Codable, Sendable, Hashable {
    public var ok: Bool
    public var error: String?
    public var lockState: String
    public var batteryPercent: Int
    public var batteryCritical: Bool
    public var ringLight: String
    public var door: String
    public var pairingMode: Bool
    public var time: String?
    public var saved: Bool

    /// Describes `machine` at `now`; not ok when `error` is given.
    public init(_ machine: LockMachine, at now: LockInstant, error: String? = nil) {
        ok = error == nil
        self.error = error
        lockState = machine.lockState.name ?? machine.lockState.description
        batteryPercent = machine.batteryPercent
        batteryCritical = machine.isBatteryCritical
        ringLight = machine.ringLight.rawValue
        door = machine.doorSensorState.name ?? machine.doorSensorState.description
        pairingMode = machine.isPairingMode(at: now)
        time = machine.lockTime(at: now).map(\.description)
        saved = true
    }

    /// One line for people: `lock LOCKED, battery 80 %, ring light off, door DOOR_CLOSED, time …`.
    public var text: String {
        if let error { return "refused: \(error)" }
        var parts = ["lock \(lockState)", "battery \(batteryPercent) %" + (batteryCritical ? " (critical)" : ""), "ring light \(ringLight)", "door \(door)"]
        if pairingMode { parts.append("pairing mode") }
        parts.append("time " + (time ?? "not set"))
        if !saved { parts.append("NOT SAVED (storage failing)") }
        return parts.joined(separator: ", ")
    }
}
