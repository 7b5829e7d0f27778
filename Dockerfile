# Build:  docker build -t infergate .
# Run:    docker run -p 8080:8080 -e HF_TOKEN \
#           -v "$PWD/config/gateway.yaml:/etc/infergate/gateway.yaml:ro" infergate
# The admin port (health, metrics) listens where the config's server.adminBind says; set it to
# 0.0.0.0 in the mounted file to scrape /metrics from outside the container.

# The base images are pinned by digest, so a rebuild gets the same JDK and OS until the digest is
# changed here. Each is the multi-platform index of the official image (Linux amd64, arm64 and
# others), as docker-library/repo-info records it in repos/eclipse-temurin/remote/17-jdk.md and
# 17-jre.md: Temurin 17.0.20+8 on Ubuntu 26.04, built 2026-09-09. To move to a newer build, read
# the index digest of the tag and replace it below (the tag before the @ is for people; Docker uses
# the digest):
#   docker buildx imagetools inspect eclipse-temurin:17-jre    # the "Digest:" line
FROM eclipse-temurin:17-jdk@sha256:36d9a76dc231587873b103c68a789b85d91b41d314dda69730d6bc43a777f2a9 AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY gateway-core/pom.xml gateway-core/
COPY upstream-sim/pom.xml upstream-sim/
COPY gateway-server/pom.xml gateway-server/
# Dependencies and plugins first, in their own layer, so a source change does not download them
# again: a build of the poms alone (empty jars) fetches what the real build below uses, and a
# dependency that cannot be fetched fails the image build here.
RUN ./mvnw -B -q package -DskipTests && rm -rf gateway-core/target upstream-sim/target gateway-server/target
COPY gateway-core/src gateway-core/src
COPY upstream-sim/src upstream-sim/src
COPY gateway-server/src gateway-server/src
COPY config/demo.yaml config/demo.yaml
RUN ./mvnw -B -q package -DskipTests

FROM eclipse-temurin:17-jre@sha256:c6f2875c05ea10f16398bdc5f73405c384991506f2f1ead8bcc6582ae8adea79
RUN groupadd --system infergate && useradd --system --gid infergate --no-create-home infergate \
    && mkdir -p /etc/infergate
COPY --from=build /src/gateway-server/target/infergate.jar /opt/infergate/infergate.jar
COPY config/gateway.yaml /etc/infergate/gateway.yaml
USER infergate
EXPOSE 8080 9090
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/9090 && printf "GET /healthz HTTP/1.0\r\n\r\n" >&3 && head -1 <&3 | grep -q " 200 "'
# SIGTERM drains in-flight requests (server.drainTimeout) and exits 0.
STOPSIGNAL SIGTERM
# The heap is sized from the container's memory limit (the JVM reads it from the cgroup); a JVM out of
# heap exits at once (status 3) for the runtime to restart it, rather than go on half broken.
# JAVA_TOOL_OPTIONS adds flags.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/infergate/infergate.jar"]
CMD ["run", "--config", "/etc/infergate/gateway.yaml"]
