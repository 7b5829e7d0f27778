package io.infergate.core.config;

import java.util.List;

/** The whole gateway configuration: one server, the route defaults, and the routes. */
public record GatewayConfig(ServerConfig server, RouteDefaults defaults, List<RouteConfig> routes) {

    public GatewayConfig {
        routes = List.copyOf(routes);
    }
}
