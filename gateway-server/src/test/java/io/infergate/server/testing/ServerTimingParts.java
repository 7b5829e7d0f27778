package io.infergate.server.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** A {@code Server-Timing} header read into its parts, in milliseconds. */
public final class ServerTimingParts {

    private ServerTimingParts() {}

    public static Map<String, Double> of(String header) {
        Map<String, Double> parts = new LinkedHashMap<>();
        for (String entry : header.split(",")) {
            String[] nameAndDuration = entry.trim().split(";dur=");
            parts.put(nameAndDuration[0], Double.parseDouble(nameAndDuration[1]));
        }
        return parts;
    }

    /** How far the parts fall short of the total: the gateway's own time, and rounding. */
    public static double unexplainedMillis(String header) {
        Map<String, Double> parts = of(header);
        double sum = parts.entrySet().stream().filter(e -> !e.getKey().equals("total")).mapToDouble(Map.Entry::getValue).sum();
        return parts.get("total") - sum;
    }
}
