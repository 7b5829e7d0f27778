package io.infergate.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.concurrent.TimeUnit;

/**
 * What stands in front of the routes while the replica loads, per {@link ColdStartMode}. In
 * {@code REFUSE} mode the closed port does the work (see {@link RefuseModeDriver}) and this lets
 * everything through.
 */
final class ColdStartGate {

    static final String SCALE_UP_TIMEOUT = "x-scale-up-timeout";
    static final String WAIT_FOR_MODEL = "x-wait-for-model";

    private final SimContext sim;
    private final ColdStartMode mode;

    ColdStartGate(SimContext sim) {
        this.sim = sim;
        this.mode = sim.config().coldStartMode();
    }

    /**
     * Runs {@code proceed} now, later (a held request), or answers 503.
     *
     * @param wakes whether this route's traffic scales a sleeping replica up (generation, info, models)
     */
    void admit(Exchange exchange, boolean wakes, Runnable proceed) {
        if (mode == ColdStartMode.REFUSE) {
            proceed.run();
            return;
        }
        ColdStart coldStart = sim.coldStart();
        ColdStart.Phase phase = wakes ? coldStart.wake() : coldStart.phase();
        if (phase == ColdStart.Phase.READY) {
            proceed.run();
            return;
        }
        long holdNanos = wakes ? holdNanos(exchange.call()) : 0;
        if (holdNanos > 0) {
            hold(exchange, sim.ticker().nanoTime() + holdNanos, proceed);
        } else {
            reject(exchange);
        }
    }

    /** How long the client asked to be held: HF's {@code X-Scale-Up-Timeout} or the serverless {@code x-wait-for-model}. */
    private long holdNanos(Call call) {
        if (mode == ColdStartMode.HF_PROXY) {
            String timeout = call.header(SCALE_UP_TIMEOUT);
            try {
                return timeout == null ? 0 : (long) (Double.parseDouble(timeout.trim()) * 1e9);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return "true".equalsIgnoreCase(call.header(WAIT_FOR_MODEL)) ? Long.MAX_VALUE / 4 : 0;
    }

    private void hold(Exchange exchange, long deadline, Runnable proceed) {
        if (exchange.ended()) {
            return;
        }
        long now = sim.ticker().nanoTime();
        if (sim.coldStart().phase() == ColdStart.Phase.READY) {
            proceed.run();
        } else if (now - deadline >= 0) {
            reject(exchange);
        } else {
            long wait = Math.min(Math.max(sim.coldStart().nanosUntilReady(), 1), deadline - now);
            exchange.executor().schedule(() -> hold(exchange, deadline, proceed), wait, TimeUnit.NANOSECONDS);
        }
    }

    private void reject(Exchange exchange) {
        sim.counters().refusedWhileLoading.increment();
        if (mode == ColdStartMode.SERVERLESS) {
            ObjectNode body = Json.object();
            body.put("error", "Model " + sim.config().modelId() + " is currently loading");
            body.put("estimated_time", Math.round(sim.coldStart().nanosUntilReady() / 1e6) / 1000.0);
            exchange.respondJson(HttpResponseStatus.SERVICE_UNAVAILABLE, Json.write(body));
        } else {
            // The HF proxy's 503 body is not documented; this small JSON body is the simulator's choice.
            exchange.respondJson(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    Json.error("Endpoint is initializing, retry later or send X-Scale-Up-Timeout", "unavailable"));
        }
    }
}
