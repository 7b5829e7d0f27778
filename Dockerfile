# Build:  docker build -t infergate .
# Run:    docker run -p 8080:8080 -e HF_TOKEN \
#           -v "$PWD/config/gateway.yaml:/etc/infergate/gateway.yaml:ro" infergate
# The admin port (health, metrics) listens where the config's server.adminBind says; set it to
# 0.0.0.0 in the mounted file to scrape /metrics from outside the container.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY gateway-core/pom.xml gateway-core/
COPY upstream-sim/pom.xml upstream-sim/
COPY gateway-server/pom.xml gateway-server/
# Dependencies first, in their own layer, so a source change does not download them again.
RUN ./mvnw -B -q dependency:go-offline -DexcludeGroupIds=io.infergate || true
COPY gateway-core/src gateway-core/src
COPY upstream-sim/src upstream-sim/src
COPY gateway-server/src gateway-server/src
COPY config/demo.yaml config/demo.yaml
RUN ./mvnw -B -q package -DskipTests

FROM eclipse-temurin:17-jre
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
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/infergate/infergate.jar"]
CMD ["run", "--config", "/etc/infergate/gateway.yaml"]
