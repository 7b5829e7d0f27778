package io.infergate.server.testing;

import io.infergate.testing.Await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged jar run as its own process, as an operator runs it: for exit codes, signals and memory bounds. */
public final class GatewayProcess implements AutoCloseable {

    private static final Path JAR = Path.of("target", "infergate.jar");

    private final Process process;
    private final int port;
    private final int adminPort;
    private final Path log;
    private final Path config;

    private GatewayProcess(Process process, int port, int adminPort, Path log, Path config) {
        this.process = process;
        this.port = port;
        this.adminPort = adminPort;
        this.log = log;
        this.config = config;
    }

    /** Runs {@code java [jvmArgs] -jar infergate.jar run --config FILE} with {@code routesYaml} and free ports; waits until ready. */
    public static GatewayProcess start(Path dir, String routesYaml, String... jvmArgs) throws Exception {
        return startWith(dir, "", routesYaml, jvmArgs);
    }

    /** As {@link #start}, with {@code serverKeys} ({@code "logFormat: json"}) added to the {@code server:} section. */
    public static GatewayProcess startWith(Path dir, String serverKeys, String routesYaml, String... jvmArgs)
            throws Exception {
        int port = freePort();
        int adminPort = freePort();
        Path config = dir.resolve("gateway.yaml");
        String server = "port: %d, adminPort: %d, drainTimeout: 10s".formatted(port, adminPort)
                + (serverKeys.isBlank() ? "" : ", " + serverKeys);
        Files.writeString(config, "server: { %s }\n%s".formatted(server, routesYaml));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmArgs));
        command.addAll(List.of("-jar", JAR.toString(), "run", "--config", config.toString()));
        Path log = dir.resolve("gateway.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        GatewayProcess gateway = new GatewayProcess(process, port, adminPort, log, config);
        try {
            Await.until("the gateway process is ready", Duration.ofSeconds(30), gateway::ready);
        } catch (AssertionError e) {
            gateway.close();
            throw new AssertionError(e.getMessage() + "\n" + gateway.output(), e);
        }
        return gateway;
    }

    /** What {@code /readyz} answers now; -1 when nothing answers. */
    public int readyz() {
        try {
            return TestGateway.send(HttpRequest.newBuilder(adminUri("/readyz"))
                    .timeout(Duration.ofSeconds(2)).build()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    public static boolean jarExists() {
        return Files.isRegularFile(JAR);
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new AssertionError("the gateway exited with " + process.exitValue() + ":\n" + output());
        }
        try {
            return TestGateway.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
                    .timeout(Duration.ofSeconds(2)).build()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + adminPort + path);
    }

    public Process process() {
        return process;
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Replaces the routes of the config file the process runs from, keeping its {@code server:} line. */
    public void rewriteRoutes(String routesYaml) throws IOException {
        String server = Files.readAllLines(config).get(0);
        Files.writeString(config, server + "\n" + routesYaml);
    }

    /** Sends the process a signal by name ({@code HUP}). */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " failed");
        }
    }

    /** Sends SIGTERM and returns the exit status. */
    public int terminate(Duration limit) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the gateway did not exit within " + limit + ":\n" + output());
        }
        return process.exitValue();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
