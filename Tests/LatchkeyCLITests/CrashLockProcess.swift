import Foundation

/// One `latchkey lock serve` process for the crash-consistency campaign: started with
/// `posix_spawn` (no helper thread, so a kill lands exactly when the campaign decides), stopped
/// with SIGKILL, reaped with `waitpid`.
final class CrashLockProcess {
    let pid: pid_t
    private var reaped = false

    /// Why a process could not be started or did not behave.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `binary` with `arguments`; standard error is appended to `stderrPath`, standard output
    /// to `stdoutPath` (discarded when nil). The child starts with no signal blocked.
    init(binary: String, arguments: [String], stderrPath: String, stdoutPath: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let stdoutPath {
            posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let argv: [UnsafeMutablePointer<CChar>?] = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, binary, &actions, &attributes, argv, environ)
        guard status == 0 else { throw Failure(description: "posix_spawn \(binary): \(String(cString: strerror(status)))") }
        self.pid = pid
    }

    deinit { _ = kill() }

    /// Sends SIGUSR1 (`latchkey lock press-button`: the button held 5 s, pairing mode).
    func pressButton() {
        guard !reaped else { return }
        Glibc.kill(pid, SIGUSR1)
    }

    /// SIGKILL, then reaps the process. Returns its wait status (nil when it was already reaped).
    @discardableResult
    func kill() -> Int32? {
        guard !reaped else { return nil }
        Glibc.kill(pid, SIGKILL)
        return reap()
    }

    /// Waits for the process to end on its own; its exit status (-1 when it was killed by a signal
    /// or already reaped).
    func waitForExit() -> Int32 {
        guard !reaped else { return -1 }
        let status = reap()
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
    }

    /// Whether the process has ended on its own (without waiting); reaps it when it has.
    func hasExited() -> Bool {
        guard !reaped else { return true }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid {
            reaped = true
            return true
        }
        return false
    }

    private func reap() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        reaped = true
        return status
    }
}
