package io.infergate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.testing.SseParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A real HTTP/1.1 client for a simulator, with JSON and strict SSE decoding. */
final class SimClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** A streamed response, parsed with {@link SseParser}. */
    record Streamed(int status, HttpHeaders headers, List<String> events, long comments) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        List<JsonNode> jsonEvents() {
            return events.stream().filter(e -> !e.equals("[DONE]")).map(SimClient::json).toList();
        }
    }

    private final String base;

    SimClient(UpstreamSim sim) {
        this.base = sim.url();
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET().timeout(Duration.ofSeconds(10)).build());
    }

    HttpResponse<String> delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE().timeout(Duration.ofSeconds(10)).build());
    }

    HttpResponse<String> post(String path, String body, String... headers) {
        return send(request(path, body, headers));
    }

    CompletableFuture<HttpResponse<String>> postAsync(String path, String body, String... headers) {
        return HTTP.sendAsync(request(path, body, headers), HttpResponse.BodyHandlers.ofString());
    }

    Streamed stream(String path, String body, String... headers) {
        try {
            HttpResponse<byte[]> response = HTTP.send(request(path, body, headers), HttpResponse.BodyHandlers.ofByteArray());
            SseParser parser = new SseParser();
            parser.feed(response.body());
            parser.finish();
            return new Streamed(response.statusCode(), response.headers(), parser.events(), parser.comments());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpRequest.Builder builder(String url, String body, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            builder.setHeader(headers[i], headers[i + 1]);
        }
        return builder;
    }

    private HttpRequest request(String path, String body, String... headers) {
        return builder(base + path, body, headers).build();
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
