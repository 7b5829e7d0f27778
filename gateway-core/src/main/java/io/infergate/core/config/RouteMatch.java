package io.infergate.core.config;

/** What a request must look like to take a route: for now, a path prefix (longest wins). */
public record RouteMatch(String pathPrefix) {}
