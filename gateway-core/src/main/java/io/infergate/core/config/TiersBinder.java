package io.infergate.core.config;

import io.infergate.core.admission.Tier;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Binds {@code tiers:}, a map from tier name to its settings. A built-in tier ({@code premium},
 * {@code standard}, {@code free}) is overridden key by key; another name adds a tier, which needs a
 * {@code priority}. Two tiers may not share a priority: the queue serves tiers in priority order and
 * sheds the lowest first, which a tie would leave undecided.
 */
final class TiersBinder {

    static final List<String> KEYS = List.of("priority", "shedAtGpuUtilization", "shedAtQueueDepth");

    private TiersBinder() {}

    /** Every tier, highest priority first. */
    static List<Tier> bind(ConfigNode tiers) {
        if (tiers.isAbsent() || !tiers.checkAnyMap()) {
            return Tier.DEFAULTS;
        }
        Map<String, Tier> byName = new LinkedHashMap<>();
        Tier.DEFAULTS.forEach(tier -> byName.put(tier.name(), tier));
        Map<String, ConfigNode> configured = new LinkedHashMap<>();
        for (String name : tiers.keys()) {
            ConfigNode node = tiers.get(name);
            if (!node.checkName(name) || !node.checkMap(KEYS)) {
                continue;
            }
            Tier tier = bind(name, node, byName.get(name));
            if (tier != null) {
                byName.put(name, tier);
                configured.put(name, node);
            }
        }
        reportSharedPriorities(byName, configured);
        List<Tier> all = new ArrayList<>(byName.values());
        all.sort(Comparator.comparingInt(Tier::priority).reversed());
        return List.copyOf(all);
    }

    private static Tier bind(String name, ConfigNode tier, Tier base) {
        ConfigNode priorityNode = tier.get("priority");
        if (base == null && priorityNode.isAbsent()) {
            priorityNode.report("required (a tier that is not built in needs its place among the others)");
            return null;
        }
        int priority = priorityNode.integer(base == null ? 0 : base.priority(), 0, 1000);
        ConfigNode gpuNode = tier.get("shedAtGpuUtilization");
        OptionalDouble gpu = gpuNode.isAbsent()
                ? base == null ? OptionalDouble.empty() : base.shedAtGpuUtilization()
                : OptionalDouble.of(gpuNode.fraction(1));
        ConfigNode depthNode = tier.get("shedAtQueueDepth");
        OptionalInt depth = depthNode.isAbsent()
                ? base == null ? OptionalInt.empty() : base.shedAtQueueDepth()
                : OptionalInt.of(depthNode.integer(1, 1, 1_000_000));
        if (priorityNode.hasProblem() || gpuNode.hasProblem() || depthNode.hasProblem()) {
            return null;
        }
        return new Tier(name, priority, gpu, depth);
    }

    /** Reports each tier from the file whose priority an earlier tier (built in or from the file) already has. */
    private static void reportSharedPriorities(Map<String, Tier> byName, Map<String, ConfigNode> configured) {
        Map<Integer, String> owners = new HashMap<>();
        for (Tier tier : byName.values()) {
            if (!configured.containsKey(tier.name())) {
                owners.put(tier.priority(), tier.name());
            }
        }
        for (Map.Entry<String, ConfigNode> entry : configured.entrySet()) {
            int priority = byName.get(entry.getKey()).priority();
            String other = owners.putIfAbsent(priority, entry.getKey());
            if (other != null) {
                entry.getValue().get("priority").report(priority + " is also the priority of tier " + other
                        + " (each tier needs its own: the queue serves tiers in priority order)");
            }
        }
    }
}
