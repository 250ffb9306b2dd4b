import BLETransport
import Foundation
@testable import LockCore
import LockCrypto
@testable import LockEmulator
import LockPeripherals
@testable import LockHost
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

/// A `latchkey lock serve` (state in its own folder) with a paired admin and a paired fob over the
/// socket link, for ``StorageFaultTests``.
final class StorageRig {
    let folder: String
    let stateFolder: String
    let statePath: String
    let stderrPath: String
    let eventsPath: String
    let lock: CrashLockProcess
    let storage: ScratchFileSystem?
    let adminLink: PeripheralClient
    var admin: AdminClient
    let fobLink: PeripheralClient
    var fob: FobEmulator
    let random = SeededRandomSource(seed: 99)
    /// Who owns the state file (nobody when the lock runs as nobody).
    let owner: uid_t

    /// Starts the lock (`arguments` added to `lock serve`'s), pairs the admin (auth id 1) and the
    /// fob (auth id 2). With `fault` `.full` the state folder is a 256-KiB tmpfs; with
    /// `.unwritableFolder` the lock runs as nobody when the test runs as root.
    init(_ fault: StorageFault, arguments: [String] = []) throws {
        folder = NSTemporaryDirectory() + "latchkey-storage-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        stateFolder = folder + "/state"
        let devices = folder + "/devices"
        if fault == .full {
            storage = try ScratchFileSystem(path: stateFolder, kibibytes: 256)
        } else {
            storage = nil
            try FileManager.default.createDirectory(atPath: stateFolder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            try FileManager.default.createDirectory(atPath: devices, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        }
        statePath = stateFolder + "/lock.json"
        _ = try CrashCampaign.makeLockState(path: statePath, seed: 99)
        var command = [try MultiProcessTests.binary(), "lock", "serve", "--state", statePath, "--devices-dir", devices, "--pairing"] + arguments
        if fault == .unwritableFolder, StorageFaultTests.isRoot {
            for path in [stateFolder, statePath, devices] { chown(path, 65534, 65534) }
            command = [StorageFaultTests.setpriv] + StorageFaultTests.nobody + command
            owner = 65534
        } else {
            owner = getuid()
        }
        let address = try #require(DeviceAddress(octets: [0x54, 0xD2, 0x72, 0x37, 0x59, 0x9A]))
        let socket = DiscoveryFolder(path: devices).socketPath(address)
        stderrPath = folder + "/stderr"
        eventsPath = folder + "/events"
        lock = try CrashLockProcess(binary: command[0], arguments: Array(command.dropFirst()), stderrPath: stderrPath, stdoutPath: eventsPath)
        var links: [SeqPacketLink] = []
        for _ in 0..<5000 where links.isEmpty {
            if let link = try? SeqPacketLink.connect(path: socket) { links.append(link) } else { usleep(1000) }
        }
        adminLink = try PeripheralClient(link: try #require(links.first, "lock serve did not listen: \((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")"))
        admin = AdminClient(appID: CrashRole.admin.clientID, name: CrashRole.admin.name.text, keyPair: try KeyPair(using: random), random: random)
        fobLink = try PeripheralClient(link: try SeqPacketLink.connect(path: socket))
        fob = FobEmulator(fobID: CrashRole.fob.clientID, name: CrashRole.fob.name.text, keyPair: try KeyPair(using: random), random: random)
        #expect(try adminLink.run(&admin, start: admin.pair()).last == .paired(authID: 1))
        lock.pressButton()
        var fobPaired: PeripheralFeedback?
        for _ in 0..<200 where fobPaired != .paired(authID: 2) {
            fobPaired = try fobLink.run(&fob, start: fob.pair()).last
            if fobPaired != .paired(authID: 2) { usleep(5000) }  // the button press is not in yet
        }
        #expect(fobPaired == .paired(authID: 2))
    }

    deinit {
        lock.kill()
        storage?.unmount()
        try? FileManager.default.removeItem(atPath: folder)
    }

    func press() throws -> PeripheralFeedback? { try fobLink.run(&fob, start: fob.press(count: 1, at: LockServer.wallClock())).last }

    func ask(_ kind: CrashOpKind) throws -> PeripheralFeedback? {
        try adminLink.run(&admin, start: admin.send(CrashPeripheral.request(kind, pin: CrashCampaign.pin))).last
    }

    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
    var events: String { (try? String(contentsOfFile: eventsPath, encoding: .utf8)) ?? "" }

    /// Kills the lock (kill -9) and loads what its state file and journal hold.
    func killAndLoad() throws -> CrashSnapshot {
        lock.kill()
        return CrashSnapshot(try LockStateFile(path: statePath).load(random: random, owner: owner))
    }

    static let codeA = CodeValue(code: 345_678, name: FixedName("A", width: FixedName.shortNameWidth), enabled: true)
    static let codeB = CodeValue(code: 456_789, name: FixedName("B", width: FixedName.shortNameWidth), enabled: true)
    static let codeC = CodeValue(code: 678_912, name: FixedName("C", width: FixedName.shortNameWidth), enabled: true)
    /// The changes the tests make while the storage fails, with the command each is.
    static let changes: [(CrashOpKind, Command)] = [
        (.addCode(codeB), .addKeypadCode),
        (.updateCode(id: 1, CodeValue(code: 567_891, name: FixedName("A2", width: FixedName.shortNameWidth), enabled: true)), .updateKeypadCode),
        (.removeCode(id: 1), .removeKeypadCode),
        (.setConfig(name: FixedName("Not saved", width: FixedName.nameWidth)), .setConfig),
        (.lockAction(.unlock), .lockAction),
        (.removeAuthorization(.fob, authID: 2), .removeAuthorizationEntry),
    ]
}

/// Issue 17, "failed saves are silent": `latchkey lock serve` whose state file's storage fails
/// while an admin and a fob work it over the socket link. The lock must acknowledge nothing it
/// could not save.
///
/// A full file system (the journal folded at every commit, so that it has no partly used page
/// left): every change is answered with Error Report ERROR_UNKNOWN (0xFF) naming the
/// command, "storage failed: …" goes to stderr and the event stream, reads are still answered, and
/// a refused change leaves everything as it was (the fob whose removal was refused still works);
/// once the storage is back, changes are acknowledged again ("storage recovered"), and after a
/// kill -9 the state file holds exactly what was acknowledged.
///
/// A folder the lock can no longer write: the lock appends each commit to `<state>.journal`, a file
/// it holds open, so its commits stay durable and are acknowledged; what needs the folder is
/// folding the journal into a new snapshot (forced at every commit here with the hidden
/// `--journal-compaction-bytes 1`). That fold fails, is reported once ("storage warning"), the
/// records go on in the journal, and after a kill -9 every acknowledged change is there. A lock
/// started with such a folder refuses to start.
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
        // Every commit writes a snapshot and empties the journal, so that a full file system fails
        // the append as well: an empty journal has no partly used page a small record could still
        // go into (with one, a change that fits is durable and rightly acknowledged).
        let rig = try StorageRig(.full, arguments: ["--journal-compaction-bytes", "0"])
        #expect(try rig.press() == .accepted(.lockAction))
        #expect(try rig.ask(.addCode(StorageRig.codeA)) == .accepted(.addKeypadCode))

        // The storage fails.
        let filler = try rig.storage?.fill()
        for (kind, command) in StorageRig.changes {
            let outcome = try rig.ask(kind)
            #expect(outcome == .refused(.unknown), "\(kind)")
            #expect(rig.admin.lastReplies.last == .errorReport(ErrorReport(errorCode: .unknown, commandID: command)), "\(kind)")
        }
        // Reads are answered, with the saved values.
        let read = try rig.adminLink.run(&rig.admin, start: rig.admin.send(.config)).last
        #expect(read == .accepted(.requestConfig))
        if case .config(let config)? = rig.admin.lastReplies.last {
            #expect(config.name == FixedName("Crash lock", width: FixedName.nameWidth))
        } else {
            Issue.record("no Config: \(rig.admin.lastReplies)")
        }
        // The refused removal left the fob authorized, on its connection, with its key: its
        // action is refused for the storage alone.
        let pressWhileFailing = try rig.press()
        #expect(pressWhileFailing == .refused(.unknown))
        let stderrWhileFailing = rig.stderr
        #expect(stderrWhileFailing.contains("latchkey: storage failed: cannot "), "stderr: \(stderrWhileFailing)")
        #expect(stderrWhileFailing.contains(": No space left on device; changes are refused with ERROR_UNKNOWN until the state file can be written\n"), "stderr: \(stderrWhileFailing)")
        #expect(stderrWhileFailing.components(separatedBy: "storage failed").count == 2, "reported once: \(stderrWhileFailing)")
        #expect(rig.events.contains("\nstorage failed: cannot "), "events: \(rig.events)")

        // The storage is back: changes are acknowledged again.
        if let filler { unlink(filler) }
        #expect(try rig.ask(.addCode(StorageRig.codeC)) == .accepted(.addKeypadCode))
        if case .keypadCodeID(let id)? = rig.admin.lastReplies.last {
            #expect(id.codeID == 2)
        } else {
            Issue.record("no Keypad Code ID: \(rig.admin.lastReplies)")
        }
        let pressAfter = try rig.press()
        #expect(pressAfter == .accepted(.lockAction))
        #expect(rig.events.contains("\nstorage recovered: the state file is written again\n"), "events: \(rig.events)")

        // Killed: the file holds exactly what was acknowledged.
        let fobKey = try #require(rig.fob.credentials).sharedKey.withUnsafeBytes { Hex.encode($0) }
        let saved = try rig.killAndLoad()
        #expect(saved.codes.map { CodeValue(code: $0.code, name: $0.name, enabled: $0.enabled) } == [StorageRig.codeA, StorageRig.codeC])
        #expect(saved.codes.map(\.codeID) == [1, 2])
        #expect(saved.configName == FixedName("Crash lock", width: FixedName.nameWidth))
        #expect(saved.authorizations.map(\.authID) == [1, 2])
        #expect(saved.keys[2] == fobKey, "the fob's key in the file")
        #expect(saved.authorizations.first { $0.authID == 1 }?.lockCount == 0, "the refused unlock is not counted")
        #expect(saved.authorizations.first { $0.authID == 2 }?.lockCount == 2, "the fob's two accepted presses")
    }

    @Test(.enabled(if: canRunWithoutPrivileges, "as root the lock must run as nobody: needs \(setpriv) (util-linux) and a latchkey binary and Swift runtime that others may read"))
    func unwritableStateFolder() throws {
        let rig = try StorageRig(.unwritableFolder, arguments: ["--journal-compaction-bytes", "1"])
        #expect(try rig.ask(.addCode(StorageRig.codeA)) == .accepted(.addKeypadCode))
        #expect(!rig.stderr.contains("storage"), "stderr: \(rig.stderr)")

        // The folder can no longer be written: every change is still acknowledged, being durable
        // in the journal; the failed fold is reported once.
        chmod(rig.stateFolder, 0o500)
        for (kind, command) in StorageRig.changes {
            #expect(try rig.ask(kind) == .accepted(command), "\(kind): \(rig.admin.lastReplies)")
        }
        let journal = LockStateJournal.journalPath(for: rig.statePath)
        let warning = "storage warning: cannot fold the journal into a snapshot: cannot create \(rig.stateFolder)/.lock.json.tmp-"
        let kept = ": Permission denied; changes are kept in \(journal) (up to \(LockStateFile.maxJournalBytes / 2) bytes) until \(rig.statePath) can be written\n"
        for output in [rig.stderr, rig.events] {
            #expect(output.components(separatedBy: warning).count == 2, "reported once: \(output)")
            #expect(output.contains(kept), "\(output)")
            #expect(!output.contains("storage failed"), "\(output)")
        }

        // The folder is writable again: the next commit folds the journal, and says so.
        chmod(rig.stateFolder, 0o700)
        #expect(try rig.ask(.addCode(StorageRig.codeC)) == .accepted(.addKeypadCode))
        #expect(rig.events.contains("\nstorage warning: journal folded into \(rig.statePath) again\n"), "events: \(rig.events)")

        // Killed: every acknowledged change is there.
        let saved = try rig.killAndLoad()
        #expect(saved.codes.map { CodeValue(code: $0.code, name: $0.name, enabled: $0.enabled) } == [StorageRig.codeB, StorageRig.codeC])
        #expect(saved.codes.map(\.codeID) == [2, 3])
        #expect(saved.configName == FixedName("Not saved", width: FixedName.nameWidth))
        #expect(saved.authorizations.map(\.authID) == [1], "the fob's removal was acknowledged")
        #expect(saved.keys[2] == nil)
        #expect(saved.authorizations.first { $0.authID == 1 }?.lockCount == 1, "the acknowledged unlock")
    }

    /// A lock whose state folder it cannot write does not start: it could not make anything durable.
    @Test(.enabled(if: canRunWithoutPrivileges, "as root the lock must run as nobody: needs \(setpriv) (util-linux) and a latchkey binary and Swift runtime that others may read"))
    func unwritableStateFolderAtStart() throws {
        let folder = NSTemporaryDirectory() + "latchkey-storage-\(UUID().uuidString)"
        let stateFolder = folder + "/state", devices = folder + "/devices", statePath = stateFolder + "/lock.json"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        for path in [stateFolder, devices] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try CrashCampaign.makeLockState(path: statePath, seed: 99)
        // The lock ran here before: its single-instance lock file exists.
        let lockFile = statePath + ".lock"
        #expect(FileManager.default.createFile(atPath: lockFile, contents: nil, attributes: [.posixPermissions: 0o600]))
        var command = [try MultiProcessTests.binary(), "lock", "serve", "--state", statePath, "--devices-dir", devices]
        if Self.isRoot {
            for path in [stateFolder, statePath, lockFile, devices] { chown(path, 65534, 65534) }
            command = [Self.setpriv] + Self.nobody + command
        }
        chmod(stateFolder, 0o500)
        let stderrPath = folder + "/stderr"
        let lock = try CrashLockProcess(binary: command[0], arguments: Array(command.dropFirst()), stderrPath: stderrPath)
        #expect(lock.waitForExit() == 1)
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        #expect(stderr.hasPrefix("latchkey: cannot write the state of the lock: cannot create \(stateFolder)/.lock.json.tmp-"), "\(stderr)")
        #expect(stderr.hasSuffix(": Permission denied\n"), "\(stderr)")
        #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: devices).isEmpty, "nothing advertised")
    }
}
