package io.infergate.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image's build, read rather than run (no Docker engine is needed): bases pinned by digest, no
 * step that hides a failure, and a JVM that exits when out of memory.
 */
class DockerfileTest {

    /** From the gateway-server module, where the build runs its tests. */
    private static final Path DOCKERFILE = Path.of("..", "Dockerfile");
    private static final Pattern PINNED = Pattern.compile("FROM [a-z0-9./_-]+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}( AS \\w+)?");

    /** The instructions, each on one line: continuation lines joined, comments and blank lines dropped. */
    private static List<String> instructions() throws IOException {
        assertTrue(Files.isRegularFile(DOCKERFILE), "run from the gateway-server module: " + DOCKERFILE.toAbsolutePath());
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            if (current.isEmpty() && (line.isBlank() || line.stripLeading().startsWith("#"))) {
                continue;
            }
            String text = line.strip();
            if (text.endsWith("\\")) {
                current.append(text, 0, text.length() - 1).append(' ');
            } else {
                instructions.add(current.append(text).toString());
                current.setLength(0);
            }
        }
        return instructions;
    }

    @Test
    void everyBaseImageIsPinnedByDigest() throws IOException {
        List<String> froms = instructions().stream().filter(i -> i.startsWith("FROM ")).toList();
        assertEquals(2, froms.size(), froms.toString());
        for (String from : froms) {
            assertTrue(PINNED.matcher(from).matches(), "not pinned by digest: " + from);
        }
    }

    @Test
    void noStepIgnoresAFailure() throws IOException {
        for (String run : instructions().stream().filter(i -> i.startsWith("RUN ")).toList()) {
            assertFalse(run.contains("||") || run.contains("; true") || run.contains("set +e"), "may hide a failure: " + run);
        }
    }

    @Test
    void theJvmExitsWhenOutOfMemoryAndSizesItsHeapFromTheContainer() throws IOException {
        List<String> entrypoints = instructions().stream().filter(i -> i.startsWith("ENTRYPOINT ")).toList();
        assertEquals(1, entrypoints.size(), entrypoints.toString());
        List<String> command = List.of(new ObjectMapper().readValue(
                entrypoints.get(0).substring("ENTRYPOINT ".length()), String[].class));
        assertEquals("java", command.get(0), command.toString());
        assertTrue(command.contains("-XX:+ExitOnOutOfMemoryError"), command.toString());
        assertTrue(command.stream().anyMatch(arg -> arg.startsWith("-XX:MaxRAMPercentage=")), command.toString());
        assertTrue(command.indexOf("-XX:+ExitOnOutOfMemoryError") < command.indexOf("-jar"), "a JVM flag, before -jar");
    }
}
