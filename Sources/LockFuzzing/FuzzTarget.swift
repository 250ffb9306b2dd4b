import LockWire

/// The libFuzzer targets of Latchkey (issue 6), one per attack surface. Each has one harness in this
/// module or in the two it re-exports (WireFuzzing: the frame parsers; NFCFuzzing: fobNFC, so those
/// fuzzers link only what they test), reached through ``check(_:)`` and ``run(_:)-(UnsafeRawBufferPointer)``: the `Fuzz/` entry
/// points (`LLVMFuzzerTestOneInput`) call `FuzzTarget.<target>.run`, and `swift test`'s corpus replay
/// (`Tests/LockFuzzingTests`) calls the same.
///
/// Naming: the raw value (`plainFrame`) names the dictionary (`Fuzz/dictionaries/plainFrame.dict`);
/// ``directoryName`` (`PlainFrame`) names the seed folder `Corpus/PlainFrame/` and the regression folder
/// `Corpus/Regressions/PlainFrame/`; ``productName`` (`PlainFrameFuzzer`) names the fuzz executable.
/// Later targets (NFC) are added as new cases.
///
/// Every harness is deterministic: fixed keys and nonces (``FuzzFixtures``), no clock, no system
/// randomness, and no mutable state that outlives one input.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// 1. Plain frames of the pairing GDIO (``PlainFrameHarness``).
    case plainFrame
    /// 2. The clear envelope of encrypted frames and ``LockCrypto/EncryptedMessageCodec/open(_:key:)-(ArraySlice<UInt8>,_)``
    ///    (``EncryptedEnvelopeHarness``).
    case encryptedEnvelope
    /// 3. Decrypted command payloads, every command's codec (``CommandPayloadHarness``).
    case commandPayloads
    /// 4. Fragment reassembly, sequential and offset-addressed (``ReassemblyHarness``).
    case reassembly
    /// 5. The GATT server with the Nuki profile, raw ATT PDUs from two clients (``AttGATTHarness``).
    case attGATT
    /// 6. A paired lock driven by operation sequences with encrypted commands (``LockSessionHarness``).
    case lockSession
    /// 7. The pairing responder with real and fuzzed pairing messages (``PairingHarness``).
    case pairingResponder
    /// 8. The keypad entry model: an emulated keypad typed on against the fixture's lock
    ///    (``KeypadEntryHarness``).
    case keypadEntry
    /// 9. The state-file loader (``StateFileHarness``).
    case stateFile
    /// 10. The fob's NFC card application and the keypad's reader side, raw APDUs (``FobNFCHarness``).
    case fobNFC

    /// Folder under `Corpus/` and `Corpus/Regressions/`, e.g. `PlainFrame`.
    public var directoryName: String {
        switch self {
        case .plainFrame: return "PlainFrame"
        case .encryptedEnvelope: return "EncryptedEnvelope"
        case .commandPayloads: return "CommandPayloads"
        case .reassembly: return "Reassembly"
        case .attGATT: return "AttGATT"
        case .lockSession: return "LockSession"
        case .pairingResponder: return "PairingResponder"
        case .keypadEntry: return "KeypadEntry"
        case .stateFile: return "StateFile"
        case .fobNFC: return "FobNFC"
        }
    }

    /// The fuzz executable of the `Fuzz/` package, e.g. `PlainFrameFuzzer`.
    public var productName: String { directoryName + "Fuzzer" }

    /// The `-max_len` the campaign passes: the largest input that can still reach new behaviour
    /// (the largest accepted frame from ``LockWire/WireLimits`` plus a margin to exercise the limits).
    public var maxInputLength: Int {
        switch self {
        case .plainFrame: return WireLimits.maxPayloadBytes + PlainFrame.overheadBytes + 64
        case .encryptedEnvelope: return 1 + WireLimits.maxFrameBytes + 64
        case .commandPayloads: return CommandPayloadHarness.headerBytes + WireLimits.maxPayloadBytes + 64
        case .reassembly: return ReassemblyHarness.headerBytes + 2 * WireLimits.maxFrameBytes
        // A few dozen PDUs of up to 255 octets; most are short.
        case .attGATT: return 2048
        // Up to 24 operations, a few with payloads; longer inputs only slow it.
        case .lockSession: return 1024
        case .pairingResponder: return 2048
        // One byte per operation; the harness reads at most 96.
        case .keypadEntry: return KeypadEntryHarness.maxOperations
        // Twice the largest seed (a state file with users, codes, time control and a log).
        case .stateFile: return 32_768
        // Up to 64 operations of at most 64 bytes each; most are short.
        case .fobNFC: return 1024
        }
    }

    /// Checks one input and returns the first broken invariant, or nil. Never traps on any input.
    public func check(_ input: ArraySlice<UInt8>) -> InvariantViolation? {
        switch self {
        case .plainFrame: return PlainFrameHarness.check(input)
        case .encryptedEnvelope: return EncryptedEnvelopeHarness.check(input)
        case .commandPayloads: return CommandPayloadHarness.check(input)
        case .reassembly: return ReassemblyHarness.check(input)
        case .attGATT: return AttGATTHarness.check(input)
        case .lockSession: return LockSessionHarness.check(input, persistence: LockSessionHarness.configuredPersistence)
        case .pairingResponder: return PairingHarness.check(input)
        case .keypadEntry: return KeypadEntryHarness.check(input)
        case .stateFile: return StateFileHarness.check(input)
        case .fobNFC: return FobNFCHarness.check(input)
        }
    }

    /// Runs one input and traps with `fatalError("invariant <name>: …")` if an invariant breaks:
    /// what libFuzzer records as a crash and `swift test` as a failed replay.
    public func run(_ input: UnsafeRawBufferPointer) {
        InvariantViolation.enforce(check(Array(input)[...]))
    }

    /// Array form of ``run(_:)``.
    public func run(_ input: [UInt8]) {
        InvariantViolation.enforce(check(input[...]))
    }
}
