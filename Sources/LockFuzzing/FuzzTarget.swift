import LockWire

/// The libFuzzer targets of Latchkey (issue 6), one per attack surface. Each has one harness function
/// in this module, called both by the `Fuzz/` entry points (`LLVMFuzzerTestOneInput`) and by
/// `swift test`'s corpus replay (`Tests/LockFuzzingTests`).
///
/// Naming: the raw value (`plainFrame`) names the dictionary (`Fuzz/dictionaries/plainFrame.dict`);
/// ``directoryName`` (`PlainFrame`) names the seed folder `Corpus/PlainFrame/` and the regression folder
/// `Corpus/Regressions/PlainFrame/`; ``productName`` (`PlainFrameFuzzer`) names the fuzz executable.
/// Later targets (NFC) are added as new cases.
///
/// Every harness is deterministic: fixed keys and nonces (``FuzzFixtures``), no clock, no system
/// randomness, and no mutable state that outlives one input.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// 1. Plain frames of the pairing GDIO: ``fuzzPlainFrame(_:)-(UnsafeRawBufferPointer)``.
    case plainFrame
    /// 2. The clear envelope of encrypted frames and ``LockCrypto/EncryptedMessageCodec/open(_:key:)-(ArraySlice<UInt8>,_)``:
    ///    ``fuzzEncryptedEnvelope(_:)-(UnsafeRawBufferPointer)``.
    case encryptedEnvelope
    /// 3. Decrypted command payloads, every command's codec: ``fuzzCommandPayloads(_:)-(UnsafeRawBufferPointer)``.
    case commandPayloads
    /// 4. Fragment reassembly, sequential and offset-addressed: ``fuzzReassembly(_:)-(UnsafeRawBufferPointer)``.
    case reassembly
    /// 5. The GATT server with the Nuki profile, raw ATT PDUs from two clients (``AttGATTHarness``):
    ///    ``fuzzAttGATT(_:)-(UnsafeRawBufferPointer)``.
    case attGATT
    /// 6. A paired lock driven by operation sequences with encrypted commands (``LockSessionHarness``):
    ///    ``fuzzLockSession(_:)-(UnsafeRawBufferPointer)``.
    case lockSession
    /// 7. The pairing responder with real and fuzzed pairing messages (``PairingHarness``):
    ///    ``fuzzPairingResponder(_:)-(UnsafeRawBufferPointer)``.
    case pairingResponder
    /// 8. The keypad entry model: an emulated keypad typed on against the fixture's lock
    ///    (``KeypadEntryHarness``): ``fuzzKeypadEntry(_:)-(UnsafeRawBufferPointer)``.
    case keypadEntry
    /// 9. The state-file loader (``StateFileHarness``): ``fuzzStateFile(_:)-(UnsafeRawBufferPointer)``.
    case stateFile

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
        case .lockSession: return LockSessionHarness.check(input)
        case .pairingResponder: return PairingHarness.check(input)
        case .keypadEntry: return KeypadEntryHarness.check(input)
        case .stateFile: return StateFileHarness.check(input)
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

/// Harness of ``FuzzTarget/plainFrame``; traps on a broken invariant (see ``PlainFrameHarness``).
public func fuzzPlainFrame(_ data: UnsafeRawBufferPointer) { FuzzTarget.plainFrame.run(data) }
/// Array form of ``fuzzPlainFrame(_:)-(UnsafeRawBufferPointer)``.
public func fuzzPlainFrame(_ data: [UInt8]) { FuzzTarget.plainFrame.run(data) }

/// Harness of ``FuzzTarget/encryptedEnvelope``; traps on a broken invariant (see ``EncryptedEnvelopeHarness``).
public func fuzzEncryptedEnvelope(_ data: UnsafeRawBufferPointer) { FuzzTarget.encryptedEnvelope.run(data) }
/// Array form of ``fuzzEncryptedEnvelope(_:)-(UnsafeRawBufferPointer)``.
public func fuzzEncryptedEnvelope(_ data: [UInt8]) { FuzzTarget.encryptedEnvelope.run(data) }

/// Harness of ``FuzzTarget/commandPayloads``; traps on a broken invariant (see ``CommandPayloadHarness``).
public func fuzzCommandPayloads(_ data: UnsafeRawBufferPointer) { FuzzTarget.commandPayloads.run(data) }
/// Array form of ``fuzzCommandPayloads(_:)-(UnsafeRawBufferPointer)``.
public func fuzzCommandPayloads(_ data: [UInt8]) { FuzzTarget.commandPayloads.run(data) }

/// Harness of ``FuzzTarget/reassembly``; traps on a broken invariant (see ``ReassemblyHarness``).
public func fuzzReassembly(_ data: UnsafeRawBufferPointer) { FuzzTarget.reassembly.run(data) }
/// Array form of ``fuzzReassembly(_:)-(UnsafeRawBufferPointer)``.
public func fuzzReassembly(_ data: [UInt8]) { FuzzTarget.reassembly.run(data) }

/// Harness of ``FuzzTarget/attGATT``; traps on a broken invariant (see ``AttGATTHarness``).
public func fuzzAttGATT(_ data: UnsafeRawBufferPointer) { FuzzTarget.attGATT.run(data) }
/// Array form of ``fuzzAttGATT(_:)-(UnsafeRawBufferPointer)``.
public func fuzzAttGATT(_ data: [UInt8]) { FuzzTarget.attGATT.run(data) }

/// Harness of ``FuzzTarget/lockSession``; traps on a broken invariant (see ``LockSessionHarness``).
public func fuzzLockSession(_ data: UnsafeRawBufferPointer) { FuzzTarget.lockSession.run(data) }
/// Array form of ``fuzzLockSession(_:)-(UnsafeRawBufferPointer)``.
public func fuzzLockSession(_ data: [UInt8]) { FuzzTarget.lockSession.run(data) }

/// Harness of ``FuzzTarget/pairingResponder``; traps on a broken invariant (see ``PairingHarness``).
public func fuzzPairingResponder(_ data: UnsafeRawBufferPointer) { FuzzTarget.pairingResponder.run(data) }
/// Array form of ``fuzzPairingResponder(_:)-(UnsafeRawBufferPointer)``.
public func fuzzPairingResponder(_ data: [UInt8]) { FuzzTarget.pairingResponder.run(data) }

/// Harness of ``FuzzTarget/keypadEntry``; traps on a broken invariant (see ``KeypadEntryHarness``).
public func fuzzKeypadEntry(_ data: UnsafeRawBufferPointer) { FuzzTarget.keypadEntry.run(data) }
/// Array form of ``fuzzKeypadEntry(_:)-(UnsafeRawBufferPointer)``.
public func fuzzKeypadEntry(_ data: [UInt8]) { FuzzTarget.keypadEntry.run(data) }

/// Harness of ``FuzzTarget/stateFile``; traps on a broken invariant (see ``StateFileHarness``).
public func fuzzStateFile(_ data: UnsafeRawBufferPointer) { FuzzTarget.stateFile.run(data) }
/// Array form of ``fuzzStateFile(_:)-(UnsafeRawBufferPointer)``.
public func fuzzStateFile(_ data: [UInt8]) { FuzzTarget.stateFile.run(data) }
