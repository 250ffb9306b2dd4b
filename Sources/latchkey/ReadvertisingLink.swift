import BLETransport
import BlueZTransport
import Synchronization

/// An accepted ``L2CAPLink`` that asks the front end to advertise again once it closes (a
/// controller stops legacy advertising when a central connects).
final class ReadvertisingLink: ATTLink {
    /// Whether advertising has to be re-enabled (a link closed since it was last enabled); shared
    /// by the front end and its links.
    final class Flag: Sendable {
        let pending = Atomic<Bool>(false)
    }

    let link: L2CAPLink
    let flag: Flag

    init(_ link: L2CAPLink, flag: Flag) {
        self.link = link
        self.flag = flag
    }

    var maximumPDUSize: Int { link.maximumPDUSize }

    func send(_ pdu: [UInt8]) throws(TransportError) { try link.send(pdu) }

    func receive(timeout: Duration) throws(TransportError) -> [UInt8]? { try link.receive(timeout: timeout) }

    func close() {
        link.close()
        flag.pending.store(true, ordering: .releasing)
    }
}
