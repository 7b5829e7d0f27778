package io.infergate.core.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The alert rules and the Grafana dashboard shipped in {@code config/} are well-formed and name only
 * the meters of {@link MeterNames}, with only the agreed labels. PromQL itself is parsed by promtool
 * ({@code e2e/promtool.sh}), which also runs the rules' unit tests.
 */
class ShippedMonitoringTest {

    private static final Path CONFIG = Path.of("..", "config");
    private static final Path ALERTS = CONFIG.resolve("prometheus/alerts.yml");
    private static final Path ALERT_TESTS = CONFIG.resolve("prometheus/alerts-test.yml");
    private static final Path DASHBOARD = CONFIG.resolve("grafana/infergate.json");

    private static final Pattern METRIC = Pattern.compile("gateway_[a-z_]+");
    private static final Pattern SERIES_SUFFIX = Pattern.compile("_(bucket|sum|count)$");
    /** Recording rules' names, level:metric:operations. */
    private static final Pattern RECORDED = Pattern.compile("[a-z_]+:[a-z0-9_]+:[a-z0-9_]+");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern DURATION = Pattern.compile("([0-9]+(ms|s|m|h|d|w|y))+");

    /** The meters' labels, plus the ones histograms and three gauges add. */
    private static final Set<String> LABELS = Set.of(
            "route", "upstream", "endpoint", "tier", "cause", "status", "outcome",
            "le", "signal", "kind", "sha256");
    private static final Set<String> PANEL_TYPES = Set.of("row", "timeseries", "stat", "state-timeline");
    private static final Set<String> GRAFANA_VARIABLES = Set.of("__rate_interval", "__interval", "__range");
    private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void meterNamesListsEveryConstantInPrometheusForm() throws IllegalAccessException {
        Set<String> constants = new HashSet<>();
        for (Field field : MeterNames.class.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (field.getType() == String.class && Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers)) {
                assertTrue(Modifier.isFinal(modifiers), field.getName());
                constants.add((String) field.get(null));
            }
        }
        assertEquals(constants, MeterNames.all());
        for (String name : MeterNames.all()) {
            assertTrue(METRIC.matcher(name).matches(), name);
            assertFalse(SERIES_SUFFIX.matcher(name).find(), name + " ends like a histogram's series");
            assertFalse(name.endsWith("_") || name.contains("__"), name);
        }
    }

    @Test
    void dashboardHasTheCurrentSchema() throws IOException {
        JsonNode dashboard = dashboard();
        assertFalse(text(dashboard, "title").isBlank(), "title");
        String uid = text(dashboard, "uid");
        assertTrue(uid.matches("[A-Za-z0-9_-]{1,40}"), "uid: " + uid);
        assertTrue(dashboard.path("schemaVersion").asInt() >= 39, "schemaVersion " + dashboard.path("schemaVersion"));
        assertTrue(dashboard.path("id").isNull() || dashboard.path("id").isMissingNode(), "an imported dashboard has no id");

        List<JsonNode> panels = panels(dashboard);
        assertTrue(panels.size() > 10, "panels: " + panels.size());
        Set<Integer> ids = new HashSet<>();
        List<int[]> areas = new ArrayList<>();
        for (JsonNode panel : panels) {
            String title = text(panel, "title");
            assertTrue(panel.path("id").isInt(), title + ": id");
            assertTrue(ids.add(panel.path("id").asInt()), title + ": duplicate id " + panel.path("id"));
            assertTrue(PANEL_TYPES.contains(text(panel, "type")), title + ": type " + panel.path("type"));

            JsonNode grid = panel.path("gridPos");
            for (String key : List.of("x", "y", "w", "h")) {
                assertTrue(grid.path(key).isInt(), title + ": gridPos." + key);
            }
            int x = grid.get("x").asInt(), y = grid.get("y").asInt(), w = grid.get("w").asInt(), h = grid.get("h").asInt();
            assertTrue(x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= 24, title + ": gridPos " + grid);
            for (int[] other : areas) {
                boolean apart = x + w <= other[0] || other[0] + other[2] <= x || y + h <= other[1] || other[1] + other[3] <= y;
                assertTrue(apart, title + " overlaps another panel at " + grid);
            }
            areas.add(new int[] {x, y, w, h});

            if (text(panel, "type").equals("row")) {
                assertFalse(panel.has("targets"), title);
                continue;
            }
            assertDatasourceVariable(panel.path("datasource"), title);
            JsonNode targets = panel.path("targets");
            assertTrue(targets.isArray() && !targets.isEmpty(), title + ": targets");
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : targets) {
                assertFalse(text(target, "expr").isBlank(), title + ": a target without expr");
                assertTrue(refIds.add(text(target, "refId")), title + ": refId " + target.path("refId"));
                assertDatasourceVariable(target.path("datasource"), title);
            }
        }
    }

    @Test
    void dashboardVariablesAreTheDatasourceAndTheRoute() throws IOException {
        JsonNode dashboard = dashboard();
        Map<String, JsonNode> variables = new HashMap<>();
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            variables.put(text(variable, "name"), variable);
        }
        JsonNode datasource = variables.get("datasource");
        assertNotNull(datasource, "datasource variable");
        assertEquals("datasource", text(datasource, "type"));
        assertEquals("prometheus", text(datasource, "query"));
        JsonNode route = variables.get("route");
        assertNotNull(route, "route variable");
        assertEquals("query", text(route, "type"));
        assertDatasourceVariable(route.path("datasource"), "route variable");
        assertTrue(text(route, "definition").contains("route"), "route variable: " + route.path("definition"));

        for (String expr : dashboardExprs(dashboard)) {
            Matcher used = VARIABLE.matcher(expr);
            while (used.find()) {
                String name = used.group(1);
                assertTrue(variables.containsKey(name) || GRAFANA_VARIABLES.contains(name), "$" + name + " in " + expr);
            }
        }
    }

    @Test
    void everyRuleIsCompleteAndEveryRecordingUsedIsDefined() throws IOException {
        JsonNode groups = YAML.readTree(ALERTS.toFile()).path("groups");
        assertTrue(groups.isArray() && !groups.isEmpty(), "groups");
        Set<String> alerts = new HashSet<>();
        Set<String> recorded = new HashSet<>();
        List<String> alertExprs = new ArrayList<>();
        for (JsonNode group : groups) {
            assertFalse(text(group, "name").isBlank(), "group name");
            for (JsonNode rule : group.path("rules")) {
                assertFalse(text(rule, "expr").isBlank(), "expr of " + rule);
                if (rule.has("record")) {
                    assertFalse(rule.has("alert"), rule.toString());
                    assertTrue(RECORDED.matcher(text(rule, "record")).matches(), "record: " + rule.path("record"));
                    recorded.add(text(rule, "record"));
                    continue;
                }
                String name = text(rule, "alert");
                assertFalse(name.isBlank(), "a rule that neither records nor alerts: " + rule);
                assertTrue(alerts.add(name), "duplicate alert " + name);
                assertTrue(DURATION.matcher(text(rule, "for")).matches(), name + ": for " + rule.path("for"));
                assertTrue(SEVERITIES.contains(text(rule.path("labels"), "severity")), name + ": labels.severity");
                assertFalse(text(rule.path("annotations"), "summary").isBlank(), name + ": annotations.summary");
                assertFalse(text(rule.path("annotations"), "description").isBlank(), name + ": annotations.description");
                alertExprs.add(text(rule, "expr"));
            }
        }
        assertTrue(alerts.size() >= 6, "alerts: " + alerts);
        for (String expr : alertExprs) {
            Matcher used = RECORDED.matcher(expr);
            while (used.find()) {
                assertTrue(recorded.contains(used.group()), used.group() + " is not recorded in " + ALERTS);
            }
        }
    }

    @Test
    void everyAlertHasATestWhereItFiresAndOneWhereItDoesNot() throws IOException {
        JsonNode tests = YAML.readTree(ALERT_TESTS.toFile());
        List<String> ruleFiles = new ArrayList<>();
        tests.path("rule_files").forEach(file -> ruleFiles.add(file.asText()));
        assertEquals(List.of("alerts.yml"), ruleFiles);

        Set<String> fires = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (JsonNode group : tests.path("tests")) {
            for (JsonNode check : group.path("alert_rule_test")) {
                JsonNode expected = check.path("exp_alerts");
                (expected.isArray() && !expected.isEmpty() ? fires : quiet).add(text(check, "alertname"));
            }
        }
        Set<String> alerts = new TreeSet<>();
        for (JsonNode group : YAML.readTree(ALERTS.toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) {
                    alerts.add(text(rule, "alert"));
                }
            }
        }
        assertEquals(alerts, fires, "alerts with a test where they fire");
        assertEquals(alerts, quiet, "alerts with a test where they do not fire");
    }

    @Test
    void queriesNameOnlyContractMetersAndLabels() throws IOException {
        List<String> exprs = new ArrayList<>(dashboardExprs(dashboard()));
        for (JsonNode group : YAML.readTree(ALERTS.toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                exprs.add(text(rule, "expr"));
            }
        }
        Set<String> used = new TreeSet<>();
        for (String expr : exprs) {
            Matcher metric = METRIC.matcher(expr);
            while (metric.find()) {
                String name = SERIES_SUFFIX.matcher(metric.group()).replaceFirst("");
                assertTrue(MeterNames.all().contains(name), name + " is not in MeterNames, in: " + expr);
                used.add(name);
            }
            for (String label : labels(expr)) {
                assertTrue(LABELS.contains(label), "label " + label + " in: " + expr);
            }
        }
        assertTrue(used.size() > 10, "meters found: " + used);
    }

    @Test
    void dashboardShowsEveryMeter() throws IOException {
        Set<String> used = new TreeSet<>();
        for (String expr : dashboardExprs(dashboard())) {
            Matcher metric = METRIC.matcher(expr);
            while (metric.find()) {
                used.add(SERIES_SUFFIX.matcher(metric.group()).replaceFirst(""));
            }
        }
        assertEquals(new TreeSet<>(MeterNames.all()), used);
    }

    private static Set<String> labels(String expr) {
        Set<String> labels = new HashSet<>();
        Matcher matcher = MATCHER.matcher(expr);
        while (matcher.find()) {
            labels.add(matcher.group(1));
        }
        Matcher grouping = GROUPING.matcher(expr);
        while (grouping.find()) {
            for (String label : grouping.group(1).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.strip());
                }
            }
        }
        return labels;
    }

    private static JsonNode dashboard() throws IOException {
        assertTrue(Files.isRegularFile(DASHBOARD), "run from the gateway-core module: " + DASHBOARD.toAbsolutePath());
        return JSON.readTree(DASHBOARD.toFile());
    }

    /** Top-level panels and those inside rows. */
    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        }
        return panels;
    }

    /** Every target's expr, and the query variables' queries. */
    private static List<String> dashboardExprs(JsonNode dashboard) {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            panel.path("targets").forEach(target -> exprs.add(text(target, "expr")));
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (text(variable, "type").equals("query")) {
                exprs.add(text(variable, "definition"));
                exprs.add(text(variable.path("query"), "query"));
            }
        }
        return exprs;
    }

    private static void assertDatasourceVariable(JsonNode datasource, String where) {
        if (!datasource.isObject()) {
            fail(where + ": datasource " + datasource);
        }
        assertEquals("prometheus", text(datasource, "type"), where);
        assertEquals("${datasource}", text(datasource, "uid"), where);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() ? value.asText() : "";
    }
}
