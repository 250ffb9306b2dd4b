import Foundation
import LockCore
import Testing

/// `latchkey fuzz --target` and `latchkey replay` against real `latchkey lock serve` processes over the
/// socket link: with a fixed seed and a bounded number of inputs, each weakened lock's flaw is found
/// by the oracle that exists for it, the finding's trace replays to the same finding (after a restart
/// when the flaw killed the lock), and the honest lock gives no finding for the same inputs.
@Suite struct LiveFuzzTests {
    /// Inputs per campaign: each flaw below is found well within it with seed 1 and the repository's
    /// corpus and dictionaries (time-windows-ignored at input 5, admin-from-non-admin at 17,
    /// crash-on-command at 44, inner-auth-id-unchecked at 72 in frame mode); the honest lock gets the
    /// same inputs.
    static let runs = "300"

    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// A lock served in `folder` (weakened by `flaw`), stopped by `stop()`.
    final class Lock {
        let process = Process()
        let folder: String

        /// `serveOptions`: more `lock serve` options (a model, its PIN).
        init(folder: String, weaken flaw: Weakness?, serveOptions: [String] = []) throws {
            self.folder = folder
            process.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
            process.arguments = ["lock", "serve", "--state", "lock.json", "--nuki-id", "2A37599C", "--duration", "120"] + serveOptions
                + (flaw.map { ["--weaken", $0.rawValue] } ?? [])
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            process.environment = ["LATCHKEY_DEVICES_DIR": folder + "/devices"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            var scan = MultiProcessTests.Run(status: 1, output: "")
            for _ in 0..<100 where !scan.output.contains("Nuki_2A37599C") {
                Thread.sleep(forTimeInterval: 0.05)
                scan = try MultiProcessTests.run(["scan"], in: folder)
            }
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    static let credentials = credentials(pin: "1234")

    /// The fuzzer's state files and the lock's security PIN `pin`.
    static func credentials(pin: String) -> [String] {
        ["--admin-state", "admin.json", "--keypad-state", "keypad.json", "--fob-state", "fob.json", "--security-pin", pin]
    }

    /// Pairs the fuzzer's app, keypad and fob with the lock in `folder` (through `latchkey audit
    /// --pair`, one cheap case) and keeps a copy of the lock's state file and journal as they are then.
    static func pair(in folder: String, pin: String = "1234") throws {
        let audit = try MultiProcessTests.run(["audit", "--pair"] + credentials(pin: pin) + ["--case", "P-01"], in: folder)
        #expect(audit.status == 0)
        // The lock's state is its snapshot and the journal of the commits since (LockStateJournal).
        for file in ["lock.json", "lock.json.journal"] {
            try FileManager.default.copyItem(atPath: folder + "/" + file, toPath: folder + "/paired-" + file)
        }
    }

    /// Puts the state file back as it was after pairing (the campaign may have changed the lock).
    static func restore(in folder: String) throws {
        for file in ["lock.json", "lock.json.journal"] {
            try FileManager.default.removeItem(atPath: folder + "/" + file)
            try FileManager.default.copyItem(atPath: folder + "/paired-" + file, toPath: folder + "/" + file)
        }
    }

    /// `latchkey fuzz --target socket` with the fuzzer's own paired clients; its exit status and
    /// JSON summary.
    /// `extra`: more options. Without `--pin-burst-every` in it, no PIN burst (it would make the
    /// campaign wait out the honest lock's 30-s lockout before its clean-up; `scriptedOperations`
    /// runs it).
    static func fuzz(
        in folder: String, mode: String, runs: String = runs, pin: String = "1234", extra: [String] = []
    ) throws -> (status: Int32, summary: [String: Any]) {
        let bursts = extra.contains("--pin-burst-every") ? [] : ["--pin-burst-every", "0"]
        let run = try MultiProcessTests.run(
            ["fuzz", "--target", "socket"] + credentials(pin: pin) + bursts + extra + [
                "--mode", mode, "--seed", "1", "--runs", runs, "--reconnect-timeout", "1", "--out", "out", "--format", "json",
                "--corpus", repositoryRoot + "/Corpus",
            ] + ["commandPayloads", "lockSession", "encryptedEnvelope", "plainFrame"].flatMap { ["--dict", repositoryRoot + "/Fuzz/dictionaries/\($0).dict"] },
            in: folder)
        return (run.status, (try? JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]) ?? [:])
    }

    static func replay(_ trace: String, in folder: String) throws -> (status: Int32, summary: [String: Any]) {
        let run = try MultiProcessTests.run(["replay", trace, "--target", "socket"] + credentials + ["--format", "json"], in: folder)
        return (run.status, (try? JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]) ?? [:])
    }

    static func findings(_ summary: [String: Any]) -> [[String: Any]] { summary["findings"] as? [[String: Any]] ?? [] }

    static func newFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "latchkey-livefuzz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Each flaw, the oracle that catches it, and the mode that reaches it.
    /// The replay runs against the lock restarted from its state right after pairing (the campaign
    /// changed it: a crash, a removed admin), then against the honest lock from the same state, which
    /// must give no finding.
    @Test(arguments: [
        (Weakness.timeWindowsIgnored, "expired-credential-accepted", "structured"),
        (.adminFromNonAdmin, "access-matrix", "structured"),
        (.crashOnCommand, "liveness-lost", "structured"),
        (.innerAuthIDUnchecked, "reply-wrong-auth-id", "frame"),
    ])
    func flawIsFoundAndItsTraceReplays(_ flaw: Weakness, oracle: String, mode: String) throws {
        let folder = try Self.newFolder()
        var lock = try Lock(folder: folder, weaken: flaw)
        defer { lock.stop() }
        try Self.pair(in: folder)
        let fuzz = try Self.fuzz(in: folder, mode: mode)
        #expect(fuzz.status == 77, "\(flaw)")
        #expect(fuzz.summary["exitCode"] as? Int == 77)
        #expect(fuzz.summary["stoppedBy"] as? String == "finding")
        let found = try #require(Self.findings(fuzz.summary).first)
        #expect(found["oracle"] as? String == oracle, "\(flaw): \(found)")
        let trace = try #require(found["trace"] as? String)
        #expect(trace.hasPrefix("out/finding-001-\(oracle).jsonl"))
        let lines = try String(contentsOfFile: folder + "/" + trace, encoding: .utf8).split(separator: "\n")
        #expect(lines.first?.contains("\"type\":\"header\"") == true)
        #expect(lines.last?.contains("\"oracle\":\"\(oracle)\"") == true)
        #expect(lines.contains { $0.contains("\"direction\":\"sent\"") } && lines.contains { $0.contains("\"direction\":\"received\"") })

        lock.stop()
        try Self.restore(in: folder)
        lock = try Lock(folder: folder, weaken: flaw)
        let replay = try Self.replay(trace, in: folder)
        #expect(replay.status == 77, "\(flaw)")
        #expect(Self.findings(replay.summary).first?["oracle"] as? String == oracle, "\(flaw): \(replay.summary)")

        lock.stop()
        try Self.restore(in: folder)
        lock = try Lock(folder: folder, weaken: nil)
        let honest = try Self.replay(trace, in: folder)
        #expect(honest.status == 0, "\(flaw)")
        #expect(Self.findings(honest.summary).isEmpty, "\(flaw): \(honest.summary)")
    }

    /// The honest lock: the same inputs find nothing.
    @Test(arguments: ["structured", "frame"])
    func honestLockHasNoFinding(_ mode: String) throws {
        let folder = try Self.newFolder()
        let lock = try Lock(folder: folder, weaken: nil)
        defer { lock.stop() }
        try Self.pair(in: folder)
        let fuzz = try Self.fuzz(in: folder, mode: mode)
        #expect(fuzz.status == 0)
        #expect(Self.findings(fuzz.summary).isEmpty, "\(Self.findings(fuzz.summary))")
        #expect(fuzz.summary["inputs"] as? Int == Int(Self.runs))
        #expect(fuzz.summary["stoppedBy"] as? String == "runs")
        #expect(fuzz.summary["roles"] as? [String] == ["admin", "keypad", "fob", "revoked", "disabled", "expired"])
        #expect((fuzz.summary["coverageCells"] as? Int ?? 0) > 20)
    }

    /// The scripted operations (``LockFuzzTarget/LiveOperation``) reach the four flaws mutated
    /// inputs cannot: within 100 inputs (the disabled code at input 16, the pairing with a late-byte
    /// authenticator at 40, the PIN burst at 64), each weakened lock gives the finding of its flaw's
    /// oracle, and the campaign stops there.
    @Test(arguments: [
        (Weakness.disabledCodeIgnored, "disabled-code-accepted", 16, "which the admin disabled (Update Keypad Code, enabled 0), was answered with STATUS ACCEPTED(0x01); a disabled code must be refused (K_ERROR_DISABLED 0x25, AU-03)"),
        (.authenticatorPrefixCompare, "wrong-authenticator-accepted", 40, "an Authorization Authenticator right but in its last byte was answered with CHALLENGE(0x0004); it must be refused with P_ERROR_BAD_AUTHENTICATOR (0x11) (PA-03)"),
        (.pinPrefixCompare, "wrong-pin-accepted", 64, "Verify Security PIN with the right PIN wrong only in its last byte (wrong PIN 1 in a row) was answered with STATUS COMPLETE(0x00); a wrong security PIN must be refused with K_ERROR_BAD_PIN (0x21) (PIN-07)"),
        (.noPINLockout, "pin-lockout-missing", 64, "after 3 wrong security PINs in a row (each K_ERROR_BAD_PIN) the right PIN was answered with STATUS COMPLETE(0x00); it must be refused with K_ERROR_TOO_MANY_PIN_ATTEMPTS (0x28) until the lockout ends (PIN-07)"),
    ])
    func scriptedOperationFindsFlaw(_ flaw: Weakness, oracle: String, input: Int, detail: String) throws {
        let folder = try Self.newFolder()
        let lock = try Lock(folder: folder, weaken: flaw)
        defer { lock.stop() }
        try Self.pair(in: folder)
        let fuzz = try Self.fuzz(in: folder, mode: "structured", runs: "100", extra: ["--pin-burst-every", "200000"])
        #expect(fuzz.status == 77, "\(flaw): \(fuzz.summary)")
        #expect(fuzz.summary["stoppedBy"] as? String == "finding")
        let found = try #require(Self.findings(fuzz.summary).first)
        #expect(found["oracle"] as? String == oracle, "\(flaw): \(found)")
        #expect(found["input"] as? Int == input, "\(flaw): \(found)")
        #expect((found["detail"] as? String)?.contains(detail) == true, "\(flaw): \(found)")
        #expect(fuzz.summary["inputs"] as? Int == input + 1)
    }

    /// The plant check of ``scriptedOperationFindsFlaw``: the honest lock gets the same 100 inputs,
    /// every operation runs (the PIN burst's lockout is waited out before the clean-up, about 30 s),
    /// and there is no finding; the lock's authorizations and keypad codes are as before.
    @Test func scriptedOperationsFindNothingOnTheHonestLock() throws {
        let folder = try Self.newFolder()
        let lock = try Lock(folder: folder, weaken: nil)
        defer { lock.stop() }
        try Self.pair(in: folder)
        let fuzz = try Self.fuzz(in: folder, mode: "structured", runs: "100", extra: ["--pin-burst-every", "200000"])
        #expect(fuzz.status == 0)
        #expect(Self.findings(fuzz.summary).isEmpty, "\(Self.findings(fuzz.summary))")
        #expect(fuzz.summary["inputs"] as? Int == 100)
        #expect(fuzz.summary["operations"] as? [String: Int] == ["disabled-code": 1, "pairing-authenticator": 1, "pin-burst": 1])
        // The fuzzer waited out the lockout and sent the right PIN: the lock's count of wrong PINs
        // started over, so the audit's PIN brute force gets K_ERROR_BAD_PIN first (not 0x28) and
        // the lockout after the third.
        let audit = try MultiProcessTests.run(["audit"] + Self.credentials + ["--case", "PIN-07", "--format", "json"], in: folder)
        #expect(audit.status == 0, "\(audit.output)")
    }

    /// A Smart Lock Ultra (6-digit PIN, Ultra pairing): the fuzzer's app pairs the Ultra way and
    /// invites its keypad and fob (through `audit --pair`), the campaign sends the PIN as a u32 and
    /// its pairing operation ends the pairing mode with a throwaway app. The honest Ultra gives no
    /// finding; one that lets a keypad or fob run admin commands is found by the access matrix.
    @Test(arguments: [nil, Weakness.adminFromNonAdmin])
    func anUltraIsFuzzedWithItsSixDigitPIN(_ flaw: Weakness?) throws {
        let folder = try Self.newFolder()
        let lock = try Lock(folder: folder, weaken: flaw, serveOptions: ["--model", "ultra", "--security-pin", "123456"])
        defer { lock.stop() }
        try Self.pair(in: folder, pin: "123456")
        // The pairing operation runs at inputs 40, 140 and 240.
        let fuzz = try Self.fuzz(in: folder, mode: "structured", pin: "123456", extra: ["--pairing-every", "100"])
        if flaw == nil {
            #expect(fuzz.status == 0, "\(fuzz.summary)")
            #expect(Self.findings(fuzz.summary).isEmpty, "\(Self.findings(fuzz.summary))")
            // The disabled-code operation needs the admin's PIN-protected writes: with the PIN sent in
            // the wrong width it never runs.
            #expect(fuzz.summary["operations"] as? [String: Int] == ["disabled-code": 1, "pairing-authenticator": 3], "\(fuzz.summary)")
        } else {
            #expect(fuzz.status == 77, "\(fuzz.summary)")
            #expect(Self.findings(fuzz.summary).first?["oracle"] as? String == "access-matrix", "\(fuzz.summary)")
        }
    }

    /// Usage errors exit 64 before anything connects.
    @Test func usageErrors() throws {
        let folder = try Self.newFolder()
        let badTarget = try MultiProcessTests.runForErrors(["fuzz", "--target", "tcp:1"], in: folder)
        #expect(badTarget.status == 64)
        #expect(badTarget.stderr.contains("--target is socket, socket:ADDRESS, socket:PATH, bluez:hciN or bluez:hciN/ADDRESS, not tcp:1"))
        let mixed = try MultiProcessTests.runForErrors(["fuzz", "--target", "socket", "--total", "5"], in: folder)
        #expect(mixed.status == 64)
        #expect(mixed.stderr.contains("--target fuzzes a live lock; --total, --per-target, --fork, --merge and libFuzzer targets belong to the campaign"))
        let mode = try MultiProcessTests.runForErrors(["fuzz", "--target", "socket", "--mode", "bits"], in: folder)
        #expect(mode.status == 64)
        #expect(mode.stderr.contains("--mode is structured, frame or att, not bits"))
        #expect(try MultiProcessTests.runForErrors(["fuzz", "--target", "socket", "--runs", "0"], in: folder).status == 64)
        #expect(try MultiProcessTests.runForErrors(["fuzz", "--target", "socket", "--check-every", "0"], in: folder).status == 64)
        #expect(try MultiProcessTests.runForErrors(["replay", "missing.jsonl", "--target", "tcp:1"], in: folder).status == 64)
        let unreadable = try MultiProcessTests.runForErrors(["replay", "missing.jsonl"], in: folder)
        #expect(unreadable.status == 1)
        #expect(unreadable.stderr.contains("cannot read missing.jsonl"))
    }
}
