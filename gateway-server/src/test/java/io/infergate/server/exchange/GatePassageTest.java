package io.infergate.server.exchange;

import io.infergate.core.config.ConfigException;
import io.infergate.core.config.ConfigLoader;
import io.infergate.core.config.GatewayConfig;
import io.infergate.core.error.GatewayError;
import io.infergate.core.job.Job;
import io.infergate.core.job.JobClock;
import io.infergate.core.metrics.GatewayMetrics;
import io.infergate.core.ratelimit.Decision;
import io.infergate.core.ratelimit.RateLimitStore;
import io.infergate.core.ratelimit.RateLimiter;
import io.infergate.core.store.StoreUnavailableException;
import io.infergate.core.tenant.Tenant;
import io.infergate.core.route.Route;
import io.infergate.core.route.RouteTable;
import io.infergate.core.route.Routing;
import io.infergate.core.sse.StreamProtocol;
import io.infergate.core.tenant.TenantDirectory;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.infergate.core.job.MemoryJobStore;
import io.infergate.server.jobs.JobMeters;
import io.infergate.server.jobs.JobSubmission;
import io.infergate.server.jobs.Jobs;
import io.infergate.server.metrics.AccessLog;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.tracing.ExchangeTrace;
import io.infergate.server.relay.ClientResponder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gate's decisions as values, without sockets: who is asking, whether its rate limit and the
 * route's admission let it through, whether its body is acceptable, and whether it becomes a job.
 * A queued request's turn comes on the client's loop, here an {@link EmbeddedChannel}'s, run by hand.
 */
class GatePassageTest {

    private static final String ACME_KEY = "acme-key-0000000000001";
    private static final String METERED_KEY = "metered-key-0000000001";
    private static final String OUTSIDER_KEY = "outsider-key-000000001";
    private static final Map<String, String> ENV = Map.of("ACME_KEY", ACME_KEY, "METERED_KEY", METERED_KEY,
            "OUTSIDER_KEY", OUTSIDER_KEY);

    private final FakeTicker ticker = new FakeTicker();
    /** Its context writes what the responder says, and its loop runs the gate's later decisions. */
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final List<Arrival> arrivals = new ArrayList<>();
    private GatewayConfig config;
    private Jobs jobs;

    @AfterEach
    void everythingTakenIsGivenBack() {
        for (Arrival arrival : arrivals) {
            arrival.gate.close(false);
            arrival.body.release();
        }
        if (jobs != null) {
            jobs.close();
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    private ProxyContext context(boolean keyRequired) {
        return context(keyRequired, null);
    }

    /** @param rateLimits where the tenants' buckets are kept; null: in this process */
    private ProxyContext context(boolean keyRequired, RateLimitStore rateLimits) {
        String yaml = """
                server: { maxBodyBytes: 32 }
                auth: { required: %s }
                tenants:
                  - { name: acme, keyEnv: ACME_KEY }
                  - { name: metered, keyEnv: METERED_KEY, limits: { requestsPerMinute: 1 } }
                  - { name: outsider, keyEnv: OUTSIDER_KEY, routes: [ other ] }
                routes:
                  - name: other
                    match: { pathPrefix: /other/ }
                    upstreams:
                      - name: model
                        endpoints: [ "http://127.0.0.1:9" ]
                  - name: chat
                    match: { pathPrefix: / }
                    admission: { maxInFlightPerEndpoint: 1, queue: 1, perTenantQueueShare: 1.0 }
                    upstreams:
                      - name: model
                        endpoints: [ "http://127.0.0.1:9" ]
                """.formatted(keyRequired);
        try {
            config = ConfigLoader.load(yaml, ENV);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(String.join("\n", e.problems()), e);
        }
        RouteTable routes = RouteTable.compile(config, ticker, transition -> { });
        // No attempt is made here, so no connection pools.
        return new ProxyContext(config.server(), new Routing(routes, TenantDirectory.of(config)),
                rateLimits == null ? new RateLimiter(ticker) : rateLimits, null, GatewayMetrics.NOOP, AccessLog.OFF, ticker);
    }

    /** A chunked POST to {@code uri}, with header name and value pairs. */
    private static HttpRequest post(String uri, String... headers) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
        HttpUtil.setTransferEncodingChunked(request, true);
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        return request;
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    /** The request's way to the gate, put together as an exchange puts it together. */
    private Arrival arrive(ProxyContext context, HttpRequest request) {
        Arrival arrival = new Arrival(context, request);
        arrivals.add(arrival);
        arrival.passage.start();
        return arrival;
    }

    /** One request at the gate, and every verdict the gate handed on for it. */
    private final class Arrival {
        final RequestGate gate;
        final RequestBody body;
        final ClientResponder responder;
        final GatePassage passage;
        final List<GateResult> results = new ArrayList<>();

        Arrival(ProxyContext context, HttpRequest request) {
            Route route = context.routes().match(request.uri());
            ChannelHandlerContext client = channel.pipeline().firstContext();
            long start = ticker.nanoTime();
            ExchangeRecord record = new ExchangeRecord(0, start, "request-1", request.method().name(), request.uri(),
                    route.name());
            gate = new RequestGate(context, route, request.headers(), channel.eventLoop());
            boolean asyncSubmit = context.jobs() != null && JobSubmission.asked(request.headers());
            ExchangeTimeouts timeouts = new ExchangeTimeouts(route.timeouts(), start, route.timeouts().total().toNanos(),
                    context.server().bodyTimeout().toNanos(), context.server().writeTimeout().toNanos());
            body = new RequestBody(request, client.alloc(), context.server().maxBodyBytes(), false,
                    gate.needsBody() || asyncSubmit);
            responder = new ClientResponder(client, ticker, context.metrics(), context::draining, route, record, request,
                    "request-1", StreamProtocol.TGI, ExchangeTrace.OFF);
            passage = new GatePassage(gate, body, request, route, context, record, timeouts, responder,
                    asyncSubmit, false, ExchangeTrace.OFF, results::add);
        }

        /** Hands a piece of the body to the passage, and opens the gate when it says the body is in. */
        boolean take(HttpContent content) {
            boolean whole = passage.take(content);
            if (whole) {
                passage.open();
            }
            return whole;
        }

        /** The whole body in one last chunk. */
        Arrival send(String json) {
            take(new DefaultLastHttpContent(bytes(json)));
            return this;
        }

        GateResult result() {
            assertEquals(1, results.size(), "verdicts: " + results);
            return results.get(0);
        }

        GateResult.Refused refusal() {
            return assertInstanceOf(GateResult.Refused.class, result());
        }
    }

    @Test
    void aRequestWithoutAKeyWhereNoneIsRequiredPasses() {
        Arrival arrival = arrive(context(false), post("/generate")).send("{}");
        assertEquals(new GateResult.Pass(true), arrival.result());
    }

    @Test
    void aKnownKeyPassesAndIsTakenOffTheRequest() {
        HttpRequest request = post("/generate", "X-API-Key", ACME_KEY);
        Arrival arrival = arrive(context(true), request).send("{}");
        assertEquals(new GateResult.Pass(true), arrival.result());
        assertNull(request.headers().get("X-API-Key"), "no upstream ever sees the tenant's key");
    }

    @Test
    void aRequiredKeyThatIsMissingIsRefusedAsUnauthorized() {
        GateResult.Refused refused = arrive(context(true), post("/generate")).send("{}").refusal();
        assertEquals(GatewayError.UNAUTHORIZED, refused.error());
        assertTrue(refused.message().startsWith("an API key is required"), refused.message());
    }

    @Test
    void anUnknownKeyIsRefusedAsUnauthorized() {
        HttpRequest request = post("/generate", "Authorization", "Bearer not-a-key-anyone-has-0001");
        GateResult.Refused refused = arrive(context(false), request).send("{}").refusal();
        assertEquals(GatewayError.UNAUTHORIZED, refused.error());
        assertEquals("unknown API key", refused.message());
    }

    @Test
    void aTenantNotAllowedOnTheRouteIsRefusedAsForbidden() {
        Arrival arrival = arrive(context(true), post("/generate", "X-API-Key", OUTSIDER_KEY)).send("{}");
        assertEquals(GatewayError.FORBIDDEN, arrival.refusal().error());
    }

    @Test
    void aTenantOverItsRequestsPerMinuteIsRefusedAndItsAnswerSaysWhenToComeBack() {
        ProxyContext context = context(true);
        Arrival first = arrive(context, post("/generate", "X-API-Key", METERED_KEY)).send("{}");
        assertEquals(new GateResult.Pass(true), first.result());
        first.gate.close(false); // its admission slot is free again: only the rate limit stands in the way

        Arrival second = arrive(context, post("/generate", "X-API-Key", METERED_KEY)).send("{}");
        GateResult.Refused refused = second.refusal();
        assertEquals(GatewayError.RATE_LIMITED, refused.error());
        // What the exchange does with a refusal: the responder answers, with what the gate told it.
        second.responder.fail(refused.error(), refused.message(), true);
        FullHttpResponse answer = channel.readOutbound();
        try {
            assertEquals(429, answer.status().code());
            assertEquals("rate_limited", answer.headers().get("X-Gateway-Error"));
            long retryAfter = Long.parseLong(answer.headers().get("Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 60, "one request a minute: Retry-After " + retryAfter);
            assertTrue(answer.headers().contains("RateLimit-Policy"), answer.headers().toString());

            ticker.advance(Duration.ofSeconds(retryAfter));
            Arrival later = arrive(context, post("/generate", "X-API-Key", METERED_KEY)).send("{}");
            assertEquals(new GateResult.Pass(true), later.result(), "after Retry-After, by the tenant's clock");
        } finally {
            answer.release();
        }
    }

    /** A shared store: each decision is a future the test completes when it likes. */
    private static final class LaterRateLimits implements RateLimitStore {
        final List<CompletableFuture<Decision>> pending = new ArrayList<>();

        @Override
        public CompletionStage<Decision> acquire(Tenant tenant, String route, long reservedTokens) {
            CompletableFuture<Decision> decision = new CompletableFuture<>();
            pending.add(decision);
            return decision;
        }

        @Override
        public void correct(Tenant tenant, String route, long reserved, long actual) {
        }
    }

    @Test
    void aSharedStoresLaterDecisionLetsTheRequestOnOnItsLoop() {
        LaterRateLimits store = new LaterRateLimits();
        Arrival arrival = arrive(context(true, store), post("/generate", "X-API-Key", METERED_KEY)).send("{}");
        assertEquals(List.of(), arrival.results, "no verdict before the store answers");
        assertEquals(1, store.pending.size());

        store.pending.get(0).complete(new Decision(true, 0, 0, null, null));
        channel.runPendingTasks();
        assertEquals(new GateResult.Pass(false), arrival.result(), "passed later, outside the client's read");
    }

    @Test
    void aSharedStoreThatCannotBeReachedUnderDenyIsRefusedAsStoreUnavailable() {
        LaterRateLimits store = new LaterRateLimits();
        Arrival arrival = arrive(context(true, store), post("/generate", "X-API-Key", METERED_KEY)).send("{}");
        store.pending.get(0).completeExceptionally(new StoreUnavailableException("rate_limit: not connected", null));
        channel.runPendingTasks();
        GateResult.Refused refused = arrival.refusal();
        assertEquals(GatewayError.STORE_UNAVAILABLE, refused.error());
        arrival.responder.fail(refused.error(), refused.message(), true);
        FullHttpResponse answer = channel.readOutbound();
        try {
            assertEquals(503, answer.status().code());
            assertEquals("store_unavailable", answer.headers().get("X-Gateway-Error"));
            assertEquals("1", answer.headers().get("Retry-After"));
        } finally {
            answer.release();
        }
    }

    @Test
    void aRequestClosedWhileTheSharedStoreDecidesHearsNoVerdict() {
        LaterRateLimits store = new LaterRateLimits();
        Arrival arrival = arrive(context(true, store), post("/generate", "X-API-Key", METERED_KEY)).send("{}");
        arrival.gate.close(true);
        store.pending.get(0).complete(new Decision(true, 0, 0, null, null));
        channel.runPendingTasks();
        assertEquals(List.of(), arrival.results);
        assertEquals(0, arrival.gate.queueWaitNanos(), "and it took no admission slot");
    }

    @Test
    void aRequestFindingAdmissionFullWaitsAndPassesOnItsLoopWhenAPermitIsReleased() {
        ProxyContext context = context(false);
        Arrival first = arrive(context, post("/generate")).send("{}");
        assertEquals(new GateResult.Pass(true), first.result());

        Arrival waiting = arrive(context, post("/generate")).send("{}");
        assertEquals(List.of(), waiting.results, "no verdict while the route is full");
        assertTrue(waiting.gate.queued());

        first.gate.close(false);
        assertEquals(List.of(), waiting.results, "the verdict comes on the client's loop, not the releasing thread");
        channel.runPendingTasks();
        assertEquals(List.of(new GateResult.Pass(false)), waiting.results, "decided outside the client's read");
        assertFalse(waiting.gate.queued());
    }

    @Test
    void aRequestThatLeavesTheQueueHearsNoVerdictAndTakesNoSlot() {
        ProxyContext context = context(false);
        Arrival first = arrive(context, post("/generate")).send("{}");
        Arrival waiting = arrive(context, post("/generate")).send("{}");
        assertTrue(waiting.gate.queued());

        waiting.gate.close(true); // its client went away
        channel.runPendingTasks();
        first.gate.close(false);
        channel.runPendingTasks();
        assertEquals(List.of(), waiting.results);
        Route route = context.routes().match("/generate");
        assertEquals(0, route.admission().inFlight());
        assertEquals(0, route.admission().queueDepth());
    }

    @Test
    void aRequestFindingTheQueueAtItsBoundIsRefusedAsQueueFull() {
        ProxyContext context = context(false);
        arrive(context, post("/generate")).send("{}");
        Arrival queued = arrive(context, post("/generate", "X-API-Key", ACME_KEY)).send("{}");
        assertTrue(queued.gate.queued());

        // Another tenant of the same tier: not its share of the queue, the queue's bound refuses it.
        Arrival third = arrive(context, post("/generate", "X-API-Key", METERED_KEY)).send("{}");
        GateResult.Refused refused = third.refusal();
        assertEquals(GatewayError.QUEUE_FULL, refused.error());
        assertEquals("the route's queue is full", refused.message());
        assertEquals(List.of(), queued.results, "the one in the queue still waits");
    }

    @Test
    void aMalformedBodyChunkIsRefusedAsBadRequest() {
        Arrival arrival = arrive(context(false), post("/generate"));
        HttpContent broken = new DefaultHttpContent(bytes("{\"in"));
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("invalid chunk size")));

        assertFalse(arrival.take(broken));
        GateResult.Refused refused = arrival.refusal();
        assertEquals(GatewayError.BAD_REQUEST, refused.error());
        assertEquals("malformed request body: invalid chunk size", refused.message());
        assertEquals(0, broken.refCnt(), "the broken chunk is released where it is refused");
    }

    @Test
    void aBodyOverMaxBodyBytesIsRefusedAsPayloadTooLarge() {
        Arrival arrival = arrive(context(false), post("/generate"));
        assertFalse(arrival.take(new DefaultHttpContent(bytes("{\"inputs\":\"twenty\""))));
        assertEquals(List.of(), arrival.results, "18 of 32 bytes: no verdict yet");

        HttpContent over = new DefaultHttpContent(bytes(",\"more\":\"over32\""));
        assertFalse(arrival.take(over));
        assertEquals(GatewayError.PAYLOAD_TOO_LARGE, arrival.refusal().error());
        assertEquals(0, over.refCnt());
    }

    @Test
    void takeIsTrueOnlyOnTheLastContent() {
        Arrival arrival = arrive(context(false), post("/generate"));
        assertFalse(arrival.passage.take(new DefaultHttpContent(bytes("{\"inputs\":"))));
        assertFalse(arrival.passage.take(new DefaultHttpContent(bytes("\"hi\""))));
        assertEquals(List.of(), arrival.results);
        assertTrue(arrival.passage.take(new DefaultLastHttpContent(bytes("}"))));
        assertEquals(List.of(), arrival.results, "the gate opens only when told to");

        arrival.passage.open();
        assertEquals(new GateResult.Pass(true), arrival.result());
    }

    @Test
    void aRespondAsyncRequestWithJobsEnabledIsAcceptedAsAJobWithoutTakingASlot() {
        ProxyContext context = context(true);
        assertTrue(config.jobs().enabled(), "jobs are on unless turned off");
        JobClock clock = new JobClock(Clock.systemUTC(), ticker);
        jobs = new Jobs(config.jobs(), new MemoryJobStore(config.jobs().storeLimits(), ticker), clock,
                GatePassageTest::closedPort, context::routes, new JobMeters(new SimpleMeterRegistry(), Duration.ofMinutes(10)),
                Duration.ofMillis(100));
        context.jobs(jobs);
        HttpRequest request = post("/generate", "X-API-Key", ACME_KEY, "Prefer", "respond-async");

        Arrival arrival = arrive(context, request).send("{\"inputs\":\"hi\"}");
        Job job = assertInstanceOf(GateResult.Accepted.class, arrival.result()).job();
        assertEquals("acme", job.tenant());
        assertEquals("chat", job.route());
        assertTrue(jobs.get("acme", job.id()).toCompletableFuture().join().isPresent(), "stored for its owner");
        assertEquals(0, context.routes().match("/generate").admission().inFlight(),
                "a submission waits in the job store, not in the route's admission");
    }

    /**
     * A stored job is run at once by sending it to the gateway's own port; there is no gateway here,
     * so its run goes to a port nothing listens on and fails on its own, which this test does not watch.
     */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
