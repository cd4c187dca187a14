import ArgumentParser
import Foundation
import Logging
import RoostCore
import RoostServer

/// `roost serve`: runs the server until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the Roost server.",
        discussion: """
            Every setting is a flag, a ROOST_* environment variable (ROOST_MAX_FRAME_BYTES for \
            --max-frame-bytes) and a key of the YAML config file (max-frame-bytes: 65536). A flag beats \
            the environment, which beats the file, which beats the default. `roost config` prints the \
            effective configuration.
            """)

    @OptionGroup var flags: ServerFlags

    func run() async throws {
        let config = try await flags.resolve()
        let settings = config.settings
        Self.bootstrapLogging(level: settings.logLevel, format: settings.logFormat)
        let logger = Logger(label: "roost")
        if let file = config.file { logger.info("configuration file \(file)") }
        for name in config.ignoredEnvironment {
            logger.warning("ignoring environment variable \(name): not a Roost setting, or a test harness's value (`roost config --reference` lists the settings)")
        }
        if settings.core.outboundLimit > settings.core.maxOutboundQueue {
            logger.warning("max-outbound-queue (\(settings.core.maxOutboundQueue)) is below push-window (\(settings.core.pushWindow)): a reconnect's first window is written at once, so \(settings.core.outboundLimit) frames are allowed")
        }
        let host = settings.host
        let scheme = settings.tls == nil ? "http" : "https"
        let app = try await buildApplication(settings, logger: logger, onServerRunning: { port in
            // One line on stdout that scripts (and the tests) can wait for.
            FileHandle.standardOutput.write(Data("roost listening on \(scheme)://\(host):\(port)\n".utf8))
        }, onMetricsRunning: { address in
            FileHandle.standardOutput.write(Data("roost metrics on http://\(address)\n".utf8))
        })
        try await app.runUntilSignalled(drainTimeout: settings.drainTimeout, shutdownTimeout: settings.shutdownTimeout)
        logger.info("stopped")
    }

    static func bootstrapLogging(level: Logger.Level, format: LogFormat) {
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
