package io.infergate.server;

import io.infergate.core.metrics.MeterNames;
import io.infergate.server.testing.PrometheusText;
import io.infergate.server.testing.TestGateway;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code gateway_*} meters a running gateway registers are the ones its documentation lists: the
 * meter table of {@code config/README.md} and {@link MeterNames}, which the shipped rules and
 * dashboard are checked against.
 */
class MeterTableIT {

    /** From the gateway-server module, where the build runs its tests. */
    private static final Path CONFIG_README = Path.of("..", "config", "README.md");
    /** A row of the meter table: {@code | `gateway_requests_total` | counter | ...}. */
    private static final Pattern TABLE_ROW = Pattern.compile("^\\| `(gateway_[a-z0-9_]+)` \\|", Pattern.MULTILINE);

    @Test
    void everyRegisteredGatewayMeterIsInTheTableAndInMeterNames() throws Exception {
        Set<String> table = documented();
        try (TestGateway gateway = TestGateway.start("""
                jobs: { enabled: true }
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    upstreams:
                      - name: primary
                        endpoints: [ "http://127.0.0.1:3000" ]
                      - name: fallback
                        endpoints: [ "http://127.0.0.1:3001" ]
                """)) {
            HttpResponse<String> scrape = gateway.admin("/metrics");
            assertEquals(200, scrape.statusCode());
            Set<String> registered = new TreeSet<>();
            for (String family : new PrometheusText(scrape.body()).families()) {
                if (family.startsWith("gateway_")) {
                    registered.add(family);
                }
            }
            assertTrue(registered.containsAll(Set.of(MeterNames.JOBS, MeterNames.JOBS_QUEUED, MeterNames.JOB_DURATION,
                    MeterNames.WEBHOOK_DELIVERIES)), "with jobs enabled, their meters are there too: " + registered);

            assertEquals(Set.of(), missing(registered, table),
                    "registered, but missing from the meter table in " + CONFIG_README);
            assertEquals(Set.of(), missing(registered, MeterNames.all()), "registered, but missing from MeterNames");
        }
    }

    @Test
    void theTableListsExactlyTheMetersOfMeterNames() throws IOException {
        assertEquals(new TreeSet<>(MeterNames.all()), documented());
    }

    private static Set<String> documented() throws IOException {
        assertTrue(Files.isRegularFile(CONFIG_README), "run from the gateway-server module: " + CONFIG_README.toAbsolutePath());
        Set<String> rows = new TreeSet<>();
        Matcher row = TABLE_ROW.matcher(Files.readString(CONFIG_README));
        while (row.find()) {
            assertTrue(rows.add(row.group(1)), row.group(1) + " has two rows");
        }
        return rows;
    }

    private static Set<String> missing(Set<String> names, Set<String> from) {
        Set<String> missing = new TreeSet<>(names);
        missing.removeAll(from);
        return missing;
    }
}
