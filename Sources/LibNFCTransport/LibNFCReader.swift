internal import CNFC
import LockNFC
import LockWire

/// The keypad's NFC reader on libnfc (initiator): finds an ISO/IEC 14443-A card at 106 kbps and
/// carries APDUs to it (`nfc_initiator_transceive_bytes`, which the PN532 sends as
/// InDataExchange with ISO 14443-4 framing). An ``LockNFC/NFCCardChannel``.
public final class LibNFCReader: NFCCardChannel, @unchecked Sendable {
    /// The libnfc device the reader runs on (initiator mode).
    public let device: LibNFCDevice
    /// Per-APDU timeout handed to libnfc.
    public var timeoutMilliseconds: Int32 = 3_000

    /// Opens `connstring`, puts the device in initiator mode (`nfc_initiator_init`) and turns off
    /// infinite select, so ``selectCard()`` polls once. Throws ``LockNFC/NFCError``: `transport` when
    /// the device cannot be opened; a failed `nfc_initiator_init` maps as in ``transceive(_:)``.
    public init(connstring: String) throws(NFCError) {
        device = try LibNFCDevice(connstring: connstring)
        _ = try device.check(nfc_initiator_init(try device.handle()), "nfc_initiator_init")
        // Poll once per call instead of for ever, so "no card" comes back.
        _ = nfc_device_set_property_bool(try device.handle(), NP_INFINITE_SELECT, false)
    }

    /// Selects the first ISO 14443-A card in the field; returns its UID. Throws ``LockNFC/NFCError/Code/noCard``.
    public func selectCard() throws(NFCError) -> [UInt8] {
        var target = nfc_target()
        let modulation = nfc_modulation(nmt: NMT_ISO14443A, nbr: NBR_106)
        let found = try device.check(nfc_initiator_select_passive_target(try device.handle(), modulation, nil, 0, &target), "select")
        guard found > 0 else { throw NFCError(.noCard, "no ISO 14443-A card in the field of \(device.connstring)") }
        let count = min(Int(target.nti.nai.szUidLen), 10)
        return withUnsafeBytes(of: target.nti.nai.abtUid) { Array($0.prefix(count)) }
    }

    /// ``LockNFC/NFCCardChannel``: sends one command APDU to the selected card
    /// (`nfc_initiator_transceive_bytes`, up to 264 response bytes, ``timeoutMilliseconds``) and returns
    /// the response APDU (data ‖ SW1 SW2). Throws ``LockNFC/NFCError``: `timeout` (NFC_ETIMEOUT), `released`
    /// (NFC_ETGRELEASED), `noCard` (NFC_ENOTSUCHDEV), `transport` (any other failure, or the device closed).
    public func transceive(_ command: [UInt8]) throws(NFCError) -> [UInt8] {
        var answer = [UInt8](repeating: 0, count: 264)
        let handle = try device.handle()
        let n = command.withUnsafeBufferPointer { tx in
            answer.withUnsafeMutableBufferPointer { rx in
                nfc_initiator_transceive_bytes(handle, tx.baseAddress, tx.count, rx.baseAddress, rx.count, timeoutMilliseconds)
            }
        }
        return Array(answer.prefix(try device.check(n, "transceive")))
    }

    /// Deselects the card (it may go on to answer another reader).
    public func release() {
        if let handle = try? device.handle() { _ = nfc_initiator_deselect_target(handle) }
    }

    /// One tap: select the card, SELECT + AUTHENTICATE with `challenge`, release. A card without
    /// the Latchkey application gives a read with no assertion (its UID only).
    public func read(challenge: Bytes32) throws(NFCError) -> NFCCardRead {
        let uid = try selectCard()
        defer { release() }
        var channel = self
        return try NFCCardReader.read(challenge: challenge, uid: uid, over: &channel)
    }
}
