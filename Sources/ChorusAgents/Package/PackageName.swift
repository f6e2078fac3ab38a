/// The package agent's checks on names and versions, beyond the DDL's `shellsafe`.
///
/// No shell ever sees an input (commands run through `SystemCommand`), but apt-get and
/// dpkg-query read their arguments too: a leading `-` is an option, `*`, `?`, `[`, `^`, `$`
/// make a pattern that selects many packages, a trailing `+`/`-` or `=`, `/` change what
/// apt does. So a name must look like a package name and nothing else.
public enum PackageName {
    /// nil when `name` is a plain package name (optionally `name:arch`), else why not.
    ///
    /// Debian names are lower-case letters, digits, `+`, `-` and `.`, starting with a
    /// letter or digit; upper case and `_` are allowed too for other package systems.
    public static func problem(with name: String) -> String? {
        guard let first = name.unicodeScalars.first else { return "a package name cannot be empty" }
        guard isAlphanumeric(first) else {
            return "package name '\(name)' must start with a letter or a digit"
        }
        let parts = name.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts.contains(where: \.isEmpty) else {
            return "package name '\(name)' may have one ':architecture' suffix at most"
        }
        for scalar in name.unicodeScalars where !(isAlphanumeric(scalar) || "+-._:".unicodeScalars.contains(scalar)) {
            return "package name '\(name)' may only contain letters, digits and + - . _ (found '\(scalar)')"
        }
        return nil
    }

    /// nil when `version` is a plain version string (`[epoch:]upstream[-revision]`), else why not.
    public static func versionProblem(with version: String) -> String? {
        guard let first = version.unicodeScalars.first, isAlphanumeric(first) else {
            return "version '\(version)' must start with a letter or a digit"
        }
        for scalar in version.unicodeScalars where !(isAlphanumeric(scalar) || "+-.~:_".unicodeScalars.contains(scalar)) {
            return "version '\(version)' may only contain letters, digits and + - . ~ : _ (found '\(scalar)')"
        }
        return nil
    }

    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
