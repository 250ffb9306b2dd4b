/// Two attribute handles, `start` and `end`, each u16 little-endian on the wire (4 octets).
///
/// Used for the Starting/Ending Handle of Find Information, Find By Type Value, Read By Type and Read
/// By Group Type Requests (Bluetooth Core 5.4, Vol 3, Part F, §3.4.3.1, §3.4.3.3, §3.4.4.1,
/// §3.4.4.9), and for the Found Attribute Handle / Group End Handle pairs of the Find By Type Value
/// Response (§3.4.3.4).
///
/// ```
/// start u16 LE | end u16 LE
/// ```
public struct ATTHandleRange: Hashable, Sendable {
    /// Starting handle (or Found Attribute Handle).
    public var start: UInt16
    /// Ending handle (or Group End Handle), inclusive.
    public var end: UInt16

    /// A range `start…end`; not validated (see ``isInvalidRequestRange``).
    public init(start: UInt16, end: UInt16) {
        self.start = start
        self.end = end
    }

    /// `0x0001…0xFFFF`, the whole database: what discovery procedures ask for first.
    public static let all = ATTHandleRange(start: 0x0001, end: 0xFFFF)

    /// True when a server must answer Invalid Handle with ``start``: a starting handle of 0x0000 or
    /// greater than the ending handle (§3.4.3.1 and the same rule in §3.4.3.3, §3.4.4.1, §3.4.4.9).
    public var isInvalidRequestRange: Bool { start == 0x0000 || start > end }

    /// True when `handle` lies in `start…end`.
    public func contains(_ handle: UInt16) -> Bool { start <= handle && handle <= end }
}
