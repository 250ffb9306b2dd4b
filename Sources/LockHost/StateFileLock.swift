import Foundation
import PrivateFiles

/// The single-instance lock of a lock's state file, held for the life of the process that serves
/// it, keyed on the file itself rather than on the path string:
///
/// - an exclusive `flock` on `<real folder>/<name>.lock`, where the folder is resolved with
///   `realpath` (so `x`, `./x`, `dir/../x` and a path through a symbolic link to the folder meet on
///   one lock file);
/// - an exclusive `flock` on the state file's own inode (device and inode) once it exists, so a hard
///   link to it is refused too.
///
/// Before taking them it checks the state folder (``PrivateFiles/PrivateFiles/checkFolder(_:role:owner:)``:
/// owner, not writable by others) and the state file (``LockStateFile/inspect(owner:)``: no symbolic
/// link, FIFO, device, socket or folder; owned by this user), then removes the temporaries that
/// writers which are gone left beside it (``AtomicFile/removeStaleTemporaries(of:)``).
///
/// Locks are released when the object is released or the process ends, however it ends.
public final class StateFileLock {
    /// The state file's path as given.
    public let path: String
    /// The state folder, resolved.
    public let folder: String
    /// The lock file: `<folder>/<name>.lock`.
    public let lockPath: String
    /// The state file check (exists, mode, the warning for a file readable by others).
    public let inspection: PrivateFiles.Inspection
    /// Temporaries of dead writers removed at start.
    public let removedTemporaries: [String]
    private var lockFD: Int32 = -1
    private var fileFD: Int32 = -1

    /// Checks the folder and the file, takes both locks (the file's when it exists) and cleans stale
    /// temporaries.
    /// - Throws: ``StateFileError``: `unsafe` for a refused folder or file, `inUse` when another
    ///   process holds either lock, `unreadable`/`unwritable` when a system call fails.
    public init(path: String, owner: uid_t = getuid()) throws(StateFileError) {
        self.path = path
        let name = PrivateFiles.baseName(of: path)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw StateFileError(.unsafe, "state file \(path) names a folder, not a file: give a file name")
        }
        do {
            folder = try PrivateFiles.checkFolder(PrivateFiles.parent(of: path), role: "state folder", owner: owner)
        } catch {
            throw StateFileError(error)
        }
        inspection = try LockStateFile(path: path).inspect(owner: owner)
        lockPath = (folder == "/" ? "" : folder) + "/" + name + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StateFileError(.unwritable, "cannot open the lock file \(lockPath) of state file \(path): \(String(cString: strerror(errno)))")
        }
        lockFD = fd
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == owner else {
            throw StateFileError(.unsafe, "lock file \(lockPath) of state file \(path) is not a regular file of yours: remove it")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            throw StateFileError(.inUse, "another lock is serving state file \(path) (it holds \(lockPath)): stop it first")
        }
        removedTemporaries = AtomicFile.removeStaleTemporaries(of: folder + "/" + name)
        if inspection.exists { try holdFile() }
    }

    deinit {
        if fileFD >= 0 { close(fileFD) }
        if lockFD >= 0 { close(lockFD) }
    }

    /// Takes the lock on the state file's inode (call it once the file exists: after the first
    /// save of a new lock). A hard link to the file is then refused by any other ``StateFileLock``.
    /// - Throws: ``StateFileError`` `inUse` when another process holds it; `unsafe` when the path is
    ///   no longer a regular file of this user.
    public func holdFile() throws(StateFileError) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StateFileError(.unreadable, "cannot open state file \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw StateFileError(.unsafe, "state file \(path) is no longer a regular file")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StateFileError(
                .inUse,
                "state file \(path) is the file (device \(info.st_dev), inode \(info.st_ino)) another lock is serving under another name (a hard link): stop that lock first, or give this lock a copy")
        }
        if fileFD >= 0 { close(fileFD) }
        fileFD = fd
    }
}
