import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 17 item 8, through the real binary: the state file, its folder, the discovery folder, the
/// peripherals' credentials files and the security PIN sources. Each case asserts the exact stderr
/// and exit status (1 refused, 64 usage, 0 with a warning).
@Suite(.serialized) struct FilesAndFoldersTests {
    /// A fresh folder (resolved, so messages that name the real path match) for one test.
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "latchkey-ff-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return try #require(realpath(path, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        })
    }

    /// `latchkey ARGUMENTS` in `folder` with its own discovery folder; exit status and stderr.
    static func run(_ arguments: [String], in folder: String, environment: [String: String] = [:], input: Data? = nil) throws -> (status: Int32, stderr: String) {
        try MultiProcessTests.runForErrors(
            executable: try MultiProcessTests.binary(), arguments, in: folder,
            environment: ["LATCHKEY_DEVICES_DIR": folder + "/devices"].merging(environment) { $1 }, input: input)
    }

    /// A `lock serve` left running in `folder` until the test ends; waits for its advertising.
    static func serve(_ arguments: [String], in folder: String, name: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
        process.arguments = ["lock", "serve", "--duration", "60"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = ["LATCHKEY_DEVICES_DIR": folder + "/devices"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var scan = MultiProcessTests.Run(status: 1, output: "")
        for _ in 0..<100 where !scan.output.contains(name) {
            Thread.sleep(forTimeInterval: 0.05)
            scan = try MultiProcessTests.run(["scan"], in: folder)
        }
        #expect(scan.output.contains(name))
        return process
    }

    static func stop(_ process: Process) {
        process.terminate()
        process.waitUntilExit()
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
    }

    static let stranger: uid_t = 65534

    // MARK: The single-instance lock

    /// A second lock through a symbolic link to the folder, through `./`, or through a hard link is
    /// refused (exit 1) and the first lock keeps its socket: a keypad still pairs with it.
    @Test func secondLockThroughAnAliasIsRefusedAndTheFirstKeepsItsSocket() throws {
        let folder = try Self.folder()
        #expect(mkdir(folder + "/real", 0o700) == 0)
        #expect(symlink(folder + "/real", folder + "/alias") == 0)
        // The state exists before the first lock starts, so its inode is locked from the start.
        #expect(try Self.run(["lock", "serve", "--state", "real/lock.json", "--pairing", "--nuki-id", "2A37599A", "--duration", "0.1"], in: folder).status == 0)
        #expect(link(folder + "/real/lock.json", folder + "/real/hard.json") == 0)
        let first = try Self.serve(["--state", "real/lock.json", "--pairing"], in: folder, name: "Nuki_2A37599A")
        defer { Self.stop(first) }
        let socket = folder + "/devices/54D27237599A.sock"
        var before = stat()
        #expect(stat(socket, &before) == 0)

        let lockFile = folder + "/real/lock.json.lock"
        for alias in ["alias/lock.json", "./real/lock.json", "real/../real/lock.json"] {
            let second = try Self.run(["lock", "serve", "--state", alias, "--duration", "1"], in: folder)
            #expect(second.status == 1, "\(alias)")
            #expect(second.stderr == "latchkey: another lock is serving state file \(alias) (it holds \(lockFile)): stop it first\n")
        }
        var info = stat()
        #expect(stat(folder + "/real/hard.json", &info) == 0)
        let hard = try Self.run(["lock", "serve", "--state", "real/hard.json", "--duration", "1"], in: folder)
        #expect(hard.status == 1)
        #expect(hard.stderr == "latchkey: state file real/hard.json is the file (device \(info.st_dev), inode \(info.st_ino)) another lock is serving under another name (a hard link): stop that lock first, or give this lock a copy\n")

        // A copy is another file but the same lock (same address): it may not serve in the same folder.
        try FileManager.default.copyItem(atPath: folder + "/real/lock.json", toPath: folder + "/copy.json")
        let copy = try Self.run(["lock", "serve", "--state", "copy.json", "--duration", "1"], in: folder)
        #expect(copy.status == 1)
        #expect(copy.stderr == "latchkey: another lock already serves 54:D2:72:37:59:9A in discovery folder \(folder)/devices (it holds \(folder)/devices/54D27237599A.lock): stop it first, or serve this one with another --state or --devices-dir\n")

        var after = stat()
        #expect(stat(socket, &after) == 0 && after.st_ino == before.st_ino, "the first lock's socket was not replaced")
        let keypad = try MultiProcessTests.run(["keypad", "pair", "--state", "keypad.json"], in: folder)
        #expect(keypad.status == 0 && keypad.output == "keypad: paired (auth id 1)\n")
    }

    // MARK: The state file

    @Test func symbolicLinksAsStateFileAreRefusedAndNoIdentityIsCreated() throws {
        let folder = try Self.folder()
        #expect(symlink("missing.json", folder + "/lock.json") == 0)
        let dangling = try Self.run(["lock", "serve", "--state", "lock.json", "--duration", "1"], in: folder)
        #expect(dangling.status == 1)
        #expect(dangling.stderr == "latchkey: state file lock.json is a symbolic link (to missing.json, which does not exist): latchkey does not follow links for files that hold keys; give the real file's path\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/missing.json"), "no new lock identity")
        #expect(try Self.run(["lock", "serve", "--state", "real.json", "--duration", "0.1"], in: folder).status == 0)
        #expect(symlink("real.json", folder + "/link.json") == 0)
        let link = try Self.run(["lock", "serve", "--state", "link.json", "--duration", "1"], in: folder)
        #expect(link.status == 1)
        #expect(link.stderr == "latchkey: state file link.json is a symbolic link (to real.json): latchkey does not follow links for files that hold keys; give the real file's path\n")
    }

    @Test func fifoAndFolderAsStateFileAreRefusedWithoutHanging() throws {
        let folder = try Self.folder()
        #expect(mkfifo(folder + "/fifo.json", 0o600) == 0)
        let fifo = try Self.run(["lock", "serve", "--state", "fifo.json", "--duration", "1"], in: folder)
        #expect(fifo.status == 1)
        #expect(fifo.stderr == "latchkey: state file fifo.json is a FIFO, not a regular file: give the path of a regular file (or of one not yet created)\n")
        #expect(mkdir(folder + "/sub", 0o700) == 0)
        let directory = try Self.run(["lock", "serve", "--state", "sub", "--duration", "1"], in: folder)
        #expect(directory.status == 1)
        #expect(directory.stderr == "latchkey: state file sub is a folder, not a regular file: give the path of a regular file (or of one not yet created)\n")
    }

    @Test func stateFileReadableByOthersWarnsAndServes() throws {
        let folder = try Self.folder()
        #expect(try Self.run(["lock", "serve", "--state", "lock.json", "--duration", "0.1"], in: folder).status == 0)
        #expect(Self.mode(folder + "/lock.json") == 0o600, "new state files are 0600")
        for mode: mode_t in [0o644, 0o666] {
            #expect(chmod(folder + "/lock.json", mode) == 0)
            let served = try Self.run(["lock", "serve", "--state", "lock.json", "--duration", "0.1"], in: folder)
            #expect(served.status == 0)
            #expect(served.stderr == "latchkey: warning: state file lock.json is readable or writable by others (mode \(String(mode, radix: 8).count == 3 ? "0" : "")\(String(mode, radix: 8))) and holds keys: run `chmod 600 lock.json`; latchkey writes it back with mode 0600 at its next save\n")
        }
    }

    @Test func stateFileOrFolderOfAnotherUserAndFolderWritableByOthersAreRefused() throws {
        let folder = try Self.folder()
        #expect(mkdir(folder + "/open", 0o777) == 0 && chmod(folder + "/open", 0o777) == 0)
        let open = try Self.run(["lock", "serve", "--state", "open/lock.json", "--duration", "1"], in: folder)
        #expect(open.status == 1)
        #expect(open.stderr == "latchkey: state folder open (\(folder)/open) is writable by others (mode 0777): run `chmod go-w \(folder)/open` or use a folder of your own\n")
        guard getuid() == 0 else { return }  // another user's file needs chown (the unit tests cover the rule without root)
        #expect(try Self.run(["lock", "serve", "--state", "lock.json", "--duration", "0.1"], in: folder).status == 0)
        #expect(chown(folder + "/lock.json", Self.stranger, Self.stranger) == 0)
        let foreign = try Self.run(["lock", "serve", "--state", "lock.json", "--duration", "1"], in: folder)
        #expect(foreign.status == 1)
        #expect(foreign.stderr == "latchkey: state file lock.json is owned by user 65534, not by you (user 0): use a file of your own\n")
        #expect(mkdir(folder + "/theirs", 0o755) == 0 && chown(folder + "/theirs", Self.stranger, Self.stranger) == 0)
        let theirs = try Self.run(["lock", "serve", "--state", "theirs/lock.json", "--duration", "1"], in: folder)
        #expect(theirs.status == 1)
        #expect(theirs.stderr == "latchkey: state folder theirs (\(folder)/theirs) is owned by user 65534, not by you (user 0): use a folder of your own\n")
    }

    /// Temporaries a killed writer left (`.lock.json.tmp-PID-RAND`) are removed at start when their
    /// writer is gone; a live writer's, and other names, stay.
    @Test func staleTemporariesAreRemovedAtStart() throws {
        let folder = try Self.folder()
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let stale = ".lock.json.tmp-\(gone.processIdentifier)-12345"
        let live = ".lock.json.tmp-\(getpid())-6789"
        for name in [stale, live, ".keypad.json.tmp-\(gone.processIdentifier)-1"] {
            #expect(FileManager.default.createFile(atPath: folder + "/" + name, contents: Data("secret".utf8), attributes: [.posixPermissions: 0o600]))
        }
        #expect(try Self.run(["lock", "serve", "--state", "lock.json", "--duration", "0.1"], in: folder).status == 0)
        #expect(!FileManager.default.fileExists(atPath: folder + "/" + stale))
        #expect(FileManager.default.fileExists(atPath: folder + "/" + live))
        #expect(try Self.run(["keypad", "enter", "123456", "--state", "keypad.json"], in: folder).status == 64)  // not paired: usage error
        #expect(!FileManager.default.fileExists(atPath: folder + "/.keypad.json.tmp-\(gone.processIdentifier)-1"))
    }

    // MARK: The discovery folder

    @Test func discoveryFolderIsCreated0700AndRefusedWhenOthersMayWriteOrItIsAnotherUsers() throws {
        let folder = try Self.folder()
        let devices = folder + "/run/latchkey/devices"
        let made = try Self.run(["lock", "serve", "--duration", "0.1"], in: folder, environment: ["LATCHKEY_DEVICES_DIR": devices])
        #expect(made.status == 0 && made.stderr == "")
        for path in [folder + "/run", folder + "/run/latchkey", devices] { #expect(Self.mode(path) == 0o700, "\(path)") }

        #expect(chmod(devices, 0o777) == 0)
        let expected = "latchkey: discovery folder \(devices) is writable by others (mode 0777): run `chmod go-w \(devices)` or use a folder of your own\n"
        let serve = try Self.run(["lock", "serve", "--duration", "1"], in: folder, environment: ["LATCHKEY_DEVICES_DIR": devices])
        #expect(serve.status == 1 && serve.stderr == expected)
        let scan = try Self.run(["scan"], in: folder, environment: ["LATCHKEY_DEVICES_DIR": devices])
        #expect(scan.status == 1 && scan.stderr == expected)
        let keypad = try Self.run(["keypad", "pair", "--state", "keypad.json"], in: folder, environment: ["LATCHKEY_DEVICES_DIR": devices])
        #expect(keypad.status == 1 && keypad.stderr == expected)

        guard getuid() == 0 else { return }
        #expect(chmod(devices, 0o700) == 0 && chown(devices, Self.stranger, Self.stranger) == 0)
        let foreign = try Self.run(["lock", "serve", "--duration", "1"], in: folder, environment: ["LATCHKEY_DEVICES_DIR": devices])
        #expect(foreign.status == 1)
        #expect(foreign.stderr == "latchkey: discovery folder \(devices) is owned by user 65534, not by you (user 0): use a folder of your own\n")
    }

    // MARK: Credentials files

    @Test func credentialsFileLinkOrFIFOIsRefused() throws {
        let folder = try Self.folder()
        #expect(symlink("elsewhere.json", folder + "/keypad.json") == 0)
        let link = try Self.run(["keypad", "pair", "--state", "keypad.json"], in: folder)
        #expect(link.status == 1)
        #expect(link.stderr == "latchkey: credentials file keypad.json is a symbolic link (to elsewhere.json, which does not exist): latchkey does not follow links for files that hold keys; give the real file's path\n")
        #expect(mkfifo(folder + "/fob.json", 0o600) == 0)
        let fifo = try Self.run(["fob", "press", "--state", "fob.json"], in: folder)
        #expect(fifo.status == 1)
        #expect(fifo.stderr == "latchkey: credentials file fob.json is a FIFO, not a regular file: give the path of a regular file (or of one not yet created)\n")
    }

    // MARK: The security PIN

    static func savedPIN(_ path: String) throws -> Int? {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        return ((object?["machine"] as? [String: Any])?["securityPIN"] as? [String: Any])?["value"] as? Int
    }

    @Test func securityPINFromAFileTheEnvironmentOrStandardInput() throws {
        let folder = try Self.folder()
        try Data("4321\n".utf8).write(to: URL(fileURLWithPath: folder + "/pin"))
        #expect(try Self.run(["lock", "serve", "--state", "a.json", "--security-pin-file", "pin", "--duration", "0.1"], in: folder).status == 0)
        #expect(try Self.savedPIN(folder + "/a.json") == 4321)
        #expect(try Self.run(["lock", "serve", "--state", "b.json", "--duration", "0.1"], in: folder, environment: ["LATCHKEY_SECURITY_PIN": "5678"]).status == 0)
        #expect(try Self.savedPIN(folder + "/b.json") == 5678)
        #expect(try Self.run(["lock", "serve", "--state", "c.json", "--security-pin-stdin", "--duration", "0.1"], in: folder, input: Data("9012\n".utf8)).status == 0)
        #expect(try Self.savedPIN(folder + "/c.json") == 9012)
        #expect(try Self.run(["lock", "serve", "--state", "d.json", "--security-pin", "3456", "--duration", "0.1"], in: folder).status == 0)
        #expect(try Self.savedPIN(folder + "/d.json") == 3456)
        #expect(try Self.run(["lock", "serve", "--state", "e.json", "--duration", "0.1"], in: folder).status == 0)
        #expect(try Self.savedPIN(folder + "/e.json") == 1234)
    }

    @Test func conflictingOrBadSecurityPINSourcesAreUsageErrors() throws {
        let folder = try Self.folder()
        try Data("4321\n".utf8).write(to: URL(fileURLWithPath: folder + "/pin"))
        func firstLine(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
            let result = try Self.run(["lock", "serve", "--state", "x.json", "--duration", "1"] + arguments, in: folder, environment: environment)
            return (result.status, String(result.stderr.split(separator: "\n").first ?? ""))
        }
        let two = try firstLine(["--security-pin", "1111", "--security-pin-file", "pin"])
        #expect(two.0 == 64 && two.1 == "Error: give the security PIN one way only, not --security-pin and --security-pin-file")
        let env = try firstLine(["--security-pin-stdin"], environment: ["LATCHKEY_SECURITY_PIN": "1"])
        #expect(env.0 == 64 && env.1 == "Error: give the security PIN one way only, not --security-pin-stdin and LATCHKEY_SECURITY_PIN")
        try Data("12a4\n".utf8).write(to: URL(fileURLWithPath: folder + "/bad"))
        let bad = try firstLine(["--security-pin-file", "bad"])
        #expect(bad.0 == 64 && bad.1 == "Error: the security PIN from --security-pin-file bad is not a number from 0 to 9999 (4 digits, one line)")
        let big = try firstLine([], environment: ["LATCHKEY_SECURITY_PIN": "65536"])
        #expect(big.0 == 64 && big.1 == "Error: the security PIN from LATCHKEY_SECURITY_PIN is not a number from 0 to 9999 (4 digits, one line)")
        // The Smart Lock 3.0's PIN has 4 digits (protocol.md §3.5): 10000 fits the u16 but is no such PIN.
        let five = try firstLine([], environment: ["LATCHKEY_SECURITY_PIN": "10000"])
        #expect(five.0 == 64 && five.1 == "Error: the security PIN from LATCHKEY_SECURITY_PIN is not a number from 0 to 9999 (4 digits, one line)")
        let option = try firstLine(["--security-pin", "10000"])
        #expect(option.0 == 64 && option.1 == "Error: --security-pin is the Smart Lock 3.0's 4-digit security PIN: a number from 0 to 9999")
        let largest = try Self.run(["lock", "serve", "--state", "z.json", "--security-pin", "9999", "--duration", "0.1"], in: folder)
        #expect(largest.status == 0)
        #expect(try Self.savedPIN(folder + "/z.json") == 9999)
        #expect(mkfifo(folder + "/pinfifo", 0o600) == 0)
        let fifo = try Self.run(["lock", "serve", "--state", "y.json", "--security-pin-file", "pinfifo", "--duration", "1"], in: folder)
        #expect(fifo.status == 1)
        #expect(fifo.stderr == "latchkey: security PIN file pinfifo is a FIFO, not a regular file: give the path of a regular file (or of one not yet created)\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.json") && !FileManager.default.fileExists(atPath: folder + "/y.json"))
    }
}
