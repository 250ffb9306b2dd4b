/// A key of the Nuki Keypad: digits 1–9 (there is no 0) and the lock key (the arrow/back key, which
/// locks the door without a code). Source: `docs/wire.md` §7.
public enum KeypadKey: Hashable, Sendable, CustomStringConvertible {
    case digit(UInt8)
    case lock

    /// Keys from text: "1"…"9" and "L" (or "<") for the lock key. Nil for anything else.
    public static func parse(_ text: String) -> [KeypadKey]? {
        var keys: [KeypadKey] = []
        for character in text {
            switch character {
            case "1"..."9": keys.append(.digit(UInt8(character.wholeNumberValue ?? 0)))
            case "L", "l", "<": keys.append(.lock)
            default: return nil
            }
        }
        return keys
    }

    public var description: String {
        switch self {
        case .digit(let d): return String(d)
        case .lock: return "L"
        }
    }
}
