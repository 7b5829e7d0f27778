package io.infergate.core.config;

import java.util.List;

/**
 * What a request must look like to take a route: a path prefix (longest wins) and, optionally, the
 * models its JSON body may name in {@code model}, each an exact name or a glob with {@code *}.
 *
 * @param models empty when the route takes any model (and any body)
 */
public record RouteMatch(String pathPrefix, List<ModelPattern> models) {

    public RouteMatch {
        models = List.copyOf(models);
    }

    /** A match by path prefix alone. */
    public RouteMatch(String pathPrefix) {
        this(pathPrefix, List.of());
    }

    /** Whether the route is chosen by the model a request's body names. */
    public boolean byModel() {
        return !models.isEmpty();
    }
}
