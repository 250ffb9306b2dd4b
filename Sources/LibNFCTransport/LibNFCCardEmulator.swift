internal import CNFC
import LockNFC

/// The fob's NFC card on libnfc (target): emulates an ISO/IEC 14443-4 type A card whose UID is
/// `08 ‖ three bytes` (a PN53x in card emulation always shows a random-UID prefix 08) and answers
/// each APDU with ``LockNFC/NFCCardApplication``. ``emulate(_:uid:onAnswer:)`` returns when the
/// reader releases the card.
public final class LibNFCCardEmulator: @unchecked Sendable {
    /// The libnfc device the card is emulated on (target mode).
    public let device: LibNFCDevice

    /// Opens the libnfc device at `connstring` (e.g. `pn532_uart:/dev/pts/3`). Throws
    /// ``LockNFC/NFCError`` ``LockNFC/NFCError/Code/transport`` when libnfc cannot be initialised or cannot open it.
    public init(connstring: String) throws(NFCError) {
        device = try LibNFCDevice(connstring: connstring)
    }

    /// Serves one tap. `onAnswer` gets the card after every answer (persist its counter).
    /// Throws on libnfc failures other than the reader's release.
    public func emulate(_ card: inout NFCCardApplication, uid: [UInt8], onAnswer: (NFCCardApplication) -> Void = { _ in }) throws(NFCError) {
        var target = nfc_target()
        target.nm = nfc_modulation(nmt: NMT_ISO14443A, nbr: NBR_106)
        target.nti.nai.abtAtqa = (0x00, 0x04)
        target.nti.nai.btSak = 0x20  // ISO 14443-4 compliant
        let shown = Array(([0x08] + uid.dropFirst()).prefix(4)) + [UInt8](repeating: 0, count: max(0, 4 - uid.count))
        target.nti.nai.szUidLen = 4
        withUnsafeMutableBytes(of: &target.nti.nai.abtUid) { raw in
            for (i, byte) in shown.prefix(4).enumerated() { raw[i] = byte }
        }
        target.nti.nai.szAtsLen = 4
        withUnsafeMutableBytes(of: &target.nti.nai.abtAts) { raw in
            for (i, byte) in [0x75, 0x77, 0x81, 0x02].enumerated() { raw[i] = UInt8(byte) }
        }
        let handle = try device.handle()
        var buffer = [UInt8](repeating: 0, count: 264)
        let initialised = buffer.withUnsafeMutableBufferPointer { rx in nfc_target_init(handle, &target, rx.baseAddress, rx.count, 0) }
        _ = try device.check(initialised, "nfc_target_init")
        card.deselect()
        while true {
            let n = buffer.withUnsafeMutableBufferPointer { rx in nfc_target_receive_bytes(handle, rx.baseAddress, rx.count, 0) }
            if n == NFC_ETGRELEASED { card.deselect(); return }
            let count = try device.check(n, "nfc_target_receive_bytes")
            let answer: [UInt8] = card.respond(to: Array(buffer.prefix(count)))
            onAnswer(card)
            let sent = answer.withUnsafeBufferPointer { tx in nfc_target_send_bytes(handle, tx.baseAddress, tx.count, 0) }
            if sent == NFC_ETGRELEASED { card.deselect(); return }
            _ = try device.check(sent, "nfc_target_send_bytes")
        }
    }
}
