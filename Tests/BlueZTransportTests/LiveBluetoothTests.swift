import BlueZTransport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Against the real kernel. On a machine without Bluetooth (`socket(AF_BLUETOOTH)` fails with
/// EAFNOSUPPORT) the listener must say so clearly. Where Bluetooth exists the check is skipped,
/// unless `LATCHKEY_REQUIRE_BLUETOOTH=1` (the VM lane): then a missing Bluetooth is a failure and
/// a present one must bind and listen on the ATT channel.
@Suite struct LiveBluetoothTests {
    static let requireBluetooth = getenv("LATCHKEY_REQUIRE_BLUETOOTH").map { String(cString: $0) } == "1"

    /// The errno of a bare `socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP)`, 0 when it worked.
    static let probe: Int32 = {
        do throws(SystemCallError) {
            let fd = try LiveBluetoothSystem().l2capSocket()
            LiveBluetoothSystem().close(fd)
            return 0
        } catch {
            return error.errno
        }
    }()

    @Test(.enabled(if: probe != 0 || requireBluetooth, "this machine has Bluetooth; set LATCHKEY_REQUIRE_BLUETOOTH=1 to test it"))
    func liveSystemReportsNoBluetoothClearly() throws {
        if Self.requireBluetooth {
            #expect(Self.probe == 0, "LATCHKEY_REQUIRE_BLUETOOTH=1 but socket(AF_BLUETOOTH) failed with errno \(Self.probe)")
            guard Self.probe == 0 else { return }
            let listener = try L2CAPListener()
            #expect(listener.local.cid == 4)
            listener.close()
            return
        }
        #expect(Self.probe == EAFNOSUPPORT, "unexpected errno \(Self.probe) from socket(AF_BLUETOOTH)")
        let error = bluetoothError { () throws(BluetoothError) in try L2CAPListener() }
        #expect(error?.code == .noBluetooth)
        #expect(error?.reason.hasPrefix(BluetoothError.noBluetoothReason) == true)
        #expect(BluetoothError.noBluetoothReason == "no Bluetooth on this machine (the kernel has no AF_BLUETOOTH); use the socket link or the VM lane")
        let lock = try address("C4:5B:BE:00:00:01")
        #expect(bluetoothError { () throws(BluetoothError) in try L2CAPLink.connect(to: lock) }?.code == .noBluetooth)
    }
}
