#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PrivateFiles

/// The folder where advertising emulated devices publish themselves: one ``DiscoveryRecord``
/// JSON file per device address, written atomically (temp file with `O_EXCL`, `fsync`, `rename`),
/// removed on stop.
///
/// Location, first match: the `path` given; `$LATCHKEY_DEVICES_DIR`; `$XDG_RUNTIME_DIR/latchkey/devices`;
/// `/tmp/latchkey-<uid>/devices`. Created with mode 0700 (with its missing parents) on first
/// publish, and refused (``TransportError/Code-swift.struct/unsafeFolder``) when it or a folder on the
/// way belongs to another user or others may write to it (``PrivateFiles/PrivateFiles/checkFolder(_:role:owner:)``):
/// whoever controls the folder controls which sockets peripherals connect to.
public struct DiscoveryFolder: Hashable, Sendable {
    /// The folder path.
    public let path: String
    /// Records larger than this are ignored when scanning.
    public static let maximumRecordSize = 64 * 1024

    /// Exactly the folder at `path`.
    public init(path: String) {
        self.path = path
    }

    /// The folder at `path` when given, else the default location resolved from `environment` (the
    /// process's environment, passed in by the CLI: this library reads no variables itself).
    public init(path: String?, environment: [String: String]) {
        if let path, !path.isEmpty {
            self.path = path
        } else if let override = environment["LATCHKEY_DEVICES_DIR"], !override.isEmpty {
            self.path = override
        } else if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            self.path = runtime + "/latchkey/devices"
        } else {
            self.path = "/tmp/latchkey-\(getuid())/devices"
        }
    }

    /// Where `address`'s record lives.
    public func recordPath(_ address: DeviceAddress) -> String { path + "/" + address.fileStem + ".json" }

    /// A conventional socket path for `address` in this folder.
    public func socketPath(_ address: DeviceAddress) -> String { path + "/" + address.fileStem + ".sock" }

    /// Writes `record` atomically, replacing an older one for the same address; returns a handle that
    /// removes it on ``DiscoveryPublication/stop()``.
    @discardableResult
    public func publish(_ record: DiscoveryRecord) throws(TransportError) -> DiscoveryPublication {
        try prepare()
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            data = try encoder.encode(record)
        } catch {
            throw TransportError(.invalidRecord, "cannot encode the record: \(error)")
        }
        let final = recordPath(record.address)
        let temporary = path + "/." + record.address.fileStem + ".\(getpid()).tmp"
        _ = unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw UnixSocket.failure("open \(temporary)") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        _ = close(fd)
        guard written == data.count, synced == 0, rename(temporary, final) == 0 else {
            let error = UnixSocket.failure("write/rename \(final)")
            _ = unlink(temporary)
            throw error
        }
        return DiscoveryPublication(folder: self, address: record.address)
    }

    /// Removes `address`'s record, if any.
    public func withdraw(_ address: DeviceAddress) {
        _ = unlink(recordPath(address))
    }

    /// Every valid record of a live publisher, by address. Skips files that are not `*.json`, too
    /// large, not valid records (a `pid` of 0 or below is invalid: `kill(2)` would take it for a
    /// process group), whose file name does not match the address, or whose publishing process is
    /// gone (``staleness(of:)``).
    public func records() -> [DiscoveryRecord] {
        entries().compactMap { $0.record }.filter { Self.staleness(of: $0) == nil }.sorted { $0.address < $1.address }
    }

    /// Why `record`'s publisher no longer serves it, or nil while it does: its pid is gone
    /// (`kill(pid, 0)` fails with ESRCH), or the pid now belongs to another process (its start
    /// time, ``ProcessStartTime``, differs from the record's `startTime`). A record without
    /// `startTime` is judged by the pid alone. A process of another user (EPERM) counts as alive.
    public static func staleness(of record: DiscoveryRecord) -> String? {
        guard record.pid > 0 else { return "its pid \(record.pid) is not a process" }
        if kill(record.pid, 0) != 0, errno == ESRCH { return "process \(record.pid) is gone" }
        if let recorded = record.startTime, let current = ProcessStartTime.of(record.pid), current != recorded {
            return "process \(record.pid) is another program now (started at tick \(current), the record's at \(recorded))"
        }
        return nil
    }

    /// Removes the records whose publisher is gone (``staleness(of:)``) and returns them with the
    /// reason. A record replaced between the check and the removal (a new lock published the same
    /// address: the file is another inode) is kept. Files that are not valid records are left alone.
    @discardableResult
    public func removeStaleRecords() -> [(record: DiscoveryRecord, reason: String)] {
        var removed: [(record: DiscoveryRecord, reason: String)] = []
        for entry in entries() {
            guard let record = entry.record, let reason = Self.staleness(of: record) else { continue }
            var now = stat()
            guard lstat(entry.path, &now) == 0, now.st_ino == entry.inode, now.st_dev == entry.device, unlink(entry.path) == 0 else { continue }
            removed.append((record, reason))
        }
        return removed.sorted { $0.record.address < $1.record.address }
    }

    /// The `*.json` files of the folder: path, inode and the valid record each holds (nil when
    /// the file is too large, does not decode, has another schema, a pid of 0 or below, or a name
    /// that does not match its address).
    private func entries() -> [(path: String, device: dev_t, inode: ino_t, record: DiscoveryRecord?)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        var found: [(path: String, device: dev_t, inode: ino_t, record: DiscoveryRecord?)] = []
        for name in names where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let file = path + "/" + name
            var info = stat()
            guard lstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            var record: DiscoveryRecord?
            if info.st_size <= Self.maximumRecordSize, let data = FileManager.default.contents(atPath: file),
                let decoded = try? JSONDecoder().decode(DiscoveryRecord.self, from: data),
                decoded.schema == 1, decoded.pid > 0, name == decoded.address.fileStem + ".json"
            {
                record = decoded
            }
            found.append((file, info.st_dev, info.st_ino, record))
        }
        return found
    }

    /// Creates the folder (and its missing parents) with mode 0700 and checks it, for a device
    /// that publishes in it. Throws ``TransportError`` `unsafeFolder` with the check's message
    /// (path, what is wrong, what to do), or `system` when it cannot be created.
    public func prepare(owner: uid_t = getuid()) throws(TransportError) {
        do {
            try PrivateFiles.makeFolder(path, role: "discovery folder", owner: owner)
        } catch {
            throw TransportError(error)
        }
    }

    /// Checks the folder for a device that reads it (scan, connect): absent is fine (nothing
    /// advertises); present, it must pass ``PrivateFiles/PrivateFiles/checkFolder(_:role:owner:)``.
    /// Throws ``TransportError`` `unsafeFolder`.
    public func verify(owner: uid_t = getuid()) throws(TransportError) {
        var info = stat()
        guard lstat(path, &info) == 0 || errno != ENOENT else { return }
        do {
            try PrivateFiles.checkFolder(path, role: "discovery folder", owner: owner)
        } catch {
            throw TransportError(error)
        }
    }
}
