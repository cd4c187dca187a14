import Hummingbird
import RoostProtocol
import RoostPush
import RoostStorage

/// `/api/push` (PROTOCOL.md 9): a device's push endpoint, an account setting
/// read with `GET`, never an inbox item.
struct PushRoutes {
    let push: PushDispatcher

    struct RegisterBody: Codable {
        let device: String
        let endpoint: String
    }

    struct ListBody: Encodable {
        let registrations: [RegisterBody]
    }

    struct Empty: Encodable {}

    func add(to router: RouterGroup<RoostRequestContext>) {
        router.put("push") { request, context in
            let user = try context.requireUser()
            var request = request
            let body = try await request.decodeJSON(RegisterBody.self)
            let registration = try await push.register(user: user.id, device: body.device, endpoint: body.endpoint)
            return JSONBody(RegisterBody(device: registration.device, endpoint: registration.endpoint))
        }
        router.get("push") { _, context in
            let user = try context.requireUser()
            let registrations = try await push.registrations(of: user.id)
            return JSONBody(ListBody(registrations: registrations.map {
                RegisterBody(device: $0.device, endpoint: $0.endpoint)
            }))
        }
        router.delete("push/:device") { _, context in
            let user = try context.requireUser()
            let device = try context.parameters.require("device")
            guard DeviceName.isValid(device) else {
                throw RoostError.badRequest("device must be 1-64 characters of A-Z a-z 0-9 _ . -")
            }
            try await push.unregister(user: user.id, device: device)
            return JSONBody(Empty())
        }
    }
}
