import BLEGATT
import Foundation
import LockCore
import LockCrypto
import LockFuzzing
import LockNFC
import LockPeripherals
import LockHost
import LockSession
import LockWire
import NukiProfile
import Testing

/// The `known-attack-<case id>-…` files of `Corpus/Regressions/` (docs/attacks.md §B) do what their names
/// say: each reaches the code it is about, so a regression file can never be a no-op. (That the
/// harness's checks pass on them is `CorpusReplayTests.regressionsPassTheHarness`.)
@Suite struct KnownAttackRegressionTests {
    static func bytes(_ target: FuzzTarget, _ name: String) throws -> [UInt8] {
        let url = CorpusReplayTests.corpus.appendingPathComponent("Regressions").appendingPathComponent(target.directoryName).appendingPathComponent(name)
        return try [UInt8](Data(contentsOf: url))
    }

    @Test func plainFrameP01TooShortIsTruncated() throws {
        let input = try Self.bytes(.plainFrame, "known-attack-P-01-frame-shorter-than-command-and-crc")
        #expect(input.count < PlainFrame.overheadBytes)
        #expect(throws: WireError.self) { try PlainFrame.decode(input) }
        do { _ = try PlainFrame.decode(input) } catch { #expect(error.code == .truncated) }
    }

    @Test func plainFrameP05UnknownCommandPassesTheCRCAndIsUnknown() throws {
        let input = try Self.bytes(.plainFrame, "known-attack-P-05-unknown-command-0xFFFF-with-valid-crc")
        let frame = try PlainFrame.decode(input)  // the CRC is right: the payload codec is reached
        #expect(frame.command.rawValue == 0xFFFF && !frame.command.isDocumented)
        do {
            _ = try NukiMessage.decode(command: frame.command, payload: frame.payload, context: .smartLock)
            Issue.record("command 0xFFFF decoded")
        } catch { #expect(error.code == .unknownCommand) }
    }

    @Test func commandPayloadsP06EmptyLockActionIsTruncated() throws {
        let input = try Self.bytes(.commandPayloads, "known-attack-P-06-lock-action-with-empty-payload")
        #expect(input == [0x00, 0x0D, 0x00])  // smart lock context, Lock Action 0x000D, no payload
        do {
            _ = try NukiMessage.decode(command: .lockAction, payload: [], context: .smartLock)
            Issue.record("an empty Lock Action decoded")
        } catch { #expect(error.code == .truncated) }
    }

    @Test func commandPayloadsP05ReservedCommandIsUnknown() throws {
        let input = try Self.bytes(.commandPayloads, "known-attack-P-05-unknown-command-0x0002")
        let command = Command(rawValue: UInt16(input[1]) | UInt16(input[2]) << 8)
        #expect(command.rawValue == 0x0002 && !command.isDocumented)
        do {
            _ = try NukiMessage.decode(command: command, payload: Array(input.dropFirst(3)), context: .smartLock)
            Issue.record("command 0x0002 decoded")
        } catch { #expect(error.code == .unknownCommand) }
    }

    /// F-01: AUTHENTICATE without SELECT is refused 69 82 and the counter stays.
    @Test func fobNFCF01AuthenticateWithoutSelectIsRefused() throws {
        let input = try Self.bytes(.fobNFC, "known-attack-F-01-authenticate-without-select")
        let key = NFCCardKey.derive(from: try SharedKey(rawBytes: [UInt8](repeating: 0x4C, count: 32)), credentialID: 1)
        var card = NFCCardApplication(credentialID: 1, key: key)
        #expect(input[0] == 0x00 && input[1] & 0x03 == 2)  // counter from 0; op AUTHENTICATE first
        let answer: ResponseAPDU = card.respond(to: LatchkeyNFC.authenticateCommand(challenge: Array(input[2..<34])).encoded)
        #expect(answer.status == .securityStatusNotSatisfied)
        #expect(card.counter == 0)
    }

    /// F-03: a card whose counter reaches 2³²−1 answers 69 83 for ever; the counter never wraps.
    @Test func fobNFCF03ExhaustedCounterNeverWraps() throws {
        let input = try Self.bytes(.fobNFC, "known-attack-F-03-counter-exhausted-never-wraps")
        #expect(input[0] & 1 == 1 && input[1] & 0x03 == 1)  // counter from 2³²−3, SELECT
        let key = NFCCardKey.derive(from: try SharedKey(rawBytes: [UInt8](repeating: 0x4C, count: 32)), credentialID: 1)
        var card = NFCCardApplication(credentialID: 1, key: key, counter: UInt32.max - 2)
        let _: ResponseAPDU = card.respond(to: CommandAPDU(cla: 0x00, ins: 0xA4, p1: 0x04, p2: 0x00, data: LatchkeyNFC.aid, le: 256).encoded)
        var statuses: [StatusWord] = []
        for k in 0..<4 {
            let start = 2 + k * 33
            #expect(input[start] & 0x03 == 2)
            let answer: ResponseAPDU = card.respond(to: LatchkeyNFC.authenticateCommand(challenge: Array(input[start + 1..<start + 33])).encoded)
            statuses.append(answer.status)
        }
        #expect(statuses == [.success, .success, .authenticationBlocked, .authenticationBlocked])
        #expect(card.counter == UInt32.max)
    }

    /// PIN-02: five wrong codes lock the keypad out, and the right code typed next is refused.
    @Test func keypadEntryPIN02RightCodeRefusedDuringLockout() throws {
        let input = try Self.bytes(.keypadEntry, "known-attack-PIN-02-right-code-refused-during-lockout")
        let (violation, feedback) = KeypadEntryHarness.replay(input[...])
        #expect(violation == nil)
        let wrong = feedback.filter { if case .wrongCode = $0 { return true } else { return false } }
        #expect(wrong.count == 4)
        let lockedOut = feedback.compactMap { if case .lockedOut(let code, _) = $0 { return code } else { return nil } }
        #expect(lockedOut == [.codeInvalidTimeout1, .codeInvalidTimeout1])  // the fifth wrong code, then the right one
        #expect(!feedback.contains { if case .accepted = $0 { return true } else { return false } })
    }

    /// S-07: a state file torn mid-write is refused as invalid, never half loaded.
    @Test func stateFileS07TornFileIsInvalid() throws {
        let input = try Self.bytes(.stateFile, "known-attack-S-07-state-file-torn-mid-write")
        #expect(input.first == UInt8(ascii: "{") && input.count > 100)
        do {
            _ = try LockStateFile.decode(Data(input), random: SeededRandomSource(seed: 1))
            Issue.record("a torn state file loaded")
        } catch let error as StateFileError { #expect(error.code == .invalid) }
    }

    /// P-07: prepared writes past the queue cap (1,024 octets) are refused with Prepare Queue Full
    /// (0x09), and nothing is written.
    @Test func attGATTP07PreparedWritesPastTheCapAreQueueFull() throws {
        let input = try Self.bytes(.attGATT, "known-attack-P-07-prepared-writes-past-the-queue-cap-never-executed")
        let profile = NukiGATTProfile(nukiID: 0x2A37_3E5F)  // AttGATTHarness's
        var server = GATTServer(database: profile.database)
        let id = server.connect()
        var reader = Array(input)[...]
        var answers: [[UInt8]] = []
        var written = 0
        while let op = reader.first {
            #expect(op == 0x00)  // receive, from client A
            let length = Int(reader.dropFirst().first ?? 0)
            let pdu = Array(reader.dropFirst(2).prefix(length))
            reader = reader.dropFirst(2 + length)
            for event in try server.receive(pdu, from: id, at: .zero) {
                if case .send(_, let bytes) = event { answers.append(bytes) }
                if case .valueWritten = event { written += 1 }
            }
        }
        #expect(profile.pairingGDIO.valueHandle == 0x0003)
        #expect(answers.count == 6)
        #expect(answers.last == [0x01, 0x16, 0x03, 0x00, 0x09])
        #expect(written == 0)
    }
}
