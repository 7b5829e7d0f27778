package io.infergate.core.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The sections a running gateway cannot take over on a reload: {@code server} (its listeners,
 * client limits and logs are set up once, on the sockets they govern), {@code jobs} (its runners
 * and store are made once), {@code store} (its connection is made once) and {@code tracing} (its
 * exporter is made once, and a trace's spans should not change their sampler half-way). A reload that changes any of their keys is refused as a whole, each
 * changed key named, so that no file is ever applied half-way.
 */
public final class RestartOnly {

    private RestartOnly() {}

    /** One problem per key that differs, by path, as {@code check} prints problems; empty when none does. */
    public static List<String> changes(GatewayConfig running, GatewayConfig next) {
        List<String> problems = new ArrayList<>();
        compare("server", running.server(), next.server(), problems);
        compare("jobs", running.jobs(), next.jobs(), problems);
        compare("store", running.store(), next.store(), problems);
        compare("tracing", running.tracing(), next.tracing(), problems);
        return problems;
    }

    private static void compare(String section, Record running, Record next, List<String> problems) {
        for (RecordComponent component : running.getClass().getRecordComponents()) {
            Object before = value(component, running);
            Object after = value(component, next);
            if (!Objects.equals(before, after)) {
                String name = component.getName();
                String values = mayBeSecret(name) || !plain(before) || !plain(after) ? "" : " (" + before + " -> " + after + ")";
                problems.add(section + "." + name + ": cannot change while the gateway runs" + values
                        + "; restart it to apply");
            }
        }
    }

    /** A value shown as it is: a number, a flag, a duration, a word; a section of its own is only named. */
    private static boolean plain(Object value) {
        return value instanceof Number || value instanceof Boolean || value instanceof CharSequence
                || value instanceof Duration || value instanceof Enum<?> || value instanceof Path;
    }

    /** Keys whose values are never shown: a webhook secret, a key for job ids, a password. */
    private static boolean mayBeSecret(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.contains("secret") || lower.contains("key") || lower.contains("password") || lower.contains("token");
    }

    private static Object value(RecordComponent component, Record record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("reading " + component.getName(), e);
        }
    }
}
