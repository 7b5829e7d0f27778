package io.infergate.core.route;

import io.infergate.core.config.ModelPattern;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The models a config's routes serve by name, for {@code GET /v1/models}: each exact name in
 * {@code match.model}, in the file's order, with the routes that take it. A glob names no model, so
 * it lists none.
 */
public final class ModelCatalog {

    /** One model as listed, with the route that owns it (the first to name it). */
    public record Served(String id, String ownedBy) {}

    /** A route that matches by model, by its name and prefix. */
    private record Claim(String routeName, String pathPrefix) {

        boolean under(String base) {
            return pathPrefix.startsWith(base) || base.startsWith(pathPrefix);
        }
    }

    private final Map<String, List<Claim>> claims = new LinkedHashMap<>();
    private final List<Claim> byModel = new ArrayList<>();
    /** When this config's catalog was made, in epoch seconds: the {@code created} of every model listed. */
    private final long created = java.time.Instant.now().getEpochSecond();

    /** @param routes in the file's order */
    ModelCatalog(List<Route> routes) {
        for (Route route : routes) {
            if (route.byModel()) {
                byModel.add(new Claim(route.name(), route.pathPrefix()));
            }
            for (ModelPattern pattern : route.models()) {
                if (!pattern.isGlob()) {
                    claims.computeIfAbsent(pattern.text(), id -> new ArrayList<>())
                            .add(new Claim(route.name(), route.pathPrefix()));
                }
            }
        }
    }

    public long created() {
        return created;
    }

    /** Whether any route matches by model. */
    public boolean any() {
        return !byModel.isEmpty();
    }

    /**
     * Whether a route that matches by model serves under {@code base}: only then does the gateway
     * answer {@code base + "models"} itself.
     */
    public boolean answersUnder(String base) {
        return byModel.stream().anyMatch(claim -> claim.under(base));
    }

    /**
     * The models served under {@code base} (the path a client puts {@code models} after, such as
     * {@code /v1/}) by routes that {@code allowed} lets through: a route serves under {@code base}
     * when its prefix is within it or holds it.
     */
    public List<Served> servedUnder(String base, Predicate<String> allowed) {
        List<Served> served = new ArrayList<>();
        claims.forEach((id, byRoutes) -> byRoutes.stream()
                .filter(claim -> claim.under(base) && allowed.test(claim.routeName()))
                .findFirst()
                .ifPresent(claim -> served.add(new Served(id, claim.routeName()))));
        return served;
    }
}
