/// Checks on a service name beyond the DDL's `service_name` validator.
///
/// The validator allows letters, digits, `.`, `-`, `_` and `@`, so it lets through names that
/// are not services but would still change what a command does: `--status-all` is an option
/// of `service`, and `..` names a directory above `/etc/init.d`. The agent refuses those with
/// status 4 before it runs anything.
public enum ServiceNameRules {
    /// Why `name` cannot be a service name, or nil when it can.
    public static func problem(with name: String) -> String? {
        if name.hasPrefix("-") {
            return "\(name) is not a valid service name: a name cannot start with '-', which programs read as an option"
        }
        if name == "." || name == ".." {
            return "\(name) is not a valid service name: it names a directory"
        }
        return nil
    }
}
