package io.infergate.core.config;

import io.infergate.core.admission.AdmissionSettings;
import io.infergate.core.recovery.RecoveryScope;
import io.infergate.core.resilience.BreakerSettings;
import io.infergate.core.resilience.RetryPolicy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds {@code routes:}, each route with its upstreams, and the checks that span routes: unique
 * names, unique path prefixes among the routes that match by path alone (two routes on one prefix
 * would leave one unreachable), and no model claimed twice at one path prefix.
 */
final class RouteBinder {

    static final List<String> KEYS =
            List.of("name", "match", "stripPrefix", "timeouts", "heartbeat", "retry", "breaker", "admission", "load",
                    "reserveTokens", "fallbackOn", "recovery", "upstreams");
    static final List<String> RECOVERY_KEYS = List.of("midStream");
    static final List<String> MATCH_KEYS = List.of("pathPrefix", "model");
    /** More than any model's context: a reservation is a guess the response corrects. */
    static final int MAX_RESERVE_TOKENS = 10_000_000;

    private final RouteDefaults defaults;
    private final UpstreamBinder upstreamBinder;
    private final DuplicateCheck routeNames = new DuplicateCheck("route name");
    private final DuplicateCheck pathPrefixes = new DuplicateCheck("path prefix");
    private final Set<String> names = new LinkedHashSet<>();
    /** Per path prefix, the models claimed there: one claim each. */
    private final Map<String, DuplicateCheck> modelsByPrefix = new HashMap<>();

    RouteBinder(RouteDefaults defaults, UpstreamBinder upstreamBinder) {
        this.defaults = defaults;
        this.upstreamBinder = upstreamBinder;
    }

    /**
     * Every route name read, also of routes that did not bind, so that what refers to a route by
     * name is not reported as well for a problem inside it.
     */
    Set<String> names() {
        return names;
    }

    /** The routes that bound completely; when one did not, a problem says why and the result is not used. */
    List<RouteConfig> bindAll(ConfigNode routes) {
        List<RouteConfig> bound = new ArrayList<>();
        for (ConfigNode route : routes.requiredItems()) {
            RouteConfig config = bind(route);
            if (config != null) {
                bound.add(config);
            }
        }
        return bound;
    }

    private RouteConfig bind(ConfigNode route) {
        if (!route.checkMap(KEYS)) {
            return null;
        }
        ConfigNode nameNode = route.get("name");
        String name = nameNode.requiredName();
        routeNames.check(nameNode, name, route.path());
        if (name != null) {
            names.add(name);
        }
        RouteMatch match = match(route.get("match"), route.path());
        boolean stripPrefix = route.get("stripPrefix").bool(false);
        Timeouts timeouts = TimeoutsBinder.bind(route.get("timeouts"), defaults.timeouts());
        HeartbeatConfig heartbeat = HeartbeatBinder.bind(route.get("heartbeat"), defaults.heartbeat());
        RetryPolicy retry = RetryBinder.bind(route.get("retry"), defaults.retry());
        BreakerSettings breaker = BreakerBinder.bind(route.get("breaker"), defaults.breaker());
        AdmissionSettings admission = AdmissionBinder.bind(route.get("admission"), defaults.admission());
        LoadConfig load = LoadBinder.bind(route.get("load"), defaults.load());
        int reserveTokens = route.get("reserveTokens").integer(defaults.reserveTokens(), 0, MAX_RESERVE_TOKENS);
        Set<String> fallbackOn = errorCodes(route.get("fallbackOn"));
        RecoveryScope recovery = recovery(route.get("recovery"));
        List<UpstreamConfig> upstreams = upstreams(route.get("upstreams"));
        if (name == null || match == null || upstreams.isEmpty()) {
            return null;
        }
        return new RouteConfig(name, match, stripPrefix, timeouts, heartbeat, retry, breaker, admission, load,
                reserveTokens, fallbackOn, recovery, upstreams);
    }

    private static RecoveryScope recovery(ConfigNode recovery) {
        if (recovery.isAbsent() || !recovery.checkMap(RECOVERY_KEYS)) {
            return RecoveryScope.ENDPOINT;
        }
        return recovery.get("midStream").choice(RecoveryScope.ENDPOINT, RecoveryScope.values());
    }

    private RouteMatch match(ConfigNode match, String routePath) {
        if (match.isAbsent()) {
            match.report("required");
            return null;
        }
        if (!match.checkMap(MATCH_KEYS)) {
            return null;
        }
        ConfigNode modelNode = match.get("model");
        ConfigNode prefixNode = match.get("pathPrefix");
        // A route that matches by model alone takes that model at every path.
        String prefix = modelNode.isAbsent() || !prefixNode.isAbsent() ? prefixNode.requiredString() : "/";
        if (prefix == null) {
            return null;
        }
        if (!prefix.startsWith("/")) {
            prefixNode.report('"' + prefix + "\" must start with /");
        }
        if (modelNode.isAbsent()) {
            pathPrefixes.check(prefixNode, prefix, routePath);
            return new RouteMatch(prefix);
        }
        List<ModelPattern> models = models(modelNode, modelsByPrefix.computeIfAbsent(prefix, p -> new DuplicateCheck("model")));
        return models.isEmpty() ? null : new RouteMatch(prefix, models);
    }

    /** {@code match.model}: one name or a list, each a {@link ModelPattern}; unique at the route's prefix. */
    private static List<ModelPattern> models(ConfigNode model, DuplicateCheck claimed) {
        List<ConfigNode> items = model.isList() ? model.requiredItems() : List.of(model);
        List<ModelPattern> models = new ArrayList<>();
        for (ConfigNode item : items) {
            String text = item.requiredString();
            String problem = text == null ? null : ModelPattern.problem(text);
            if (problem != null) {
                item.report(problem);
            } else if (text != null) {
                claimed.check(item, text, item.path());
                models.add(new ModelPattern(text));
            }
        }
        return models;
    }

    private static Set<String> errorCodes(ConfigNode fallbackOn) {
        Set<String> codes = new LinkedHashSet<>();
        if (!fallbackOn.isAbsent()) {
            for (ConfigNode code : fallbackOn.requiredItems()) {
                String text = code.requiredString();
                if (text != null) {
                    codes.add(text);
                }
            }
        }
        return codes;
    }

    /** In order: the first is the primary, the rest are fallbacks. */
    private List<UpstreamConfig> upstreams(ConfigNode upstreams) {
        DuplicateCheck upstreamNames = new DuplicateCheck("upstream name");
        List<UpstreamConfig> bound = new ArrayList<>();
        for (ConfigNode upstream : upstreams.requiredItems()) {
            UpstreamConfig config = upstreamBinder.bind(upstream, upstreamNames);
            if (config != null) {
                bound.add(config);
            }
        }
        return bound;
    }
}
