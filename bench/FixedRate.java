import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load at a fixed, moderate rate: POSTs start evenly spaced whatever the answers, so a
 * slower path shows as latency, not as fewer requests (as with wrk's closed loop). Latencies are
 * kept to the microsecond.
 * <pre>
 * java bench/FixedRate.java URL RATE SECONDS WARMUP-SECONDS [API-KEY]
 * </pre>
 * The first WARMUP-SECONDS run at the same rate and are not counted: this JVM's client warms up.
 * Prints {@code requests=N errors=N p50_us=.. p90_us=.. p99_us=.. p999_us=.. max_us=..}.
 */
public final class FixedRate {

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        String key = args.length > 4 ? args[4] : null;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder builder = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":8}}"));
        if (key != null) {
            builder.header("X-API-Key", key);
        }
        HttpRequest request = builder.build();
        run(client, request, rate, warmup);
        long[] latencies = run(client, request, rate, seconds);
        int n = latencies.length;
        long errors = Arrays.stream(latencies).filter(l -> l == Long.MAX_VALUE).count();
        Arrays.sort(latencies);
        System.out.printf("requests=%d errors=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d%n", n, errors,
                at(latencies, 0.5), at(latencies, 0.9), at(latencies, 0.99), at(latencies, 0.999), latencies[n - 1]);
    }

    /** Latencies in microseconds, evenly spaced starts; a failed request or non-200 answer counts as {@code Long.MAX_VALUE}. */
    private static long[] run(HttpClient client, HttpRequest request, int rate, int seconds) {
        int n = rate * seconds;
        long[] latencies = new long[n];
        CompletableFuture<?>[] all = new CompletableFuture<?>[n];
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long due = start + i * interval;
            for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                LockSupport.parkNanos(due - now);
            }
            int index = i;
            long sent = System.nanoTime();
            all[i] = client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, e) -> {
                boolean ok = e == null && response.statusCode() == 200;
                latencies[index] = ok ? (System.nanoTime() - sent) / 1000 : Long.MAX_VALUE;
            });
        }
        CompletableFuture.allOf(all).exceptionally(e -> null).join();
        return latencies;
    }

    private static long at(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
