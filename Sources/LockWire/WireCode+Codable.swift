// Every vocabulary code encodes as its raw number, so undocumented values round-trip. Each type
// declares `Codable` on its own declaration (synthesis in whole-module builds needs that).

extension WireCode where Self: Codable, RawValue: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(RawValue.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
