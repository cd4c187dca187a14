# Multi-stage build: compile with the Swift toolchain, run on a slim image.
#   docker build -t roost .
#   docker run -d -p 8080:8080 -v roost-data:/data roost
# Settings are ROOST_* variables (`-e ROOST_METRICS_TOKEN=...`) or a mounted YAML
# file (`-v ./roost.yaml:/etc/roost/roost.yaml:ro -e ROOST_CONFIG=/etc/roost/roost.yaml`);
# the defaults below are variables too, so that `-e` overrides them.
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
ENV ROOST_HOST=0.0.0.0 ROOST_PORT=8080 ROOST_DATA=/data ROOST_LOG_FORMAT=json
ENTRYPOINT ["/usr/local/bin/roost"]
CMD ["serve"]
