/// A read position over Unicode scalars, for the scalar scanner's hand-written matchers.
struct ScalarCursor {
    let scalars: ArraySlice<Unicode.Scalar>
    var position: Int

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars[...]
        self.position = 0
    }

    init(_ scalars: ArraySlice<Unicode.Scalar>) {
        self.scalars = scalars
        self.position = scalars.startIndex
    }

    var atEnd: Bool { position >= scalars.endIndex }
    var peek: Unicode.Scalar? { atEnd ? nil : scalars[position] }
    var remaining: ArraySlice<Unicode.Scalar> { scalars[position...] }

    mutating func advance() { position += 1 }

    mutating func skip(_ scalar: Unicode.Scalar) -> Bool {
        guard peek == scalar else { return false }
        position += 1
        return true
    }

    mutating func skipSpaces() -> Int {
        var count = 0
        while let next = peek, PsychScalarScanner.isRubySpace(next) {
            position += 1
            count += 1
        }
        return count
    }

    func digitRunLength() -> Int {
        var index = position
        while index < scalars.endIndex && PsychScalarScanner.isASCIIDigit(scalars[index]) { index += 1 }
        return index - position
    }

    mutating func digitRun() -> Int {
        let length = digitRunLength()
        position += length
        return length
    }

    mutating func digits(exactly count: Int) -> Int? {
        digits(count...count)
    }

    /// Up to `range.upperBound` digits (greedy), at least `range.lowerBound`.
    mutating func digits(_ range: ClosedRange<Int>) -> Int? {
        let available = min(digitRunLength(), range.upperBound)
        guard available >= range.lowerBound else { return nil }
        var value = 0
        for _ in 0..<available {
            value = value * 10 + Int(scalars[position].value - 0x30)
            position += 1
        }
        return value
    }
}
