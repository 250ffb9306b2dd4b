import Foundation
import LockCore
import Testing

/// `latchkey audit` against real `latchkey lock serve` processes over the socket link: the honest lock
/// passes every case; each `--weaken FLAW` lock fails exactly the cases that flaw is the bug of
/// (``LockCore/Weakness/provenCases``) and passes all the others.
@Suite struct AuditMatrixTests {
    struct Outcome {
        var status: Int32
        var report: [String: Any]
        var lockErrors: String
        var scan: String

        func ids(_ status: String) -> [String] {
            ((report["cases"] as? [[String: Any]]) ?? []).filter { $0["status"] as? String == status }.compactMap { $0["id"] as? String }
        }
    }

    /// Starts `lock serve` (Nuki ID 2A37599A, 120 s, `arguments` added) in `folder`, its stderr into
    /// `errors` (nil: discarded), and waits for its advertising record: the process and the last scan.
    static func serve(_ arguments: [String], in folder: String, errors: Pipe?) throws -> (Process, scan: String) {
        let serve = Process()
        serve.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
        serve.arguments = ["lock", "serve", "--state", "lock.json", "--nuki-id", "2A37599A", "--duration", "120"] + arguments
        serve.currentDirectoryURL = URL(fileURLWithPath: folder)
        serve.environment = ["LATCHKEY_DEVICES_DIR": folder + "/devices"]
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = errors ?? FileHandle.nullDevice
        try serve.run()
        var scan = MultiProcessTests.Run(status: 1, output: "")
        for _ in 0..<100 where !scan.output.contains("Nuki_2A37599A") {
            Thread.sleep(forTimeInterval: 0.05)
            scan = try MultiProcessTests.run(["scan"], in: folder)
        }
        return (serve, scan.output)
    }

    /// Serves a lock (weakened by `flaw`; `lock serve` options `serveOptions`, e.g. a model) in a
    /// private folder, audits it with the auditor's own paired clients and `pin`, stops the lock.
    static func audit(weaken flaw: Weakness?, serveOptions: [String] = [], pin: String = "1234", extra: [String] = []) throws -> Outcome {
        let folder = NSTemporaryDirectory() + "latchkey-audit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let errors = Pipe()
        let (serve, scan) = try Self.serve(serveOptions + (flaw.map { ["--weaken", $0.rawValue] } ?? []), in: folder, errors: errors)
        defer {
            if serve.isRunning { serve.terminate() }
            serve.waitUntilExit()
        }
        let run = try MultiProcessTests.run(
            ["audit", "--pair", "--admin-state", "admin.json", "--keypad-state", "keypad.json", "--fob-state", "fob.json", "--security-pin", pin,
             "--format", "json"] + extra, in: folder)
        if serve.isRunning { serve.terminate() }
        let lockErrors = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let report = (try? JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]) ?? [:]
        return Outcome(status: run.status, report: report, lockErrors: lockErrors, scan: scan)
    }

    static let catalogue = ["P-01", "P-02", "P-03", "P-04", "P-05", "P-06", "P-07", "P-09", "P-10", "C-01", "C-02", "C-05", "PA-01", "PA-08", "PA-03",
                            "AU-01", "AU-11", "AU-02", "AU-03", "AU-04", "S-01", "S-03", "PIN-02", "PIN-07"]

    @Test func honestLockPassesEveryCase() throws {
        let outcome = try Self.audit(weaken: nil)
        #expect(outcome.status == 0)
        #expect(outcome.ids("PASS") == Self.catalogue)
        #expect(outcome.ids("FAIL").isEmpty && outcome.ids("SKIPPED").isEmpty)
        #expect(outcome.report["exitCode"] as? Int == 0)
        #expect(!outcome.lockErrors.contains("WEAKENED"))
        #expect(outcome.scan.contains("Nuki_2A37599A  ") && !outcome.scan.contains("WEAK"))
    }

    /// One lock per flaw, the whole catalogue against each (they run in parallel).
    @Test(arguments: Weakness.allCases.filter { $0 != .crashOnCommand })
    func eachFlawFailsExactlyItsCases(_ flaw: Weakness) throws {
        let outcome = try Self.audit(weaken: flaw)
        #expect(outcome.status == 1, "\(flaw)")
        #expect(outcome.ids("FAIL") == Self.catalogue.filter { flaw.provenCases.contains($0) }, "\(flaw)")
        #expect(outcome.ids("PASS") == Self.catalogue.filter { !flaw.provenCases.contains($0) }, "\(flaw)")
        #expect(outcome.lockErrors.contains("WARNING: this lock is WEAKENED for testing (--weaken \(flaw.rawValue))"))
        #expect(outcome.scan.contains("Nuki_2A37599A WEAK"))
        // Every FAIL carries the frames: sent and received, in hex.
        let failed = (outcome.report["cases"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "FAIL" }
        for entry in failed {
            let evidence = entry["evidence"] as? [[String: Any]] ?? []
            #expect(evidence.contains { $0["direction"] as? String == "sent" && !(($0["hex"] as? String) ?? "").isEmpty }, "\(flaw)")
        }
    }

    /// The lock that aborts on a Lock Action with an empty payload: P-06 fails, the audit ends
    /// with exit 77 (the target stopped answering), the cases after it are skipped.
    /// A Smart Lock Ultra (`--model ultra`, 6-digit PIN): the auditor's app pairs the Ultra way with
    /// `--security-pin 123456` (a u32 on the wire), the admin invites the keypad and fob (the Ultra
    /// pairing has no ID type), PA-03 ends the pairing mode with a throwaway app; the honest lock
    /// passes every case and each flaw below fails exactly its cases, as on the standard lock.
    @Test(arguments: [nil, Weakness.adminFromNonAdmin, .authenticatorPrefixCompare, .pinPrefixCompare, .noPINLockout])
    func anUltraIsAuditedLikeAStandardLock(_ flaw: Weakness?) throws {
        let outcome = try Self.audit(weaken: flaw, serveOptions: ["--model", "ultra", "--security-pin", "123456"], pin: "123456")
        let proven = flaw?.provenCases ?? []
        #expect(outcome.status == (flaw == nil ? 0 : 1), "\(String(describing: flaw))")
        #expect(outcome.ids("FAIL") == Self.catalogue.filter { proven.contains($0) }, "\(String(describing: flaw))")
        #expect(outcome.ids("PASS") == Self.catalogue.filter { !proven.contains($0) }, "\(String(describing: flaw))")
        #expect(outcome.ids("SKIPPED").isEmpty)
    }

    /// `--pair` against an Ultra without `--security-pin`: refused (exit 1, the reason) before the
    /// auditor presses the lock's button, so the lock does not stay in pairing mode.
    @Test func anUltraIsNotPairedWithoutItsPIN() throws {
        let folder = NSTemporaryDirectory() + "latchkey-audit-ultra-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let (serve, _) = try Self.serve(["--model", "ultra"], in: folder, errors: nil)
        defer {
            if serve.isRunning { serve.terminate() }
            serve.waitUntilExit()
        }
        let audit = try MultiProcessTests.runForErrors(
            executable: try MultiProcessTests.binary(), ["audit", "--pair", "--admin-state", "admin.json"], in: folder,
            environment: ["LATCHKEY_DEVICES_DIR": folder + "/devices"])
        #expect(audit.status == 1)
        #expect(audit.stderr == "latchkey: admin pairing failed: the lock pairs the Smart Lock Ultra way, which needs its security PIN (--security-pin)\n", "\(audit.stderr)")
        let after = try MultiProcessTests.run(["scan"], in: folder).output
        #expect(after.contains("Nuki_2A37599A") && !after.contains("pairing"), "\(after)")
    }

    /// A 6-digit `--security-pin` is a Smart Lock Ultra's (or Go 5.x's): against a Smart Lock 3.0 it
    /// is a usage error once the GATT table has shown the lock's 4-digit PIN, before any pairing.
    @Test func aSixDigitSecurityPINIsRefusedForAStandardLock() throws {
        let outcome = try Self.audit(weaken: nil, pin: "123456")
        #expect(outcome.status == 64)
        #expect(outcome.report.isEmpty)
    }

    @Test func crashOnCommandStopsTheAuditWith77() throws {
        let outcome = try Self.audit(weaken: .crashOnCommand)
        #expect(outcome.status == 77)
        let at = try #require(Self.catalogue.firstIndex(of: "P-06"))
        #expect(outcome.ids("PASS") == Array(Self.catalogue[..<at]))
        #expect(outcome.ids("FAIL") == ["P-06"])
        #expect(outcome.ids("SKIPPED") == Array(Self.catalogue[(at + 1)...]))
        #expect((outcome.report["unreachable"] as? String)?.contains("closed") == true)
    }

    /// Usage errors exit 64 before anything connects: a bad target, an unknown case, an unknown flaw.
    @Test func usageErrors() throws {
        let folder = NSTemporaryDirectory() + "latchkey-audit-usage-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let target = try MultiProcessTests.runForErrors(["audit", "--target", "tcp:1"], in: folder)
        #expect(target.status == 64)
        #expect(target.stderr.contains("--target is socket, socket:ADDRESS, socket:PATH, bluez:hciN or bluez:hciN/ADDRESS, not tcp:1"))
        #expect(try MultiProcessTests.runForErrors(["audit", "--case", "X-99"], in: folder).status == 64)
        #expect(try MultiProcessTests.runForErrors(["audit", "--format", "xml"], in: folder).status == 64)
        #expect(try MultiProcessTests.runForErrors(["audit", "--budget", "0"], in: folder).status == 64)
        let pin = try MultiProcessTests.runForErrors(["audit", "--security-pin", "1000000"], in: folder)
        #expect(pin.status == 64 && pin.stderr.contains("--security-pin is 0 to 9999, or 0 to 999999 for a lock that pairs the Smart Lock Ultra way"))
        #expect(try MultiProcessTests.runForErrors(["lock", "serve", "--weaken", "bogus", "--duration", "1"], in: folder).status == 64)
    }
}
