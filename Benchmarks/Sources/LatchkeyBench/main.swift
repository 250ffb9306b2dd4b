// latchkey-bench: single-thread cost of the encrypted Nuki frame (LockWire + LockCrypto) against raw
// libsodium secretbox on the same bytes, plus CRC-16 throughput. Method and figures: Benchmarks/README.md.

import CSodiumBench
import Foundation
import LockCrypto
import LockWire

// MARK: Options

let arguments = Set(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print("""
        usage: latchkey-bench [--quick] [--check]
          --quick  short rounds (3 × ≥20 ms) for CI smoke runs; figures are rough
          --check  exit 1 when codec seal+open of a Lock Action exceeds \(BenchConfig.ratioTarget)× raw secretbox
          --sessions  only the session rows (lock action transactions, pairings), e.g. for profiling
          --harnesses[=DIR]  only the fuzz harness rows: each target's committed seeds (Corpus/<Target>/), or with
                     DIR a campaign's grown corpora (DIR/<Target>/corpus/), through its harness, without
                     sanitizers or coverage (exit 1 if an input breaks an invariant)
          --runtime[=N,N,…]  the lock's runtime: N connections held (default 1,100,1000,10000), each doing lock actions
                     (actions/s, p50/p99 latency, state writes per action); idle CPU with 1,000 idle connections;
                     a paired client's p99 next to a junk writer and two never-reading clients
        """)
    exit(0)
}
if CommandLine.arguments.count == 5, CommandLine.arguments[1] == "--runtime-clients", let rounds = Int(CommandLine.arguments[4]) {
    raiseDescriptorLimit(to: 65_536)
    do {
        try runClients(folder: CommandLine.arguments[2], credentialsPath: CommandLine.arguments[3], rounds: rounds)
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("latchkey-bench --runtime-clients: \(error)\n".utf8))
        exit(1)
    }
}
let runtimeArgument = CommandLine.arguments.first { $0 == "--runtime" || $0.hasPrefix("--runtime=") }
let unknown = arguments.subtracting(["--quick", "--check", "--sessions", "--harnesses"]).filter { !$0.hasPrefix("--runtime") && !$0.hasPrefix("--harnesses=") }
guard unknown.isEmpty else {
    FileHandle.standardError.write("latchkey-bench: unknown option \(unknown.sorted().joined(separator: " "))\n".data(using: .utf8)!)
    exit(64)
}
/// `--harnesses[=DIR]`: where the harness rows read their inputs (nil: the option is absent).
let harnessSource: HarnessInputs? = {
    guard let harnessArgument = CommandLine.arguments.first(where: { $0 == "--harnesses" || $0.hasPrefix("--harnesses=") }) else {
        return nil
    }
    guard arguments.isDisjoint(with: ["--check", "--sessions"]), runtimeArgument == nil else {
        FileHandle.standardError.write(Data("latchkey-bench: --harnesses runs alone (with --quick at most)\n".utf8))
        exit(64)
    }
    if let equals = harnessArgument.firstIndex(of: "=") {
        let folder = String(harnessArgument[harnessArgument.index(after: equals)...])
        guard !folder.isEmpty else {
            FileHandle.standardError.write(Data("latchkey-bench: --harnesses= needs a folder\n".utf8))
            exit(64)
        }
        return .campaign(outFolder: URL(fileURLWithPath: folder, isDirectory: true))
    } else {
        // Benchmarks/Sources/LatchkeyBench/main.swift → the repository's Corpus/.
        return .seeds(corpusRoot: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Corpus", isDirectory: true))
    }
}()
let config: BenchConfig = arguments.contains("--quick") ? .quick : .standard
let check = arguments.contains("--check")

guard sodium_init() >= 0 else {
    FileHandle.standardError.write("latchkey-bench: sodium_init failed\n".data(using: .utf8)!)
    exit(1)
}

// MARK: CRC self-check

/// Bit-at-a-time CRC-16/CCITT-FALSE, the reference the table-driven `CRC16` must match.
func referenceCRC(_ bytes: some Sequence<UInt8>) -> UInt16 {
    var crc: UInt16 = 0xFFFF
    for byte in bytes {
        crc ^= UInt16(byte) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
    }
    return crc
}

precondition(CRC16.checksum(Array("123456789".utf8)) == 0x29B1, "CRC16 check value")
do {
    let data = (0..<300).map { UInt8(truncatingIfNeeded: ($0 &* 167) ^ ($0 >> 3) &+ 11) }
    for count in 0...100 {
        for offset in [0, 1, 3, 7] {
            let slice = data[offset..<offset + count]
            let expected = referenceCRC(slice)
            precondition(CRC16.checksum(slice) == expected, "CRC16 slice \(offset)+\(count)")
            precondition(CRC16.checksum(Array(slice)) == expected, "CRC16 array \(count)")
            precondition(CRC16.checksum(slice.lazy.map { $0 }) == expected, "CRC16 sequence \(count)")
            precondition(slice.withUnsafeBytes { CRC16.checksum($0) } == expected, "CRC16 raw buffer \(count)")
            let cut = offset + count / 3
            precondition(CRC16.update(CRC16.checksum(data[offset..<cut]), data[cut..<offset + count]) == expected,
                         "CRC16 split \(count)")
        }
    }
}

// MARK: Inputs

/// A fixed, arbitrary 32-byte key, shared by the codec and the raw baseline.
let keyBytes: [UInt8] = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
/// A fixed nonce. Reusing a nonce is fine for timing; real senders draw a fresh one per frame.
let nonce: [UInt8] = (0..<24).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }
let sharedKey = try! SharedKey(rawBytes: keyBytes)
let authID: UInt32 = 0x0102_0304
let lookup: @Sendable (UInt32) -> SharedKey? = { $0 == authID ? sharedKey : nil }

let challenge = Bytes32((0..<32).map { UInt8(truncatingIfNeeded: 0xA0 &+ $0) })!
let lockActionRequest = LockActionRequest(action: .unlock, appID: 0, challenge: challenge)
let lockActionPayload = lockActionRequest.encoded()
let keyturnerPayload = KeyturnerStates(
    nukiState: .doorMode, lockState: .locked, trigger: .manual,
    currentTime: DateTime(year: 2025, month: 6, day: 1, hour: 12, minute: 30, second: 5),
    timezoneOffsetMinutes: 60, criticalBatteryState: CriticalBatteryState(critical: false, charging: false, percent: 80),
    configUpdateCount: 3, lockNGoTimer: 0, lastLockAction: .lock, lastLockActionTrigger: .manual,
    lastLockActionCompletionStatus: .success, doorSensorState: .closed, nightmodeActive: false,
    accessoryBatteryState: 0, remoteAccessStatus: 1, bleConnectionStrength: -60, wifiConnectionStrength: -55,
    wifiStatus: 1, mqttStatus: 1, threadStatus: 0
).encoded()
precondition(lockActionPayload.count == 38, "Lock Action payload is \(lockActionPayload.count) bytes, expected 38")
precondition(keyturnerPayload.count == 27, "Keyturner States payload is \(keyturnerPayload.count) bytes, expected 27")

/// One encrypted message under test: its payload, the sealed frame, and the plaintext bytes the
/// secretbox covers (payload + 8), which the raw baseline seals.
struct FrameCase {
    let label: String
    let command: Command
    let payload: [UInt8]
    let frame: [UInt8]
    let plaintext: [UInt8]

    init(label: String, command: Command, payload: [UInt8]) {
        self.label = label
        self.command = command
        self.payload = payload
        frame = try! EncryptedMessageCodec.seal(authID: authID, command: command, payload: payload, nonce: nonce, key: sharedKey)
        plaintext = EncryptedPlaintext(authID: authID, command: command, payload: payload).encoded()
        // The codec's frame must be the raw secretbox of the same plaintext, or the comparison is void.
        let raw = RawSecretBox(plaintext: plaintext)
        raw.seal()
        precondition(Array(frame[EncryptedFrame.headerBytes...]) == raw.boxBytes, "\(label): codec and raw secretbox disagree")
        precondition(try! EncryptedMessageCodec.open(frame, key: lookup).payload == payload, "\(label): frame does not open")
    }
}

let lockAction = FrameCase(label: "Lock Action", command: .lockAction, payload: lockActionPayload)
let keyturner = FrameCase(label: "Keyturner States", command: .keyturnerStates, payload: keyturnerPayload)

// MARK: Bodies (each runs `n` iterations and returns a value that depends on every one)

func codecSeal(_ c: FrameCase) -> (Int) -> UInt64 {
    { n in
        var acc: UInt64 = 0
        for _ in 0..<n {
            let frame = try! EncryptedMessageCodec.seal(authID: authID, command: c.command, payload: c.payload, nonce: nonce, key: sharedKey)
            acc &+= UInt64(frame[frame.count - 1])
        }
        return acc
    }
}

func codecOpen(_ c: FrameCase) -> (Int) -> UInt64 {
    { n in
        var acc: UInt64 = 0
        for _ in 0..<n {
            let plain = try! EncryptedMessageCodec.open(c.frame, key: lookup)
            acc &+= UInt64(plain.payload[plain.payload.count - 1])
        }
        return acc
    }
}

func codecRoundTrip(_ c: FrameCase) -> (Int) -> UInt64 {
    { n in
        var acc: UInt64 = 0
        for _ in 0..<n {
            let frame = try! EncryptedMessageCodec.seal(authID: authID, command: c.command, payload: c.payload, nonce: nonce, key: sharedKey)
            let plain = try! EncryptedMessageCodec.open(frame, key: lookup)
            acc &+= UInt64(plain.payload[plain.payload.count - 1])
        }
        return acc
    }
}

/// Typed payload encode, seal, open, typed payload decode: what a client and a lock do per action.
let typedLockActionRoundTrip: (Int) -> UInt64 = { n in
    var acc: UInt64 = 0
    for _ in 0..<n {
        let payload = lockActionRequest.encoded()
        let frame = try! EncryptedMessageCodec.seal(authID: authID, command: .lockAction, payload: payload, nonce: nonce, key: sharedKey)
        let plain = try! EncryptedMessageCodec.open(frame, key: lookup)
        let request = try! LockActionRequest(payload: plain.payload)
        acc &+= UInt64(request.challenge.bytes[31])
    }
    return acc
}

/// Preallocated buffers for `crypto_secretbox_easy` / `crypto_secretbox_open_easy`: no allocation in the loop.
final class RawSecretBox {
    let count: Int
    let message: UnsafeMutablePointer<UInt8>
    let box: UnsafeMutablePointer<UInt8>
    let opened: UnsafeMutablePointer<UInt8>
    let nonce: UnsafeMutablePointer<UInt8>
    let key: UnsafeMutablePointer<UInt8>

    init(plaintext: [UInt8]) {
        count = plaintext.count
        message = .allocate(capacity: count)
        message.initialize(from: plaintext, count: count)
        box = .allocate(capacity: count + 16)
        box.initialize(repeating: 0, count: count + 16)
        opened = .allocate(capacity: count)
        opened.initialize(repeating: 0, count: count)
        self.nonce = .allocate(capacity: 24)
        self.nonce.initialize(from: LatchkeyBench.nonce, count: 24)
        key = .allocate(capacity: 32)
        key.initialize(from: keyBytes, count: 32)
    }

    deinit {
        for p in [message, box, opened, nonce, key] { p.deallocate() }
    }

    var boxBytes: [UInt8] { Array(UnsafeBufferPointer(start: box, count: count + 16)) }

    @inline(__always) func seal() {
        _ = crypto_secretbox_easy(box, message, UInt64(count), nonce, key)
    }

    @inline(__always) func open() -> Bool {
        crypto_secretbox_open_easy(opened, box, UInt64(count + 16), nonce, key) == 0
    }
}

func rawSeal(_ r: RawSecretBox) -> (Int) -> UInt64 {
    { n in
        var acc: UInt64 = 0
        for _ in 0..<n {
            r.seal()
            acc &+= UInt64(r.box[r.count + 15])
        }
        return acc
    }
}

func rawOpen(_ r: RawSecretBox) -> (Int) -> UInt64 {
    r.seal()
    return { n in
        var acc: UInt64 = 0
        for _ in 0..<n {
            if r.open() { acc &+= UInt64(r.opened[r.count - 1]) }
        }
        return acc
    }
}

func rawRoundTrip(_ r: RawSecretBox) -> (Int) -> UInt64 {
    { n in
        var acc: UInt64 = 0
        for _ in 0..<n {
            r.seal()
            if r.open() { acc &+= UInt64(r.opened[r.count - 1]) }
        }
        return acc
    }
}

/// CRC over `count` bytes held in an array; the first byte changes every iteration so the call
/// cannot be hoisted out of the loop.
func crcArray(count: Int) -> (Int) -> UInt64 {
    var bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    return { n in
        var acc: UInt64 = 0
        for i in 0..<n {
            bytes[0] = UInt8(truncatingIfNeeded: i)
            acc &+= UInt64(CRC16.checksum(bytes))
        }
        return acc
    }
}

/// As ``crcArray(count:)`` through an `ArraySlice`, the form `EncryptedPlaintext.decode` checks.
func crcSlice(count: Int) -> (Int) -> UInt64 {
    var bytes = (0..<count + 2).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    return { n in
        var acc: UInt64 = 0
        for i in 0..<n {
            bytes[1] = UInt8(truncatingIfNeeded: i)
            acc &+= UInt64(CRC16.checksum(bytes[1..<count + 1]))
        }
        return acc
    }
}

// MARK: Run

let lockRaw = RawSecretBox(plaintext: lockAction.plaintext)
let keyturnerRaw = RawSecretBox(plaintext: keyturner.plaintext)
var bench = Bench(config: config)

print("latchkey-bench: 1 thread, \(config.rounds) rounds of ≥\(config.roundSecondsLabel) after ≥\(config.warmupSecondsLabel) warm-up; ContinuousClock; median (min) per op")
print("")
bench.header()

if let runtimeArgument {
    let counts = runtimeArgument.split(separator: "=").dropFirst().first.map { $0.split(separator: ",").compactMap { Int($0) } } ?? [1, 100, 1_000, 10_000]
    raiseDescriptorLimit(to: 65_536)
    do {
        print("runtime: one LockServer (event loop on one thread, one journal record synced per commit) over the SOCK_SEQPACKET link; fob lock actions, motor time 0")
        print("| connections held | lock actions | accepted | actions/s | p50 latency | p99 latency | state writes per action |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        var allAccepted = true
        for count in counts where count > 0 {
            let rounds = max(1, 1_000 / count)
            let r = try concurrentConnections(count, rounds: rounds)
            allAccepted = allAccepted && r.accepted == r.actions
            print("| \(r.held) | \(r.actions) | \(r.accepted) | \(fixed(Double(r.accepted) / r.seconds, 0)) | \(fixed(r.latency.p50 * 1000, 2)) ms | \(fixed(r.latency.p99 * 1000, 2)) ms | \(fixed(Double(r.saves) / Double(max(1, r.actions)), 3)) |")
        }
        let idle = try idleCPU(connections: 1_000)
        print("idle: 1,000 open idle connections, process CPU \(fixed(idle * 100, 3)) % of one core over 10 s (goal < 1 %)")
        let f = try fairness()
        print("fairness: paired fob lock action p50/p99 alone \(fixed(f.unloaded.p50 * 1000, 2))/\(fixed(f.unloaded.p99 * 1000, 2)) ms; "
            + "next to a junk writer (\(f.junkSent) PDUs sent) and two never-reading clients (\(f.neverReadingReconnects) drops) "
            + "\(fixed(f.loaded.p50 * 1000, 2))/\(fixed(f.loaded.p99 * 1000, 2)) ms: p99 ratio \(fixed(f.loaded.p99 / f.unloaded.p99, 2))× (goal ≤ 2×)")
        exit(allAccepted ? 0 : 1)
    } catch {
        print("runtime: failed: \(error)")
        exit(1)
    }
}

if let harnessSource {
    let ok = runHarnesses(&bench, inputs: harnessSource)
    print("(sink \(String(bench.sink, radix: 16)))")
    exit(ok ? 0 : 1)
}
if arguments.contains("--sessions") {
    runSessions(&bench).forEach { print($0) }
    print("(sink \(String(bench.sink, radix: 16)))")
    exit(0)
}

bench.section("codec: EncryptedMessageCodec, Lock Action (payload 38 B, frame \(lockAction.frame.count) B)")
bench.run("seal (encode)", bytes: 38, codecSeal(lockAction))
bench.run("open (decode)", bytes: 38, codecOpen(lockAction))
let codecLock = bench.run("seal + open", bytes: 38, codecRoundTrip(lockAction))
bench.run("+ typed payload encode/decode", bytes: 38, typedLockActionRoundTrip)

bench.section("codec: EncryptedMessageCodec, Keyturner States (payload 27 B, frame \(keyturner.frame.count) B)")
bench.run("seal (encode)", bytes: 27, codecSeal(keyturner))
bench.run("open (decode)", bytes: 27, codecOpen(keyturner))
let codecKeyturner = bench.run("seal + open", bytes: 27, codecRoundTrip(keyturner))

bench.section("raw libsodium: crypto_secretbox_easy / _open_easy, preallocated buffers")
bench.run("seal, 46 B (Lock Action plaintext)", bytes: 46, rawSeal(lockRaw))
bench.run("open, 46 B", bytes: 46, rawOpen(lockRaw))
let rawLock = bench.run("seal + open, 46 B", bytes: 46, rawRoundTrip(lockRaw))
bench.run("seal, 35 B (Keyturner States plaintext)", bytes: 35, rawSeal(keyturnerRaw))
bench.run("open, 35 B", bytes: 35, rawOpen(keyturnerRaw))
let rawKeyturner = bench.run("seal + open, 35 B", bytes: 35, rawRoundTrip(keyturnerRaw))

bench.section("CRC16.checksum (CRC-16/CCITT-FALSE)")
bench.run("[UInt8], 46 B", bytes: 46, throughput: true, crcArray(count: 46))
bench.run("[UInt8], 4 KiB", bytes: 4096, throughput: true, crcArray(count: 4096))
bench.run("ArraySlice, 44 B (open's CRC check)", bytes: 44, throughput: true, crcSlice(count: 44))

let sessionLines = runSessions(&bench)

// Paired rounds: codec and raw alternate, so a burst of load from elsewhere hits both sides.
let paired = bench.paired(codecRoundTrip(lockAction), rawRoundTrip(lockRaw))

print("")
print("overhead over raw libsodium (codec seal+open ÷ raw seal+open of the same plaintext):")
func ratioLine(_ label: String, _ codec: Stats, _ raw: Stats) {
    print("  \(label.padding(toLength: 30, withPad: " ", startingAt: 0)) median \(fixed(codec.median / raw.median, 2))x   min \(fixed(codec.min / raw.min, 2))x")
}
ratioLine("Lock Action (table rows)", codecLock, rawLock)
ratioLine("Keyturner States (table rows)", codecKeyturner, rawKeyturner)
sessionLines.forEach { print($0) }
let passed = paired.median <= BenchConfig.ratioTarget
print("  Lock Action, \(paired.count) paired rounds: median \(fixed(paired.median, 3))x  (min \(fixed(paired.min, 3))x, max \(fixed(paired.max, 3))x)  target ≤ \(fixed(BenchConfig.ratioTarget, 1))x  \(passed ? "PASS" : "FAIL")")
print("")
print("(sink \(String(bench.sink, radix: 16)))")

if check && !passed { exit(1) }
