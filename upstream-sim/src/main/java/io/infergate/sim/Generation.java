package io.infergate.sim;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One sequence from admission to its last token. It waits for a batch slot, spends the prefill time,
 * then emits tokens at the per-sequence rate the current batch size allows. Everything after
 * admission runs on the connection's event loop; the pauses are scheduled there, never slept.
 */
final class Generation implements BatchScheduler.Sequence {

    private final SimContext sim;
    private final Exchange exchange;
    private final GenerationRequest request;
    private final List<Token> tokens;
    private final Outcome outcome;
    private final FaultPlan faults;
    private final Delivery delivery;
    private long queuedAt;
    private long startedAt;
    private int sent;
    /** Out of the scheduler (finished, cancelled or refused). */
    private boolean left;

    Generation(SimContext sim, Exchange exchange, GenerationRequest request, FaultPlan faults, Delivery delivery) {
        this.sim = sim;
        this.exchange = exchange;
        this.request = request;
        this.tokens = sim.generator().generate(request.prompt(), request.seed(), request.maxNewTokens());
        this.outcome = Outcome.of(tokens, request.promptTokens());
        this.faults = faults;
        this.delivery = delivery;
    }

    void begin() {
        queuedAt = sim.ticker().nanoTime();
        sim.counters().inFlight.incrementAndGet();
        exchange.onEnd(this::leave);
        switch (sim.scheduler().admit(this)) {
            case RUNNING -> run();
            case QUEUED -> { }
            case REJECTED -> {
                leave();
                sim.counters().overloaded.increment();
                delivery.fail(HttpResponseStatus.TOO_MANY_REQUESTS, "Model is overloaded", "overloaded");
            }
        }
    }

    @Override
    public void admitted() {
        exchange.executor().execute(this::run);
    }

    @Override
    public int reservedTokens() {
        return request.promptTokens() + request.maxNewTokens();
    }

    private void run() {
        if (left) {
            return;
        }
        startedAt = sim.ticker().nanoTime();
        sim.counters().queueDuration.record((startedAt - queuedAt) / 1e9);
        long prefill = sim.config().prefillPerToken().toNanos() * request.promptTokens();
        if (prefill > 0) {
            exchange.executor().schedule(this::step, prefill, TimeUnit.NANOSECONDS);
        } else {
            step();
        }
    }

    private void step() {
        if (left) {
            return;
        }
        double rate = sim.config().tokensPerSecond();
        if (rate == 0) {
            // Fast mode: every token at once, one flush at the end.
            while (!left && sent < tokens.size()) {
                if (!emit(false)) {
                    return;
                }
            }
            return;
        }
        if (emit(true) && sent < tokens.size()) {
            long interval = (long) (1e9 / (rate * sim.scheduler().speed()));
            exchange.executor().schedule(this::step, interval, TimeUnit.NANOSECONDS);
        }
    }

    /** Sends the next token; false when the generation stopped (finished, or a fault ended it). */
    private boolean emit(boolean flush) {
        Token token = tokens.get(sent++);
        boolean last = sent == tokens.size();
        delivery.token(sent, token, last ? outcome : null, flush || last);
        if (sent == faults.invalidJsonEventAfterTokens()) {
            delivery.invalidJson();
        }
        if (sent == faults.resetAfterTokens()) {
            exchange.reset();
            return false;
        }
        if (sent == faults.stallAfterTokens()) {
            // The sequence keeps its slot until the client gives up.
            delivery.stall();
            return false;
        }
        if (last) {
            finish();
            return false;
        }
        return true;
    }

    private void finish() {
        long now = sim.ticker().nanoTime();
        Counters counters = sim.counters();
        counters.completed.increment();
        (outcome.eos() ? counters.finishedByEos : counters.finishedByLength).increment();
        counters.promptTokens.add(outcome.promptTokens());
        counters.generatedTokens.add(outcome.generatedTokens());
        Timing timing = new Timing(exchange.call().receivedNanos(), queuedAt, startedAt, now);
        counters.requestDuration.record(timing.totalSeconds());
        delivery.complete(outcome, timing, this::leave);
    }

    /** Leaves the scheduler: finished, refused, or the exchange ended early; idempotent. */
    private void leave() {
        if (!left) {
            left = true;
            sim.scheduler().release(this);
            sim.counters().inFlight.decrementAndGet();
        }
    }
}
