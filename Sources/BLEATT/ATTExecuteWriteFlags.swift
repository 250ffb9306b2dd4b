/// The Flags octet of an Execute Write Request (Bluetooth Core 5.4, Vol 3, Part F, §3.4.6.3).
///
/// 0x02–0xFF are reserved; a request carrying one is answered with Invalid PDU.
public enum ATTExecuteWriteFlags: UInt8, Hashable, Sendable {
    /// 0x00: cancel all prepared writes.
    case cancel = 0x00
    /// 0x01: immediately write all pending prepared values.
    case write = 0x01
}
