import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load against a TGI {@code /generate} endpoint, directly or through the gateway: requests
 * start on a fixed schedule (Poisson or evenly spaced) whatever the answers, so that an overloaded
 * server's backlog builds up as it would with real clients. Two classes of clients share the offered
 * rate, premium and free, each with its own API key (none when talking to the model directly). Every
 * request's deadline runs from its scheduled start; it carries what is left of it when sent as
 * {@code X-Request-Timeout} and is given up at that deadline.
 * <p>
 * Single-file program:
 * <pre>
 * java bench/Overload.java run URL RATE SECONDS CAPACITY [key=value ...]
 * java bench/Overload.java calibrate URL BATCH [key=value ...]
 * </pre>
 * {@code run} prints one line per class and one for all ({@code key=value} fields); {@code calibrate}
 * keeps BATCH requests in flight for {@code seconds} (15) and prints the capacity C that
 * {@code run} reports goodput against: BATCH / the mean time of a request. Options: {@code deadline}
 * (seconds, 5), {@code tokens} ({@code max_new_tokens}, 10), {@code premiumKey}, {@code freeKey}
 * (unset: no key), {@code premiumShare} (0.5), {@code arrivals} ({@code poisson} or {@code even}),
 * {@code seed} (1).
 */
public final class Overload {

    private static final String[] CLASSES = {"premium", "free"};

    /** How one request ended. */
    private enum Result { SERVED, SHED, OTHER_429, DEADLINE_504, TIMEOUT, ERROR }

    /** One request's record; written once by its completion, read after all are done. */
    private static final class Call {
        final int index;
        final int clazz;
        final long due;
        volatile long sentLag;
        volatile long ended;
        volatile Result result;
        volatile int status;
        volatile String gatewayError;
        /** The gateway's own time for the request ({@code Server-Timing} total), -1 without one. */
        volatile long gatewayNanos = -1;
        volatile long retryAfter = -1;

        Call(int index, int clazz, long due) {
            this.index = index;
            this.clazz = clazz;
            this.due = due;
        }
    }

    private final Map<String, String> options;
    private final Duration deadline;
    private final int tokens;
    private final String[] keys;
    private final HttpClient client;
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();

    private Overload(Map<String, String> options) {
        this.options = options;
        this.deadline = Duration.ofMillis(Math.round(Double.parseDouble(options.getOrDefault("deadline", "5")) * 1000));
        this.tokens = Integer.parseInt(options.getOrDefault("tokens", "10"));
        this.keys = new String[] {options.get("premiumKey"), options.get("freeKey")};
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(deadline)
                .build();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !(args[0].equals("run") && args.length >= 5 || args[0].equals("calibrate") && args.length >= 3)) {
            System.err.println("usage: java Overload.java run URL RATE SECONDS CAPACITY [key=value ...]\n"
                    + "       java Overload.java calibrate URL BATCH [key=value ...]");
            System.exit(2);
        }
        boolean run = args[0].equals("run");
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = run ? 5 : 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 1) {
                System.err.println("not key=value: " + args[i]);
                System.exit(2);
            }
            String value = args[i].substring(eq + 1);
            if (!value.isEmpty()) {
                options.put(args[i].substring(0, eq), value);
            }
        }
        Overload load = new Overload(options);
        URI uri = URI.create(args[1]);
        if (run) {
            load.run(uri, Double.parseDouble(args[2]), Integer.parseInt(args[3]), Double.parseDouble(args[4]));
        } else {
            load.calibrate(uri, Integer.parseInt(args[2]), Integer.parseInt(options.getOrDefault("seconds", "15")));
        }
        System.exit(0);
    }

    /** Deterministic prompts: the same request index always asks the same thing. */
    private String body(int clazz, int index) {
        return "{\"inputs\":\"overload " + CLASSES[clazz] + " request " + index + "\",\"parameters\":{\"max_new_tokens\":"
                + tokens + "}}";
    }

    /** A request with {@code left} of the client's deadline remaining: the time it tells the gateway, and waits. */
    private HttpRequest request(URI uri, int clazz, int index, Duration left) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("X-Request-Timeout", String.valueOf(Math.max(1, left.toMillis()) / 1000.0))
                .timeout(left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left)
                .POST(HttpRequest.BodyPublishers.ofString(body(clazz, index)));
        if (keys[clazz] != null) {
            builder.header("X-API-Key", keys[clazz]);
        }
        return builder.build();
    }

    /**
     * Closed loop at the model's batch: {@code batch} clients, each sending its next request as soon
     * as its last is answered, so the model is always full; from the time a request takes over the
     * measured seconds (after two seconds of warm-up), the model's capacity on this machine,
     * overheads included.
     */
    private void calibrate(URI uri, int batch, int seconds) throws Exception {
        long start = System.nanoTime();
        long from = start + TimeUnit.SECONDS.toNanos(2);
        long to = from + TimeUnit.SECONDS.toNanos(seconds);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        List<Long> times = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(batch);
        for (int i = 0; i < batch; i++) {
            // Staggered over about one request's time, so that answers do not come in waves of a batch.
            CompletableFuture.delayedExecutor(i * 400L / batch, TimeUnit.MILLISECONDS)
                    .execute(() -> loop(uri, next, to, from, answered, times, done));
        }
        if (!done.await(seconds + 60L, TimeUnit.SECONDS)) {
            throw new IllegalStateException("calibration did not finish");
        }
        long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
        double meanNanos = Arrays.stream(sorted).average().orElseThrow();
        // Little's law: BATCH requests always in flight, each for the mean time, give BATCH / mean
        // answers a second. Steadier than counting answers in the window, which come in steps of up
        // to BATCH at its edges.
        System.out.printf("capacity_per_s=%.2f answered_per_s=%.2f service_ms_p50=%.1f service_ms_mean=%.1f%n",
                batch / (meanNanos / 1e9), answered.get() / (double) seconds, percentile(sorted, 0.5) / 1e6,
                meanNanos / 1e6);
    }

    private void loop(URI uri, AtomicInteger next, long to, long from, AtomicInteger answered, List<Long> times,
                      CountDownLatch done) {
        int index = next.getAndIncrement();
        long sent = System.nanoTime();
        client.sendAsync(request(uri, index % 2, index, deadline), HttpResponse.BodyHandlers.ofString())
                .whenComplete((response, error) -> {
                    long now = System.nanoTime();
                    if (error != null || response.statusCode() != 200) {
                        System.err.println("calibration request failed: "
                                + (error != null ? error : response.statusCode() + " " + response.body()));
                        System.exit(1);
                    }
                    if (now >= from && now < to) {
                        answered.incrementAndGet();
                        times.add(now - sent);
                    }
                    if (now < to) {
                        loop(uri, next, to, from, answered, times, done);
                    } else {
                        done.countDown();
                    }
                });
    }

    private void run(URI uri, double rate, int seconds, double capacity) throws Exception {
        double premiumShare = Double.parseDouble(options.getOrDefault("premiumShare", "0.5"));
        boolean poisson = !options.getOrDefault("arrivals", "poisson").equals("even");
        Random random = new Random(Long.parseLong(options.getOrDefault("seed", "1")));
        // The whole schedule first, from the seed alone: the same for every target.
        List<Call> calls = new ArrayList<>();
        double at = 0;
        while (true) {
            at += poisson ? -Math.log(1 - random.nextDouble()) / rate : 1 / rate;
            if (at >= seconds) {
                break;
            }
            int clazz = random.nextDouble() < premiumShare ? 0 : 1;
            calls.add(new Call(calls.size(), clazz, Math.round(at * 1e9)));
        }
        // Connections are opened on demand; warm the client's own code paths off the clock.
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        List<CompletableFuture<?>> pending = new ArrayList<>(calls.size());
        for (Call call : calls) {
            long due = start + call.due;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
            }
            call.sentLag = System.nanoTime() - due;
            // The deadline runs from the schedule: a request sent late tells what is left of it, as a
            // client propagating its deadline does (gRPC's grpc-timeout is the time remaining).
            Duration left = deadline.minusNanos(call.sentLag);
            pending.add(client.sendAsync(request(uri, call.clazz, call.index, left), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, error) -> record(call, due, response, error)));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .handle((v, e) -> null)
                .get(deadline.toSeconds() + 30, TimeUnit.SECONDS);
        report(calls, start, rate, seconds, capacity);
        failures.forEach((why, count) -> System.err.println("other " + count + ": " + why));
    }

    private void record(Call call, long due, HttpResponse<String> response, Throwable error) {
        long now = System.nanoTime();
        // Latency counts from the scheduled start, so a late send is charged to the result, not hidden.
        call.ended = now - due;
        if (error != null) {
            Throwable cause = error;
            while (cause.getCause() != null && !(cause instanceof HttpTimeoutException)) {
                cause = cause.getCause();
            }
            if (cause instanceof HttpTimeoutException) {
                call.result = Result.TIMEOUT;
            } else {
                call.result = Result.ERROR;
                String why = cause.getClass().getSimpleName() + (cause instanceof IOException ? ": " + cause.getMessage() : "");
                failures.computeIfAbsent(why, k -> new AtomicInteger()).incrementAndGet();
            }
            return;
        }
        call.status = response.statusCode();
        call.gatewayError = response.headers().firstValue("x-gateway-error").orElse(null);
        call.gatewayNanos = response.headers().firstValue("server-timing").map(Overload::totalNanos).orElse(-1L);
        response.headers().firstValue("retry-after").ifPresent(v -> {
            try {
                call.retryAfter = Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                call.retryAfter = 0;
            }
        });
        if (call.ended > deadline.toNanos()) {
            // The client had given up by then, whatever came back.
            call.result = Result.TIMEOUT;
        } else if (call.status == 200) {
            call.result = Result.SERVED;
        } else if (call.status == 429 && call.retryAfter >= 0) {
            call.result = Result.SHED;
        } else if (call.status == 429) {
            call.result = Result.OTHER_429;
        } else if (call.status == 504) {
            call.result = Result.DEADLINE_504;
        } else {
            call.result = Result.ERROR;
        }
        if (call.result == Result.OTHER_429 || call.result == Result.ERROR || call.result == Result.DEADLINE_504) {
            String why = "status " + call.status + (call.gatewayError != null ? " " + call.gatewayError : "");
            failures.computeIfAbsent(why, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    private void report(List<Call> calls, long start, double rate, int seconds, double capacity) {
        for (int clazz = -1; clazz < CLASSES.length; clazz++) {
            final int c = clazz;
            List<Call> mine = calls.stream().filter(call -> c < 0 || call.clazz == c).toList();
            Map<Result, Integer> counts = new TreeMap<>();
            for (Result r : Result.values()) {
                counts.put(r, 0);
            }
            mine.forEach(call -> counts.merge(call.result, 1, Integer::sum));
            long[] served = latencies(mine, Result.SERVED);
            long[] shed = latencies(mine, Result.SHED);
            long[] retryAfter = mine.stream().filter(call -> call.result == Result.SHED)
                    .mapToLong(call -> call.retryAfter).sorted().toArray();
            // Goodput: answers served within their deadline that came back during the measured seconds.
            long window = TimeUnit.SECONDS.toNanos(seconds);
            long servedInWindow = mine.stream()
                    .filter(call -> call.result == Result.SERVED && call.due + call.ended <= window).count();
            double goodput = servedInWindow / (double) seconds;
            long maxLag = mine.stream().mapToLong(call -> call.sentLag).max().orElse(0);
            // The client's own lateness, apart: requests it sent more than a second after their
            // schedule (a loaded machine), and how many of the timeouts were such requests.
            long lateNanos = TimeUnit.SECONDS.toNanos(1);
            long sentLate = mine.stream().filter(call -> call.sentLag > lateNanos).count();
            long timeoutsSentLate = mine.stream()
                    .filter(call -> call.result == Result.TIMEOUT && call.sentLag > lateNanos).count();
            // Time outside the gateway (send lag, both ways on the wire, the client's own work): the
            // client's latency less the gateway's Server-Timing total; and the timeouts that got an
            // answer the gateway had sent within the deadline.
            long[] outside = mine.stream().filter(call -> call.gatewayNanos >= 0 && call.ended > 0)
                    .mapToLong(call -> call.ended - call.gatewayNanos).sorted().toArray();
            long timeoutsGatewayInTime = mine.stream().filter(call -> call.result == Result.TIMEOUT
                    && call.gatewayNanos >= 0 && call.gatewayNanos <= deadline.toNanos()).count();
            StringBuilder line = new StringBuilder();
            line.append("class=").append(c < 0 ? "all" : CLASSES[c])
                    .append(" offered_per_s=").append(String.format("%.1f", c < 0 ? rate : mine.size() / (double) seconds))
                    .append(" sent=").append(mine.size())
                    .append(" served=").append(counts.get(Result.SERVED))
                    .append(" shed=").append(counts.get(Result.SHED))
                    .append(" other_429=").append(counts.get(Result.OTHER_429))
                    .append(" gateway_504=").append(counts.get(Result.DEADLINE_504))
                    .append(" timeouts=").append(counts.get(Result.TIMEOUT))
                    .append(" errors=").append(counts.get(Result.ERROR))
                    .append(" latency_ms_p50=").append(ms(percentile(served, 0.50)))
                    .append(" latency_ms_p99=").append(ms(percentile(served, 0.99)))
                    .append(" shed_ms_p50=").append(ms(percentile(shed, 0.50)))
                    .append(" shed_ms_p99=").append(ms(percentile(shed, 0.99)))
                    .append(" retry_after_s_p50=").append(retryAfter.length == 0 ? "-" : percentile(retryAfter, 0.5))
                    .append(" goodput_per_s=").append(String.format("%.2f", goodput))
                    .append(" goodput_of_c=").append(String.format("%.3f", goodput / capacity))
                    .append(" send_lag_ms_max=").append(ms(maxLag))
                    .append(" sent_late_1s=").append(sentLate)
                    .append(" timeouts_sent_late_1s=").append(timeoutsSentLate)
                    .append(" outside_gateway_ms_p50=").append(ms(percentile(outside, 0.50)))
                    .append(" outside_gateway_ms_p99=").append(ms(percentile(outside, 0.99)))
                    .append(" outside_gateway_ms_max=").append(ms(outside.length == 0 ? -1 : outside[outside.length - 1]))
                    .append(" timeouts_answered_by_gateway_in_time=").append(timeoutsGatewayInTime);
            System.out.println(line);
        }
    }

    /** The {@code total;dur=} of a {@code Server-Timing} header, in nanoseconds; -1 without one. */
    private static long totalNanos(String serverTiming) {
        for (String part : serverTiming.split(",")) {
            String p = part.trim();
            if (p.startsWith("total;dur=")) {
                try {
                    return Math.round(Double.parseDouble(p.substring("total;dur=".length())) * 1e6);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static long[] latencies(List<Call> calls, Result result) {
        return calls.stream().filter(call -> call.result == result).mapToLong(call -> call.ended).sorted().toArray();
    }

    private static String ms(long nanos) {
        return nanos < 0 ? "-" : String.valueOf(Math.round(nanos / 1e6));
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }
}
