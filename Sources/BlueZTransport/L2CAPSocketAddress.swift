import BLETransport

/// The fields of a kernel `struct sockaddr_l2` (BlueZ `<bluetooth/l2cap.h>`), as Swift values:
/// ```
/// l2_family u16 (AF_BLUETOOTH = 31) | l2_psm u16 LE | l2_bdaddr 6 octets (reversed) |
/// l2_cid u16 LE | l2_bdaddr_type u8 | 1 octet padding          (14 octets)
/// ```
/// For the Attribute Protocol over LE the PSM is 0 and the channel is the fixed ATT channel,
/// CID 0x0004 (Bluetooth Core 5.4, Vol 3, Part A, §2.1, Table 2.3). Both the listening side and the
/// connecting side bind CID 4: the kernel refuses a connect on a socket that did not with EINVAL.
public struct L2CAPSocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The LE Attribute Protocol fixed channel, CID 0x0004.
    public static let attributeProtocolCID: UInt16 = 0x0004
    /// `AF_BLUETOOTH`, the address family the kernel expects in `l2_family`.
    public static let addressFamily: UInt16 = 31

    /// `l2_psm`; 0 for a fixed channel.
    public var psm: UInt16
    /// `l2_bdaddr`; `nil` is `BDADDR_ANY` (00:00:00:00:00:00: any adapter, when binding).
    public var address: DeviceAddress?
    /// `l2_cid`.
    public var cid: UInt16
    /// `l2_bdaddr_type`, raw: 0x00 BR/EDR, 0x01 LE public, 0x02 LE random.
    public var addressType: UInt8

    /// The address of the ATT fixed channel (PSM 0, CID 4) at `address` of `type`.
    public init(attributeProtocolAt address: DeviceAddress?, type: LEAddressType) {
        self.init(psm: 0, address: address, cid: Self.attributeProtocolCID, addressType: type.socketValue)
    }

    /// Any `sockaddr_l2`.
    public init(psm: UInt16, address: DeviceAddress?, cid: UInt16, addressType: UInt8) {
        self.psm = psm
        self.address = address
        self.cid = cid
        self.addressType = addressType
    }

    /// ``addressType`` as an LE address type; `nil` for BR/EDR or unknown values.
    public var leAddressType: LEAddressType? { LEAddressType(socketValue: addressType) }

    /// The six `bdaddr_t` octets as the kernel stores them: least significant first.
    public var bdaddrOctets: [UInt8] { Array((address?.octets ?? [0, 0, 0, 0, 0, 0]).reversed()) }

    /// The 14 octets of the `struct sockaddr_l2` this becomes, on this (little-endian) host.
    public var kernelLayout: [UInt8] { LiveBluetoothSystem.layout(of: self) }

    /// `AA:BB:CC:DD:EE:FF/<type> psm <p> cid <c>`.
    public var description: String {
        "\(address?.description ?? "00:00:00:00:00:00")/\(leAddressType?.description ?? "type \(addressType)") psm \(psm) cid \(cid)"
    }
}
