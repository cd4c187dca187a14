import Hummingbird
import RoostCore
import RoostProtocol
import RoostStorage

/// `/api/groups...` (PROTOCOL.md 6 and 8): thin over `GroupService`. Every
/// change is committed, then pushed, then answered with the group.
struct GroupRoutes {
    let services: RoostServices

    struct CreateBody: Decodable {
        let name: String?
        let memberIDs: [String]?
        let open: Bool?
        enum CodingKeys: String, CodingKey {
            case name, open
            case memberIDs = "member_ids"
        }
    }

    struct AddBody: Decodable {
        let userIDs: [String]
        enum CodingKeys: String, CodingKey { case userIDs = "user_ids" }
    }

    struct PatchBody: Decodable {
        let name: String?
        let open: Bool?
    }

    struct GroupList: Encodable {
        let groups: [GroupBody]
    }

    struct MemberList: Encodable {
        let memberIDs: [String]
        enum CodingKeys: String, CodingKey { case memberIDs = "member_ids" }
    }

    func add(to router: RouterGroup<RoostRequestContext>) {
        let groups = services.groupService
        router.post("groups") { request, context in
            let user = try context.requireUser()
            var request = request
            let body = try await request.decodeJSON(CreateBody.self)
            let change = try await groups.create(owner: user.id, name: body.name, memberIDs: body.memberIDs ?? [],
                                                 open: body.open ?? false)
            await groups.publish(change)
            return JSONBody(status: .created, change.group.body)
        }
        router.get("groups") { _, context in
            let user = try context.requireUser()
            return JSONBody(GroupList(groups: try await groups.list(of: user.id).map(\.body)))
        }
        router.get("groups/:id") { _, context in
            let user = try context.requireUser()
            return JSONBody(try await groups.view(group: try context.parameters.require("id"), viewer: user.id).body)
        }
        router.patch("groups/:id") { request, context in
            let user = try context.requireUser()
            var request = request
            let body = try await request.decodeJSON(PatchBody.self)
            let change = try await groups.update(group: try context.parameters.require("id"), actor: user.id,
                                                 name: body.name, open: body.open)
            await groups.publish(change)
            return JSONBody(change.group.body)
        }
        router.post("groups/:id/join") { _, context in
            let user = try context.requireUser()
            let change = try await groups.join(group: try context.parameters.require("id"), user: user.id)
            await groups.publish(change)
            return JSONBody(change.group.body)
        }
        router.post("groups/:id/leave") { _, context in
            let user = try context.requireUser()
            let change = try await groups.leave(group: try context.parameters.require("id"), user: user.id)
            await groups.publish(change)
            return JSONBody(change.group.body)
        }
        router.get("groups/:id/members") { _, context in
            let user = try context.requireUser()
            let info = try await groups.view(group: try context.parameters.require("id"), viewer: user.id)
            return JSONBody(MemberList(memberIDs: info.members.map(String.init)))
        }
        router.post("groups/:id/members") { request, context in
            let user = try context.requireUser()
            var request = request
            let body = try await request.decodeJSON(AddBody.self)
            let change = try await groups.add(group: try context.parameters.require("id"), userIDs: body.userIDs,
                                              actor: user.id)
            await groups.publish(change)
            return JSONBody(change.group.body)
        }
        router.delete("groups/:id/members/:user_id") { _, context in
            let user = try context.requireUser()
            let change = try await groups.remove(group: try context.parameters.require("id"),
                                                 user: try context.parameters.require("user_id"), actor: user.id)
            await groups.publish(change)
            return JSONBody(change.group.body)
        }
    }
}
