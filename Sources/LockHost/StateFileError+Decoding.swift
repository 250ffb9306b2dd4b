import Foundation

extension StateFileError {
    /// `invalid`: the JSON file at `path` does not decode. The reason names the file, the field
    /// (its JSON path, e.g. `machine.authorizations[0].name`) and what was wrong, in words rather
    /// than the decoder's type names, e.g. `lock.json does not decode: field lockUUID is missing`
    /// or `keypad.json does not decode: field clientID: expected a whole number from 0 to 4294967295`.
    public static func undecodable(_ path: String, _ error: any Error) -> StateFileError {
        StateFileError(.invalid, "\(path) does not decode: \(describe(error))")
    }

    /// What a `DecodingError` says, for a user: the field and the problem (see
    /// ``undecodable(_:_:)``); other errors as they describe themselves.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "field \(field(context.codingPath + [key])) is missing"
        case .valueNotFound(let type, let context):
            return "field \(field(context.codingPath)) is null, expected \(expectation(type))"
        case .typeMismatch(let type, let context):
            return "field \(field(context.codingPath)): expected \(expectation(type))"
        case .dataCorrupted(let context):
            guard !context.codingPath.isEmpty else {
                // Foundation on Linux reports a number too large for its field this way too, without a path.
                return context.underlyingError.map { "not valid JSON (\(describeUnderlying($0)))" } ?? "not valid JSON, or a number out of range for its field"
            }
            return "field \(field(context.codingPath)): \(plain(context.debugDescription))"
        @unknown default:
            return "does not decode"
        }
    }

    /// A coding path as JSON path: keys joined by `.`, array positions as `[n]`; `the top level` when empty.
    static func field(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue, key.stringValue == "Index \(index)" {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? "the top level" : text
    }

    /// The value a type stands for, in words.
    static func expectation(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is UInt8.Type: return "a whole number from 0 to 255"
        case is UInt16.Type: return "a whole number from 0 to 65535"
        case is UInt32.Type: return "a whole number from 0 to 4294967295"
        case is UInt64.Type, is UInt.Type: return "a whole number from 0 to 18446744073709551615"
        case is Int8.Type, is Int16.Type, is Int32.Type, is Int64.Type, is Int.Type: return "a whole number"
        case is Double.Type, is Float.Type: return "a number"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array<") { return "a list" }
            if name.hasPrefix("Dictionary<") { return "an object" }
            return "a value of another kind"
        }
    }

    /// The decoder's own sentence without Swift type names: "Parsed JSON number <300> does not
    /// fit in UInt8." becomes "300 is out of range (0 to 255)".
    static func plain(_ text: String) -> String {
        let ranges = ["UInt8": "0 to 255", "UInt16": "0 to 65535", "UInt32": "0 to 4294967295", "UInt64": "0 to 18446744073709551615",
                      "Int8": "-128 to 127", "Int16": "-32768 to 32767", "Int32": "-2147483648 to 2147483647", "Int64": "a 64-bit range", "Int": "a 64-bit range"]
        if let open = text.range(of: "<"), let close = text.range(of: "> does not fit in "), open.upperBound <= close.lowerBound {
            let number = text[open.upperBound..<close.lowerBound]
            let type = text[close.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: ". "))
            return "\(number) is out of range (\(ranges[type] ?? "too large"))"
        }
        return text.hasSuffix(".") ? String(text.dropLast()) : text
    }

    private static func describeUnderlying(_ error: any Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
        return text.hasSuffix(".") ? String(text.dropLast()) : text
    }
}
