package io.infergate.server;

import io.infergate.server.testing.TestGateway;
import io.infergate.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The packaged jar's commands, as a user types them. */
class CommandLineIT {

    private static final String ONE_ROUTE = """
            routes:
              - name: main
                match: { pathPrefix: / }
                upstreams: [ { name: primary, endpoints: [ "http://127.0.0.1:3000" ] } ]
            """;

    private record Result(int exit, String out) {

        /** The lines the command itself printed, each starting {@code infergate:}. */
        List<String> ownLines() {
            return out.lines().filter(line -> line.startsWith("infergate:")).toList();
        }
    }

    /** Runs the jar with {@code args}, stdout and stderr together; a command still running after 30 s fails the test. */
    private static Result infergate(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", "target/infergate.jar"));
        command.addAll(List.of(args));
        Path output = Files.createTempFile("infergate", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean exited = process.waitFor(30, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String out = Files.readString(output);
            assertTrue(exited, () -> String.join(" ", args) + " was still running after 30 s:\n" + out);
            return new Result(process.exitValue(), out);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static Path config(Path dir, String serverYaml) throws Exception {
        return Files.writeString(dir.resolve("gateway.yaml"), serverYaml + "\n" + ONE_ROUTE);
    }

    /** The run printed {@code line} alone, with no stack trace, and exited 2. */
    private static void assertRefusedToListen(Result result, String line) {
        assertEquals(2, result.exit(), result.out());
        assertEquals(List.of(line), result.ownLines(), result.out());
        assertFalse(result.out().contains("\tat ") || result.out().contains("Exception"), result.out());
    }

    @Test
    void checkAcceptsAValidFileAndCountsItsRoutesInTheRightNumber(@TempDir Path dir) throws Exception {
        Path one = Files.writeString(dir.resolve("one.yaml"), ONE_ROUTE);
        Result result = infergate("check", one.toString());
        assertEquals(0, result.exit(), result.out());
        assertEquals(one + ": valid (1 route)", result.out().strip());

        Path two = Files.writeString(dir.resolve("two.yaml"), ONE_ROUTE + """
                  - name: small
                    match: { pathPrefix: /small/ }
                    upstreams: [ { name: small, endpoints: [ "http://127.0.0.1:3001" ] } ]
                """);
        result = infergate("check", two.toString());
        assertEquals(0, result.exit(), result.out());
        assertEquals(two + ": valid (2 routes)", result.out().strip());
    }

    @Test
    void checkCountsOneProblemInTheSingular(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "server: { prot: 8080 }\n" + ONE_ROUTE);
        Result result = infergate("check", file.toString());
        assertEquals(1, result.exit(), result.out());
        assertTrue(result.out().startsWith(file + ": 1 problem\n"), result.out());
    }

    @Test
    void checkListsEveryProblemAndExitsOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                server: { prot: 8080 }
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    timeouts: { connect: -5s }
                    upstreams: [ { name: primary, endpoints: [ "not a url" ] } ]
                """);
        Result result = infergate("check", file.toString());
        assertEquals(1, result.exit(), result.out());
        assertTrue(result.out().contains("server.prot: unknown key (did you mean \"port\"?)"), result.out());
        assertTrue(result.out().contains("routes[0].timeouts.connect:"), result.out());
        assertTrue(result.out().contains("routes[0].upstreams[0].endpoints[0]: \"not a url\" is not an absolute http(s) URL"),
                result.out());
    }

    @Test
    void checkRefusesAFiftyTwoMegabyteFileUnreadAndAtOnce(@TempDir Path dir) throws Exception {
        // One long scalar: the shape the YAML parser takes seconds per megabyte over.
        Path file = dir.resolve("huge.yaml");
        byte[] megabyte = new byte[1 << 20];
        Arrays.fill(megabyte, (byte) 'a');
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write("routes: ".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 52; i++) {
                out.write(megabyte);
            }
        }

        Duration small = timedCheckOfAValidFile(dir);
        long started = System.nanoTime();
        Result result = infergate("check", file.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(1, result.exit(), result.out());
        assertTrue(result.out().contains(
                file + ": too large for a config file: 54525960 bytes (expected: at most 1048576 bytes)"), result.out());
        assertRefusedAtOnce(took, small);
    }

    @Test
    void checkRefusesABillionLaughsAtOnce(@TempDir Path dir) throws Exception {
        StringBuilder yaml = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (char name = 'b'; name <= 'i'; name++) {
            String alias = "*" + (char) (name - 1);
            yaml.append(name).append(": &").append(name)
                    .append(" [").append(String.join(", ", Collections.nCopies(9, alias))).append("]\n");
        }
        Path file = Files.writeString(dir.resolve("laughs.yaml"), yaml);

        Duration small = timedCheckOfAValidFile(dir);
        long started = System.nanoTime();
        Result result = infergate("check", file.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(1, result.exit(), result.out());
        assertTrue(result.out().contains("  b[0]: alias *a at line 2 (aliases are not supported"), result.out());
        assertRefusedAtOnce(took, small);
    }

    /** How long {@code check} of a one-route file takes on this machine now: mostly the JVM's start. */
    private static Duration timedCheckOfAValidFile(Path dir) throws Exception {
        Path small = Files.writeString(dir.resolve("small.yaml"), ONE_ROUTE);
        long started = System.nanoTime();
        assertEquals(0, infergate("check", small.toString()).exit());
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /**
     * Refusing took about as long as checking a small file, JVM start included, however loaded the
     * machine is; reading the file would have taken minutes.
     */
    private static void assertRefusedAtOnce(Duration took, Duration smallFile) {
        assertTrue(took.compareTo(smallFile.multipliedBy(2).plusSeconds(2)) < 0, took + " against " + smallFile);
    }

    @Test
    void runRefusesAFileOverTheSizeLimit(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("huge.yaml");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(52L << 20);
        }

        Result result = infergate("run", "--config", file.toString());

        assertEquals(1, result.exit(), result.out());
        assertTrue(result.out().contains(
                file + ": too large for a config file: 54525952 bytes (expected: at most 1048576 bytes)"), result.out());
    }

    @Test
    void runRefusesAnInvalidFileWithItsProblems(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "routes: []\n");
        Result result = infergate("run", "--config", file.toString());
        assertEquals(1, result.exit(), result.out());
        assertTrue(result.out().contains("routes:"), result.out());
    }

    @Test
    void helpPrintsUsage() throws Exception {
        Result result = infergate("--help");
        assertEquals(0, result.exit(), result.out());
        assertTrue(result.out().contains("Usage: infergate"), result.out());
        assertTrue(result.out().contains("run") && result.out().contains("check"), result.out());
    }

    @Test
    void helpAsACommandPrintsTheSameUsage() throws Exception {
        Result help = infergate("help");
        assertEquals(0, help.exit(), help.out());
        assertEquals(infergate("--help").out(), help.out());
        for (String command : List.of("run", "check", "demo", "help")) {
            assertTrue(help.out().contains("\n  " + command + " "), command + " is listed:\n" + help.out());
        }
    }

    /** Every command the jar has, read from its command line's own model, so a new one is covered too. */
    static Set<String> commands() {
        return new CommandLine(new Main()).getSubcommands().keySet();
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandTakesHelpAndExitsZero(String command) throws Exception {
        Result result = infergate(command, "--help");
        assertEquals(0, result.exit(), result.out());
        assertTrue(result.out().contains("Usage: infergate " + command + " "), result.out());

        Result viaHelp = infergate("help", command);
        assertEquals(0, viaHelp.exit(), viaHelp.out());
        assertEquals(result.out(), viaHelp.out());
    }

    @Test
    void runNamesServerPortWhenItsPortIsTakenAndExitsTwo(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            Path file = config(dir, "server: { port: %d, adminPort: 0 }".formatted(port));

            assertRefusedToListen(infergate("run", "--config", file.toString()),
                    "infergate: server.port: cannot listen on 0.0.0.0:" + port + ": address already in use");
        }
    }

    @Test
    void runNamesServerAdminPortWhenItsPortIsTakenAndExitsTwo(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Path file = config(dir, "server: { port: 0, adminPort: %d }".formatted(port));

            assertRefusedToListen(infergate("run", "--config", file.toString()),
                    "infergate: server.adminPort: cannot listen on 127.0.0.1:" + port + ": address already in use");
        }
    }

    @Test
    void runNamesServerAdminBindWhenTheAddressIsNotThisHostsAndExitsTwo(@TempDir Path dir) throws Exception {
        String elsewhere = "192.0.2.1"; // TEST-NET-1, on no host
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(elsewhere, 0));
            assumeTrue(false, "this host lets a socket bind an address it does not have (ip_nonlocal_bind)");
        } catch (BindException expected) {
            // the usual case: the OS refuses, as it will the gateway
        }
        Path file = config(dir, "server: { port: 0, adminPort: 0, adminBind: \"%s\" }".formatted(elsewhere));

        assertRefusedToListen(infergate("run", "--config", file.toString()),
                "infergate: server.adminBind: cannot listen on " + elsewhere + ":0: cannot assign requested address");
    }

    @Test
    void demoPrintsTheStatusPageFirstAndServesIt() throws Exception {
        Path output = Files.createTempFile("infergate-demo", ".out");
        Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                "target/infergate.jar", "demo", "--port", "0", "--admin-port", "0")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            Await.until("the demo printed its addresses", Duration.ofSeconds(30),
                    () -> read(output).contains("Ctrl-C stops it."));
            List<String> urls = read(output).lines().filter(l -> l.matches("\\s+\\w+\\s+http://.*")).toList();
            assertTrue(urls.get(0).strip().startsWith("status   http://localhost:"), read(output));
            String page = urls.get(0).strip().split("\\s+")[1];
            HttpResponse<String> status = TestGateway.send(HttpRequest.newBuilder(URI.create(page)).build());
            assertEquals(200, status.statusCode());
            assertTrue(status.body().contains("<title>Infergate status</title>"));
        } finally {
            demo.destroy();
            demo.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(output);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void demoNamesServerPortAndItsOptionWhenThePortIsTakenAndExitsTwo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();

            assertRefusedToListen(infergate("demo", "--port", Integer.toString(port), "--admin-port", "0"),
                    "infergate: server.port: cannot listen on 0.0.0.0:" + port
                            + ": address already in use (choose another with --port)");
        }
    }

    @Test
    void theShippedExampleConfigIsValid() throws Exception {
        Result result = infergate("check", "../config/gateway.yaml");
        // The example names HF_TOKEN; without it in the environment, check says exactly that.
        if (System.getenv("HF_TOKEN") == null) {
            assertEquals(1, result.exit(), result.out());
            assertTrue(result.out().contains("HF_TOKEN is not set"), result.out());
        } else {
            assertEquals(0, result.exit(), result.out());
        }
    }
}
