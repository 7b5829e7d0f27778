package io.infergate.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One value of the YAML tree with its path ({@code routes[0].timeouts}) and the file's shared
 * problem list. Readers report what is wrong under the value's path and return a fallback (or null
 * where there is none), so binding carries on and every problem in the file is found in one pass.
 * Scalars pass through {@code ${VAR}} substitution before they are converted.
 */
final class ConfigNode {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    // Plain decimals only: Double.parseDouble would also take "NaN", "1e-1", "0x1p-1" and "0.5f".
    private static final Pattern DECIMAL = Pattern.compile("[0-9]+(\\.[0-9]*)?|\\.[0-9]+");

    /**
     * Stands for a value the reader refused and reported already (an alias, an over-long string).
     * It reads as absent, and nothing more is reported at it or below it: a "required" there would
     * only repeat the reader's problem.
     */
    static final JsonNode REFUSED = new POJONode("refused");

    private final JsonNode value; // null when the key is absent
    private final String path;
    private final Problems problems;
    private final EnvSubstitution env;
    private boolean reported;

    private ConfigNode(JsonNode value, String path, Problems problems, EnvSubstitution env) {
        this.value = value;
        this.path = path;
        this.problems = problems;
        this.env = env;
        this.reported = value == REFUSED;
    }

    static ConfigNode root(JsonNode document, Problems problems, EnvSubstitution env) {
        return new ConfigNode(document, "", problems, env);
    }

    String path() {
        return path;
    }

    /**
     * Absent covers a missing key and an explicit null ({@code key: ~}), so both mean "use the default";
     * and a {@link #REFUSED} value, whose fallback is never used since the file is refused.
     */
    boolean isAbsent() {
        return value == null || value == REFUSED || value.isNull() || value.isMissingNode();
    }

    /** Whether this is a list: for a key that takes either one value or a list of them. */
    boolean isList() {
        return value != null && value.isArray();
    }

    /** Whether this is a map: for a key that takes either a scalar or a map of settings. */
    boolean isMap() {
        return value != null && value.isObject();
    }

    void report(String message) {
        if (value != REFUSED) {
            problems.add(path, message);
        }
        reported = true;
    }

    /** Whether a problem was reported at this node, so checks that combine values can skip a bad one. */
    boolean hasProblem() {
        return reported;
    }

    /** The value under {@code key}; absent when this is not a map (a wrong type is reported by {@link #checkMap}). */
    ConfigNode get(String key) {
        JsonNode child = value == REFUSED ? REFUSED : value != null && value.isObject() ? value.get(key) : null;
        return new ConfigNode(child, childPath(key), problems, env);
    }

    private String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /**
     * Reports this value if it is present but not a map, and each key of it that is not one of
     * {@code knownKeys}. Returns false for a value of the wrong kind, whose keys the caller should
     * then not read (each would only add a "required" for a problem already reported).
     */
    boolean checkMap(List<String> knownKeys) {
        if (isAbsent()) {
            return true;
        }
        if (!expect(value.isObject(), "a map")) {
            return false;
        }
        Iterator<String> keys = value.fieldNames();
        while (keys.hasNext()) {
            String key = keys.next();
            if (!knownKeys.contains(key)) {
                // Added directly: the key is at fault even when its value was refused.
                problems.add(childPath(key), KeySuggestion.closest(key, knownKeys)
                        .map(known -> "unknown key (did you mean \"" + known + "\"?)")
                        .orElse("unknown key (expected one of: " + String.join(", ", knownKeys) + ")"));
            }
        }
        return true;
    }

    /** The keys of a map, in the file's order; empty when absent or not a map (reported by {@link #checkMap}). */
    List<String> keys() {
        List<String> keys = new ArrayList<>();
        if (value != null && value.isObject()) {
            value.fieldNames().forEachRemaining(keys::add);
        }
        return keys;
    }

    /**
     * Reports this value if it is present but not a map; for a map whose keys are names the file
     * chooses, such as {@code tiers}. Returns false for a value of the wrong kind.
     */
    boolean checkAnyMap() {
        return isAbsent() || expect(value.isObject(), "a map");
    }

    /** The items of a list; empty when absent or when not a list (reported). */
    List<ConfigNode> items() {
        if (isAbsent() || !expect(value.isArray(), "a list")) {
            return List.of();
        }
        List<ConfigNode> items = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            items.add(new ConfigNode(value.get(i), path + "[" + i + "]", problems, env));
        }
        return items;
    }

    /** The items of a list that must be present and not empty; reported otherwise. */
    List<ConfigNode> requiredItems() {
        if (isAbsent()) {
            report("required");
            return List.of();
        }
        List<ConfigNode> items = items();
        if (items.isEmpty() && value.isArray()) {
            report("must not be empty");
        }
        return items;
    }

    /** The scalar as text after substitution; null when absent or after a reported problem. */
    private String text(String expected) {
        if (isAbsent() || !expect(value.isValueNode(), expected)) {
            return null;
        }
        return value.isTextual() ? env.apply(value.asText(), this::report) : value.asText();
    }

    /** A string that must be present and not empty; null after reporting otherwise. */
    String requiredString() {
        if (isAbsent()) {
            report("required");
            return null;
        }
        String text = text("a string");
        if (text != null && text.isEmpty()) {
            report("must not be empty");
            return null;
        }
        return text;
    }

    /** A required route or upstream name: it appears in metrics labels and logs, so it is kept plain. */
    String requiredName() {
        String name = requiredString();
        if (name != null) {
            checkName(name);
        }
        return name;
    }

    /** Reports {@code name}, read from this value or its key, unless it is a plain name; returns whether it is. */
    boolean checkName(String name) {
        if (NAME.matcher(name).matches()) {
            return true;
        }
        report('"' + name + "\" is not a valid name (expected: letters, digits, '.', '_' or '-')");
        return false;
    }

    /** One of {@code values} by its lower-case name; {@code fallback} when absent or after a reported problem. */
    <E extends Enum<E>> E choice(E fallback, E[] values) {
        String text = text("a string");
        if (text == null) {
            return fallback;
        }
        StringBuilder names = new StringBuilder();
        for (E value : values) {
            String name = value.name().toLowerCase(java.util.Locale.ROOT);
            // YAML 1.1 reads a bare off as false: it names the choice off all the same.
            if (name.equals(text) || name.equals("off") && this.value.isBoolean() && !this.value.asBoolean()) {
                return value;
            }
            names.append(names.length() == 0 ? "" : ", ").append(name);
        }
        report('"' + text + "\" is not one of: " + names);
        return fallback;
    }

    /** {@code text} (this node's value) as a URL; null after reporting that it is not one. */
    URI url(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            report("not a URL: " + e.getReason());
            return null;
        }
    }

    String string(String fallback) {
        String text = text("a string");
        return text == null ? fallback : text;
    }

    boolean bool(boolean fallback) {
        String text = text("a boolean");
        if (text == null) {
            return fallback;
        }
        if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
        }
        report('"' + text + "\" is not a boolean (expected: true or false)");
        return fallback;
    }

    /** An integer within {@code min..max}; the fallback when absent or wrong (reported). */
    int integer(int fallback, int min, int max) {
        String text = text("an integer");
        if (text == null) {
            return fallback;
        }
        long number;
        try {
            number = Long.parseLong(text);
        } catch (NumberFormatException e) {
            report('"' + text + "\" is not an integer");
            return fallback;
        }
        if (number < min || number > max) {
            report('"' + text + "\" is out of range (expected: " + min + "-" + max + ")");
            return fallback;
        }
        return (int) number;
    }

    /**
     * A fraction above 0 and at most 1, as a utilization threshold or a share; the fallback when absent
     * or wrong (reported). A percent is refused rather than guessed at: {@code 95} is not {@code 0.95}.
     */
    double fraction(double fallback) {
        String text = text("a number");
        if (text == null) {
            return fallback;
        }
        if (!DECIMAL.matcher(text).matches()) {
            report('"' + text + "\" is not a number (expected: a fraction such as 0.95)");
            return fallback;
        }
        double number = Double.parseDouble(text);
        if (!(number > 0 && number <= 1)) {
            report('"' + text + "\" is out of range (expected: more than 0 and at most 1, such as 0.95)");
            return fallback;
        }
        return number;
    }

    /** A positive byte size no larger than {@code max}; the fallback when absent or wrong (reported). */
    long byteSize(long fallback, long max) {
        String text = text("a byte size");
        if (text == null) {
            return fallback;
        }
        try {
            long bytes = ByteSizeSyntax.parse(text);
            if (bytes <= 0) {
                report('"' + text + "\" must be positive");
            } else if (bytes > max) {
                report('"' + text + "\" is too large (expected: at most " + max + " bytes)");
            } else {
                return bytes;
            }
        } catch (IllegalArgumentException e) {
            report(e.getMessage());
        }
        return fallback;
    }

    /** A duration that is not negative; the fallback when absent or wrong (reported). */
    Duration duration(Duration fallback) {
        return duration(fallback, true);
    }

    /** A duration greater than zero, as every timeout must be; the fallback when absent or wrong (reported). */
    Duration positiveDuration(Duration fallback) {
        return duration(fallback, false);
    }

    private Duration duration(Duration fallback, boolean zeroAllowed) {
        String text = text("a duration");
        if (text == null) {
            return fallback;
        }
        try {
            Duration duration = DurationSyntax.parse(text);
            if (duration.isNegative()) {
                report('"' + text + "\" must not be negative");
            } else if (duration.isZero() && !zeroAllowed) {
                report('"' + text + "\" must be positive");
            } else {
                return duration;
            }
        } catch (IllegalArgumentException e) {
            report(e.getMessage());
        }
        return fallback;
    }

    /** Reports a present value of the wrong kind; returns whether the kind was right. */
    private boolean expect(boolean rightKind, String expected) {
        if (!rightKind) {
            report("expected " + expected + (path.isEmpty() ? " at the top level" : "") + ", got " + kind(value));
        }
        return rightKind;
    }

    private static String kind(JsonNode node) {
        if (node.isObject()) {
            return "a map";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        return node.isNumber() ? "a number" : "a string";
    }
}
