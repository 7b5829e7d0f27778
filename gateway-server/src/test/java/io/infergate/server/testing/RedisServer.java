package io.infergate.server.testing;

import io.infergate.testing.Await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package) for a test: its own free port and directory, no
 * persistence, so nothing outlives the test. {@link #stop} and {@link #start} again keep the port,
 * for tests of an outage; {@link #close} ends it.
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration START_LIMIT = Duration.ofSeconds(10);

    private final Path dir;
    private final int port;
    private final List<String> options;
    private Process process;

    private RedisServer(Path dir, int port, List<String> options) {
        this.dir = dir;
        this.port = port;
        this.options = options;
    }

    /**
     * Starts a server in {@code dir} on a free port; waits until it answers.
     *
     * @param options more of redis-server's options, such as {@code --requirepass SECRET}
     */
    public static RedisServer start(Path dir, String... options) throws IOException {
        RedisServer server = new RedisServer(dir, freePort(), List.of(options));
        server.start();
        return server;
    }

    public static boolean installed() {
        return Files.isExecutable(Path.of("/usr/bin/redis-server"));
    }

    /** Starts it (again) on its port. */
    public void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--protected-mode", "no"));
        command.addAll(options);
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        Await.until("redis-server answers on " + port, START_LIMIT, () -> {
            if (!process.isAlive()) {
                throw new AssertionError("redis-server exited: " + log());
            }
            String pong = command("PING");
            // With --requirepass it answers too, refusing: it is up.
            return "+PONG".equals(pong) || pong != null && pong.startsWith("-NOAUTH");
        });
    }

    /** Stops it at once (SIGKILL): its clients see their connection drop. */
    public void stop() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("redis-server did not stop");
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    /**
     * Sends one inline command and returns the first line of the reply ({@code +PONG}, {@code :3},
     * {@code $5}...); null when the server does not answer.
     */
    public String command(String inline) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** Sends one inline command whose reply is a bulk string, and returns it; null for none. */
    public String bulk(String inline) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2000);
            socket.getOutputStream().write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String head = in.readLine();
            return head == null || !head.startsWith("$") || head.equals("$-1") ? null : in.readLine();
        } catch (IOException e) {
            return null;
        }
    }

    /** One field of {@code INFO}, such as {@code connected_clients}; null when it is not there. */
    public String info(String field) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2000);
            socket.getOutputStream().write("INFO\r\n".getBytes(StandardCharsets.UTF_8));
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder(); // "$<length>"
            for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
                head.append((char) c);
            }
            in.read(); // '\n'
            String text = new String(in.readNBytes(Integer.parseInt(head.substring(1))), StandardCharsets.US_ASCII);
            return text.lines().filter(line -> line.startsWith(field + ":"))
                    .map(line -> line.substring(field.length() + 1)).findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            stop();
        }
    }
}
