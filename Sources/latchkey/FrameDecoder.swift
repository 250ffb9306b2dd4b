import LockCrypto
import LockWire

/// Decodes whole Nuki frames as a client or lock would receive them: plain frames (`protocol.md`
/// §2.1) and encrypted frames (§2.2) opened with a shared key, then the payload by its command (§4).
struct FrameDecoder {
    /// Which layout to expect.
    enum Channel: String, CaseIterable {
        /// Plain if the CRC of a plain frame checks out or the frame is shorter than the smallest
        /// encrypted frame (54 bytes), else encrypted.
        case auto
        case plain
        case encrypted
    }

    /// One decoded (or rejected) frame. Encodes as one JSON Lines record.
    struct Result: Encodable, Equatable {
        var index: Int
        var sender: String?
        var channel: String
        var authID: UInt32?
        var command: String?
        var commandID: UInt16?
        var payload: String?
        var fields: String?
        var error: String?
        /// The Error Report code a lock would answer with, e.g. `ERROR_BAD_CRC(0xFD)`.
        var nukiError: String?

        /// One line of text.
        var text: String {
            let who = sender.map { "\($0) " } ?? ""
            let auth = authID.map { " auth \($0)" } ?? ""
            if let error {
                return "#\(index) \(who)\(channel)\(auth) rejected: \(error) → \(nukiError ?? "")"
            }
            return "#\(index) \(who)\(channel)\(auth) \(command ?? "") \(fields ?? "")"
        }
    }

    var channel: Channel = .auto
    var context: WireContext = .smartLock
    /// Shared key s for encrypted frames, whatever their auth id.
    var key: SharedKey?

    func decode(_ bytes: [UInt8], index: Int, sender: String? = nil) -> Result {
        var result = Result(index: index, sender: sender, channel: Channel.plain.rawValue)
        do throws(WireError) {
            let command: Command
            let payload: [UInt8]
            let smallestEncrypted = EncryptedFrame.headerBytes + EncryptedFrame.minCiphertextBytes
            let looksPlain = bytes.count < smallestEncrypted || (try? PlainFrame.decode(bytes)) != nil
            if channel == .plain || (channel == .auto && looksPlain) {
                let frame = try PlainFrame.decode(bytes)
                (command, payload) = (frame.command, frame.payload)
            } else {
                result.channel = Channel.encrypted.rawValue
                result.authID = try EncryptedFrame.decode(bytes).authID
                guard let key else {
                    throw WireError(.notAuthorized, "encrypted frame and no --key given")
                }
                let plaintext = try EncryptedMessageCodec.open(bytes) { _ in key }
                (command, payload) = (plaintext.command, plaintext.payload)
            }
            result.command = command.name ?? command.description
            result.commandID = command.rawValue
            result.payload = Hex.encode(payload)
            let message = try NukiMessage.decode(command: command, payload: payload, context: context)
            result.fields = String(describing: message.payload)
        } catch {
            result.error = error.description
            result.nukiError = error.code.nukiErrorCode.description
        }
        return result
    }
}
