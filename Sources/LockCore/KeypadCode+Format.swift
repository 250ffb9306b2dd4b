import LockWire

extension KeypadCode {
    /// Whether `code` is a valid keypad code: six digits, each 1–9, not starting with "12"
    /// (Nuki forum "Manage PIN-Codes", Seam constraints; `docs/wire.md` §7). 524,880 codes qualify.
    public static func isValidFormat(_ code: UInt32) -> Bool {
        guard (111_111...999_999).contains(code) else { return false }
        var rest = code
        for _ in 0..<6 {
            if rest % 10 == 0 { return false }
            rest /= 10
        }
        return code / 10_000 != 12
    }
}
