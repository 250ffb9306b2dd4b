import Foundation
import LockCore
import LockCrypto
import LockHost
import LockSession
import LockWire
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// docs/attacks.md S-07: power loss while writing the state file. A forked child runs the real
/// `AtomicFile.write` (what `LockStateFile.save` does) of a new state over the old one, and the
/// parent kills it with SIGKILL after a seeded random delay of 0–3 ms, 1,000 times. Every time the
/// file must load and be byte-for-byte the old state or the new one.
///
/// The child calls Swift and Foundation code after fork() in a multi-threaded test process, which
/// is not async-signal-safe: a child that happens to block on a lock another thread held at fork
/// time simply never finishes, which is just one more kill point (the parent kills it anyway). The
/// test therefore also requires that both outcomes (old and new) were seen, so it cannot pass on a
/// child that never writes.
@Suite(.serialized) struct S07CrashInjectionTests {
    @Test func test_S07_killDuringStateFileWriteLeavesOldOrNew() throws {
        #if canImport(Glibc)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("latchkey-s07-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let path = folder + "/lock.json"
            let file = LockStateFile(path: path)

            // Old state: a lock with an app; new state: the same lock after more users, codes and log entries
            // (a larger file, so a torn write would be visible).
            var bench = try Bench()
            try bench.pair("app", .app)
            let oldData = try LockStateFile.encode(bench.engine)
            try bench.pair("fob", .fob)
            try bench.pair("keypad", .keypad)
            for i in 0..<40 { _ = bench.request("app", .addKeypadCode(UInt32(311_111 + i * 1_111 % 88_888))) }
            for _ in 0..<200 { _ = bench.request("app", .lockAction(.unlock, appID: 1)); _ = bench.request("app", .lockAction(.lock, appID: 1)) }
            let newData = try LockStateFile.encode(bench.engine)
            // Compared as machines (JSON of dictionaries with integer keys need not re-encode byte-identically).
            let oldMachine = try LockStateFile.decode(oldData, random: SeededRandomSource(seed: 1)).machine
            let newMachine = try LockStateFile.decode(newData, random: SeededRandomSource(seed: 1)).machine
            #expect(newMachine == bench.machine)
            #expect(newData.count > oldData.count * 4)

            let delays = SeededRandomSource(seed: 707)
            var sawOld = 0
            var sawNew = 0
            let runs = 1_000
            for run in 0..<runs {
                try AtomicFile.write(oldData, to: path)
                let delay = delays.bytes(count: 4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) } % 3_001  // 0–3,000 µs
                let child = fork()
                if child == 0 {
                    try? AtomicFile.write(newData, to: path)
                    _exit(0)
                }
                #expect(child > 0, "fork failed")
                guard child > 0 else { return }
                usleep(delay)
                kill(child, SIGKILL)
                var status: Int32 = 0
                _ = waitpid(child, &status, 0)

                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                let isOld = bytes == oldData
                let isNew = bytes == newData
                #expect(isOld || isNew, "run \(run) (delay \(delay) µs): the file is neither the old nor the new state (\(bytes.count) bytes)")
                let loaded = try file.load(random: SeededRandomSource(seed: 1))
                #expect(loaded.machine == (isNew ? newMachine : oldMachine), "run \(run): the loaded state differs")
                if isOld { sawOld += 1 }
                if isNew { sawNew += 1 }
                // Temporary files a killed writer left behind are the only debris allowed: readable by
                // nobody else (0600), and removed by the clean-up every start runs (issue 17 item 8).
                let debris = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(".lock.json.tmp-") }
                for name in debris {
                    var info = stat()
                    #expect(lstat(folder + "/" + name, &info) == 0 && info.st_mode & 0o7777 == 0o600 && info.st_uid == getuid(), "run \(run): \(name)")
                }
                #expect(AtomicFile.removeStaleTemporaries(of: path) == debris.sorted(), "run \(run)")
                if !(isOld || isNew) { break }
            }
            print("S-07: \(runs) kills, \(sawOld) left the old state, \(sawNew) the new state")
            #expect(sawOld + sawNew == runs)
            #expect(sawOld > 0 && sawNew > 0, "kill points did not cover both sides: \(sawOld) old, \(sawNew) new")
        #endif
    }
}
