import Foundation
@testable import LockHost
import LockSession
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// ``StateFileLock``: one lock per state file, whatever name reaches it (issue 17 item 8). `flock`
/// locks belong to the open file description, so two claims in one process conflict as two
/// processes would.
@Suite struct StateFileLockTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "latchkey-sfl-\(UUID().uuidString)"
        #expect(mkdir(path, 0o700) == 0)
        return try #require(realpath(path, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        })
    }

    static func refusal(_ body: () throws(StateFileError) -> Void) -> StateFileError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test func aliasesOfTheFolderMeetOnOneLockUntilItIsReleased() throws {
        let folder = try Self.folder()
        #expect(mkdir(folder + "/real", 0o700) == 0)
        #expect(symlink(folder + "/real", folder + "/alias") == 0)
        var first: StateFileLock? = try StateFileLock(path: folder + "/real/lock.json")
        #expect(first?.lockPath == folder + "/real/lock.json.lock")
        for alias in [folder + "/alias/lock.json", folder + "/real/./lock.json", folder + "/alias/../real/lock.json"] {
            let second = Self.refusal { () throws(StateFileError) in _ = try StateFileLock(path: alias) }
            #expect(second == StateFileError(.inUse, "another lock is serving state file \(alias) (it holds \(folder)/real/lock.json.lock): stop it first"))
        }
        first = nil
        #expect(try StateFileLock(path: folder + "/alias/lock.json").lockPath == folder + "/real/lock.json.lock")
    }

    @Test func aHardLinkIsRefusedOnTheInode() throws {
        let folder = try Self.folder()
        #expect(FileManager.default.createFile(atPath: folder + "/a.json", contents: Data("{}".utf8), attributes: [.posixPermissions: 0o600]))
        #expect(link(folder + "/a.json", folder + "/b.json") == 0)
        let first = try StateFileLock(path: folder + "/a.json")
        var info = stat()
        #expect(stat(folder + "/a.json", &info) == 0)
        let second = Self.refusal { () throws(StateFileError) in _ = try StateFileLock(path: folder + "/b.json") }
        #expect(second == StateFileError(.inUse, "state file \(folder)/b.json is the file (device \(info.st_dev), inode \(info.st_ino)) another lock is serving under another name (a hard link): stop that lock first, or give this lock a copy"))
        withExtendedLifetime(first) {}
    }

    @Test func refusedFilesAndFoldersAreUnsafe() throws {
        let folder = try Self.folder()
        #expect(symlink("gone.json", folder + "/lock.json") == 0)
        let link = Self.refusal { () throws(StateFileError) in _ = try StateFileLock(path: folder + "/lock.json") }
        #expect(link?.code == .unsafe)
        #expect(link?.reason == "state file \(folder)/lock.json is a symbolic link (to gone.json, which does not exist): latchkey does not follow links for files that hold keys; give the real file's path")
        #expect(LockStateFile(path: folder + "/lock.json").exists, "a dangling link is not a missing file")
        #expect(chmod(folder, 0o770) == 0)
        let open = Self.refusal { () throws(StateFileError) in _ = try StateFileLock(path: folder + "/other.json") }
        #expect(open == StateFileError(.unsafe, "state folder \(folder) is writable by others (mode 0770): run `chmod go-w \(folder)` or use a folder of your own"))
        let stranger: uid_t = getuid() == 65534 ? 65533 : 65534
        #expect(chmod(folder, 0o700) == 0)
        let foreign = Self.refusal { () throws(StateFileError) in _ = try StateFileLock(path: folder + "/other.json", owner: stranger) }
        #expect(foreign?.code == .unsafe)
    }
}
