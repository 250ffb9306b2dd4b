import LockCrypto
import LockWire

/// Decodes whole Nuki frames as a client or lock would receive them: plain frames (`docs/wire.md`
/// §2.1) and encrypted frames (§2.2) opened with a shared key, then the payload by its command (§4).
struct FrameDecoder {
    /// Which layout to expect.
    enum Channel: String, CaseIterable {
        /// Decide per frame: plain when its CRC checks out, or when it is shorter than the smallest
        /// encrypted frame (54 bytes), or when its encrypted envelope does not parse but it starts with
        /// the id of a pairing-channel command; otherwise encrypted.
        case auto
        case plain
        case encrypted
    }

    /// One decoded (or rejected) frame. Encodes as one JSON Lines record.
    struct Result: Encodable, Equatable {
        var index: Int
        var sender: String?
        var channel: String
        /// The whole frame as received, hex.
        var frame: String
        var authID: UInt32?
        var command: String?
        var commandID: UInt16?
        var payload: String?
        var fields: String?
        var error: String?
        /// The Error Report code a lock would answer with, e.g. `ERROR_BAD_CRC(0xFD)`.
        var nukiError: String?

        /// One line of text; control characters from the frame are escaped, so a frame cannot
        /// forge or erase output lines.
        var text: String {
            let who = sender.map { "\($0) " } ?? ""
            let auth = authID.map { " auth \($0)" } ?? ""
            let line: String
            if let error {
                line = "#\(index) \(who)\(channel)\(auth) rejected: \(error) → \(nukiError ?? "")"
            } else {
                line = "#\(index) \(who)\(channel)\(auth) \(command ?? "") \(fields ?? "")"
            }
            return Self.escapingControlCharacters(line)
        }

        static func escapingControlCharacters(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar.value {
                case 0x00..<0x20, 0x7F..<0xA0, 0x2028, 0x2029:
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                default:
                    out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
    }

    var channel: Channel = .auto
    var context: WireContext = .smartLock
    /// Shared keys for encrypted frames: each is tried until one opens the frame (a capture holds
    /// several devices' sessions).
    var keys: [SharedKey] = []

    /// One key for every encrypted frame.
    var key: SharedKey? {
        get { keys.first }
        set { keys = newValue.map { [$0] } ?? [] }
    }

    func decode(_ bytes: [UInt8], index: Int, sender: String? = nil) -> Result {
        var result = Result(index: index, sender: sender, channel: Channel.plain.rawValue, frame: Hex.encode(bytes))
        do throws(WireError) {
            let command: Command
            let payload: [UInt8]
            if isPlain(bytes) {
                let frame = try PlainFrame.decode(bytes)
                (command, payload) = (frame.command, frame.payload)
            } else {
                result.channel = Channel.encrypted.rawValue
                result.authID = try EncryptedFrame.decode(bytes).authID
                guard !keys.isEmpty else {
                    throw WireError(.notAuthorized, "encrypted frame and no shared key given (--key, --key-file or LATCHKEY_SHARED_KEY)")
                }
                var opened: EncryptedPlaintext?
                var lastError = WireError(.notAuthorized, "no key opens the frame")
                for key in keys {
                    do {
                        opened = try EncryptedMessageCodec.open(bytes) { _ in key }
                        break
                    } catch {
                        lastError = error
                    }
                }
                guard let plaintext = opened else { throw lastError }
                (command, payload) = (plaintext.command, plaintext.payload)
            }
            result.command = command.name ?? command.description
            result.commandID = command.rawValue
            result.payload = Hex.encode(payload)
            let message = try NukiMessage.decode(command: command, payload: payload, context: context)
            result.fields = String(describing: message.payload)
        } catch {
            result.error = error.reason
            result.nukiError = error.code.nukiErrorCode.description
        }
        return result
    }

    /// Whether to read `bytes` as a plain frame (see ``Channel/auto``).
    private func isPlain(_ bytes: [UInt8]) -> Bool {
        switch channel {
        case .plain: return true
        case .encrypted: return false
        case .auto:
            if bytes.count < EncryptedFrame.headerBytes + EncryptedFrame.minCiphertextBytes { return true }
            if (try? PlainFrame.decode(bytes)) != nil { return true }
            if (try? EncryptedFrame.decode(bytes)) != nil { return false }
            let command = Command(rawValue: UInt16(bytes[0]) | UInt16(bytes[1]) << 8)
            return FragmentReassembler.plainPayloadSize(command) != nil
        }
    }
}
