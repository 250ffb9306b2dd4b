#if canImport(Glibc)
    import Glibc
#endif

/// Checks for the files and folders that hold Latchkey's secrets (the lock's state file, a
/// peripheral's credentials file, their folders) or publish its sockets (the discovery folder):
/// only their owner may change them, and nothing in their path may swap them for something else.
///
/// Every refusal is a ``PrivateFileError`` whose ``PrivateFileError/message`` names the path, what
/// is wrong with it and what to do. The checks look at the path without following a final symbolic
/// link (`lstat`), and the readers check again on the opened descriptor (`fstat`), so a swap between
/// check and use is caught. Opening uses `O_NOFOLLOW | O_NONBLOCK`, so a FIFO never blocks.
///
/// The owner every check expects is a parameter (default: the real user id, `getuid()`), so tests
/// can stand in for another user without root.
public enum PrivateFiles {
    /// What a file check found.
    public struct Inspection: Hashable, Sendable {
        /// Whether a file is there (false: it will be created).
        public var exists: Bool
        /// Its permission bits (0 when absent).
        public var mode: UInt32
        /// A warning to print (the file is readable or writable by group or others), or nil.
        public var warning: String?

        /// A check result.
        public init(exists: Bool, mode: UInt32, warning: String?) {
            self.exists = exists
            self.mode = mode
            self.warning = warning
        }
    }

    // MARK: Files

    /// Checks the secret file at `path` before it is opened: absent is fine; present, it must be a
    /// regular file (not a symbolic link, dangling or not, nor a FIFO, device, socket or folder) owned
    /// by `owner`. A file readable or writable by group or others is used, with a warning.
    ///
    /// - Parameter role: what the file is, for the messages (`"state file"`, `"credentials file"`).
    /// - Throws: ``PrivateFileError`` (`symbolicLink`, `notRegularFile`, `foreignOwner`, `system`).
    public static func inspectFile(_ path: String, role: String, owner: uid_t = getuid()) throws(PrivateFileError) -> Inspection {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return Inspection(exists: false, mode: 0, warning: nil) }
            throw .system(path, "cannot examine \(role) \(path): \(Self.reason(errno))")
        }
        try checkFileStatus(info, path: path, role: role, owner: owner)
        return Inspection(exists: true, mode: info.st_mode & 0o7777, warning: permissiveWarning(info, path: path, role: role))
    }

    /// The contents of the secret file at `path`, read through one descriptor opened with
    /// `O_NOFOLLOW | O_NONBLOCK` and checked with `fstat` as ``inspectFile(_:role:owner:)`` checks
    /// the path. At most `maximumBytes + 1` bytes are read, so a caller can tell an oversized file.
    /// - Throws: ``PrivateFileError`` (`missing`, `symbolicLink`, `notRegularFile`, `foreignOwner`, `system`).
    ///
    /// `followLinks` (for inputs such as a PIN file, not for files latchkey writes) opens through
    /// symbolic links; `owner` nil skips the owner check (an input another user may provide).
    public static func read(
        _ path: String, role: String, maximumBytes: Int, owner: uid_t? = getuid(), followLinks: Bool = false
    ) throws(PrivateFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | (followLinks ? 0 : O_NOFOLLOW) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            let error = errno
            if error == ELOOP { throw symbolicLinkError(path, role: role) }
            if error == ENOENT { throw PrivateFileError(.missing, path, "\(role) \(path) does not exist") }
            throw .system(path, "cannot open \(role) \(path): \(Self.reason(error))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(path, "cannot examine \(role) \(path): \(Self.reason(errno))") }
        try checkFileStatus(info, path: path, role: role, owner: owner)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let limit = maximumBytes < Int.max ? maximumBytes + 1 : maximumBytes
        while bytes.count < limit {
            let want = min(chunk.count, limit - bytes.count)
            let got = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, want) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .system(path, "cannot read \(role) \(path): \(Self.reason(errno))")
            }
            if got == 0 { break }
            bytes.append(contentsOf: chunk[0..<got])
        }
        return bytes
    }

    static func checkFileStatus(_ info: stat, path: String, role: String, owner: uid_t?) throws(PrivateFileError) {
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK { throw symbolicLinkError(path, role: role) }
        guard type == S_IFREG else {
            throw PrivateFileError(
                .notRegularFile, path,
                "\(role) \(path) is \(kindName(type)), not a regular file: give the path of a regular file (or of one not yet created)")
        }
        if let owner, info.st_uid != owner {
            throw PrivateFileError(
                .foreignOwner, path,
                "\(role) \(path) is owned by user \(info.st_uid), not by you (user \(owner)): use a file of your own")
        }
    }

    static func symbolicLinkError(_ path: String, role: String) -> PrivateFileError {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        var target = "?"
        if count >= 0 {
            target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        var info = stat()
        let dangling = stat(path, &info) != 0
        return PrivateFileError(
            .symbolicLink, path,
            "\(role) \(path) is a symbolic link (to \(target)\(dangling ? ", which does not exist" : "")): latchkey does not follow links for files that hold keys; give the real file's path")
    }

    /// The warning for a file readable or writable by group or others, or nil.
    public static func permissiveWarning(_ info: stat, path: String, role: String) -> String? {
        let mode = info.st_mode & 0o777
        guard mode & 0o077 != 0 else { return nil }
        return "warning: \(role) \(path) is readable or writable by others (mode \(octal(mode))) and holds keys: run `chmod 600 \(path)`; latchkey writes it back with mode 0600 at its next save"
    }

    // MARK: Folders

    /// Checks the folder at `path` (which must exist): after resolving it, the folder must be owned
    /// by `owner` and not writable by group or others; every folder above it must be owned by `owner`
    /// or root and, when writable by group or others, carry the sticky bit (as `/tmp` does). A
    /// symbolic link on the way is followed only when `owner` or root owns it.
    ///
    /// - Parameter role: what the folder is, for the messages (`"discovery folder"`, `"state folder"`).
    /// - Returns: the resolved path (`realpath`).
    /// - Throws: ``PrivateFileError`` (`missing`, `notDirectory`, `symbolicLink`, `foreignOwner`, `writableByOthers`, `system`).
    @discardableResult
    public static func checkFolder(_ path: String, role: String, owner: uid_t = getuid()) throws(PrivateFileError) -> String {
        // The links on the way, as written.
        var prefix = path.hasPrefix("/") ? "" : currentDirectory()
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            var info = stat()
            guard lstat(prefix, &info) == 0 else {
                if errno == ENOENT { throw PrivateFileError(.missing, path, "\(role) \(path) does not exist") }
                throw .system(path, "cannot examine \(prefix) (in \(role) \(path)): \(Self.reason(errno))")
            }
            if info.st_mode & S_IFMT == S_IFLNK, info.st_uid != owner, info.st_uid != 0 {
                throw PrivateFileError(
                    .symbolicLink, path,
                    "\(role) \(path) goes through the symbolic link \(prefix), which is owned by user \(info.st_uid), not by you (user \(owner)) or root: give a path without it")
            }
        }
        guard let resolved = realPath(path) else {
            throw .system(path, "cannot resolve \(role) \(path): \(Self.reason(errno))")
        }
        let shown = resolved == path ? path : "\(path) (\(resolved))"
        var info = stat()
        guard stat(resolved, &info) == 0 else { throw .system(path, "cannot examine \(role) \(shown): \(Self.reason(errno))") }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw PrivateFileError(.notDirectory, path, "\(role) \(shown) is \(kindName(info.st_mode & S_IFMT)), not a folder")
        }
        guard info.st_uid == owner else {
            throw PrivateFileError(
                .foreignOwner, path,
                "\(role) \(shown) is owned by user \(info.st_uid), not by you (user \(owner)): use a folder of your own")
        }
        guard info.st_mode & 0o022 == 0 else {
            throw PrivateFileError(
                .writableByOthers, path,
                "\(role) \(shown) is writable by others (mode \(octal(info.st_mode & 0o7777))): run `chmod go-w \(resolved)` or use a folder of your own")
        }
        // The folders above it.
        var above = resolved
        while above != "/" {
            above = parent(of: above)
            guard stat(above, &info) == 0 else { throw .system(path, "cannot examine \(above) (above \(role) \(shown)): \(Self.reason(errno))") }
            guard info.st_uid == owner || info.st_uid == 0 else {
                throw PrivateFileError(
                    .foreignOwner, path,
                    "\(above), above \(role) \(shown), is owned by user \(info.st_uid), not by you (user \(owner)) or root: use a folder outside it")
            }
            guard info.st_mode & 0o022 == 0 || info.st_mode & S_ISVTX != 0 else {
                throw PrivateFileError(
                    .writableByOthers, path,
                    "\(above), above \(role) \(shown), is writable by others without the sticky bit (mode \(octal(info.st_mode & 0o7777))): others could replace \(resolved); use a folder outside it")
            }
        }
        return resolved
    }

    /// Creates the folder at `path` and its missing parents with mode 0700, then checks it with
    /// ``checkFolder(_:role:owner:)``. Existing folders keep their mode (and must pass the check).
    /// - Returns: the resolved path.
    /// - Throws: ``PrivateFileError``.
    @discardableResult
    public static func makeFolder(_ path: String, role: String, owner: uid_t = getuid()) throws(PrivateFileError) -> String {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0, errno != EEXIST {
                throw .system(path, "cannot create \(role) \(path) (at \(prefix)): \(Self.reason(errno))")
            }
        }
        return try checkFolder(path, role: role, owner: owner)
    }

    // MARK: Temporary files

    /// Removes the temporary files ``isTemporaryName(_:of:)`` recognises for `name` in `folder`
    /// (written by a process that is gone before it could rename them): only regular files owned by
    /// `owner`, whose writer's pid no longer runs. Nothing else in the folder is touched.
    /// - Returns: the names removed.
    @discardableResult
    public static func removeStaleTemporaries(of name: String, in folder: String, owner: uid_t = getuid()) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var removed: [String] = []
        while let entry = readdir(directory) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = temporaryWriter(entryName, of: name), pid != getpid() else { continue }
            let path = folder + "/" + entryName
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == owner else { continue }
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            if unlink(path) == 0 { removed.append(entryName) }
        }
        return removed.sorted()
    }

    /// The name of a temporary file for `name`: `.NAME.tmp-PID-RANDOM` (decimal PID and random).
    public static func temporaryName(of name: String, pid: pid_t, random: UInt32) -> String {
        ".\(name).tmp-\(pid)-\(random)"
    }

    /// The writer's pid when `candidate` is a temporary name of `name` (``temporaryName(of:pid:random:)``).
    public static func temporaryWriter(_ candidate: String, of name: String) -> pid_t? {
        let prefix = "." + name + ".tmp-"
        guard candidate.hasPrefix(prefix) else { return nil }
        let parts = candidate.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            parts[0].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let pid = pid_t(parts[0]), pid > 0, UInt32(parts[1]) != nil
        else { return nil }
        return pid
    }

    // MARK: Helpers

    /// `realpath(3)` of `path`, or nil (errno set).
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The folder holding `path` (lexically; `.` for a bare name).
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = String(path[..<slash])
        return head.isEmpty ? "/" : head
    }

    /// The last component of `path`.
    public static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "" }
        let here = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return here == "/" ? "" : here
    }

    static func kindName(_ type: mode_t) -> String {
        switch type {
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFDIR: return "a folder"
        case S_IFLNK: return "a symbolic link"
        case S_IFREG: return "a regular file"
        default: return "a special file"
        }
    }

    /// `0644`-style text of `mode`.
    public static func octal(_ mode: mode_t) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func reason(_ error: Int32) -> String { String(cString: strerror(error)) }
}

/// Why a private file or folder is refused. ``message`` is the whole sentence for the user: the
/// path, what is wrong, what to do.
public struct PrivateFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Code: String, Hashable, Sendable {
        /// The file or folder does not exist (where it must).
        case missing
        /// A symbolic link where a real file is required, or one owned by someone else on the way.
        case symbolicLink
        /// A FIFO, device, socket or folder where a regular file is required.
        case notRegularFile
        /// Not a folder where one is required.
        case notDirectory
        /// Owned by another user.
        case foreignOwner
        /// Writable by group or others.
        case writableByOthers
        /// Held by another process (the single-instance lock).
        case inUse
        /// A system call failed.
        case system
    }

    /// What is wrong.
    public let code: Code
    /// The path the caller gave.
    public let path: String
    /// The sentence for the user.
    public let message: String

    /// An error for `path`.
    public init(_ code: Code, _ path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    static func system(_ path: String, _ message: String) -> PrivateFileError { PrivateFileError(.system, path, message) }

    public var description: String { message }
}
