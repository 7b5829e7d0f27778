package io.infergate.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What a reload changes, for its log line and its answer: the routes, upstreams (named
 * {@code route/upstream}), endpoints and tenants that were added, removed or changed.
 */
public record ConfigChanges(Diff routes, Diff upstreams, Diff endpoints, Diff tenants, boolean other) {

    /** Names added, removed and changed, each in the order the files give them. */
    public record Diff(List<String> added, List<String> removed, List<String> changed) {

        public Diff {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            changed = List.copyOf(changed);
        }

        public boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
        }

        /** Between two maps of name to value: a name in both with unequal values is changed. */
        static <V> Diff of(Map<String, V> before, Map<String, V> after) {
            List<String> added = new ArrayList<>();
            List<String> changed = new ArrayList<>();
            after.forEach((name, value) -> {
                if (!before.containsKey(name)) {
                    added.add(name);
                } else if (!Objects.equals(before.get(name), value)) {
                    changed.add(name);
                }
            });
            List<String> removed = before.keySet().stream().filter(name -> !after.containsKey(name)).toList();
            return new Diff(added, removed, changed);
        }

        private void describe(String what, List<String> parts) {
            if (!added.isEmpty()) {
                parts.add(what + " added " + String.join(", ", added));
            }
            if (!removed.isEmpty()) {
                parts.add(what + " removed " + String.join(", ", removed));
            }
            if (!changed.isEmpty()) {
                parts.add(what + " changed " + String.join(", ", changed));
            }
        }
    }

    public static ConfigChanges between(GatewayConfig before, GatewayConfig after) {
        return new ConfigChanges(
                Diff.of(byName(before.routes(), RouteConfig::name), byName(after.routes(), RouteConfig::name)),
                Diff.of(upstreams(before), upstreams(after)),
                Diff.of(endpoints(before), endpoints(after)),
                Diff.of(byName(before.tenants(), TenantConfig::name), byName(after.tenants(), TenantConfig::name)),
                !before.defaults().equals(after.defaults()) || !before.tiers().equals(after.tiers())
                        || !before.auth().equals(after.auth()));
    }

    public boolean isEmpty() {
        return routes.isEmpty() && upstreams.isEmpty() && endpoints.isEmpty() && tenants.isEmpty() && !other;
    }

    /** One line: {@code routes added chat; endpoints removed http://a:80; tenants changed acme}. */
    public String summary() {
        List<String> parts = new ArrayList<>();
        routes.describe("routes", parts);
        upstreams.describe("upstreams", parts);
        endpoints.describe("endpoints", parts);
        tenants.describe("tenants", parts);
        if (other) {
            parts.add("defaults, tiers or auth changed");
        }
        return parts.isEmpty() ? "nothing that changes how requests are served" : String.join("; ", parts);
    }

    private static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
        Map<String, T> map = new LinkedHashMap<>();
        items.forEach(item -> map.put(name.apply(item), item));
        return map;
    }

    private static Map<String, UpstreamConfig> upstreams(GatewayConfig config) {
        Map<String, UpstreamConfig> map = new LinkedHashMap<>();
        for (RouteConfig route : config.routes()) {
            route.upstreams().forEach(upstream -> map.put(route.name() + "/" + upstream.name(), upstream));
        }
        return map;
    }

    /** Every endpoint URL, by its text; one reached with other TLS settings counts as changed. */
    private static Map<String, Set<TlsConfig>> endpoints(GatewayConfig config) {
        Map<String, Set<TlsConfig>> map = new LinkedHashMap<>();
        for (RouteConfig route : config.routes()) {
            for (UpstreamConfig upstream : route.upstreams()) {
                upstream.endpoints().forEach(url -> map.computeIfAbsent(url.toString(), u -> new LinkedHashSet<>())
                        .add(upstream.tls()));
            }
        }
        return map;
    }
}
