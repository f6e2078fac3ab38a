#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import RubyMarshal

/// Ruby's `format` / `String#%` for the directives aggregate formats use: `%s`, `%p`,
/// `%d` `%i` `%u`, `%f` `%e` `%E` `%g` `%G`, `%x` `%X` `%o` `%b`, `%c` and `%%`, with the
/// flags `-`, `+`, space, `0`, `#`, a width and a precision. Numbers convert as Ruby's do
/// (a String argument must read as a number, nil is an error).
public enum RubyFormat {
    /// Why a format could not be applied (Ruby raises ArgumentError or TypeError).
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func format(_ template: String, _ arguments: [RubyValue]) throws(Failure) -> String {
        var output = ""
        var remaining = arguments[...]
        var scalars = template.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            guard scalar == "%" else {
                output.unicodeScalars.append(scalar)
                continue
            }
            var spec = Spec()
            while let flag = scalars.first, "-+ 0#".unicodeScalars.contains(flag) {
                spec.flags.unicodeScalars.append(flag)
                scalars.removeFirst()
            }
            spec.width = readNumber(&scalars)
            if scalars.first == "." {
                scalars.removeFirst()
                spec.precision = readNumber(&scalars) ?? 0
            }
            guard let conversion = scalars.popFirst() else {
                throw Failure(message: "incomplete format specifier; use %% (double %) instead")
            }
            if conversion == "%" {
                output += "%"
                continue
            }
            guard let argument = remaining.popFirst() else { throw Failure(message: "too few arguments") }
            output += try render(argument, conversion: Character(conversion), spec: spec)
        }
        return output
    }

    private struct Spec {
        var flags = ""
        var width: Int?
        var precision: Int?
        var leftAligned: Bool { flags.contains("-") }
    }

    private static func readNumber(_ scalars: inout Substring.UnicodeScalarView) -> Int? {
        var value: Int?
        while let digit = scalars.first, ("0"..."9").contains(digit) {
            value = min((value ?? 0) * 10 + Int(digit.value - 48), 10_000)
            scalars.removeFirst()
        }
        return value
    }

    private static func render(_ argument: RubyValue, conversion: Character, spec: Spec) throws(Failure) -> String {
        switch conversion {
        case "s", "p":
            var text = conversion == "s" ? argument.rubyText : argument.inspect
            if let precision = spec.precision { text = String(text.unicodeScalars.prefix(precision)) }
            return pad(text, spec: spec)
        case "d", "i", "u":
            if case .bigInt = argument { return pad(argument.inspect, spec: spec) }
            return cFormat(spec: spec, conversion: "lld", integer: try integer(argument))
        case "x", "X", "o":
            return cFormat(spec: spec, conversion: "ll" + String(conversion), integer: try integer(argument))
        case "b":
            let value = try integer(argument)
            let digits = String(value.magnitude, radix: 2)
            return pad((value < 0 ? "-" : "") + digits, spec: spec)
        case "f", "e", "E", "g", "G":
            return cFormat(spec: spec, conversion: String(conversion), double: try double(argument))
        case "c":
            let text: String
            switch argument {
            case .string(let s): text = String(s.text.unicodeScalars.prefix(1))
            default:
                guard let scalar = Unicode.Scalar(UInt32(truncatingIfNeeded: try integer(argument))) else {
                    throw Failure(message: "invalid character")
                }
                text = String(scalar)
            }
            return pad(text, spec: spec)
        default:
            throw Failure(message: "malformed format string - %\(conversion)")
        }
    }

    private static func pad(_ text: String, spec: Spec) -> String {
        let count = text.unicodeScalars.count
        guard let width = spec.width, width > count else { return text }
        let padding = String(repeating: " ", count: width - count)
        return spec.leftAligned ? text + padding : padding + text
    }

    private static func integer(_ argument: RubyValue) throws(Failure) -> Int {
        switch argument {
        case .int(let value): return value
        case .float(let value):
            guard value.isFinite, let truncated = Int(exactly: value.rounded(.towardZero)) else {
                throw Failure(message: "\(FloatDescription.ruby(value)) out of range of integer")
            }
            return truncated
        case .string(let string):
            let text = string.text.trimmingASCIISpaces()
            guard let value = Int(text.replacingUnderscores()) else {
                throw Failure(message: "invalid value for Integer(): \(argument.inspect)")
            }
            return value
        case .bigInt: throw Failure(message: "bignum too big to convert into 'long'")
        default: throw Failure(message: "can't convert \(argument.rubyClassName) into Integer")
        }
    }

    private static func double(_ argument: RubyValue) throws(Failure) -> Double {
        switch argument {
        case .int(let value): return Double(value)
        case .float(let value): return value
        case .string(let string):
            let text = string.text.trimmingASCIISpaces().replacingUnderscores()
            let isDecimal = text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || "+-.eE".unicodeScalars.contains($0) }
            guard isDecimal, let value = Double(text) else {
                throw Failure(message: "invalid value for Float(): \(argument.inspect)")
            }
            return value
        case .bigInt: return Double(argument.inspect) ?? .infinity
        default: throw Failure(message: "can't convert \(argument.rubyClassName) into Float")
        }
    }

    private static func cFormat(spec: Spec, conversion: String, integer: Int) -> String {
        withVaList([Int64(integer)]) { cString(directive(spec, conversion), $0) }
    }

    private static func cFormat(spec: Spec, conversion: String, double: Double) -> String {
        if !double.isFinite {
            let text = double.isNaN ? "NaN" : (double < 0 ? "-Inf" : (spec.flags.contains("+") ? "+Inf" : "Inf"))
            return pad(text, spec: spec)
        }
        return withVaList([double]) { cString(directive(spec, conversion), $0) }
    }

    /// The C `printf` directive for a spec: "%-08.3f".
    private static func directive(_ spec: Spec, _ conversion: String) -> String {
        "%" + spec.flags + (spec.width.map(String.init) ?? "") + (spec.precision.map { ".\($0)" } ?? "") + conversion
    }

    private static func cString(_ directive: String, _ arguments: CVaListPointer) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        let written = buffer.withUnsafeMutableBufferPointer { pointer in
            vsnprintf(pointer.baseAddress, pointer.count, directive, arguments)
        }
        guard written >= 0 else { return "" }
        let length = min(Int(written), buffer.count - 1)
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Ruby's spelling of a Float in messages.
private enum FloatDescription {
    static func ruby(_ value: Double) -> String { RubyValue.float(value).inspect }
}

extension RubyValue {
    /// The Ruby class name, for error messages.
    var rubyClassName: String {
        switch self {
        case .nil: return "nil"
        case .bool(let flag): return flag ? "true" : "false"
        case .int, .bigInt: return "Integer"
        case .float: return "Float"
        case .string: return "String"
        case .symbol: return "Symbol"
        case .array: return "Array"
        case .hash: return "Hash"
        case .regexp: return "Regexp"
        }
    }
}

extension String {
    fileprivate func trimmingASCIISpaces() -> String {
        var scalars = unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" || first == "\n" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\n" { scalars.removeLast() }
        return String(scalars)
    }

    /// Ruby number literals may group digits with single underscores.
    fileprivate func replacingUnderscores() -> String {
        guard !contains("__"), first != "_", last != "_" else { return self }
        return String(filter { $0 != "_" })
    }
}
