import Foundation
import Testing

/// Issue 18 over the socket link, between processes: a factory-new lock advertises the
/// initialization service until its first pairing; the phone, keypad and fob pairing commands
/// choose the standard or the Smart Lock Ultra pairing from the lock's GATT table, without a flag.
@Suite(.serialized) struct PairingChoiceCLITests {
    /// A `lock serve` process in a folder of its own, stopped when released.
    final class Lock {
        let folder: String
        let process: Process

        /// Serves a lock in `folder` (nil: a new one) with `arguments`.
        init(_ arguments: [String], folder: String? = nil) throws {
            self.folder = folder ?? NSTemporaryDirectory() + "latchkey-pairing-choice-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: self.folder, withIntermediateDirectories: true)
            process = Process()
            process.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
            process.arguments = ["lock", "serve", "--state", "lock.json", "--nuki-id", "2A37599A", "--duration", "120"] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: self.folder)
            process.environment = ["LATCHKEY_DEVICES_DIR": self.folder + "/devices"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: self.folder + "/devices/54D27237599A.control") {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }

        /// Stops the lock (SIGTERM), keeping its folder and state file.
        func stop() {
            process.terminate()
            process.waitUntilExit()
        }

        deinit {
            stop()
            try? FileManager.default.removeItem(atPath: folder)
        }

        /// Runs `latchkey arguments` here with `environment` added and no stdin: exit status, stdout
        /// and stderr.
        func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
            let result = try CommandLineEdgesTests.run(arguments, in: folder, environment: environment)
            return (result.status, result.output, result.errors)
        }

        /// `latchkey scan`'s line for this lock, once it advertises.
        func scan() throws -> String {
            var output = ""
            for _ in 0..<100 where !output.contains("Nuki_2A37599A") {
                output = try run(["scan"]).stdout
                if !output.contains("Nuki_2A37599A") { Thread.sleep(forTimeInterval: 0.05) }
            }
            return output
        }
    }

    static let address = "54:D2:72:37:59:9A  Nuki_2A37599A  "
    static let initializationAD = "  AD 0201061521669A0C2000086C91E411015500E02EA92A37599A\n"
    static let pairingAD = "  AD 0201061521669A0C2000086C91E411015500E12EA92A37599A\n"
    static let ultraPairingAD = "  AD 0201061521669A0C2000086C91E411015500E32EA92A37599A\n"
    static let beaconAD = "  AD 0201061AFF4C000215A92EE200550111E4916C0800200C9A662A37599AC4\n"

    /// A new lock is factory-new: initialization service data (a92ee000) until its first pairing,
    /// pairing service data while its button's pairing mode lasts, the iBeacon once paired; a
    /// restart from the state file keeps what it was (a never-paired lock stays uninitialized).
    @Test func aFactoryNewLockAdvertisesTheInitializationServiceUntilItsFirstPairing() throws {
        let first = try Lock([])
        #expect(try first.scan() == Self.address + "uninitialized" + Self.initializationAD)
        // A peripheral that wants to pair does not take a lock whose button was not held.
        let early = try first.run(["phone", "pair", "--state", "phone.json"])
        #expect(early.status == 1)
        #expect(early.stderr == "latchkey: no lock in pairing mode in \(first.folder)/devices (1 not in pairing mode; hold one's button: `latchkey lock press-button --address ADDRESS`)\n", "\(early.stderr)")
        // Stopped and served again before any pairing: still factory-new.
        first.stop()
        let lock = try Lock([], folder: first.folder)
        #expect(try lock.scan() == Self.address + "uninitialized" + Self.initializationAD)
        #expect(try lock.run(["lock", "press-button"]).status == 0)
        #expect(try lock.scan() == Self.address + "pairing" + Self.pairingAD)
        #expect(try lock.run(["phone", "pair", "--state", "phone.json"]).stdout == "phone: paired (auth id 1)\n")
        #expect(try lock.run(["phone", "state", "--state", "phone.json"]).status == 0)
        #expect(try lock.scan() == Self.address + "paired" + Self.beaconAD)
        // Paired once, a restart keeps the beacon.
        lock.stop()
        let again = try Lock([], folder: first.folder)
        #expect(try again.scan() == Self.address + "paired" + Self.beaconAD)
    }

    /// `phone pair` against `lock serve --model ultra` finds the Ultra pairing GDIO (a92ee301) in
    /// discovery and pairs the Ultra way with the PIN from LATCHKEY_PIN (the standard flow would
    /// end at Authorization Info); without a PIN it is a usage error naming what the lock needs.
    /// A keypad or fob cannot pair the Ultra way (its Authorization Data has no ID type): refused
    /// before a byte of pairing is written.
    @Test func thePhonePairsAnUltraTheUltraWayAndTheKeypadIsToldItCannot() throws {
        let lock = try Lock(["--model", "ultra", "--pairing", "--security-pin", "123456"])
        #expect(try lock.scan() == Self.address + "pairing" + Self.ultraPairingAD)
        let noPIN = try lock.run(["phone", "pair", "--state", "phone.json"])
        #expect(noPIN.status == 64)
        #expect(noPIN.stderr.contains(
            "Error: this lock pairs the Smart Lock Ultra way, which needs its 6-digit security PIN: give --pin, --pin-file, --pin-stdin or LATCHKEY_PIN\n"),
            "\(noPIN.stderr)")
        let keypad = try lock.run(["keypad", "pair", "--state", "keypad.json"])
        #expect(keypad.status == 1)
        #expect(keypad.stdout == "keypad: failed: the Ultra pairing carries no ID type: a KEYPAD(0x03) cannot pair with this lock\n", "\(keypad)")
        let fob = try lock.run(["fob", "pair", "--state", "fob.json"])
        #expect(fob.status == 1)
        #expect(fob.stdout == "fob: failed: the Ultra pairing carries no ID type: a FOB(0x02) cannot pair with this lock\n", "\(fob)")
        let phone = try lock.run(["phone", "pair", "--state", "phone.json"], environment: ["LATCHKEY_PIN": "123456"])
        #expect(phone.status == 0 && phone.stdout == "phone: paired (auth id 1)\n", "\(phone)")
        let state = try lock.run(["phone", "state", "--state", "phone.json"])
        #expect(state.status == 0 && state.stdout.hasPrefix("nuki state DOOR_MODE, lock state LOCKED,"), "\(state)")
    }

    /// Admin commands send the security PIN in the width of the lock found (README "latchkey
    /// phone"): to an Ultra its 6-digit PIN as a u32 (Request Authorization Entries, a wrong PIN
    /// refused, Set Security PIN to another 6-digit PIN and that one verified); to a Smart Lock 3.0 a
    /// 6-digit PIN is a usage error after the GATT discovery and before any request. Three such tries
    /// would lock the PIN out for 30 s had they been sent as wrong PINs; the right PIN still works.
    /// A PIN ending in CR LF (the lock's PIN file, LATCHKEY_PIN) is read without its line break.
    @Test func adminCommandsSendTheSecurityPINInTheLocksWidth() throws {
        let ultra = try Lock(["--model", "ultra", "--pairing", "--security-pin", "123456"])
        #expect(try ultra.run(["phone", "pair", "--state", "phone.json"], environment: ["LATCHKEY_PIN": "123456"]).status == 0)
        let list = try ultra.run(["phone", "auth", "list", "--state", "phone.json", "--pin", "123456"])
        #expect(list.status == 0 && list.stdout == "auth 1 app \"Phone\" enabled, always\n", "\(list)")
        let wrong = try ultra.run(["phone", "pin", "verify", "--state", "phone.json", "--pin", "123457"])
        #expect(wrong.status == 1 && wrong.stdout == "phone: refused: K_ERROR_BAD_PIN\n", "\(wrong)")
        let set = try ultra.run(["phone", "pin", "set", "--new-pin", "654321", "--state", "phone.json", "--pin", "123456"])
        #expect(set.status == 0 && set.stdout == "phone: accepted (security PIN changed)\n", "\(set)")
        // A final CR LF is one line break, not part of the PIN (in Swift "\r\n" is one Character).
        let verify = try ultra.run(["phone", "pin", "verify", "--state", "phone.json"], environment: ["LATCHKEY_PIN": "654321\r\n"])
        #expect(verify.status == 0 && verify.stdout == "phone: accepted (security PIN correct)\n", "\(verify)")
        let seven = try ultra.run(["phone", "pin", "verify", "--state", "phone.json", "--pin", "1234567"])
        #expect(seven.status == 64 && seven.stdout == "")
        #expect(seven.stderr.hasPrefix(
            "Error: the security PIN from --pin is not a number from 0 to 9999 (4 digits), or to 999999 for a Smart Lock Ultra or Go 5.x (6 digits), on one line\n"),
            "\(seven.stderr)")

        // The SL3's PIN 4321 from a file that ends in CR LF.
        let folder = NSTemporaryDirectory() + "latchkey-pairing-choice-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("4321\r\n".utf8).write(to: URL(fileURLWithPath: folder + "/pin"))
        let sl3 = try Lock(["--model", "sl3", "--pairing", "--security-pin-file", "pin"], folder: folder)
        #expect(try sl3.run(["phone", "pair", "--state", "phone.json"]).status == 0)
        // stderr: the lock found (discovery ran), then the usage error.
        let found = "latchkey: found Nuki_2A37599A at 54:D2:72:37:59:9A in \(sl3.folder)/devices; connecting"
        for _ in 0..<3 {
            let long = try sl3.run(["phone", "pin", "verify", "--state", "phone.json", "--pin", "123456"])
            #expect(long.status == 64 && long.stdout == "")
            #expect(long.stderr.split(separator: "\n").prefix(2) == [found[...],
                "Error: the security PIN from --pin is not a number from 0 to 9999 (4 digits, one line): this lock's PIN has 4 digits (6: Smart Lock Ultra, Go 5.x)"],
                "\(long.stderr)")
        }
        let newLong = try sl3.run(["phone", "pin", "set", "--new-pin", "123456", "--state", "phone.json", "--pin", "4321"])
        #expect(newLong.status == 64 && newLong.stderr.split(separator: "\n").prefix(2) == [found[...],
            "Error: the security PIN from --new-pin is not a number from 0 to 9999 (4 digits, one line): this lock's PIN has 4 digits (6: Smart Lock Ultra, Go 5.x)"],
            "\(newLong)")
        let right = try sl3.run(["phone", "pin", "verify", "--state", "phone.json", "--pin", "4321"])
        #expect(right.status == 0 && right.stdout == "phone: accepted (security PIN correct)\n", "\(right)")
    }

    /// Against `lock serve --model sl3` the same commands pair the standard way: the phone without
    /// any PIN (a PIN given is not read), then the keypad and the fob after a button press each.
    @Test func theSameCommandsPairAStandardLockTheStandardWay() throws {
        let lock = try Lock(["--model", "sl3", "--pairing"])
        #expect(try lock.scan() == Self.address + "pairing" + Self.pairingAD)
        let phone = try lock.run(["phone", "pair", "--state", "phone.json", "--pin-file", "/nonexistent"])
        #expect(phone.status == 0 && phone.stdout == "phone: paired (auth id 1)\n", "\(phone)")
        #expect(try lock.run(["lock", "press-button"]).status == 0)
        #expect(try lock.run(["keypad", "pair", "--state", "keypad.json"]).stdout == "keypad: paired (auth id 2)\n")
        #expect(try lock.run(["lock", "press-button"]).status == 0)
        #expect(try lock.run(["fob", "pair", "--state", "fob.json"]).stdout == "fob: paired (auth id 3)\n")
        #expect(try lock.run(["keypad", "press", "L", "--state", "keypad.json"]).stdout == "keypad: accepted\n")
    }
}
