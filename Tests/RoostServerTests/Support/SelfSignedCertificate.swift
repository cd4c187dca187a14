import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A throwaway self-signed certificate for 127.0.0.1 and localhost, made in
/// process (no openssl CLI), written as PEM files for `--tls-cert`/`--tls-key`.
struct SelfSignedCertificate {
    let certificatePEM: String
    let keyPEM: String
    let certificatePath: String
    let keyPath: String

    static func make(in directory: String) throws -> SelfSignedCertificate {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            CommonName("roost test")
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 3600,
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.dnsName("localhost"),
                                         .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
            },
            issuerPrivateKey: .init(key))
        let certificatePEM = try certificate.serializeAsPEM().pemString
        let keyPEM = key.pemRepresentation
        let certificatePath = directory + "/cert.pem", keyPath = directory + "/key.pem"
        try certificatePEM.write(toFile: certificatePath, atomically: true, encoding: .utf8)
        try keyPEM.write(toFile: keyPath, atomically: true, encoding: .utf8)
        return SelfSignedCertificate(certificatePEM: certificatePEM, keyPEM: keyPEM,
                                     certificatePath: certificatePath, keyPath: keyPath)
    }

    /// A client configuration that trusts this certificate only.
    func clientTLS() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem)])
        return tls
    }
}
