/// Helpers for the built-in data plugins' DDLs, written after MCollective 2.12's `*_data.ddl`.
enum DataPluginDDLs {
    /// A `string` `query` input with a Ruby validation pattern and a maximum length.
    static func queryInput(prompt: String, description: String, pattern: String, maxLength: Int) -> InputDDL {
        InputDDL(
            name: AgentDDL.dataQueryName, prompt: prompt, description: description, type: .string,
            validation: (try? RubyPattern(pattern)).map(InputValidation.pattern), maxLength: maxLength)
    }

    static func output(_ name: String, _ description: String, _ displayAs: String) -> OutputDDL {
        OutputDDL(name: name, description: description, displayAs: displayAs)
    }
}
