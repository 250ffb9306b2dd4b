internal import CBlueZ
internal import CNFC
internal import CSodium
import Testing

/// The three system-library targets resolve through pkg-config, link, and call into their libraries.
/// None of these calls needs hardware or a kernel Bluetooth stack.
@Suite struct SystemLibraryTests {
    @Test func libsodiumInitialisesAndHasTheNaClSizes() {
        #expect(sodium_init() >= 0)
        #expect(crypto_box_BEFORENMBYTES == 32)
        #expect(crypto_secretbox_NONCEBYTES == 24)
        #expect(crypto_secretbox_MACBYTES == 16)
        #expect(crypto_auth_hmacsha256_BYTES == 32)
    }

    @Test func libbluetoothParsesAndPrintsAddresses() {
        var address = bdaddr_t()
        #expect(str2ba("01:23:45:67:89:AB", &address) == 0)
        // bdaddr_t is stored little-endian: the last octet of the text comes first.
        #expect(address.b.0 == 0xAB && address.b.5 == 0x01)
        var text = [CChar](repeating: 0, count: 18)
        #expect(ba2str(&address, &text) == 17)
        #expect(String(decoding: text.prefix(17).map { UInt8(bitPattern: $0) }, as: UTF8.self) == "01:23:45:67:89:AB")
    }

    @Test func libnfcReportsItsVersion() throws {
        let version = try #require(nfc_version())
        #expect(String(cString: version).hasPrefix("1."))
    }
}
