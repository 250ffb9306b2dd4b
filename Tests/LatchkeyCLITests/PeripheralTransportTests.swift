import ArgumentParser
import BlueZTransport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import latchkey

/// `latchkey keypad|fob … --transport socket|bluez:hciN` (the VM lane drives the BlueZ side for real).
@Suite struct PeripheralTransportTests {
    @Test func transportOptionParsesAdapterOrRefusesWithUsage() throws {
        let bluez = try KeypadPairCommand.parse(["--state", "k.json", "--transport", "bluez:hci1"])
        #expect(bluez.options.bluezAdapter == "hci1")
        let socket = try FobPressCommand.parse(["--state", "f.json"])
        #expect(socket.options.transport == "socket")
        #expect(socket.options.bluezAdapter == nil)
        for bad in ["bluez:hci", "bluez:hcix", "bluez:", "usb", "bluez:eth0"] {
            do {
                _ = try FobPairCommand.parse(["--state", "f.json", "--transport", bad])
                Issue.record("--transport \(bad) was accepted")
            } catch {
                #expect(FobPairCommand.exitCode(for: error) == .validationFailure, "--transport \(bad)")
                #expect(FobPairCommand.message(for: error) == "--transport is socket or bluez:hciN, not \(bad)")
            }
        }
    }

    /// Without kernel Bluetooth the scan fails with the clear reason, before any connection attempt
    /// (on a machine with Bluetooth this checks nothing: the VM lane runs the real thing).
    @Test func centralWithoutBluetoothSaysSo() {
        let fd = socket(AF_BLUETOOTH, Int32(SOCK_SEQPACKET.rawValue), 0)
        guard fd < 0 else {
            close(fd)
            return
        }
        do {
            _ = try BlueZCentral.connect(adapter: "hci1", address: nil, pairing: true, scanTime: .milliseconds(10))
            Issue.record("connected without Bluetooth")
        } catch let error as BluetoothError {
            #expect(error.code == .noBluetooth)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
