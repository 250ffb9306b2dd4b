/// Something that carries one command APDU to a card and brings its response back: the card
/// application itself (in process), libnfc's initiator, a relay.
public protocol NFCCardChannel {
    /// Sends `command` and returns the response APDU bytes (data ‖ SW1 SW2).
    mutating func transceive(_ command: [UInt8]) throws(NFCError) -> [UInt8]
}
