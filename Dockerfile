# Multi-stage build: compile with the Swift toolchain, run on a slim image.
#   docker build -t roost .
#   docker run -d -p 8080:8080 -v roost-data:/data roost
FROM swift:6.2-bookworm AS build
WORKDIR /src
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product roost --static-swift-stdlib \
 && install -Dm755 "$(swift build -c release --show-bin-path)/roost" /out/roost

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl tzdata libcurl4 libxml2 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data roost \
 && mkdir /data && chown roost /data
COPY --from=build /out/roost /usr/local/bin/roost
USER roost
VOLUME /data
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["/usr/local/bin/roost"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080", "--data", "/data", "--log-format", "json"]
