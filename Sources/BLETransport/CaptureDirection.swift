/// Which way a captured PDU went, from the capturing side (the "host") of the link.
public enum CaptureDirection: Hashable, Sendable {
    /// This side sent it (host → controller): btsnoop flag bit 0 clear, pcap direction 0, ACL
    /// PB flag 0b00 (first non-automatically-flushable packet).
    case sent
    /// This side received it (controller → host): btsnoop flag bit 0 set, pcap direction 1, ACL
    /// PB flag 0b10 (first automatically-flushable packet).
    case received
}
