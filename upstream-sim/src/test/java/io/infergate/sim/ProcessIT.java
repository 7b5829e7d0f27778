package io.infergate.sim;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessIT {

    private static final Path JAR = Path.of("target", "upstream-sim.jar");
    private static final Pattern LISTENING = Pattern.compile("on port (\\d+) ");

    @Test
    void theShadedJarServesUntilSigterm() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is built in the package phase");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "--port", "0", "--host", "127.0.0.1", "--tokens-per-second", "0",
                "--model-id", "org/cli-model")
                .redirectErrorStream(true)
                .start();
        try {
            // Read on another thread: the finally block's destroy() unblocks it if the port never shows.
            int port = CompletableFuture.supplyAsync(() -> portFrom(process)).get(15, TimeUnit.SECONDS);
            assertTrue(port > 0, "the log names the port");
            HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                    SimClient.builder("http://127.0.0.1:" + port + "/v1/models", "").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertTrue(response.body().contains("\"id\":\"org/cli-model\""), response.body());
        } finally {
            process.destroy();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "exits on SIGTERM");
        }
    }

    private static int portFrom(Process process) {
        BufferedReader log = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        try {
            for (String line = log.readLine(); line != null; line = log.readLine()) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return -1;
    }
}
