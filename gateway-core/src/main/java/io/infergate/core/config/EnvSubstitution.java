package io.infergate.core.config;

import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in a scalar with values from the environment
 * it was given, so deployments differ by environment rather than by file. As in a shell, the default
 * applies when the variable is unset or empty. A lone {@code $} stays as it is.
 */
final class EnvSubstitution {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String OPEN = "${";
    private static final String DEFAULT_SEPARATOR = ":-";

    private final Map<String, String> env;

    EnvSubstitution(Map<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    /** Whether a variable is set to a non-empty value. */
    boolean isSet(String name) {
        String value = env.get(name);
        return value != null && !value.isEmpty();
    }

    String valueOf(String name) {
        return env.get(name);
    }

    /**
     * Returns {@code text} with every reference replaced, or null after handing each problem to
     * {@code report} (all of them, so two missing variables in one URL are both named).
     */
    String apply(String text, Consumer<String> report) {
        StringBuilder out = new StringBuilder(text.length());
        boolean ok = true;
        int from = 0;
        int open;
        while ((open = text.indexOf(OPEN, from)) >= 0) {
            out.append(text, from, open);
            int close = text.indexOf('}', open + OPEN.length());
            if (close < 0) {
                report.accept("unterminated \"" + OPEN + "\" in \"" + text + '"');
                return null;
            }
            String value = resolve(text.substring(open + OPEN.length(), close), report);
            if (value == null) {
                ok = false;
            } else {
                out.append(value);
            }
            from = close + 1;
        }
        out.append(text, from, text.length());
        return ok ? out.toString() : null;
    }

    /** The value of one reference's inside ({@code VAR} or {@code VAR:-default}), or null after reporting. */
    private String resolve(String reference, Consumer<String> report) {
        int separator = reference.indexOf(DEFAULT_SEPARATOR);
        String name = separator < 0 ? reference : reference.substring(0, separator);
        String fallback = separator < 0 ? null : reference.substring(separator + DEFAULT_SEPARATOR.length());
        if (!NAME.matcher(name).matches()) {
            report.accept("\"" + OPEN + reference + "}\" is not a variable reference"
                    + " (expected: ${NAME} or ${NAME:-default}, NAME of letters, digits and _)");
            return null;
        }
        if (fallback != null && fallback.contains(OPEN)) {
            // The first '}' ended the reference, so a nested one cannot be read as the user meant.
            report.accept("\"" + OPEN + reference + "}\": a default must not contain another ${...}");
            return null;
        }
        if (isSet(name)) {
            return env.get(name);
        }
        if (fallback != null) {
            return fallback;
        }
        if (env.containsKey(name)) {
            return ""; // set but empty, and no default asked for: the empty value is what was meant
        }
        report.accept("environment variable " + name + " is not set");
        return null;
    }
}
