import Foundation

/// A client command started in its own process group with stdout and stderr going to files, so
/// that the campaign can kill everything it started (the group, by its id) and read the output
/// whatever its size.
final class ClientProcess {
    /// A failure to start the command.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    let pid: pid_t
    private(set) var termination: ClientRunOutcome.Termination?

    /// Starts `arguments` (the first is looked up in `PATH`; exit 127 when it is not found) in `directory` with `environment`, its
    /// stdout and stderr written to `stdoutPath` and `stderrPath`, stdin from /dev/null.
    init(arguments: [String], environment: [String: String], directory: String, stdoutPath: String, stderrPath: String) throws {
        guard var executable = arguments.first else { throw StartFailure(description: "no command") }
        var arguments = arguments
        // A relative path names a file from the campaign's folder, not from the run's.
        if executable.contains("/"), !executable.hasPrefix("/") {
            executable = FileManager.default.currentDirectoryPath + "/" + executable
            arguments[0] = executable
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGUSR1, SIGTERM, SIGINT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // glibc's posix_spawn_file_actions_addchdir_np is not in Swift's Glibc module: a shell
        // changes folder and then replaces itself with the command (exec keeps the pid and group).
        let shell = ["/bin/sh", "-c", "cd -- \"$0\" && exec \"$@\"", directory] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = shell.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.sorted(by: { $0.key < $1.key }).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child = pid_t()
        let status = posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw StartFailure(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
    }

    /// Whether it has ended (reaps it once).
    func poll() -> Bool {
        if termination != nil { return true }
        var status: Int32 = 0
        let got = waitpid(pid, &status, WNOHANG)
        guard got == pid else { return false }
        termination = Self.decode(status)
        killGroup()
        return true
    }

    /// Kills the process group (what is left of it) and reaps the process; the run timed out.
    func killAfterTimeout() {
        killGroup()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        termination = .timedOut
    }

    /// SIGKILL to the command's process group: everything it started that is still there.
    private func killGroup() {
        _ = kill(-pid, SIGKILL)
    }

    static func decode(_ status: Int32) -> ClientRunOutcome.Termination {
        let low = status & 0x7F
        if low == 0 { return .exited((status >> 8) & 0xFF) }
        return .signalled(low)
    }
}
