/// Passcode comparison whose time does not depend on where the passcodes first differ, so a
/// client cannot find a passcode byte by byte by timing refusals. (Its time does depend on the
/// lengths: it reveals no more than the passcode's length.)
enum PasscodeCheck {
    static func matches(_ given: String, _ expected: String) -> Bool {
        let given = Array(given.utf8)
        let expected = Array(expected.utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in 0..<max(given.count, expected.count) {
            let left = index < given.count ? given[index] : 0
            let right = index < expected.count ? expected[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
