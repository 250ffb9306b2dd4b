/// Hexadecimal text for test vectors, captures and logs of non-secret bytes.
public enum Hex {
    /// Upper-case hex, no separators.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hex digits, ignoring ASCII white space. Returns nil on an odd digit count or a
    /// non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        var nibbles: [UInt8] = []
        for ch in text where !(ch == " " || ch == "\t" || ch == "\n" || ch == "\r") {
            guard let v = ch.hexDigitValue else { return nil }
            nibbles.append(UInt8(v))
        }
        guard nibbles.count % 2 == 0 else { return nil }
        return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
    }
}
