package io.infergate.server;

import io.infergate.server.exchange.ClientConnection;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The server's shape, kept: packages without cycles, few entry points per class, small files. */
class ArchitectureTest {

    private static final JavaClasses SERVER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.infergate.server");
    private static final int MAX_LINES = 300;

    @Test
    void theServersPackagesDependOnEachOtherWithoutCycles() {
        slices().matching("io.infergate.server.(*)..").should().beFreeOfCycles().check(SERVER);
    }

    @Test
    void noClassListensThroughMoreThanTwoInterfaces() {
        List<String> busy = SERVER.stream()
                .filter(c -> c.getRawInterfaces().stream().filter(ArchitectureTest::isListener).count() > 2)
                .map(JavaClass::getName)
                .toList();
        assertEquals(List.of(), busy);
    }

    private static boolean isListener(JavaClass type) {
        return type.getSimpleName().endsWith("Listener") || type.getName().startsWith("io.infergate.server")
                && type.getSimpleName().equals("ClientConnection");
    }

    @Test
    void noMainSourceFileIsLongerThanThreeHundredLines() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            List<String> long_ = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> lines(f) > MAX_LINES)
                    .map(f -> f + ": " + lines(f))
                    .toList();
            assertEquals(List.of(), long_);
        }
    }

    private static long lines(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
