import BLETransport
import Foundation
@testable import LockCore
import LockCrypto
@testable import LockEmulator
import LockPeripherals
@testable import LockSession
import LockWire
import Testing

/// A small tmpfs the test mounts and unmounts itself (mount(2); root or CAP_SYS_ADMIN).
struct ScratchFileSystem {
    let path: String

    /// Whether this process may mount a tmpfs (tried once on a probe folder).
    static let canMount: Bool = {
        let probe = NSTemporaryDirectory() + "latchkey-mount-probe-\(getpid())"
        guard mkdir(probe, 0o700) == 0 || errno == EEXIST else { return false }
        defer { rmdir(probe) }
        guard mount("tmpfs", probe, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount2(probe, Int32(MNT_DETACH))
        return true
    }()

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Mounts a tmpfs of `kibibytes` at `path` (created, mode 0700).
    init(path: String, kibibytes: Int) throws {
        self.path = path
        guard mkdir(path, 0o700) == 0 else { throw Failure(description: "mkdir \(path): \(String(cString: strerror(errno)))") }
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(kibibytes)k,mode=0700") == 0 else {
            throw Failure(description: "mount tmpfs at \(path): \(String(cString: strerror(errno)))")
        }
    }

    func unmount() {
        umount2(path, Int32(MNT_DETACH))
        rmdir(path)
    }

    /// Remounts read-only (`readOnly`) or read-write.
    func remount(readOnly: Bool) throws {
        let flags = UInt(MS_REMOUNT) | (readOnly ? UInt(MS_RDONLY) : 0)
        guard mount("tmpfs", path, "tmpfs", flags, nil) == 0 else {
            throw Failure(description: "remount \(path) \(readOnly ? "ro" : "rw"): \(String(cString: strerror(errno)))")
        }
    }

    /// Fills the file system with one file until a write fails with ENOSPC; returns its path.
    func fill() throws -> String {
        let filler = path + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw Failure(description: "create \(filler): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var block = [UInt8](repeating: 0xA5, count: 4096)
        while block.count > 0 {
            let written = block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                guard errno == ENOSPC else { throw Failure(description: "fill \(filler): \(String(cString: strerror(errno)))") }
                block.removeLast(block.count / 2 + (block.count == 1 ? 1 : 0))
            }
        }
        return filler
    }
}

/// How the lock's storage fails in ``StorageFaultTests``.
enum StorageFault: String, CustomStringConvertible, Sendable {
    /// The state file's file system (a tmpfs the test mounts) is full: ENOSPC.
    case full
    /// The state file's folder is not writable by the lock (mode 0500): EACCES. As root the lock
    /// runs as nobody (setpriv), since permission bits do not stop root; a read-only remount is
    /// refused (EBUSY) while the lock holds its `<state>.lock` open for writing.
    case unwritableFolder

    var description: String { rawValue }

    /// What the save's failure says (strerror).
    var reason: String { self == .full ? "No space left on device" : "Permission denied" }
}

/// Issue 17, "failed saves are silent": `latchkey lock serve` whose state file's storage fails
/// while an admin and a fob work it over the socket link. The lock must acknowledge nothing it
/// could not save: every change is answered with Error Report ERROR_UNKNOWN (0xFF) naming the
/// command, "storage failed: …" goes to stderr and the event stream, reads are still answered,
/// and a refused change leaves everything as it was (the fob whose removal was refused still
/// works); once the storage is back, changes are acknowledged again ("storage recovered"), and
/// after a kill -9 the state file holds exactly what was acknowledged.
@Suite(.serialized) struct StorageFaultTests {
    static var isRoot: Bool { geteuid() == 0 }
    static let setpriv = "/usr/bin/setpriv"
    static let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups", "--"]

    /// Not root, or root with setpriv and a `latchkey` that nobody may run (its folders and the
    /// Swift runtime readable by others): tried once with `--help`.
    static let canRunWithoutPrivileges: Bool = {
        guard isRoot else { return true }
        guard FileManager.default.isExecutableFile(atPath: setpriv), let binary = try? MultiProcessTests.binary() else { return false }
        guard let probe = try? CrashLockProcess(binary: setpriv, arguments: nobody + [binary, "--help"], stderrPath: "/dev/null") else { return false }
        return probe.waitForExit() == 0
    }()

    @Test(.enabled(if: ScratchFileSystem.canMount, "mounting a tmpfs needs root (CAP_SYS_ADMIN); CI runs as root"))
    func fullFileSystem() throws {
        try exercise(.full)
    }

    /// Written for the snapshot-per-commit lock. `lock serve` now appends each commit to
    /// `<state>.journal`, a file it holds open, so a folder made unwritable afterwards stops nothing
    /// (the appends are durable and acknowledged, as they should be); only folding the journal into
    /// a new snapshot (past 8 MiB) needs the folder. Disabled until it exercises that fold.
    @Test(.disabled("the state journal is held open: an unwritable folder no longer fails a commit (see the docstring)"),
        .enabled(if: canRunWithoutPrivileges, "as root the lock must run as nobody: needs \(setpriv) (util-linux) and a latchkey binary and Swift runtime that others may read"))
    func unwritableStateFolder() throws {
        try exercise(.unwritableFolder)
    }

    func exercise(_ fault: StorageFault) throws {
        let folder = NSTemporaryDirectory() + "latchkey-storage-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let stateFolder = folder + "/state"
        let devices = folder + "/devices"
        var storage: ScratchFileSystem?
        if fault == .full {
            storage = try ScratchFileSystem(path: stateFolder, kibibytes: 256)
        } else {
            try FileManager.default.createDirectory(atPath: stateFolder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            try FileManager.default.createDirectory(atPath: devices, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        }
        defer { storage?.unmount() }
        let statePath = stateFolder + "/lock.json"
        _ = try CrashCampaign.makeLockState(path: statePath, seed: 99)
        var command = [try MultiProcessTests.binary(), "lock", "serve", "--state", statePath, "--devices-dir", devices, "--pairing"]
        if fault == .unwritableFolder, Self.isRoot {
            for path in [stateFolder, statePath, devices] { chown(path, 65534, 65534) }
            command = [Self.setpriv] + Self.nobody + command
        }
        guard let address = DeviceAddress(octets: [0x54, 0xD2, 0x72, 0x37, 0x59, 0x9A]) else { return }
        let socket = DiscoveryFolder(path: devices).socketPath(address)
        let stderrPath = folder + "/stderr", eventsPath = folder + "/events"
        let lock = try CrashLockProcess(binary: command[0], arguments: Array(command.dropFirst()), stderrPath: stderrPath, stdoutPath: eventsPath)
        defer { lock.kill() }
        var links: [SeqPacketLink] = []
        for _ in 0..<5000 where links.isEmpty {
            if let link = try? SeqPacketLink.connect(path: socket) { links.append(link) } else { usleep(1000) }
        }
        let random = SeededRandomSource(seed: 99)

        // The admin and the fob pair while the storage works; the fob acts once.
        let adminLink = try PeripheralClient(link: try #require(links.first, "lock serve did not listen: \((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")"))
        var admin = AdminClient(appID: CrashRole.admin.clientID, name: CrashRole.admin.name.text, keyPair: try KeyPair(using: random), random: random)
        #expect(try adminLink.run(&admin, start: admin.pair()).last == .paired(authID: 1))
        lock.pressButton()
        let fobLink = try PeripheralClient(link: try SeqPacketLink.connect(path: socket))
        var fob = FobEmulator(fobID: CrashRole.fob.clientID, name: CrashRole.fob.name.text, keyPair: try KeyPair(using: random), random: random)
        var fobPaired: PeripheralFeedback?
        for _ in 0..<200 where fobPaired != .paired(authID: 2) {
            fobPaired = try fobLink.run(&fob, start: fob.pair()).last
            if fobPaired != .paired(authID: 2) { usleep(5000) }  // the button press is not in yet
        }
        #expect(fobPaired == .paired(authID: 2))
        func press() throws -> PeripheralFeedback? { try fobLink.run(&fob, start: fob.press(count: 1, at: LockServer.wallClock())).last }
        #expect(try press() == .accepted(.lockAction))
        func ask(_ kind: CrashOpKind) throws -> PeripheralFeedback? {
            try adminLink.run(&admin, start: admin.send(CrashPeripheral.request(kind, pin: CrashCampaign.pin))).last
        }
        let codeA = CodeValue(code: 345_678, name: FixedName("A", width: FixedName.shortNameWidth), enabled: true)
        #expect(try ask(.addCode(codeA)) == .accepted(.addKeypadCode))

        // The storage fails.
        var filler: String?
        switch fault {
        case .full: filler = try storage?.fill()
        case .unwritableFolder: chmod(stateFolder, 0o500)
        }
        let refusals: [(CrashOpKind, Command)] = [
            (.addCode(CodeValue(code: 456_789, name: FixedName("B", width: FixedName.shortNameWidth), enabled: true)), .addKeypadCode),
            (.updateCode(id: 1, CodeValue(code: 567_891, name: FixedName("A2", width: FixedName.shortNameWidth), enabled: true)), .updateKeypadCode),
            (.removeCode(id: 1), .removeKeypadCode),
            (.setConfig(name: FixedName("Not saved", width: FixedName.nameWidth)), .setConfig),
            (.lockAction(.unlock), .lockAction),
            (.removeAuthorization(.fob, authID: 2), .removeAuthorizationEntry),
        ]
        for (kind, command) in refusals {
            let outcome = try ask(kind)
            #expect(outcome == .refused(.unknown), "\(kind)")
            #expect(admin.lastReplies.last == .errorReport(ErrorReport(errorCode: .unknown, commandID: command)), "\(kind)")
        }
        // Reads are answered, with the saved values.
        let read = try adminLink.run(&admin, start: admin.send(.config)).last
        #expect(read == .accepted(.requestConfig))
        if case .config(let config)? = admin.lastReplies.last {
            #expect(config.name == FixedName("Crash lock", width: FixedName.nameWidth))
        } else {
            Issue.record("no Config: \(admin.lastReplies)")
        }
        // The refused removal left the fob authorized, on its connection, with its key: its
        // action is refused for the storage alone.
        let pressWhileFailing = try press()
        #expect(pressWhileFailing == .refused(.unknown))
        let stderrWhileFailing = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        #expect(stderrWhileFailing.contains("latchkey: storage failed: cannot "), "stderr: \(stderrWhileFailing)")
        #expect(stderrWhileFailing.contains(": \(fault.reason); changes are refused with ERROR_UNKNOWN until the state file can be written\n"), "stderr: \(stderrWhileFailing)")
        #expect(stderrWhileFailing.components(separatedBy: "storage failed").count == 2, "reported once: \(stderrWhileFailing)")
        let eventsWhileFailing = (try? String(contentsOfFile: eventsPath, encoding: .utf8)) ?? ""
        #expect(eventsWhileFailing.contains("\nstorage failed: cannot "), "events: \(eventsWhileFailing)")

        // The storage is back: changes are acknowledged again.
        switch fault {
        case .full: if let filler { unlink(filler) }
        case .unwritableFolder: chmod(stateFolder, 0o700)
        }
        let codeC = CodeValue(code: 678_912, name: FixedName("C", width: FixedName.shortNameWidth), enabled: true)
        #expect(try ask(.addCode(codeC)) == .accepted(.addKeypadCode))
        if case .keypadCodeID(let id)? = admin.lastReplies.last {
            #expect(id.codeID == 2)
        } else {
            Issue.record("no Keypad Code ID: \(admin.lastReplies)")
        }
        let pressAfter = try press()
        #expect(pressAfter == .accepted(.lockAction))
        let events = (try? String(contentsOfFile: eventsPath, encoding: .utf8)) ?? ""
        #expect(events.contains("\nstorage recovered: the state file is written again\n"), "events: \(events)")

        // Killed: the file holds exactly what was acknowledged.
        lock.kill()
        let saved = CrashSnapshot(try LockStateFile(path: statePath).load(random: random))
        #expect(saved.codes.map { CodeValue(code: $0.code, name: $0.name, enabled: $0.enabled) } == [codeA, codeC])
        #expect(saved.codes.map(\.codeID) == [1, 2])
        #expect(saved.configName == FixedName("Crash lock", width: FixedName.nameWidth))
        #expect(saved.authorizations.map(\.authID) == [1, 2])
        let fobKey = try #require(fob.credentials).sharedKey.withUnsafeBytes { Hex.encode($0) }
        #expect(saved.keys[2] == fobKey, "the fob's key in the file")
        #expect(saved.authorizations.first { $0.authID == 1 }?.lockCount == 0, "the refused unlock is not counted")
        #expect(saved.authorizations.first { $0.authID == 2 }?.lockCount == 2, "the fob's two accepted presses")
    }
}
