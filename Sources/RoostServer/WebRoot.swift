import Foundation

/// Where the web client (`Resources/web`) lives. `roost serve --web-root DIR`
/// names it; without the flag the first existing candidate wins:
/// `Resources/web` under the working directory (`make run`), next to the
/// binary (`<bin>/Resources/web`, `<bin>/../share/roost/web` for an
/// installed binary), and the source checkout this file was compiled from
/// (debug builds and tests).
public enum WebRoot {
    public static func locate(explicit: String? = nil, filePath: String = #filePath) -> String? {
        if let explicit { return explicit.isEmpty ? nil : explicit }
        return candidates(filePath: filePath).first(where: isClientDirectory)
    }

    static func candidates(filePath: String) -> [String] {
        let fm = FileManager.default
        var list = [URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("Resources/web").path]
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let bin = executable.deletingLastPathComponent()
        list.append(bin.appendingPathComponent("Resources/web").path)
        list.append(bin.deletingLastPathComponent().appendingPathComponent("share/roost/web").path)
        // Sources/RoostServer/WebRoot.swift -> <package>/Resources/web
        let package = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        list.append(package.appendingPathComponent("Resources/web").path)
        return list
    }

    static func isClientDirectory(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("index.html"))
    }
}
