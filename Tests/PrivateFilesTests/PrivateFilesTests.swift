import Foundation
import PrivateFiles
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The checks for files and folders that hold keys or publish sockets (issue 17, item 8): each
/// refusal with its exact message. Another user is stood in for by passing an `owner` that is not
/// the file's (no root needed); where a real foreign owner is needed the test chowns as root.
@Suite struct PrivateFilesTests {
    /// A fresh folder of ours (mode 0700) under the temporary directory.
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "latchkey-pf-\(UUID().uuidString)"
        #expect(mkdir(path, 0o700) == 0)
        return path
    }

    static func write(_ text: String, to path: String, mode: mode_t = 0o600) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, mode) == 0)
    }

    static func refusal(_ body: () throws(PrivateFileError) -> Void) -> PrivateFileError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    static let me = getuid()
    static let stranger: uid_t = getuid() == 65534 ? 65533 : 65534

    // MARK: Files

    @Test func absentFileIsFineAndRegularFileOfOursPasses() throws {
        let folder = try Self.folder()
        let missing = try PrivateFiles.inspectFile(folder + "/lock.json", role: "state file")
        #expect(missing == PrivateFiles.Inspection(exists: false, mode: 0, warning: nil))
        try Self.write("{}", to: folder + "/lock.json")
        let present = try PrivateFiles.inspectFile(folder + "/lock.json", role: "state file")
        #expect(present == PrivateFiles.Inspection(exists: true, mode: 0o600, warning: nil))
        #expect(try PrivateFiles.read(folder + "/lock.json", role: "state file", maximumBytes: 10) == Array("{}".utf8))
    }

    @Test func symbolicLinksAreRefusedDanglingOrNot() throws {
        let folder = try Self.folder()
        try Self.write("{}", to: folder + "/real.json")
        #expect(symlink(folder + "/real.json", folder + "/link.json") == 0)
        #expect(symlink(folder + "/gone.json", folder + "/dangling.json") == 0)
        let link = Self.refusal { () throws(PrivateFileError) in _ = try PrivateFiles.inspectFile(folder + "/link.json", role: "state file") }
        #expect(link?.code == .symbolicLink)
        #expect(link?.message == "state file \(folder)/link.json is a symbolic link (to \(folder)/real.json): latchkey does not follow links for files that hold keys; give the real file's path")
        let dangling = Self.refusal { () throws(PrivateFileError) in _ = try PrivateFiles.inspectFile(folder + "/dangling.json", role: "state file") }
        #expect(dangling?.message == "state file \(folder)/dangling.json is a symbolic link (to \(folder)/gone.json, which does not exist): latchkey does not follow links for files that hold keys; give the real file's path")
        // The reader refuses it on the descriptor too (O_NOFOLLOW).
        let read = Self.refusal { () throws(PrivateFileError) in _ = try PrivateFiles.read(folder + "/link.json", role: "state file", maximumBytes: 10) }
        #expect(read == link)
    }

    @Test func fifoDeviceSocketAndFolderAreRefusedWithoutBlocking() throws {
        let folder = try Self.folder()
        #expect(mkfifo(folder + "/fifo.json", 0o600) == 0)
        let fifo = Self.refusal { () throws(PrivateFileError) in _ = try PrivateFiles.inspectFile(folder + "/fifo.json", role: "state file") }
        #expect(fifo?.code == .notRegularFile)
        #expect(fifo?.message == "state file \(folder)/fifo.json is a FIFO, not a regular file: give the path of a regular file (or of one not yet created)")
        // Read straight away (no writer on the FIFO): O_NONBLOCK opens it and fstat refuses it; it never hangs.
        let read = Self.refusal { () throws(PrivateFileError) in _ = try PrivateFiles.read(folder + "/fifo.json", role: "state file", maximumBytes: 10) }
        #expect(read == fifo)
        let device = Self.refusal { () throws(PrivateFileError) in _ = try PrivateFiles.read("/dev/null", role: "credentials file", maximumBytes: 10) }
        #expect(device?.message == "credentials file /dev/null is a character device, not a regular file: give the path of a regular file (or of one not yet created)")
        let directory = Self.refusal { () throws(PrivateFileError) in _ = try PrivateFiles.inspectFile(folder, role: "state file") }
        #expect(directory?.message == "state file \(folder) is a folder, not a regular file: give the path of a regular file (or of one not yet created)")
        let socketPath = folder + "/s.json"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        let sock = Self.refusal { () throws(PrivateFileError) in _ = try PrivateFiles.inspectFile(socketPath, role: "state file") }
        #expect(sock?.message == "state file \(socketPath) is a socket, not a regular file: give the path of a regular file (or of one not yet created)")
    }

    @Test func fileOfAnotherUserIsRefused() throws {
        let folder = try Self.folder()
        try Self.write("{}", to: folder + "/lock.json")
        let foreign = Self.refusal { () throws(PrivateFileError) in
            _ = try PrivateFiles.inspectFile(folder + "/lock.json", role: "state file", owner: Self.stranger)
        }
        #expect(foreign?.code == .foreignOwner)
        #expect(foreign?.message == "state file \(folder)/lock.json is owned by user \(Self.me), not by you (user \(Self.stranger)): use a file of your own")
        let read = Self.refusal { () throws(PrivateFileError) in
            _ = try PrivateFiles.read(folder + "/lock.json", role: "state file", maximumBytes: 10, owner: Self.stranger)
        }
        #expect(read == foreign)
        // An input such as a PIN file may belong to another user (owner nil).
        #expect(try PrivateFiles.read(folder + "/lock.json", role: "security PIN file", maximumBytes: 10, owner: nil) == Array("{}".utf8))
    }

    @Test func fileReadableByOthersGivesAWarning() throws {
        let folder = try Self.folder()
        for mode: mode_t in [0o644, 0o666, 0o640] {
            try Self.write("{}", to: folder + "/lock.json", mode: mode)
            let inspection = try PrivateFiles.inspectFile(folder + "/lock.json", role: "state file")
            #expect(inspection.exists && inspection.mode == UInt32(mode))
            #expect(inspection.warning == "warning: state file \(folder)/lock.json is readable or writable by others (mode \(PrivateFiles.octal(mode))) and holds keys: run `chmod 600 \(folder)/lock.json`; latchkey writes it back with mode 0600 at its next save")
        }
    }

    @Test func readStopsOneByteAfterTheLimit() throws {
        let folder = try Self.folder()
        try Self.write(String(repeating: "x", count: 100), to: folder + "/big.json")
        #expect(try PrivateFiles.read(folder + "/big.json", role: "state file", maximumBytes: 10).count == 11)
    }

    // MARK: Folders

    @Test func madeFoldersAre0700AndPass() throws {
        let base = try Self.folder()
        let made = base + "/a/b/devices"
        let resolved = try PrivateFiles.makeFolder(made, role: "discovery folder")
        #expect(resolved == made)
        for path in [base + "/a", base + "/a/b", made] {
            var info = stat()
            #expect(lstat(path, &info) == 0 && info.st_mode & 0o7777 == 0o700, "\(path)")
        }
    }

    @Test func folderOfAnotherUserIsRefused() throws {
        let folder = try Self.folder()
        let foreign = Self.refusal { () throws(PrivateFileError) in try PrivateFiles.checkFolder(folder, role: "discovery folder", owner: Self.stranger) }
        #expect(foreign?.code == .foreignOwner)
        #expect(foreign?.message == "discovery folder \(folder) is owned by user \(Self.me), not by you (user \(Self.stranger)): use a folder of your own")
    }

    @Test func folderWritableByOthersIsRefused() throws {
        let folder = try Self.folder()
        for mode: mode_t in [0o777, 0o770, 0o1777] {
            #expect(chmod(folder, mode) == 0)
            let writable = Self.refusal { () throws(PrivateFileError) in try PrivateFiles.checkFolder(folder, role: "state folder") }
            #expect(writable?.code == .writableByOthers)
            #expect(writable?.message == "state folder \(folder) is writable by others (mode \(PrivateFiles.octal(mode))): run `chmod go-w \(folder)` or use a folder of your own")
        }
    }

    @Test func folderAboveWritableByOthersWithoutStickyBitIsRefused() throws {
        let base = try Self.folder()
        let inner = try PrivateFiles.makeFolder(base + "/devices", role: "discovery folder")
        #expect(chmod(base, 0o777) == 0)
        let above = Self.refusal { () throws(PrivateFileError) in try PrivateFiles.checkFolder(inner, role: "discovery folder") }
        #expect(above?.message == "\(base), above discovery folder \(inner), is writable by others without the sticky bit (mode 0777): others could replace \(inner); use a folder outside it")
        // With the sticky bit (as /tmp has) others cannot rename or remove what is ours in it.
        #expect(chmod(base, 0o1777) == 0)
        #expect(try PrivateFiles.checkFolder(inner, role: "discovery folder") == inner)
    }

    @Test func folderAboveOwnedByAnotherUserIsRefused() throws {
        guard getuid() == 0 else { return }  // needs chown; the owner parameter covers the rule elsewhere
        let base = try Self.folder()
        let inner = try PrivateFiles.makeFolder(base + "/devices", role: "discovery folder")
        #expect(chown(base, Self.stranger, Self.stranger) == 0)
        let above = Self.refusal { () throws(PrivateFileError) in try PrivateFiles.checkFolder(inner, role: "discovery folder") }
        #expect(above?.message == "\(base), above discovery folder \(inner), is owned by user \(Self.stranger), not by you (user 0) or root: use a folder outside it")
    }

    @Test func symbolicLinkToAFolderIsResolvedAndTheTargetChecked() throws {
        let base = try Self.folder()
        let real = try PrivateFiles.makeFolder(base + "/real", role: "state folder")
        #expect(symlink(real, base + "/alias") == 0)
        #expect(try PrivateFiles.checkFolder(base + "/alias", role: "state folder") == real)
        #expect(chmod(real, 0o777) == 0)
        let writable = Self.refusal { () throws(PrivateFileError) in try PrivateFiles.checkFolder(base + "/alias", role: "state folder") }
        #expect(writable?.message == "state folder \(base)/alias (\(real)) is writable by others (mode 0777): run `chmod go-w \(real)` or use a folder of your own")
    }

    @Test func symbolicLinkOfAnotherUserOnTheWayIsRefused() throws {
        guard getuid() == 0 else { return }  // lchown of another user needs root
        let base = try Self.folder()
        let real = try PrivateFiles.makeFolder(base + "/real", role: "discovery folder")
        #expect(symlink(real, base + "/alias") == 0)
        #expect(lchown(base + "/alias", Self.stranger, Self.stranger) == 0)
        let link = Self.refusal { () throws(PrivateFileError) in try PrivateFiles.checkFolder(base + "/alias", role: "discovery folder") }
        #expect(link?.message == "discovery folder \(base)/alias goes through the symbolic link \(base)/alias, which is owned by user \(Self.stranger), not by you (user 0) or root: give a path without it")
    }

    @Test func aFileIsNotAFolder() throws {
        let base = try Self.folder()
        try Self.write("", to: base + "/file")
        let notFolder = Self.refusal { () throws(PrivateFileError) in try PrivateFiles.checkFolder(base + "/file", role: "discovery folder") }
        #expect(notFolder?.message == "discovery folder \(base)/file is a regular file, not a folder")
    }

    // MARK: Temporaries

    @Test func temporaryNamesAreRecognisedExactly() {
        #expect(PrivateFiles.temporaryName(of: "lock.json", pid: 42, random: 7) == ".lock.json.tmp-42-7")
        #expect(PrivateFiles.temporaryWriter(".lock.json.tmp-42-7", of: "lock.json") == 42)
        for other in [".lock.json.tmp-42", ".lock.json.tmp-42-", ".lock.json.tmp--7", ".lock.json.tmp-4x-7", ".other.json.tmp-42-7", "lock.json.tmp-42-7", ".lock.json.tmp-42-7-1", ".lock.json.tmp-0-7"] {
            #expect(PrivateFiles.temporaryWriter(other, of: "lock.json") == nil, "\(other)")
        }
    }

    /// A pid that no process has: one of a child that has exited and been reaped.
    static func deadPID() throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test func staleTemporariesOfDeadWritersAreRemovedAndNothingElse() throws {
        let folder = try Self.folder()
        let dead = try Self.deadPID()
        let stale = PrivateFiles.temporaryName(of: "lock.json", pid: dead, random: 1)
        let live = PrivateFiles.temporaryName(of: "lock.json", pid: getppid(), random: 2)
        let mine = PrivateFiles.temporaryName(of: "lock.json", pid: getpid(), random: 3)
        let otherFile = PrivateFiles.temporaryName(of: "fob.json", pid: dead, random: 4)
        let keep = [live, mine, otherFile, "lock.json", ".lock.json.tmp-x"]
        for name in keep + [stale] { try Self.write("k", to: folder + "/" + name) }
        let staleFolder = PrivateFiles.temporaryName(of: "lock.json", pid: dead, random: 5)
        #expect(mkdir(folder + "/" + staleFolder, 0o700) == 0)
        var alsoKept = [staleFolder]
        if getuid() == 0 {
            let foreign = PrivateFiles.temporaryName(of: "lock.json", pid: dead, random: 6)
            try Self.write("k", to: folder + "/" + foreign)
            #expect(chown(folder + "/" + foreign, Self.stranger, Self.stranger) == 0)
            alsoKept.append(foreign)
        }
        #expect(PrivateFiles.removeStaleTemporaries(of: "lock.json", in: folder) == [stale])
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(left == (keep + alsoKept).sorted())
    }
}
