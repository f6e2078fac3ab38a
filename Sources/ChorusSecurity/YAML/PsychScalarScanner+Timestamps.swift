extension PsychScalarScanner {
    // MARK: - Times and dates

    /// nil when the text is not shaped like Psych's TIME; otherwise whether Ruby accepts it.
    static func timestamp(_ s: [Unicode.Scalar]) -> Bool? {
        var cursor = ScalarCursor(s)
        _ = cursor.skip("-")
        guard let year = cursor.digits(exactly: 4), cursor.skip("-"),
            let month = cursor.digits(1...2), cursor.skip("-"), let day = cursor.digits(1...2)
        else { return nil }
        if !(cursor.skip("T") || cursor.skip("t")) {
            guard cursor.skipSpaces() > 0 else { return nil }
        }
        guard let hour = cursor.digits(1...2), cursor.skip(":"), let minute = cursor.digits(exactly: 2), cursor.skip(":"),
            let second = cursor.digits(exactly: 2)
        else { return nil }
        if cursor.skip(".") { _ = cursor.digitRun() }
        var offsetValid = true
        if !cursor.atEnd {
            _ = cursor.skipSpaces()
            if cursor.skip("Z") {
                // UTC
            } else if let offset = timeZone(&cursor) {
                offsetValid = offset
            } else {
                return nil
            }
        }
        guard cursor.atEnd else { return nil }
        _ = year
        return (1...12).contains(month) && (1...31).contains(day) && (0...24).contains(hour) && minute <= 59
            && second <= 60 && offsetValid
    }

    /// `[-+]\d{1,2}:?(?:\d\d)?` to the end: nil when it does not match, else whether the offset is in range.
    static func timeZone(_ cursor: inout ScalarCursor) -> Bool? {
        guard cursor.skip("+") || cursor.skip("-") else { return nil }
        let rest = cursor.remaining
        for hourDigits in [2, 1] {
            var attempt = ScalarCursor(rest)
            guard let hours = attempt.digits(exactly: hourDigits) else { continue }
            _ = attempt.skip(":")
            var minutes = 0
            if !attempt.atEnd {
                guard let value = attempt.digits(exactly: 2), attempt.atEnd else { continue }
                minutes = value
            }
            cursor = attempt
            return hours * 3600 + minutes * 60 < 86400
        }
        return nil
    }

    /// nil when the text is not shaped like Psych's date; otherwise whether it is a real date.
    static func date(_ s: [Unicode.Scalar]) -> Bool? {
        var cursor = ScalarCursor(s)
        guard let year = cursor.digits(exactly: 4), cursor.skip("-") else { return nil }
        let monthStart = cursor.position
        guard let month = cursor.digits(1...2), cursor.skip("-") else { return nil }
        let monthText = s[monthStart..<(cursor.position - 1)]
        if monthText.count == 2 && !(monthText.first == "0" || ["10", "11", "12"].contains(String(String.UnicodeScalarView(monthText)))) {
            return nil
        }
        let dayStart = cursor.position
        guard let day = cursor.digits(1...2), cursor.atEnd else { return nil }
        let dayText = s[dayStart...]
        if dayText.count == 2, let lead = dayText.first, !["0", "1", "2", "3"].contains(lead) || (lead == "3" && day > 31) {
            return nil
        }
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }
}
