package io.infergate.core.upstream;

import io.infergate.core.config.ColdStartConfig;
import io.infergate.core.config.UpstreamAuth;
import io.infergate.core.config.UpstreamConfig;
import io.infergate.core.recovery.ContinuationStyle;
import io.infergate.core.resilience.RetryBudget;

import java.util.List;

/** A named group of endpoints serving one model, as a route tries it. */
public final class Upstream {

    private final String name;
    private final List<Endpoint> endpoints;
    private final UpstreamAuth auth;
    private final String rewriteModel;
    private final ContinuationStyle continuation;
    /** Learnt from a refusal: prefill is not tried again here, for any request. */
    private volatile boolean refusesPrefill;
    private final ColdStartConfig coldStart;
    private final RetryBudget retryBudget;

    public Upstream(UpstreamConfig config, List<Endpoint> endpoints, RetryBudget retryBudget) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: empty (expected: at least one)");
        }
        this.name = config.name();
        this.endpoints = List.copyOf(endpoints);
        this.auth = config.auth();
        this.rewriteModel = config.rewriteModel();
        this.coldStart = config.coldStart();
        this.continuation = config.continuation();
        this.retryBudget = retryBudget;
    }

    /** Retries to this upstream stay inside it, whatever the clients do. */
    public RetryBudget retryBudget() {
        return retryBudget;
    }

    public String name() {
        return name;
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    public UpstreamAuth auth() {
        return auth;
    }

    /** The model name a request's JSON body carries when it goes here; null: the body goes as it is. */
    public String rewriteModel() {
        return rewriteModel;
    }

    /** How an answer another endpoint began is continued here: prefill, unless it was seen to refuse it. */
    public ContinuationStyle continuation() {
        return continuation == ContinuationStyle.PREFILL && refusesPrefill ? ContinuationStyle.REGENERATE : continuation;
    }

    /** The upstream refused a prefill continuation: from now on it regenerates. */
    public void refusedPrefill() {
        refusesPrefill = true;
    }

    /** Takes over what {@code before}, the same route's upstream of this name before a reload, learnt. */
    public void learntBy(Upstream before) {
        if (before.refusesPrefill) {
            refusesPrefill = true;
        }
    }

    public ColdStartConfig coldStart() {
        return coldStart;
    }
}
