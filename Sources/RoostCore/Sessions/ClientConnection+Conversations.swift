import RoostProtocol

extension ClientConnection {
    func history(_ request: HistoryRequest, ref: String) async throws {
        throw RoostError.badRequest("history is not implemented yet")
    }

    func read(_ request: ReadRequest, ref: String) async throws {
        throw RoostError.badRequest("read is not implemented yet")
    }

    func recall(_ request: RecallRequest, ref: String) async throws {
        throw RoostError.badRequest("recall is not implemented yet")
    }
}
