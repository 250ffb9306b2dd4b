/// The kernel's raw-HCI-socket receive filter (`struct hci_filter`, set with
/// `setsockopt(SOL_HCI, HCI_FILTER)`): which packet types and which event codes reach the socket.
public struct HCIEventFilter: Hashable, Sendable {
    /// Bit n set: packet type n passes (0x04 is HCI Event, Core 5.4, Vol 4, Part A, §2).
    public var packetTypeMask: UInt32
    /// Bit n set: event code n passes (two 32-bit words, codes 0–63).
    public var eventMask: (low: UInt32, high: UInt32)
    /// Only Command Complete/Status events for this opcode pass; 0 for any.
    public var opcode: UInt16

    /// A filter from its fields.
    public init(packetTypeMask: UInt32, eventMask: (low: UInt32, high: UInt32), opcode: UInt16 = 0) {
        self.packetTypeMask = packetTypeMask
        self.eventMask = eventMask
        self.opcode = opcode
    }

    /// HCI Event packets with event code 0x3E (LE Meta event, Vol 4, Part E, §7.7.65) only.
    public static let leMetaEvents = HCIEventFilter(packetTypeMask: 1 << 0x04, eventMask: (low: 0, high: 1 << (0x3E - 32)))

    /// Equal masks and opcode.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.packetTypeMask == rhs.packetTypeMask && lhs.eventMask.low == rhs.eventMask.low
            && lhs.eventMask.high == rhs.eventMask.high && lhs.opcode == rhs.opcode
    }

    /// Hashes the masks and opcode.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(packetTypeMask)
        hasher.combine(eventMask.low)
        hasher.combine(eventMask.high)
        hasher.combine(opcode)
    }
}
