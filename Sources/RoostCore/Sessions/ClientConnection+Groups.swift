import RoostProtocol

extension ClientConnection {
    func joinGroup(_ request: GroupRequest, ref: String) async throws {
        throw RoostError.badRequest("join_group is not implemented yet")
    }

    func leaveGroup(_ request: GroupRequest, ref: String) async throws {
        throw RoostError.badRequest("leave_group is not implemented yet")
    }
}
