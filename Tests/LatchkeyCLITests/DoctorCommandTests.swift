import Foundation
import Testing

@testable import latchkey

/// `latchkey doctor`: the checks that do not depend on the machine give fixed answers.
@Suite struct DoctorCommandTests {
    @Test func cryptoAndTheSocketLinkWorkEverywhereWeBuild() {
        let doctor = DoctorCommand()
        #expect(doctor.crypto().status == .ok)
        #expect(doctor.crypto().detail.hasPrefix("1."))
        #expect(doctor.unixSockets().status == .ok)
        #expect(doctor.nfc().status == .ok)
    }

    /// The status is a closed set whose raw values are the output format: JSON lines say exactly
    /// these words.
    @Test func statusWordsAreTheOutputFormat() throws {
        #expect([DoctorCommand.Check.Status.ok, .failed, .refused, .unavailable].map(\.rawValue) == ["ok", "failed", "refused", "unavailable"])
        let line = try JSONEncoder().encode(DoctorCommand.Check(check: "x", status: .refused, detail: "d"))
        #expect(try JSONSerialization.jsonObject(with: line) as? [String: String] == ["check": "x", "status": "refused", "detail": "d"])
    }

    /// The Bluetooth check says exactly what this machine has. The expectation is decided from the
    /// kernel's own record, independently of the code under test: `/sys/class/bluetooth` exists once
    /// the kernel's Bluetooth core is loaded (asking for an `AF_BLUETOOTH` socket loads it where it
    /// can be loaded), and holds one `hciN` per controller. Without it, the check must report
    /// the README's "No Bluetooth?" message, word for word.
    @Test func bluetoothIsReportedExactlyForThisMachine() throws {
        let check = DoctorCommand().bluetooth()
        #expect(check.check == "bluez")
        let sysfs = "/sys/class/bluetooth"
        guard FileManager.default.fileExists(atPath: sysfs) else {
            #expect(check.status == .unavailable)
            #expect(check.detail == "no Bluetooth on this machine (the kernel has no AF_BLUETOOTH); use the socket link or the VM lane")
            return
        }
        let controllers = try FileManager.default.contentsOfDirectory(atPath: sysfs).filter { $0.hasPrefix("hci") && !$0.contains(":") }.sorted()
        if controllers.isEmpty {
            #expect(check.status == .unavailable)
            #expect(check.detail == "kernel Bluetooth present, but no HCI controller is up")
        } else if check.status == .ok {
            // Whether a controller is up is not in sysfs; when one is, every controller is listed.
            #expect(check.detail.hasPrefix("L2CAP LE sockets work; controllers "))
            for controller in controllers { #expect(check.detail.contains(controller)) }
        } else {
            #expect(check.status == .unavailable)
            #expect(check.detail == "kernel Bluetooth present, but no HCI controller is up")
        }
    }
}
