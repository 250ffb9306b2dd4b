import LockCrypto
import LockWire

/// Builds the seed inputs of every target from real exchanges: the Set A transcript
/// (`Tests/Vectors/SetA.json`, `docs/wire.md` §10.1) and one valid message per documented command.
/// `Fuzz/seed-corpus` writes them out (through the `corpus-gen` tool) and minimises them with
/// libFuzzer's `-merge=1`.
public enum SeedCorpus {
    /// Set A's plain (pairing GDIO) messages, by their key in `SetA.json`'s `hex` object.
    public static let plainMessageKeys = [
        "request_public_key_message", "lock_public_key_message", "client_public_key_message",
        "challenge_1_message", "authorization_authenticator_message", "challenge_2_message",
        "authorization_data_message", "authorization_id_message", "authorization_id_confirmation_message",
        "status_complete_message",
    ]
    /// Set A's whole encrypted frames.
    public static let encryptedMessageKeys = [
        "read_lock_state_message", "keyturner_states_reply_message", "request_challenge_message",
        "challenge_reply_message", "lock_action_message",
    ]
    /// Set A's decrypted plaintexts (PDATA).
    public static let plaintextKeys = [
        "read_lock_state_plaintext", "keyturner_states_reply_plaintext", "request_challenge_plaintext",
        "challenge_reply_plaintext", "lock_action_plaintext", "status_accepted_plaintext", "status_complete_plaintext",
    ]

    /// One valid payload per documented command in `context`, found by decoding: for each command the
    /// shortest and the longest payload (up to ``WireLimits/maxPayloadBytes``) filled with one byte
    /// value that its codec accepts, re-encoded by the codec. Deterministic.
    public static func samplePayloads(context: WireContext) -> [(command: Command, payload: [UInt8])] {
        var samples: [(command: Command, payload: [UInt8])] = []
        for (command, _) in Command.documented {
            var found: [[UInt8]] = []
            for fill: UInt8 in [0x01, 0x02, 0x00, 0x03, 0x7F, 0xFF] {
                var lengths: [Int] = []
                for length in 0...WireLimits.maxPayloadBytes {
                    let payload = [UInt8](repeating: fill, count: length)
                    if (try? NukiMessage.decode(command: command, payload: payload, context: context)) != nil {
                        lengths.append(length)
                    }
                }
                guard let shortest = lengths.first, let longest = lengths.last else { continue }
                for length in Set([shortest, longest]).sorted() {
                    let payload = [UInt8](repeating: fill, count: length)
                    if let message = try? NukiMessage.decode(command: command, payload: payload, context: context) {
                        found.append(message.encodedPayload())
                    }
                }
                break
            }
            for payload in found { samples.append((command, payload)) }
        }
        return samples
    }

    /// Documented commands for which ``samplePayloads(context:)`` finds no payload.
    public static func commandsWithoutSample(context: WireContext) -> [Command] {
        let covered = Set(samplePayloads(context: context).map(\.command))
        return Command.documented.map(\.code).filter { !covered.contains($0) }
    }

    /// The seeds of `target`. `transcript` maps `SetA.json` `hex` keys to bytes.
    public static func seeds(for target: FuzzTarget, transcript: [String: [UInt8]]) -> [[UInt8]] {
        let contexts: [(flag: UInt8, context: WireContext)] = [(0, .smartLock), (1, .ultra)]
        var seeds: [[UInt8]] = []
        switch target {
        case .plainFrame:
            seeds += plainMessageKeys.compactMap { transcript[$0] }
            for (_, context) in contexts {
                for sample in samplePayloads(context: context) {
                    seeds.append(PlainFrame(command: sample.command, payload: sample.payload).encoded())
                }
            }
        case .encryptedEnvelope:
            seeds += encryptedMessageKeys.compactMap { transcript[$0] }.map { [0x00] + $0 }
            seeds += plaintextKeys.compactMap { transcript[$0] }.map { [0x01] + $0 }
            seeds += plaintextKeys.prefix(1).compactMap { transcript[$0] }.map { [0x03] + $0 }
            for sample in samplePayloads(context: .smartLock) {
                let plaintext = EncryptedPlaintext(authID: FuzzFixtures.authID, command: sample.command, payload: sample.payload)
                seeds.append([0x01] + plaintext.encoded())
                if let key = FuzzFixtures.sharedKey(),
                   let frame = try? EncryptedMessageCodec.seal(plaintext, nonce: FuzzFixtures.nonce, key: key) {
                    seeds.append([0x00] + frame)
                }
            }
        case .commandPayloads:
            for (flag, context) in contexts {
                for sample in samplePayloads(context: context) {
                    seeds.append([flag, UInt8(truncatingIfNeeded: sample.command.rawValue),
                                  UInt8(truncatingIfNeeded: sample.command.rawValue >> 8)] + sample.payload)
                }
            }
            for key in plainMessageKeys {
                if let frame = transcript[key], let plain = try? PlainFrame.decode(frame) {
                    seeds.append([0, UInt8(truncatingIfNeeded: plain.command.rawValue),
                                  UInt8(truncatingIfNeeded: plain.command.rawValue >> 8)] + plain.payload)
                }
            }
            for key in plaintextKeys {
                if let bytes = transcript[key], let plain = try? EncryptedPlaintext.decode(bytes, expectedAuthID: FuzzFixtures.authID) {
                    seeds.append([0, UInt8(truncatingIfNeeded: plain.command.rawValue),
                                  UInt8(truncatingIfNeeded: plain.command.rawValue >> 8)] + plain.payload)
                }
            }
        case .reassembly:
            // The pairing exchange and the encrypted exchange as byte streams, in every chunking pattern
            // (bits 1–2 of the split byte) with default caps, and a capped variant.
            let plainStream = plainMessageKeys.compactMap { transcript[$0] }.flatMap { $0 }
            let encryptedStream = encryptedMessageKeys.compactMap { transcript[$0] }.flatMap { $0 }
            for pattern: UInt8 in 0...3 {
                seeds.append([pattern << 1 | 0x08, 0] + plainStream.prefix(200))
                seeds.append([pattern << 1 | 0x09, 0] + encryptedStream.prefix(300))
            }
            seeds.append([0x02, 5] + plainStream.prefix(120))
            seeds.append([0x03, 5] + encryptedStream.prefix(120))
            for key in plainMessageKeys { if let m = transcript[key] { seeds.append([0x02, 0] + m) } }
            for key in encryptedMessageKeys { if let m = transcript[key] { seeds.append([0x03, 0] + m) } }
        case .attGATT:
            seeds += AttGATTHarness.seeds(messages: plainMessageKeys.compactMap { transcript[$0] })
        case .lockSession:
            seeds += SessionSeeds.lockSession() + SessionSeeds.modelSeeds()
        case .pairingResponder:
            seeds += SessionSeeds.pairing(transcript: transcript)
        case .keypadEntry:
            seeds += KeypadEntryHarness.seeds()
        case .stateFile:
            seeds += SessionSeeds.stateFiles()
        case .fobNFC:
            seeds += FobNFCHarness.seeds()
        }
        return seeds
    }
}
