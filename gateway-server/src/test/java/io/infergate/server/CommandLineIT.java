package io.infergate.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
