package io.infergate.core.route;

/**
 * What a request's path says of its route: a {@link Route}, settled before the body is read, or a
 * {@link ModelChoice}, settled by the {@code model} its body names once the body is in. A path that
 * no route matching by model serves is always settled by its path alone, and never has its body read
 * for this.
 */
public sealed interface RouteChoice permits Route, ModelChoice {}
