package io.infergate.server.exchange;

import io.infergate.core.config.ConfigException;
import io.infergate.core.config.ConfigLoader;
import io.infergate.core.resilience.BreakerVerdict;
import io.infergate.core.resilience.CircuitBreaker;
import io.infergate.core.route.Route;
import io.infergate.core.route.RouteTable;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * One route compiled from YAML as a user writes it, a fake ticker, and an event loop whose clock
 * moves with the ticker (cold-start holds and probes are its scheduled tasks), so that a test says
 * exactly when time passes. No socket is opened: an attempt never gets a connection.
 */
final class LoopFixture implements AutoCloseable {

    /** The environment the route's YAML is read with: a token for an upstream's {@code auth.bearerEnv}. */
    static final Map<String, String> ENV = Map.of("HF_TOKEN", "hf_fixture_token");

    final FakeTicker ticker = new FakeTicker();
    final List<CircuitBreaker.Transition> transitions = new ArrayList<>();
    final Route route;
    private final EmbeddedChannel eventLoop = new EmbeddedChannel();

    LoopFixture(String yaml) {
        eventLoop.freezeTime();
        try {
            route = RouteTable.compile(ConfigLoader.load(yaml, ENV), ticker, transitions::add).routes().get(0);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.problems().toString(), e);
        }
    }

    /** A request on the route, its deadline counted from now. */
    Request request() {
        return new Request();
    }

    Upstream upstream(int index) {
        return route.upstreams().get(index);
    }

    /** Endpoint {@code index} of upstream {@code upstream}, in the order the route lists them. */
    Endpoint endpoint(int upstream, int index) {
        return upstream(upstream).endpoints().get(index);
    }

    /** Time passes, on the ticker and the event loop alike, and what fell due runs. */
    void advance(Duration by) {
        ticker.advance(by);
        eventLoop.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        for (int round = 0; round < 8 && (round == 0 || eventLoop.hasPendingTasks()); round++) {
            eventLoop.runPendingTasks();
        }
        eventLoop.checkException();
    }

    /** Opens {@code endpoint}'s breaker, as a failure does. */
    void open(Endpoint endpoint) {
        endpoint.breaker().tryAcquire();
        endpoint.breaker().onFailure();
    }

    /**
     * Opens {@code endpoint}'s breaker and lets its open time pass: the next attempt there is its
     * half-open probe, so the one verdict it gives shows in {@link #verdictHeardBy}.
     */
    void probing(Endpoint endpoint, Duration openFor) {
        open(endpoint);
        advance(openFor);
    }

    /**
     * What a half-open breaker's probe told it: a failure opens it, a success closes it, no verdict
     * gives the probe's permission back. Null while the probe is still out.
     */
    static BreakerVerdict verdictHeardBy(Endpoint endpoint) {
        CircuitBreaker breaker = endpoint.breaker();
        switch (breaker.phase()) {
            case OPEN:
                return BreakerVerdict.FAILURE;
            case CLOSED:
                return BreakerVerdict.SUCCESS;
            default:
                if (!breaker.tryAcquire()) {
                    return null;
                }
                breaker.onIgnored();
                return BreakerVerdict.NONE;
        }
    }

    /** A response held whole: a head with {@code status} and a body of one last chunk. */
    static HeldResponse heldBody(int status, String body) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        HeldResponse held = new HeldResponse(head, HeldResponse.Until.WHOLE_BODY);
        held.add(new DefaultLastHttpContent(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)));
        return held;
    }

    /** A {@code 200} event stream held up to its first event, {@code firstEvent}. */
    static HeldResponse heldStream(String firstEvent) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
        HeldResponse held = new HeldResponse(head, HeldResponse.Until.FIRST_EVENT);
        held.add(new DefaultHttpContent(Unpooled.copiedBuffer(firstEvent, StandardCharsets.UTF_8)));
        return held;
    }

    static Attempt attemptOf(Next next) {
        return assertInstanceOf(Next.Go.class, next).attempt();
    }

    @Override
    public void close() {
        assertFalse(eventLoop.finishAndReleaseAll());
    }

    /**
     * One request's attempt loop with its cold-start wait on the fixture's event loop; it counts
     * what the wait tells it, as the exchange would act on it.
     */
    final class Request implements ColdStartWait.Listener {

        final ColdStartWait coldStart = new ColdStartWait(eventLoop.eventLoop(), this);
        final ExchangeTimeouts timeouts;
        final AttemptLoop loop;
        int released;
        final List<Endpoint> holdsExpired = new ArrayList<>();

        private Request() {
            long total = route.timeouts().total().toNanos();
            timeouts = new ExchangeTimeouts(route.timeouts(), ticker.nanoTime(), total, total, total);
            timeouts.bodyReceived();
            this.loop = new AttemptLoop(route, coldStart, timeouts, ticker, null);
        }

        /** The loop's next attempt, which must be one. */
        Attempt go(boolean avoidLast) {
            return attemptOf(loop.start(avoidLast));
        }

        @Override
        public void releasedFromWarming() {
            released++;
        }

        @Override
        public void warmingHoldExpired(Endpoint endpoint) {
            holdsExpired.add(endpoint);
        }
    }
}
