import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Holds N event streams open at once and measures, for every event, the time from the upstream
 * stamping it ("sent_us": epoch microseconds in the event) to this client parsing it. Single-file
 * program: {@code java bench/SseLoad.java URL STREAMS SECONDS}. Prints one line of results.
 */
public final class SseLoad {

    private static final Pattern SENT = Pattern.compile("\"sent_us\":(\\d+)");
    private static final int MAX_SAMPLES = 4_000_000;

    private final long[] latencies = new long[MAX_SAMPLES];
    private final AtomicInteger samples = new AtomicInteger();
    private final AtomicLong heartbeats = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    private final java.util.Map<String, AtomicInteger> failures = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean measuring;

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: java SseLoad.java URL STREAMS SECONDS [MAX_NEW_TOKENS]");
            System.exit(2);
        }
        URI uri = URI.create(args[0]);
        int streams = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int tokens = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        new SseLoad().run(uri, streams, seconds, tokens);
    }

    private void run(URI uri, int streams, int seconds, int tokens) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
        // With the simulator's seed 42 this prompt's natural answer is its longest, 64 tokens: every
        // stream outlives the ramp and the measured seconds instead of ending early at its EOS.
        String body = "{\"inputs\":\"benchmark stream 7\",\"parameters\":{\"max_new_tokens\":" + tokens + "}}";
        CountDownLatch ended = new CountDownLatch(streams);
        long rampNanos = Duration.ofSeconds(Math.max(1, streams / 1000)).toNanos(); // 1000 new streams a second
        long start = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            // Spread the opening over a short ramp so that connection set-up does not pile up.
            long due = start + rampNanos * i / streams;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(seconds + 120))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            client.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(new Lines()))
                    .whenComplete((response, error) -> {
                        if (error != null || response.statusCode() != 200) {
                            failed.incrementAndGet();
                            String why = error != null ? rootCause(error) : "status " + response.statusCode();
                            failures.computeIfAbsent(why, k -> new AtomicInteger()).incrementAndGet();
                        } else {
                            completed.incrementAndGet();
                        }
                        ended.countDown();
                    });
        }
        // Measure once every stream is open, for the given seconds.
        long openDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (open.get() + failed.get() < streams && System.nanoTime() < openDeadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        events.set(0);
        heartbeats.set(0);
        measuring = true;
        TimeUnit.SECONDS.sleep(seconds);
        measuring = false;
        int n = Math.min(samples.get(), MAX_SAMPLES);
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        System.out.printf("streams=%d open=%d failed=%d events=%d events_per_s=%.0f heartbeats=%d "
                        + "latency_us_p50=%d latency_us_p99=%d latency_us_max=%d%n",
                streams, open.get(), failed.get(), events.get(), events.get() / (double) seconds, heartbeats.get(),
                percentile(sorted, 0.50), percentile(sorted, 0.99), n == 0 ? -1 : sorted[n - 1]);
        failures.forEach((why, count) -> System.err.println("failed " + count + ": " + why));
        System.exit(0);
    }

    private static String rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    /** One stream's lines: data lines carry a stamp, comment lines are heartbeats. */
    private final class Lines implements Flow.Subscriber<String> {

        private boolean counted;

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            long received = nowMicros();
            if (!counted) {
                counted = true;
                open.incrementAndGet();
            }
            if (!measuring) {
                return;
            }
            if (line.startsWith(":")) {
                heartbeats.incrementAndGet();
            } else if (line.startsWith("data:")) {
                events.incrementAndGet();
                Matcher sent = SENT.matcher(line);
                if (sent.find()) {
                    int i = samples.getAndIncrement();
                    if (i < MAX_SAMPLES) {
                        latencies[i] = received - Long.parseLong(sent.group(1));
                    }
                }
            }
        }

        @Override
        public void onError(Throwable throwable) {
        }

        @Override
        public void onComplete() {
        }
    }
}
