package io.infergate.server.wire;

import io.infergate.core.Ticker;
import io.infergate.core.capacity.ConcurrencyLimit;
import io.infergate.core.config.ConfigLoader;
import io.infergate.core.tenant.TenantDirectory;
import io.infergate.core.upstream.EndpointLoad;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The header work every proxied request does, piece by piece, on a request and a response shaped
 * like {@code bench/proxy.sh}'s: the guard, the rewrite towards the upstream, the key scrub, the
 * load signals read from the response, and the rewrite towards the client.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeadersBench {

    private static final ForwardingHeaders.ClientFraming KEEP_ALIVE =
            new ForwardingHeaders.ClientFraming(HttpVersion.HTTP_1_1, true, false);

    private TenantDirectory tenants;
    private EndpointLoad load;
    /** A limit being learned, which TGI's timings feed. */
    private ConcurrencyLimit limit;
    private HttpHeaders tgiResponse;

    @Setup
    public void setUp() throws Exception {
        tenants = TenantDirectory.of(ConfigLoader.load("""
                tenants:
                  - { name: alice, keySha256: "%s" }
                  - { name: bob, keySha256: "%s" }
                routes:
                  - name: r
                    match: { pathPrefix: / }
                    upstreams: [ { name: u, endpoints: [ "http://127.0.0.1:1" ] } ]
                """.formatted("a".repeat(64), "b".repeat(64)), Map.of()));
        load = new EndpointLoad();
        limit = ConcurrencyLimit.learned(1, 256, Ticker.SYSTEM);
        tgiResponse = response().headers()
                .set("x-queue-time", "12").set("x-inference-time", "340").set("x-time-per-token", "21");
    }

    private static HttpRequest request() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/generate",
                RequestHeadersFactory.INSTANCE.newHeaders());
        request.headers().add("Host", "127.0.0.1:28002").add("Content-Type", "application/json")
                .add("Content-Length", "52");
        return request;
    }

    private static HttpResponse response() {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                OwnHeaderNames.RESPONSE_HEADERS);
        response.headers().add("Server", "nginx/1.22.1").add("Date", "Sat, 05 Dec 2026 04:22:43 GMT")
                .add("Content-Type", "application/json").add("Content-Length", "84").add("Connection", "keep-alive");
        return response;
    }

    @Benchmark
    public Object guardAndRewriteTheRequest() {
        HttpRequest request = request();
        RequestGuard.Refusal refusal = RequestGuard.check(request, 10L << 20);
        ForwardingHeaders.toUpstream(request, "4f1c0a9e2b3d4c5e6f708192a3b4c5d6", new ClientOrigin("127.0.0.1", "http"));
        return refusal == null ? request : refusal;
    }

    @Benchmark
    public HttpRequest scrubKeysOfTwoTenants() {
        HttpRequest request = request();
        KeyScrubber.strip(request.headers(), tenants);
        return request;
    }

    @Benchmark
    public EndpointLoad readLoadSignalsOfAPlainResponse() {
        LoadSignals.record(response().headers(), load, limit, System.nanoTime() - 1_000_000, null, System.nanoTime());
        return load;
    }

    @Benchmark
    public EndpointLoad readTgiTimingHeaders() {
        LoadSignals.record(tgiResponse, load, limit, System.nanoTime() - 1_000_000, null, System.nanoTime());
        return load;
    }

    @Benchmark
    public boolean rewriteTheResponseHead() {
        return ForwardingHeaders.toClient(response(), "4f1c0a9e2b3d4c5e6f708192a3b4c5d6", false, KEEP_ALIVE, false);
    }
}
