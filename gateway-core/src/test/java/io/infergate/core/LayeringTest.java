package io.infergate.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The core holds decisions, not sockets: no Netty outside {@code core.sse}, which frames ByteBufs. */
class LayeringTest {

    @Test
    void coreImportsNoNettyOutsideSse() throws IOException {
        Path sources = Path.of("src", "main", "java", "io", "infergate", "core");
        assertTrue(Files.isDirectory(sources), "run from the gateway-core module");
        List<String> offenders;
        try (Stream<Path> files = Files.walk(sources)) {
            offenders = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !sources.relativize(f).startsWith("sse"))
                    .filter(LayeringTest::importsNetty)
                    .map(Path::toString)
                    .toList();
        }
        assertEquals(List.of(), offenders);
    }

    private static boolean importsNetty(Path file) {
        try {
            return Files.readAllLines(file).stream().anyMatch(line -> line.startsWith("import io.netty."));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
