package io.infergate.server.testing;

import io.infergate.testing.Await;
import okhttp3.tls.HandshakeCertificates;

import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

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
 * for tests of an outage; {@link #close} ends it. It listens in plain TCP, or in TLS alone
 * ({@link #startTls}), or is a Sentinel ({@link #startSentinel}); this class's own commands speak
 * whichever it listens in.
 */
public final class RedisServer implements AutoCloseable {

    private static final Duration START_LIMIT = Duration.ofSeconds(10);

    private final Path dir;
    private final int port;
    private final List<String> command;
    private final SocketFactory sockets;
    private Process process;

    private RedisServer(Path dir, int port, List<String> command, SocketFactory sockets) {
        this.dir = dir;
        this.port = port;
        this.command = command;
        this.sockets = sockets;
    }

    /**
     * Starts a server in {@code dir} on a free port; waits until it answers.
     *
     * @param options more of redis-server's options, such as {@code --requirepass SECRET}
     */
    public static RedisServer start(Path dir, String... options) throws IOException {
        int port = freePort();
        return started(new RedisServer(dir, port, command(List.of(), port, options), SocketFactory.getDefault()));
    }

    /**
     * Starts a server that takes TLS alone on a free port ({@code --port 0}), with a certificate for
     * {@code localhost} and {@code 127.0.0.1} signed by {@link ListenerCertificates#CA}, whose file
     * is {@link #caFile}. Clients need no certificate of their own.
     */
    public static RedisServer startTls(Path dir, String... options) throws IOException {
        int port = freePort();
        Path certs = Files.createDirectories(dir.resolve("redis-tls-" + port));
        ListenerCertificates.install(certs, ListenerCertificates.leaf("redis"));
        Files.writeString(certs.resolve("ca.pem"), ListenerCertificates.CA.certificatePem());
        List<String> tls = List.of("--tls-port", Integer.toString(port), "--tls-cert-file",
                ListenerCertificates.certFile(certs).toString(), "--tls-key-file",
                ListenerCertificates.keyFile(certs).toString(), "--tls-ca-cert-file", certs.resolve("ca.pem").toString(),
                "--tls-auth-clients", "no");
        List<String> command = new ArrayList<>(command(List.of(), 0, options));
        command.addAll(tls);
        SocketFactory sockets = new HandshakeCertificates.Builder()
                .addTrustedCertificate(ListenerCertificates.CA.certificate()).build().sslSocketFactory();
        return started(new RedisServer(dir, port, command, sockets));
    }

    /**
     * Starts a Sentinel on a free port that watches {@code master} as {@code masterName}, with a
     * quorum of one: it alone can tell clients where the master is.
     */
    public static RedisServer startSentinel(Path dir, RedisServer master, String masterName) throws IOException {
        int port = freePort();
        // Sentinel rewrites its file as it learns: one of its own.
        Path conf = Files.writeString(dir.resolve("sentinel-" + port + ".conf"),
                "sentinel monitor " + masterName + " 127.0.0.1 " + master.port() + " 1\n");
        return started(new RedisServer(dir, port, command(List.of(conf.toString(), "--sentinel"), port),
                SocketFactory.getDefault()));
    }

    private static List<String> command(List<String> mode, int port, String... options) {
        List<String> command = new ArrayList<>(List.of("redis-server"));
        command.addAll(mode);
        command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--protected-mode", "no"));
        command.addAll(List.of(options));
        return command;
    }

    private static RedisServer started(RedisServer server) throws IOException {
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
        List<String> inDir = new ArrayList<>(command);
        inDir.addAll(List.of("--dir", dir.toString()));
        process = new ProcessBuilder(inDir).redirectErrorStream(true).redirectOutput(logFile().toFile()).start();
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

    /** The URL of database 0: {@code rediss://} when it takes TLS. */
    public String url() {
        return (sockets instanceof SSLSocketFactory ? "rediss" : "redis") + "://127.0.0.1:" + port + "/0";
    }

    /** The CA that signed a TLS server's certificate, as a PEM file. */
    public Path caFile() {
        return dir.resolve("redis-tls-" + port).resolve("ca.pem");
    }

    /**
     * Sends one inline command and returns the first line of the reply ({@code +PONG}, {@code :3},
     * {@code $5}...); null when the server does not answer.
     */
    public String command(String inline) {
        return ask(inline, RedisServer::firstLine);
    }

    /** Sends one inline command whose reply is a bulk string, and returns it; null for none. */
    public String bulk(String inline) {
        return ask(inline, in -> {
            String head = firstLine(in); // "$<length>", or "$-1" for none
            in.read(); // its '\n'
            return !head.startsWith("$") || head.equals("$-1") ? null
                    : new String(in.readNBytes(Integer.parseInt(head.substring(1))), StandardCharsets.US_ASCII);
        });
    }

    /** One field of {@code INFO}, such as {@code connected_clients}; null when it is not there. */
    public String info(String field) {
        String text = bulk("INFO");
        return text == null ? null : text.lines().filter(line -> line.startsWith(field + ":"))
                .map(line -> line.substring(field.length() + 1)).findFirst().orElse(null);
    }

    private interface Reply {
        String read(InputStream in) throws IOException;
    }

    /** One inline command on a connection of its own, in whichever protocol the server listens; null when it does not answer. */
    private String ask(String inline, Reply reply) {
        try (Socket socket = sockets.createSocket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply.read(socket.getInputStream());
        } catch (IOException e) {
            return null;
        }
    }

    /** A reply's first line, without its "\r\n"; the '\n' is left unread. */
    private static String firstLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    /** One per server: a Sentinel and its master may share a directory. */
    private Path logFile() {
        return dir.resolve("redis-" + port + ".log");
    }

    private String log() {
        try {
            return Files.readString(logFile());
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
