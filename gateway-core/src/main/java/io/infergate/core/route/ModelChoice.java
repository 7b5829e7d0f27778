package io.infergate.core.route;

import io.infergate.core.config.ModelPattern;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The routes a request's path may take when at least one of them matches by model, in the order
 * they are weighed: longest prefix first. The most specific wins: the longest prefix, then at that
 * prefix an exact name before a glob, a glob with more fixed characters before one with fewer, and
 * a route without {@code match.model} last (it takes any model); equals in the file's order.
 */
public final class ModelChoice implements RouteChoice {

    private final List<Route> candidates;

    /** @param candidates longest prefix first; a route without {@code match.model}, if any, is the last */
    ModelChoice(List<Route> candidates) {
        this.candidates = List.copyOf(candidates);
    }

    /** The route for a body naming {@code model}; null when none at this path takes it. */
    public Route forModel(String model) {
        Route best = null;
        int bestPrefix = -1;
        int bestSpecificity = -1;
        for (Route route : candidates) {
            int prefix = route.pathPrefix().length();
            if (prefix < bestPrefix) {
                break; // sorted: a shorter prefix never beats a match at a longer one
            }
            int specificity = route.specificityFor(model);
            if (specificity > bestSpecificity) {
                best = route;
                bestPrefix = prefix;
                bestSpecificity = specificity;
            }
        }
        return best;
    }

    /** The route for a body that names no model (or is not JSON): the one at this path that takes any; null when none. */
    public Route withoutModel() {
        Route last = candidates.get(candidates.size() - 1);
        return last.byModel() ? null : last;
    }

    /** The models served at this path on the routes {@code allowed} lets through, as configured (globs as written). */
    public List<String> served(Predicate<Route> allowed) {
        Set<String> names = new LinkedHashSet<>();
        for (Route route : candidates) {
            if (allowed.test(route)) {
                route.models().stream().map(ModelPattern::text).forEach(names::add);
            }
        }
        return new ArrayList<>(names);
    }
}
