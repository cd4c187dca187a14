import RoostProtocol
import RoostStorage

extension ClientConnection {
    /// The `login` frame flow: a bad token closes with 4401, a bad device or
    /// since is `bad_request` and may be retried on the same connection.
    func login(_ frame: ClientFrame, ref: String) async {
        let request: LoginRequest
        do {
            request = try frame.decodeData(LoginRequest.self)
        } catch {
            if (try? frame.decodeData(TokenOnly.self)) == nil {
                refuseToken(ref: ref)
            } else {
                fail(error, ref: ref)
            }
            return
        }
        let device = request.device ?? DeviceName.default
        guard DeviceName.isValid(device) else {
            fail(.badRequest("device must be 1-64 characters of A-Z a-z 0-9 _ . -"), ref: ref)
            return
        }
        if let since = request.since, since < 0 {
            fail(.badRequest("since must not be negative"), ref: ref)
            return
        }
        let account: UserAccount
        do {
            account = try await services.tokens.authenticate(request.token)
        } catch {
            refuseToken(ref: ref)
            return
        }
        guard !isClosed else { return }
        do {
            try services.limiter.connection(of: account.id)
        } catch {
            refuseOverLimit(clientError(error), ref: ref)
            return
        }
        do {
            let info = try await activate(Identity(userID: account.id, device: device), since: request.since,
                                          tokenVersion: account.tokenVersion)
            respond(ref, info)
            welcomed = true
            await joinPresence()
            pump()
        } catch {
            sessionDidNotStart(error, ref: ref)
        }
    }

    /// `activate` failed, after a token upgrade (`ref` nil) or a `login`: a
    /// refusal closes with its own code; the server's own failure closes
    /// with 1011, so the client reconnects later instead of logging in again.
    func sessionDidNotStart(_ error: any Error, ref: String?) {
        if let refusal = error as? SessionRefusal {
            fail(refusal.error, ref: ref)
            close(refusal.closeCode, reason: refusal.error.message)
        } else {
            fail(clientError(error), ref: ref)
            close(.internalError, reason: "session could not start, retry later")
        }
    }

    private func refuseToken(ref: String) {
        fail(.unauthenticated("invalid, expired or revoked token"), ref: ref)
        close(.unauthenticated, reason: "unauthenticated")
    }

    private struct TokenOnly: Decodable {
        let token: String
    }
}
