package io.infergate.server.reload;

import io.infergate.core.config.ConfigChanges;

import java.util.List;
import java.util.Locale;

/**
 * What one reload did: applied the file (and what it changed), found it unchanged, or refused it
 * with every problem by path, the running config left as it was.
 *
 * @param sha256 the SHA-256 of the file as read; null when it could not be read
 */
public record ReloadOutcome(Kind kind, ConfigChanges changes, List<String> problems, String sha256) {

    public enum Kind {
        APPLIED, UNCHANGED, REFUSED;

        /** As the answer, the log and the meter's {@code outcome} label say it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ReloadOutcome {
        problems = List.copyOf(problems);
    }

    static ReloadOutcome applied(ConfigChanges changes, String sha256) {
        return new ReloadOutcome(Kind.APPLIED, changes, List.of(), sha256);
    }

    static ReloadOutcome unchanged(String sha256) {
        return new ReloadOutcome(Kind.UNCHANGED, null, List.of(), sha256);
    }

    static ReloadOutcome refused(List<String> problems, String sha256) {
        return new ReloadOutcome(Kind.REFUSED, null, problems, sha256);
    }
}
