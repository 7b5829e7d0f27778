package io.infergate.core.recovery;

/** The stream shapes a continuation is built for, told apart by the upstream path. */
public enum StreamDialect {
    /** TGI's {@code /generate_stream} (and {@code /} with {@code "stream": true}): inputs and parameters. */
    TGI_GENERATE,
    /** {@code /v1/chat/completions}: messages. */
    CHAT,
    /** {@code /v1/completions}: a prompt. */
    COMPLETIONS;

    /** The dialect of {@code path}; null for a path no continuation is built for. */
    public static StreamDialect forPath(String path) {
        if (path.endsWith("/v1/chat/completions")) {
            return CHAT;
        }
        if (path.endsWith("/v1/completions")) {
            return COMPLETIONS;
        }
        if (path.endsWith("/generate_stream") || path.endsWith("/generate") || path.equals("/") || path.isEmpty()) {
            return TGI_GENERATE;
        }
        return null;
    }
}
