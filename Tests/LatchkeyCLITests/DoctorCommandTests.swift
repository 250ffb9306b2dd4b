import Testing

@testable import latchkey

/// `latchkey doctor`: the checks that do not depend on the machine give fixed answers.
@Suite struct DoctorCommandTests {
    @Test func cryptoAndTheSocketLinkWorkEverywhereWeBuild() {
        let doctor = DoctorCommand()
        #expect(doctor.crypto().status == "ok")
        #expect(doctor.crypto().detail.hasPrefix("1."))
        #expect(doctor.unixSockets().status == "ok")
        #expect(doctor.nfc().status == "ok")
    }

    @Test func bluetoothIsReportedEitherWayWithAReason() {
        let check = DoctorCommand().bluetooth()
        #expect(["ok", "unavailable"].contains(check.status))
        #expect(!check.detail.isEmpty)
    }
}
