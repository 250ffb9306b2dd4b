import ArgumentParser
import Foundation
import LockCrypto
import LockWire

/// `latchkey decode`: decode Nuki BLE frames given as hex, or the built-in Set A transcript.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode Nuki BLE frames (plain pairing messages and encrypted USDIO messages).",
        discussion: """
            With no FRAME and no --input, decodes the built-in pairing and unlock transcript of the \
            Nuki API V2.1 example, deriving its shared key from the example's key pair. Exits 1 when \
            any frame is rejected (each rejection names the Error Report code a lock would answer \
            with) or when results cannot be written.
            """
    )

    @Argument(help: "Whole frames as hex (spaces allowed inside quotes).")
    var frames: [String] = []

    @Option(help: ArgumentHelp("Read frames from FILE, one hex frame per line ('-' = standard input; '#' starts a comment).", valueName: "file"))
    var input: String?

    @Option(help: "Shared key s (32 bytes hex) for encrypted frames. Visible to other users in the process list: prefer --key-file or LATCHKEY_SHARED_KEY.")
    var key: String?

    @Option(help: ArgumentHelp("Read the shared key (hex) from FILE.", valueName: "file"))
    var keyFile: String?

    @Option(help: "Frame layout: auto, plain or encrypted.")
    var channel: FrameDecoder.Channel = .auto

    @Flag(help: "Decode with the Smart Lock Ultra layouts (u32 security PIN, Ultra pairing).")
    var ultra = false

    @Option(help: "Output format: text or json (JSON Lines).")
    var format: OutputFormat = .text

    func validate() throws {
        for frame in frames { _ = try Self.parseHex(frame, what: "frame") }
        if key != nil && keyFile != nil { throw ValidationError("give --key or --key-file, not both") }
        if let key { _ = try Self.parseKey(key) }
    }

    /// Hex to bytes, with a message saying what is wrong.
    static func parseHex(_ text: String, what: String) throws -> [UInt8] {
        if let bytes = Hex.decode(text) { return bytes }
        let digits = text.filter { !$0.isWhitespace }
        if digits.allSatisfy(\.isHexDigit) {
            throw ValidationError("\(what) has an odd number of hex digits (\(digits.count)): \(digits.prefix(40))")
        }
        // Echoed input is untrusted: control characters (terminal escapes) are shown escaped.
        throw ValidationError("\(what) is not hex: \(FrameDecoder.Result.escapingControlCharacters(String(text.prefix(40))))")
    }

    static func parseKey(_ text: String) throws -> [UInt8] {
        let bytes = try parseHex(text, what: "shared key")
        guard bytes.count == 32 else { throw ValidationError("the shared key must be 32 bytes, got \(bytes.count)") }
        return bytes
    }

    func run() throws {
        var decoder = FrameDecoder()
        decoder.channel = channel
        decoder.context = ultra ? .ultra : .smartLock
        if let text = try keyText() {
            decoder.key = try SharedKey(rawBytes: try Self.parseKey(text))
        }
        var inputs: [(sender: String?, bytes: [UInt8])] = try frames.map { (nil, try Self.parseHex($0, what: "frame")) }
        if let input {
            inputs += try readFrames(input).map { (nil, $0) }
        }
        if frames.isEmpty && input == nil {
            let client = try KeyPair(secretKeyBytes: Hex.decode(SetATranscript.clientSecretKey) ?? [])
            let lockKey = Bytes32(Hex.decode(SetATranscript.lockPublicKey) ?? []) ?? .zero
            decoder.key = try SharedKey(ownKeyPair: client, peerPublicKey: lockKey)
            inputs = SetATranscript.frames.map { ($0.sender, Hex.decode($0.hex) ?? []) }
        }
        let output = ResultWriter(format: format)
        var rejected = 0
        for (i, input) in inputs.enumerated() {
            let result = decoder.decode(input.bytes, index: i + 1, sender: input.sender)
            if result.error != nil { rejected += 1 }
            try output.write(result)
        }
        if rejected > 0 {
            Diagnostics.print("\(rejected) of \(inputs.count) frames rejected")
            throw ExitCode.failure
        }
    }

    private func keyText() throws -> String? {
        if let key { return key }
        if let keyFile {
            do {
                return try String(contentsOfFile: keyFile, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read --key-file \(keyFile): \(error.localizedDescription)")
            }
        }
        return ProcessInfo.processInfo.environment["LATCHKEY_SHARED_KEY"]
    }

    /// One hex frame per non-empty line; text after '#' is ignored.
    private func readFrames(_ path: String) throws -> [[UInt8]] {
        let data: Data
        do {
            data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("cannot read --input \(path): \(error.localizedDescription)")
        }
        var frames: [[UInt8]] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard !content.allSatisfy(\.isWhitespace) else { continue }
            frames.append(try Self.parseHex(content, what: "line \(number + 1) of \(path)"))
        }
        return frames
    }
}
