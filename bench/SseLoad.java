import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Holds N event streams open to each of one or more URLs at once and measures, for every event, the
 * time from the upstream stamping it ("sent_us": epoch microseconds in the event) to this client
 * parsing it. Single-file program:
 * {@code java bench/SseLoad.java URL[,URL...] STREAMS SECONDS [WARMUP_SECONDS [MAX_NEW_TOKENS]]}.
 *
 * <p>With several URLs the streams are opened to them in turn and measured over the same seconds,
 * so what the machine does meanwhile (this client's garbage collection, the host's scheduling)
 * falls on every URL alike, and the difference between them is the path's own.
 *
 * <p>Once every stream is open it prints {@code open} and lets the streams run WARMUP_SECONDS
 * unmeasured (the JVMs on the way, this one included, compile what the load makes hot), then
 * prints {@code measuring}, measures for SECONDS and prints one line of results per URL, in order.
 */
public final class SseLoad {

    private static final Pattern SENT = Pattern.compile("\"sent_us\":(\\d+)");
    private static final int MAX_SAMPLES = 2_000_000;

    private volatile boolean measuring;

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: java SseLoad.java URL[,URL...] STREAMS SECONDS [WARMUP_SECONDS [MAX_NEW_TOKENS]]");
            System.exit(2);
        }
        List<Target> targets = new ArrayList<>();
        for (String url : args[0].split(",")) {
            targets.add(new Target(URI.create(url)));
        }
        int streams = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        int tokens = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        new SseLoad().run(targets, streams, seconds, warmup, tokens);
    }

    private void run(List<Target> targets, int streams, int seconds, int warmup, int tokens) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
        // With the simulator's seed 42 this prompt's natural answer is its longest, 64 tokens: every
        // stream outlives the ramp and the measured seconds instead of ending early at its EOS.
        String body = "{\"inputs\":\"benchmark stream 7\",\"parameters\":{\"max_new_tokens\":" + tokens + "}}";
        int total = streams * targets.size();
        long rampNanos = Duration.ofSeconds(Math.max(1, total / 1000)).toNanos(); // 1000 new streams a second
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            // Spread the opening over a short ramp so that connection set-up does not pile up.
            long due = start + rampNanos * i / total;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            Target target = targets.get(i % targets.size());
            HttpRequest request = HttpRequest.newBuilder(target.uri)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(seconds + warmup + 120))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            client.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(new Lines(target)))
                    .whenComplete((response, error) -> {
                        if (error != null || response.statusCode() != 200) {
                            target.failed(error != null ? rootCause(error) : "status " + response.statusCode());
                        }
                    });
        }
        // Measure once every stream is open and the warm-up has passed, for the given seconds.
        long openDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (targets.stream().anyMatch(t -> t.open.get() + t.failed.get() < streams)
                && System.nanoTime() < openDeadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        System.out.println("open");
        TimeUnit.SECONDS.sleep(warmup);
        System.out.println("measuring");
        measuring = true;
        TimeUnit.SECONDS.sleep(seconds);
        measuring = false;
        for (Target target : targets) {
            System.out.println(target.result(streams, seconds));
        }
        System.exit(0);
    }

    private static String rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    /** One URL's streams and what was measured on them. */
    private static final class Target {
        final URI uri;
        final long[] latencies = new long[MAX_SAMPLES];
        final AtomicInteger samples = new AtomicInteger();
        final AtomicLong heartbeats = new AtomicLong();
        final AtomicLong events = new AtomicLong();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();

        Target(URI uri) {
            this.uri = uri;
        }

        void failed(String why) {
            failed.incrementAndGet();
            failures.computeIfAbsent(why, k -> new AtomicInteger()).incrementAndGet();
        }

        void sample(long micros) {
            int i = samples.getAndIncrement();
            if (i < MAX_SAMPLES) {
                latencies[i] = micros;
            }
        }

        String result(int streams, int seconds) {
            failures.forEach((why, count) -> System.err.println(uri + " failed " + count + ": " + why));
            int n = Math.min(samples.get(), MAX_SAMPLES);
            long[] sorted = Arrays.copyOf(latencies, n);
            Arrays.sort(sorted);
            return String.format("streams=%d open=%d failed=%d events=%d events_per_s=%.0f heartbeats=%d "
                            + "latency_us_p50=%d latency_us_p99=%d latency_us_max=%d url=%s",
                    streams, open.get(), failed.get(), events.get(), events.get() / (double) seconds, heartbeats.get(),
                    percentile(sorted, 0.50), percentile(sorted, 0.99), n == 0 ? -1 : sorted[n - 1], uri);
        }

        private static long percentile(long[] sorted, double p) {
            return sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
        }
    }

    /** One stream's lines: data lines carry a stamp, comment lines are heartbeats. */
    private final class Lines implements Flow.Subscriber<String> {

        private final Target target;
        private boolean counted;

        Lines(Target target) {
            this.target = target;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            long received = nowMicros();
            if (!counted) {
                counted = true;
                target.open.incrementAndGet();
            }
            if (!measuring) {
                return;
            }
            if (line.startsWith(":")) {
                target.heartbeats.incrementAndGet();
            } else if (line.startsWith("data:")) {
                target.events.incrementAndGet();
                Matcher sent = SENT.matcher(line);
                if (sent.find()) {
                    target.sample(received - Long.parseLong(sent.group(1)));
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
