package io.infergate.core.config;

import io.infergate.core.recovery.ContinuationStyle;

import java.util.List;

/**
 * A named group of endpoints that serve the same model, with their credentials and TLS settings.
 *
 * @param rewriteModel the model name to put in a JSON body's {@code model} field when a request goes here; null: none
 * @param coldStart    how the endpoints' cold starts are absorbed
 * @param continuation how the upstream continues an answer another endpoint began
 */
public record UpstreamConfig(String name, List<EndpointUrl> endpoints, UpstreamAuth auth, TlsConfig tls,
                             String rewriteModel, ColdStartConfig coldStart, ContinuationStyle continuation) {

    public UpstreamConfig {
        endpoints = List.copyOf(endpoints);
    }

    public UpstreamConfig(String name, List<EndpointUrl> endpoints, UpstreamAuth auth, TlsConfig tls) {
        this(name, endpoints, auth, tls, null, ColdStartConfig.DEFAULTS, ContinuationStyle.PREFILL);
    }
}
