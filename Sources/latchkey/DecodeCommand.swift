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
            With no FRAME, decodes the built-in pairing and unlock transcript of the Nuki API V2.1 example \
            (protocol.md §10.1), deriving its shared key from the example's key pair. Exits 1 when any \
            frame is rejected; each rejection names the Error Report code a lock would answer with.
            """
    )

    @Argument(help: "Whole frames as hex (spaces allowed inside quotes).")
    var frames: [String] = []

    @Option(help: "Shared key s (32 bytes hex) for encrypted frames. It is a secret: avoid shell history.")
    var key: String?

    @Option(help: "Frame layout: auto, plain or encrypted.")
    var channel: String = FrameDecoder.Channel.auto.rawValue

    @Flag(help: "Decode with the Smart Lock Ultra layouts (u32 security PIN, Ultra pairing).")
    var ultra = false

    @Option(help: "Output format: text or json (JSON Lines).")
    var format: OutputFormat = .text

    func validate() throws {
        guard FrameDecoder.Channel(rawValue: channel) != nil else {
            throw ValidationError("--channel must be auto, plain or encrypted")
        }
        if let key, Hex.decode(key)?.count != 32 {
            throw ValidationError("--key must be 32 bytes of hex")
        }
        for frame in frames where Hex.decode(frame) == nil {
            throw ValidationError("not hex: \(frame)")
        }
    }

    func run() throws {
        var decoder = FrameDecoder()
        decoder.channel = FrameDecoder.Channel(rawValue: channel) ?? .auto
        decoder.context = ultra ? .ultra : .smartLock
        var inputs: [(sender: String?, bytes: [UInt8])] = frames.map { (nil, Hex.decode($0) ?? []) }
        if let key, let bytes = Hex.decode(key) {
            decoder.key = try SharedKey(rawBytes: bytes)
        }
        if frames.isEmpty {
            let client = try KeyPair(secretKeyBytes: Hex.decode(SetATranscript.clientSecretKey) ?? [])
            let lockKey = Bytes32(Hex.decode(SetATranscript.lockPublicKey) ?? []) ?? .zero
            decoder.key = try SharedKey(ownKeyPair: client, peerPublicKey: lockKey)
            inputs = SetATranscript.frames.map { ($0.sender, Hex.decode($0.hex) ?? []) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var rejected = 0
        for (i, input) in inputs.enumerated() {
            let result = decoder.decode(input.bytes, index: i + 1, sender: input.sender)
            if result.error != nil { rejected += 1 }
            switch format {
            case .text: print(result.text)
            case .json: print(String(decoding: try encoder.encode(result), as: UTF8.self))
            }
        }
        if rejected > 0 {
            fflush(nil)
            FileHandle.standardError.write(Data("\(rejected) of \(inputs.count) frames rejected\n".utf8))
            throw ExitCode.failure
        }
    }
}
