import Foundation
import NIOSSL

/// A PEM certificate chain and private key: `roost serve --tls-cert --tls-key`
/// serves HTTPS and WSS on the port instead of plain HTTP.
public struct TLSFiles: Sendable, Equatable {
    public var certificatePath: String
    public var keyPath: String

    /// Why TLS cannot be set up (reported at start, before listening).
    public enum Failure: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case noCertificate(path: String)
        /// One of `tls-cert` and `tls-key` without the other.
        case incomplete

        public var description: String {
            switch self {
            case .incomplete: "tls-cert and tls-key go together: give both (HTTPS and WSS) or neither (plain HTTP)"
            case .unreadable(let path, let reason): "cannot load TLS file \(path): \(reason)"
            case .noCertificate(let path): "no PEM certificate in \(path)"
            }
        }
    }

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    /// The server configuration, with every certificate of the chain file.
    func serverConfiguration() throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw Failure.unreadable(path: certificatePath, reason: "\(error)")
        }
        guard !chain.isEmpty else { throw Failure.noCertificate(path: certificatePath) }
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw Failure.unreadable(path: keyPath, reason: "\(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                     privateKey: .privateKey(key))
        // HTTP/1.1 only (WebSocket upgrades need it); clients offering h2 fall back.
        configuration.applicationProtocols = ["http/1.1"]
        return configuration
    }
}
