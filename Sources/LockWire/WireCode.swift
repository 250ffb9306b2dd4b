/// A one- or two-byte code from the Nuki vocabulary (command ids, states, actions, error codes…).
///
/// Codes are open structs rather than enums: a value the API does not document still decodes, keeps
/// its raw value and round-trips, and the code that acts on it decides whether it is acceptable
/// (``isDocumented``). Each conforming type lists its documented values with their spec names.
public protocol WireCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible
where RawValue: FixedWidthInteger & Sendable {
    init(rawValue: RawValue)
    /// Every documented value with its name as the spec spells it.
    static var documented: [(code: Self, name: String)] { get }
}

extension WireCode {
    /// The spec's name of this value, or nil if undocumented.
    @inlinable
    public var name: String? {
        let raw = rawValue
        for entry in Self.documented where entry.code.rawValue == raw { return entry.name }
        return nil
    }

    /// Whether the API documents this value. Inlinable and comparing raw values, so a caller in
    /// another module gets a specialised loop with no String copies: the lock checks this on every
    /// decoded field and in ``LockCore``'s state validation.
    @inlinable
    public var isDocumented: Bool {
        let raw = rawValue
        for entry in Self.documented where entry.code.rawValue == raw { return true }
        return false
    }

    /// Name and hex value, e.g. `LOCK_ACTION(0x000D)`; `0x00AB` when undocumented.
    public var description: String {
        let width = RawValue.bitWidth / 4
        let digits = String(rawValue, radix: 16, uppercase: true)
        let hex = "0x" + String(repeating: "0", count: max(0, width - digits.count)) + digits
        return name.map { "\($0)(\(hex))" } ?? hex
    }
}
