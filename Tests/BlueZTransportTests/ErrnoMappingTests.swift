import BLETransport
import BlueZTransport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// errno → BluetoothError codes, and that every entry point explains them.
@Suite struct ErrnoMappingTests {
    @Test(arguments: [
        (EAFNOSUPPORT, BluetoothError.Code.noBluetooth), (EPROTONOSUPPORT, .noBluetooth),
        (ENODEV, .noController), (ENETDOWN, .noController), (ERFKILL, .noController), (EADDRNOTAVAIL, .noController),
        (EPERM, .permissionDenied), (EACCES, .permissionDenied),
        (EADDRINUSE, .addressInUse), (EBUSY, .busy), (EALREADY, .busy),
        (EHOSTUNREACH, .unreachable), (EHOSTDOWN, .unreachable), (ECONNREFUSED, .unreachable),
        (ETIMEDOUT, .timeout), (EINVAL, .invalidArgument),
        (ECONNRESET, .closed), (ENOTCONN, .closed), (EPIPE, .closed),
        (EIO, .system), (ENOMEM, .system),
    ])
    func errnoMapsToCode(number: Int32, code: BluetoothError.Code) {
        let error = BluetoothError(SystemCallError("call", errno: number))
        #expect(error.code == code)
        #expect(error.errno == number)
        #expect(error.reason.contains("call"))
    }

    @Test func noBluetoothSaysSoClearly() throws {
        let lock = try address("C0:00:00:00:00:01")
        let fake = FakeBluetoothSystem()
        fake.update { $0.failures["socket"] = EAFNOSUPPORT }
        let error = bluetoothError { () throws(BluetoothError) in try L2CAPListener(system: fake) }
        #expect(error?.code == .noBluetooth)
        #expect(error?.reason.hasPrefix("no Bluetooth on this machine (the kernel has no AF_BLUETOOTH); use the socket link or the VM lane") == true)
        #expect(error?.errno == EAFNOSUPPORT)
        let connect = bluetoothError { () throws(BluetoothError) in try L2CAPLink.connect(to: lock, system: fake) }
        #expect(connect?.code == .noBluetooth)
    }

    @Test func hciEntryPointsExplainFailures() {
        let noController = FakeBluetoothSystem()
        noController.update { $0.failures["hciDevice"] = ENODEV }
        #expect(bluetoothError { () throws(BluetoothError) in try HCIAdvertiser(system: noController) }?.code == .noController)
        let unprivileged = FakeBluetoothSystem()
        unprivileged.update { $0.failures["hciOpen"] = EPERM }
        let error = bluetoothError { () throws(BluetoothError) in try HCIScanner(system: unprivileged) }
        #expect(error?.code == .permissionDenied)
        #expect(error?.reason.contains("CAP_NET_ADMIN") == true)
        let noBluetooth = FakeBluetoothSystem()
        noBluetooth.update { $0.failures["hciOpen"] = EAFNOSUPPORT }
        #expect(bluetoothError { () throws(BluetoothError) in try HCIScanner(system: noBluetooth) }?.code == .noBluetooth)
    }

    @Test func addressInUseNamesBluetoothdAndClosesTheSocket() {
        let fake = FakeBluetoothSystem()
        fake.update { $0.failures["bind"] = EADDRINUSE }
        let error = bluetoothError { () throws(BluetoothError) in try L2CAPListener(system: fake) }
        #expect(error?.code == .addressInUse)
        #expect(error?.reason.contains("systemctl stop bluetooth") == true)
        #expect(fake.snapshot.closed == [101])
    }

    @Test func controllerRejectionCarriesTheStatus() {
        let error = BluetoothError.rejected("LE Set Advertising Parameters", status: 0x0C)
        #expect(error.code == .controllerRejected)
        #expect(error.hciStatus == 0x0C)
        #expect(error.reason.contains("Command Disallowed"))
    }

    @Test func transportErrorMapping() {
        #expect(BluetoothError(SystemCallError("recv", errno: ECONNRESET)).transportError.code == .closed)
        #expect(BluetoothError(SystemCallError("send", errno: ETIMEDOUT)).transportError.code == .timeout)
        let other = BluetoothError(SystemCallError("socket", errno: EAFNOSUPPORT)).transportError
        #expect(other.code == .system)
        #expect(other.errno == EAFNOSUPPORT)
        #expect(other.reason.contains("no Bluetooth on this machine"))
    }
}
