/// Named bounds of the Attribute Protocol (Bluetooth Core 5.4, Vol 3, Part F).
public enum ATTLimits {
    /// The default and minimum ATT_MTU on an LE bearer, 23 octets (§3.2.8; Vol 3, Part G, §5.2.1).
    public static let defaultMTU = 23
    /// The largest ATT_MTU `BLEATT` negotiates: an opcode, a handle and a whole 512-octet attribute
    /// value (§3.2.9) plus two octets for an offset: 517.
    public static let maximumMTU = 517
    /// The longest attribute value (§3.2.9).
    public static let maximumAttributeValue = 512
    /// An ATT transaction not completed within 30 seconds times out (§3.3.3).
    public static let transactionTimeout = Duration.seconds(30)
    /// The largest value in a Read By Type Response pair: the Length octet covers handle + value.
    public static let maximumReadByTypeValue = 255 - 2
    /// The largest value in a Read By Group Type Response entry: Length covers two handles + value.
    public static let maximumReadByGroupTypeValue = 255 - 4
}
