/// Colours for terminal output, as MCollective's `Util.colorize` applies them: when colour
/// is off every helper returns the text unchanged.
struct TerminalStyle: Sendable {
    /// ANSI SGR codes MCollective uses.
    enum Colour: String, Sendable {
        case red = "31"
        case green = "32"
        case yellow = "33"
        case bold = "1"
        /// `:reset`: MCollective wraps neutral numbers in it ("\e[0m3\e[0m").
        case reset = "0"
    }

    var colour: Bool

    init(colour: Bool) {
        self.colour = colour
    }

    /// No colour at all.
    static let plain = TerminalStyle(colour: false)

    func colorize(_ code: Colour, _ text: String) -> String {
        colour ? "\u{1B}[\(code.rawValue)m\(text)\u{1B}[0m" : text
    }

    func red(_ text: String) -> String { colorize(.red, text) }
    func green(_ text: String) -> String { colorize(.green, text) }
    func yellow(_ text: String) -> String { colorize(.yellow, text) }
    func bold(_ text: String) -> String { colorize(.bold, text) }
    func reset(_ text: String) -> String { colorize(.reset, text) }
}
