/// What a certificate says about itself, for explaining why it did not verify.
public struct TLSCertificateSummary: Sendable, Equatable {
    /// Distinguished names as `CN=broker, O=Example`.
    public var subject: String
    public var issuer: String
    /// Validity, seconds since the epoch.
    public var notBefore: Int
    public var notAfter: Int
    /// Subject alternative names as `DNS:localhost`, `IP:127.0.0.1`.
    public var alternativeNames: [String]

    public init(subject: String, issuer: String, notBefore: Int, notAfter: Int, alternativeNames: [String] = []) {
        self.subject = subject
        self.issuer = issuer
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.alternativeNames = alternativeNames
    }

    /// Whether the certificate names itself as its issuer (a root, or a self-signed leaf).
    public var isSelfIssued: Bool { subject == issuer }
}

/// Explains, in OpenSSL's words, why a peer's certificate chain did not verify against the
/// trusted CAs: the verification itself is BoringSSL's; this only names the most likely cause
/// from names and dates, so a log line says what to fix.
public enum TLSCertificateDiagnosis {
    /// The reason a chain failed verification.
    /// - Parameters:
    ///   - chain: what the peer presented, leaf first.
    ///   - trusted: the CA certificates verification used.
    ///   - now: the time of verification, seconds since the epoch.
    public static func verifyFailure(chain: [TLSCertificateSummary], trusted: [TLSCertificateSummary], now: Int) -> String {
        guard let leaf = chain.first else { return "certificate verify failed: the peer presented no certificate" }
        let trustedSubjects = Set(trusted.map(\.subject))
        let trustedList = trusted.map { "'\($0.subject)'" }.joined(separator: ", ")
        let anchoredAt = chain.firstIndex { trustedSubjects.contains($0.issuer) || trustedSubjects.contains($0.subject) }
        guard let anchoredAt else {
            let top = chain.last ?? leaf
            let kind: String
            if chain.count == 1 && leaf.isSelfIssued {
                kind = "self-signed certificate"
            } else if top.isSelfIssued {
                kind = "self-signed certificate in certificate chain"
            } else {
                kind = "unable to get local issuer certificate"
            }
            return "certificate verify failed: \(kind): '\(top.subject)' is issued by '\(top.issuer)', which is not "
                + "a trusted CA (trusted: \(trustedList.isEmpty ? "none" : trustedList))"
        }
        let anchor = trusted.first { $0.subject == chain[anchoredAt].issuer || $0.subject == chain[anchoredAt].subject }
        for certificate in chain[...anchoredAt] + (anchor.map { [$0] } ?? []) {
            if now > certificate.notAfter {
                return "certificate verify failed: certificate has expired: '\(certificate.subject)' was valid until "
                    + "\(utc(certificate.notAfter))"
            }
            if now < certificate.notBefore {
                return "certificate verify failed: certificate is not yet valid: '\(certificate.subject)' is valid from "
                    + "\(utc(certificate.notBefore))"
            }
        }
        return "certificate verify failed: '\(leaf.subject)' names the trusted issuer '\(chain[anchoredAt].issuer)' "
            + "but its signature or intended use does not verify (another CA with the same name?)"
    }

    /// Why a certificate does not match the host connected to.
    public static func hostnameMismatch(leaf: TLSCertificateSummary?, host: String) -> String {
        guard let leaf else { return "certificate verify failed: the certificate is not valid for \(host)" }
        let names = leaf.alternativeNames.isEmpty ? "no subject alternative names, subject '\(leaf.subject)'"
            : leaf.alternativeNames.joined(separator: ", ")
        return "certificate verify failed: hostname mismatch: the certificate '\(leaf.subject)' is valid for "
            + "\(names), not for \(host)"
    }

    /// `2021-01-01 00:00:00 UTC` for seconds since the epoch (proleptic Gregorian, no Foundation).
    public static func utc(_ seconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60)) UTC"
    }
}
