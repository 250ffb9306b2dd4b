/// What ``BluetoothSystem/wait(_:for:timeout:)`` waits for on a socket (`poll(2)` events).
public enum SocketWait: Hashable, Sendable {
    /// `POLLIN`: a datagram, a connection to accept, or end of stream.
    case readable
    /// `POLLOUT`: room to send, or a non-blocking connect that finished.
    case writable
}
