import Foundation
import PrivateFiles

/// Writes files that hold secrets (the lock's state, peripheral credentials) so that a crash never
/// leaves a mix of old and new content: the data goes to a temporary file in the same folder,
/// created with O_EXCL and mode 0600, written in full and fsync'd, then renamed over the target,
/// and the folder is fsync'd (`docs/attacks.md` S-07). Throws ``StateFileError`` with code `unwritable`.
///
/// The temporary file is `.NAME.tmp-PID-RANDOM` (``PrivateFiles/PrivateFiles/temporaryName(of:pid:random:)``):
/// a writer killed mid-write leaves one, mode 0600 and owned by its user, which
/// ``removeStaleTemporaries(of:)`` deletes at the next start.
public enum AtomicFile {
    /// Removes the temporaries of `path` that writers which are gone left in its folder (only that
    /// pattern, only regular files owned by this user); returns their names.
    @discardableResult
    public static func removeStaleTemporaries(of path: String) -> [String] {
        PrivateFiles.removeStaleTemporaries(of: PrivateFiles.baseName(of: path), in: PrivateFiles.parent(of: path))
    }

    /// Replaces `path` with `data` atomically, mode 0600. Throws ``StateFileError`` `unwritable`
    /// when any step fails, including the folder's `fsync` after the rename (the new name is then
    /// visible but not known to be durable, so the write does not count as done).
    public static func write(_ data: Data, to path: String) throws(StateFileError) {
        do {
            try replace(path, with: data)
        } catch {
            throw error.error
        }
    }

    /// Why ``replace(_:with:)`` failed, and whether the rename had already happened (then the file
    /// may hold the new content after a crash, or may not).
    struct Failure: Error {
        var error: StateFileError
        var renamed: Bool
    }

    /// ``write(_:to:)``, telling a failure before the rename (the file is untouched) from one after.
    static func replace(_ path: String, with data: Data) throws(Failure) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/" + PrivateFiles.temporaryName(of: url.lastPathComponent, pid: getpid(), random: UInt32.random(in: 0...UInt32.max))
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw Failure(error: StateFileError(.unwritable, "cannot create \(temporary): \(String(cString: strerror(errno)))"), renamed: false)
        }
        var ok = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        ok = close(fd) == 0 && ok
        guard ok, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(error: StateFileError(.unwritable, "cannot write \(path): \(reason)"), renamed: false)
        }
        if let reason = syncFolder(of: path) {
            throw Failure(error: StateFileError(.unwritable, "cannot sync the folder of \(path): \(reason)"), renamed: true)
        }
    }

    /// `fsync`s the folder holding `path` (so that a rename or a new file in it is durable); the
    /// reason when the folder cannot be opened or synced.
    static func syncFolder(of path: String) -> String? {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folderFD >= 0 else { return String(cString: strerror(errno)) }
        defer { _ = close(folderFD) }
        return fsync(folderFD) == 0 ? nil : String(cString: strerror(errno))
    }
}
