package io.infergate.core.config;

import java.util.List;

/** A named group of endpoints that serve the same model, with their credentials and TLS settings. */
public record UpstreamConfig(String name, List<EndpointUrl> endpoints, UpstreamAuth auth, TlsConfig tls) {

    public UpstreamConfig {
        endpoints = List.copyOf(endpoints);
    }
}
