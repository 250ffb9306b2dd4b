/// The file format of a capture.
public enum CaptureFormat: Hashable, Sendable {
    /// btsnoop version 1, datalink 1002 (HCI UART, H4): the Android/BlueZ HCI log format.
    case btsnoop
    /// pcap (libpcap 2.4, microsecond timestamps), linktype 201 BLUETOOTH_HCI_H4_WITH_PHDR: each
    /// packet starts with a 4-octet direction pseudo-header (u32 big-endian, 0 sent, 1 received).
    case pcap

    /// `.pcap` → pcap, anything else → btsnoop.
    public init(path: String) {
        self = path.hasSuffix(".pcap") ? .pcap : .btsnoop
    }
}
