package io.infergate.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged jar's commands, as a user types them. */
class CommandLineIT {

    private record Result(int exit, String out) {}

    private static Result infergate(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", "target/infergate.jar"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return new Result(process.exitValue(), out);
    }

    @Test
    void checkAcceptsAValidFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, """
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    upstreams: [ { name: primary, endpoints: [ "http://127.0.0.1:3000" ] } ]
                """);
        Result result = infergate("check", file.toString());
        assertEquals(0, result.exit(), result.out());
        assertTrue(result.out().contains("valid (1 routes)"), result.out());
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

        long started = System.nanoTime();
        Result result = infergate("check", file.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(1, result.exit(), result.out());
        assertTrue(result.out().contains(
                file + ": too large for a config file: 54525960 bytes (expected: at most 1048576 bytes)"), result.out());
        // A guard, with the JVM's start in it: refusing takes milliseconds, parsing took minutes.
        assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, took::toString);
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

        long started = System.nanoTime();
        Result result = infergate("check", file.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(1, result.exit(), result.out());
        assertTrue(result.out().contains("  b[0]: alias *a at line 2 (aliases are not supported"), result.out());
        assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, took::toString);
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
