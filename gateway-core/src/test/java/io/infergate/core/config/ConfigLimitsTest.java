package io.infergate.core.config;

import static io.infergate.core.config.ConfigFixtures.ONE_ROUTE;
import static io.infergate.core.config.ConfigFixtures.load;
import static io.infergate.core.config.ConfigFixtures.problemsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files made to be slow or huge to read are refused in milliseconds, each with a problem that says why. */
class ConfigLimitsTest {

    /** Only a guard against the parser's old seconds: each of these takes milliseconds. */
    private static final Duration QUICKLY = Duration.ofSeconds(2);

    private static final String ALIASES_NOT_SUPPORTED =
            "(aliases are not supported: write the value out, or set it once under defaults)";

    @Test
    void billionLaughsIsRefusedQuicklyForItsAliases() {
        StringBuilder yaml = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (char name = 'b'; name <= 'i'; name++) {
            String alias = "*" + (char) (name - 1);
            yaml.append(name).append(": &").append(name)
                    .append(" [").append(String.join(", ", Collections.nCopies(9, alias))).append("]\n");
        }

        List<String> problems = assertTimeoutPreemptively(QUICKLY, () -> problemsOf(yaml.toString()));

        assertTrue(problems.contains("b[0]: alias *a at line 2 " + ALIASES_NOT_SUPPORTED), problems::toString);
        assertTrue(problems.contains("i[8]: alias *h at line 9 " + ALIASES_NOT_SUPPORTED), problems::toString);
        assertEquals(8 * 9, problems.stream().filter(p -> p.contains(": alias *")).count(), problems::toString);
    }

    @Test
    void aliasIsReportedOnceAtItsPathAndTheRestOfTheFileIsStillChecked() {
        List<String> problems = problemsOf("""
                server: { port: abc }
                routes:
                  - name: a
                    match: &a { pathPrefix: /a/ }
                    upstreams: [ { name: up, endpoints: [ "http://127.0.0.1:3000" ] } ]
                  - name: b
                    match: *a
                    upstreams: [ { name: up, endpoints: [ "http://127.0.0.1:3000" ] } ]
                  - nmae: *a
                """);

        assertEquals(List.of(
                "routes[1].match: alias *a at line 7 " + ALIASES_NOT_SUPPORTED,
                "routes[2].nmae: alias *a at line 9 " + ALIASES_NOT_SUPPORTED,
                "server.port: \"abc\" is not an integer",
                "routes[2].nmae: unknown key (did you mean \"name\"?)",
                "routes[2].name: required",
                "routes[2].match: required",
                "routes[2].upstreams: required"), problems);
    }

    @Test
    void nestingUpToTheLimitIsReadAndOneLevelMoreIsRefused() {
        StringBuilder yaml = new StringBuilder();
        for (int depth = 0; depth < YamlTreeReader.MAX_DEPTH; depth++) {
            yaml.append("  ".repeat(depth)).append("k:\n");
        }
        assertEquals(List.of("k: unknown key (expected one of: " + String.join(", ", ConfigLoader.KEYS) + ")",
                "routes: required"), problemsOf(yaml.toString()));

        yaml.append("  ".repeat(YamlTreeReader.MAX_DEPTH)).append("k:\n");
        assertEquals(List.of("nested deeper than 64 levels at line 65"), problemsOf(yaml.toString()));
    }

    @Test
    void deeplyNestedDocumentIsRefusedQuickly() {
        String yaml = "routes: [\n" + "  [\n".repeat(200_000); // the map and this list are two levels

        List<String> problems = assertTimeoutPreemptively(QUICKLY, () -> problemsOf(yaml));

        assertEquals(List.of("nested deeper than 64 levels at line 64"), problems);
    }

    @Test
    void valueLongerThanTheLimitIsRefusedAtItsPathAndTheRestIsStillChecked() {
        int lines = 1200;
        String folded = ("      " + "x".repeat(60) + "\n").repeat(lines);
        List<String> problems = problemsOf("routes:\n  - name: >\n" + folded + """
                    match: { pathPrefix: /a/ }
                    upstreams: [ { name: up, endpoints: [ "not a url" ] } ]
                """);

        int length = lines * 60 + (lines - 1) + 1; // folded into one line, spaces between, one newline kept
        assertEquals(List.of(
                "routes[0].name: value at line 2 is too long: " + length + " characters (expected: at most 65536)",
                "routes[0].upstreams[0].endpoints[0]: \"not a url\" is not an absolute http(s) URL"), problems);
    }

    @Test
    void lineLongerThanTheLimitIsRefusedQuicklyBeforeParsing() {
        // One long scalar just under the size limit: the parser alone would take seconds over it.
        int length = YamlTreeReader.MAX_CHARS - 100;
        String yaml = "server: {}\r\nroutes: " + "a".repeat(length - "routes: ".length()) + "\n";

        List<String> problems = assertTimeoutPreemptively(QUICKLY, () -> problemsOf(yaml));

        assertEquals(List.of("line 2 is too long: " + length + " characters (expected: at most 65536)"), problems);
    }

    @Test
    void textLongerThanTheLimitIsRefusedUnparsed() {
        String yaml = "routes: " + "a".repeat(10 << 20);

        List<String> problems = assertTimeoutPreemptively(QUICKLY, () -> problemsOf(yaml));

        assertEquals(List.of("too long: " + yaml.length() + " characters (expected: at most 1048576)"), problems);
    }

    @Test
    void fileOverTheLimitIsRefusedUnreadWithItsSize(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("huge.yaml");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(52L << 20);
        }

        ConfigException e = assertTimeoutPreemptively(QUICKLY,
                () -> assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of())));

        assertEquals(List.of(file + ": too large for a config file: 54525952 bytes (expected: at most 1048576 bytes)"),
                e.problems());
    }

    @Test
    void fileOfExactlyTheLimitIsReadAndOneByteMoreIsNot(@TempDir Path dir) throws Exception {
        int padding = ConfigLoader.MAX_FILE_BYTES - ONE_ROUTE.length();
        String comments = ("#" + "x".repeat(1022) + "\n").repeat(padding / 1024) + "\n".repeat(padding % 1024);
        Path file = Files.writeString(dir.resolve("gateway.yaml"), ONE_ROUTE + comments);

        assertEquals(load(ONE_ROUTE), ConfigLoader.load(file, Map.of()));

        Files.writeString(file, "\n", StandardOpenOption.APPEND);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
        assertEquals(List.of(file + ": too large for a config file: 1048577 bytes (expected: at most 1048576 bytes)"),
                e.problems());
    }

    @Test
    void fileThatTellsNoSizeIsReadNoFurtherThanTheLimit() {
        Path endless = Path.of("/dev/zero");
        assumeTrue(Files.isReadable(endless));

        ConfigException e = assertTimeoutPreemptively(QUICKLY,
                () -> assertThrows(ConfigException.class, () -> ConfigLoader.load(endless, Map.of())));

        assertEquals(List.of(endless + ": too large for a config file: more than 1048576 bytes"
                + " (expected: at most 1048576 bytes)"), e.problems());
    }
}
