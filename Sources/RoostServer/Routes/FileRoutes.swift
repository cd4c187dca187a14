import Foundation
import HTTPTypes
import Hummingbird
import RoostCore
import RoostProtocol
import RoostStorage

/// `POST /api/files` and `GET /api/files/{file_id}`. A file is readable by its
/// uploader and by participants of conversations it was sent in; everyone
/// else gets the same 404 as for an id that does not exist. On PostgreSQL the
/// bytes are kept in the database too (`FileBlobStore`), `files/` being a cache.
struct FileRoutes {
    let services: RoostServices
    let uploader: FileUploader
    let fileIO = FileIO()

    func add(to router: RouterGroup<RoostRequestContext>) {
        router.post("files") { request, context in
            let user = try context.requireUser()
            let query = request.uri.queryParameters
            let declared = request.headers[.contentLength].flatMap { Int64($0) }
            let upload = try await uploader.receive(request.body, declaredLength: declared)
            let file = StoredFile(
                id: upload.id, uploader: user.id, size: upload.size,
                mime: FileNames.mime(request.headers[.contentType]),
                name: FileNames.displayName(query["name"].map(String.init)), sha256: upload.sha256,
                width: upload.dimensions?.width, height: upload.dimensions?.height, createdAt: nowMillis())
            let blobs = services.store as? any FileBlobStore
            do {
                try await blobs?.storeFileBytes(id: upload.id, from: uploader.path(of: upload.id))
                try await services.store.recordFile(file)
            } catch {
                try? FileManager.default.removeItem(atPath: uploader.path(of: upload.id))
                try? await blobs?.removeFileBytes(id: upload.id)
                throw error
            }
            return JSONBody(status: .created, file.info)
        }
        router.get("files/:file_id") { request, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("file_id")
            guard FileUploader.isValidID(id), try await services.store.mayDownload(fileID: id, user: user.id),
                  let file = try await services.store.file(id: id) else {
                throw RoostError.notFound("no such file")
            }
            let etag = "\"\(file.sha256)\""
            var headers: HTTPFields = [
                .contentType: file.mime,
                .eTag: etag,
                .contentDisposition: FileNames.contentDisposition(file.name),
                .xContentTypeOptions: "nosniff",
                .cacheControl: "private, max-age=31536000, immutable",
            ]
            if request.headers[.ifNoneMatch] == etag {
                return Response(status: .notModified, headers: headers)
            }
            headers[.contentLength] = String(file.size)
            // Uploaded through another node: fetched once from the store into this node's files/.
            let path = uploader.path(of: id)
            if !FileManager.default.fileExists(atPath: path), let blobs = services.store as? any FileBlobStore,
               try await !blobs.loadFileBytes(id: id, to: path) {
                throw RoostError.notFound("no such file")
            }
            let body = try await fileIO.loadFile(path: uploader.path(of: id), context: context)
            return Response(status: .ok, headers: headers, body: body)
        }
    }
}
