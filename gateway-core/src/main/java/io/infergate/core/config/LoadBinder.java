package io.infergate.core.config;

import io.infergate.core.load.NamedLoadHeaders;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Binds a {@code load:} map over a base, key by key, down to the keys of {@code headers} and
 * {@code poll}. A poll that reads less often than {@code staleAfter} is refused: its readings would
 * lapse between two polls and admission would flicker between them and none.
 */
final class LoadBinder {

    static final List<String> KEYS = List.of("headers", "poll", "staleAfter");
    static final List<String> HEADERS_KEYS = List.of("gpuUtilization", "queueDepth");
    static final List<String> POLL_KEYS = List.of("every", "path", "timeout");

    // RFC 9110's token: the characters a header name may have.
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private static final String LAPSE = ": polled load would lapse between two polls";

    private LoadBinder() {}

    static LoadConfig bind(ConfigNode load, LoadConfig base) {
        if (load.isAbsent() || !load.checkMap(KEYS)) {
            return base;
        }
        NamedLoadHeaders headers = headers(load.get("headers"), base.headers());
        ConfigNode staleAfterNode = load.get("staleAfter");
        Duration staleAfter = staleAfterNode.positiveDuration(base.staleAfter());
        LoadConfig.Poll poll = poll(load.get("poll"), base.poll(), staleAfterNode, staleAfter);
        return new LoadConfig(headers, poll, staleAfter);
    }

    private static NamedLoadHeaders headers(ConfigNode headers, NamedLoadHeaders base) {
        if (headers.isAbsent() || !headers.checkMap(HEADERS_KEYS)) {
            return base;
        }
        return new NamedLoadHeaders(
                headerName(headers.get("gpuUtilization"), base.gpuUtilization()),
                headerName(headers.get("queueDepth"), base.queueDepth()));
    }

    private static String headerName(ConfigNode name, String base) {
        if (name.isAbsent()) {
            return base;
        }
        String text = name.requiredString();
        if (text != null && !HEADER_NAME.matcher(text).matches()) {
            name.report('"' + text + "\" is not a header name");
            return base;
        }
        return text == null ? base : text;
    }

    /** The poll, or null for none: none configured, or {@code every: 0s}, which turns off one that defaults set. */
    private static LoadConfig.Poll poll(ConfigNode poll, LoadConfig.Poll base, ConfigNode staleAfterNode,
                                        Duration staleAfter) {
        if (poll.isAbsent() || !poll.checkMap(POLL_KEYS)) {
            if (base != null && !staleAfterNode.isAbsent() && !staleAfterNode.hasProblem()
                    && base.every().compareTo(staleAfter) > 0) {
                staleAfterNode.report(shorterThanEvery(staleAfter, base.every()));
            }
            return base;
        }
        ConfigNode everyNode = poll.get("every");
        if (everyNode.isAbsent() && base == null) {
            everyNode.report("required");
        }
        Duration every = everyNode.duration(base == null ? null : base.every());
        ConfigNode pathNode = poll.get("path");
        String path = pathNode.string(base == null ? LoadConfig.Poll.DEFAULT_PATH : base.path());
        if (!path.startsWith("/")) {
            pathNode.report('"' + path + "\" must start with /");
        }
        ConfigNode timeoutNode = poll.get("timeout");
        Duration timeout = timeoutNode.positiveDuration(base == null ? LoadConfig.Poll.DEFAULT_TIMEOUT : base.timeout());
        if (every == null || every.isZero()) {
            return null;
        }
        if (!(timeoutNode.isAbsent() && everyNode.isAbsent()) && !timeoutNode.hasProblem() && !everyNode.hasProblem()
                && timeout.compareTo(every) > 0) {
            if (timeoutNode.isAbsent()) {
                everyNode.report('"' + DurationSyntax.format(every) + "\" is shorter than timeout ("
                        + DurationSyntax.format(timeout) + ")");
            } else {
                timeoutNode.report('"' + DurationSyntax.format(timeout) + "\" is longer than every ("
                        + DurationSyntax.format(every) + ")");
            }
        }
        if (!(everyNode.isAbsent() && staleAfterNode.isAbsent())
                && !everyNode.hasProblem() && !staleAfterNode.hasProblem() && every.compareTo(staleAfter) > 0) {
            if (staleAfterNode.isAbsent()) {
                everyNode.report('"' + DurationSyntax.format(every) + "\" is longer than staleAfter ("
                        + DurationSyntax.format(staleAfter) + ")" + LAPSE);
            } else {
                staleAfterNode.report(shorterThanEvery(staleAfter, every));
            }
        }
        return new LoadConfig.Poll(every, path, timeout);
    }

    private static String shorterThanEvery(Duration staleAfter, Duration every) {
        return '"' + DurationSyntax.format(staleAfter) + "\" is shorter than poll.every (" + DurationSyntax.format(every)
                + ")" + LAPSE;
    }
}
