/// Just enough DER to find the SubjectPublicKeyInfo inside an X.509 certificate, bounds
/// checked at every step.
struct DERReader {
    struct Element {
        var tag: UInt8
        /// The whole element: tag, length and contents.
        var encoded: ArraySlice<UInt8>
        var contents: ArraySlice<UInt8>
    }

    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var isAtEnd: Bool { bytes.isEmpty }

    mutating func next() -> Element? {
        guard let tag = bytes.first, bytes.count >= 2 else { return nil }
        var index = bytes.startIndex + 1
        let first = bytes[index]
        index += 1
        var length = 0
        if first & 0x80 == 0 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7F)
            guard count >= 1, count <= 4, bytes.endIndex - index >= count else { return nil }
            for _ in 0..<count {
                length = length << 8 | Int(bytes[index])
                index += 1
            }
        }
        guard length <= bytes.endIndex - index else { return nil }
        let element = Element(tag: tag, encoded: bytes[bytes.startIndex..<(index + length)], contents: bytes[index..<(index + length)])
        bytes = bytes[(index + length)...]
        return element
    }

    /// `Certificate.tbsCertificate.subjectPublicKeyInfo`, encoded.
    static func subjectPublicKeyInfo(ofCertificate der: [UInt8]) -> [UInt8]? {
        var outer = DERReader(der[...])
        guard let certificate = outer.next(), certificate.tag == 0x30 else { return nil }
        var fields = DERReader(certificate.contents)
        guard let tbs = fields.next(), tbs.tag == 0x30 else { return nil }
        var tbsFields = DERReader(tbs.contents)
        guard var element = tbsFields.next() else { return nil }
        if element.tag == 0xA0 {  // [0] version
            guard let next = tbsFields.next() else { return nil }
            element = next
        }
        // element = serialNumber; then signature, issuer, validity, subject, subjectPublicKeyInfo.
        for _ in 0..<4 { guard tbsFields.next() != nil else { return nil } }
        guard let spki = tbsFields.next(), spki.tag == 0x30 else { return nil }
        return Array(spki.encoded)
    }
}
