package io.infergate.core.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Parses YAML text into a tree, within limits that make a hostile or mistaken file cheap to refuse.
 * A duplicate key (YAML would silently keep the last one, hiding an edit that was meant to count),
 * an alias and an over-long value are each reported at their path and reading goes on, so that
 * binding still finds every other problem. A syntax error or a limit of the whole document is one
 * problem with its position, since there is no tree to bind after it.
 */
final class YamlTreeReader {

    /** As long as a file can be: a file within its byte limit is within this one. */
    static final int MAX_CHARS = ConfigLoader.MAX_FILE_BYTES;
    /**
     * SnakeYAML's reader copies the unread part of its window each time it reads another KiB, so one
     * long token costs the square of its length (a 1 MiB scalar takes seconds). Longer lines are
     * refused before parsing, and longer values too: no URL, path or name comes near.
     */
    static final int MAX_LINE_CHARS = 1 << 16;
    /** The deepest value a config has is about six levels down, as in {@code routes[0].upstreams[0].auth.bearerEnv}. */
    static final int MAX_DEPTH = 64;

    // Jackson's YAML parser enforces the document length and the nesting depth itself. It reads
    // SnakeYAML's events and never composes nodes, so SnakeYAML's alias and nesting counters and
    // Jackson's string length are not consulted: read() checks those, and they are set here to the
    // same limits so that no layer is looser than the documented one.
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .loaderOptions(loaderOptions())
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxDocumentLength(MAX_CHARS)
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_LINE_CHARS)
                    .build())
            .build());

    private YamlTreeReader() {}

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_CHARS);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setMaxAliasesForCollections(0);
        options.setAllowRecursiveKeys(false);
        return options;
    }

    /** The document, a {@link MissingNode} when it is empty, or null after reporting why it cannot be read. */
    static JsonNode read(String yaml, Problems problems) {
        if (!withinSizeLimits(yaml, problems)) {
            return null;
        }
        try (JsonParser parser = YAML.createParser(yaml)) {
            try {
                return parser.nextToken() == null ? MissingNode.getInstance() : value(parser, "", problems);
            } catch (StreamConstraintsException e) {
                // Thrown before the parser's location moves past the offending token.
                reportLimit(e, parser.currentLocation(), problems);
                return null;
            }
        } catch (IOException e) {
            report(e, problems);
            return null;
        }
    }

    private static boolean withinSizeLimits(String yaml, Problems problems) {
        if (yaml.length() > MAX_CHARS) {
            problems.add("", "too long: " + yaml.length() + " characters (expected: at most " + MAX_CHARS + ")");
            return false;
        }
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i <= yaml.length(); i++) {
            char c = i < yaml.length() ? yaml.charAt(i) : '\n';
            if (c != '\n' && c != '\r') {
                continue;
            }
            if (i - lineStart > MAX_LINE_CHARS) {
                problems.add("", "line " + line + " is too long: " + (i - lineStart) + " characters (expected: at most "
                        + MAX_LINE_CHARS + ")");
                return false;
            }
            if (c == '\r' && i + 1 < yaml.length() && yaml.charAt(i + 1) == '\n') {
                i++;
            }
            line++;
            lineStart = i + 1;
        }
        return true;
    }

    /** The value at the parser's current token, which is not an end token. */
    private static JsonNode value(JsonParser parser, String path, Problems problems) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            return map(parser, path, problems);
        }
        if (token == JsonToken.START_ARRAY) {
            return list(parser, path, problems);
        }
        int line = parser.currentTokenLocation().getLineNr();
        if (((YAMLParser) parser).isCurrentAlias()) {
            // Jackson would read it as the plain string of its name, which no check could tell from a value.
            problems.add(path, "alias *" + parser.getText() + " at line " + line
                    + " (aliases are not supported: write the value out, or set it once under defaults)");
            return ConfigNode.REFUSED;
        }
        if (token == JsonToken.VALUE_STRING && parser.getTextLength() > MAX_LINE_CHARS) {
            problems.add(path, "value at line " + line + " is too long: " + parser.getTextLength()
                    + " characters (expected: at most " + MAX_LINE_CHARS + ")");
            return ConfigNode.REFUSED;
        }
        // Scalars as Jackson's own tree holds them, numbers included.
        return YAML.readTree(parser);
    }

    private static JsonNode map(JsonParser parser, String path, Problems problems) throws IOException {
        ObjectNode map = JsonNodeFactory.instance.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            int line = parser.currentTokenLocation().getLineNr();
            parser.nextToken();
            if (key.length() > MAX_LINE_CHARS) {
                problems.add(path, "key at line " + line + " is too long: " + key.length()
                        + " characters (expected: at most " + MAX_LINE_CHARS + ")");
                parser.skipChildren();
                continue;
            }
            String keyPath = path.isEmpty() ? key : path + "." + key;
            JsonNode value = value(parser, keyPath, problems);
            if (map.has(key)) {
                // The first one stays, so that the rest of the file is still checked.
                problems.add(keyPath, "duplicate key at line " + line);
            } else {
                map.set(key, value);
            }
        }
        return map;
    }

    private static JsonNode list(JsonParser parser, String path, Problems problems) throws IOException {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; parser.nextToken() != JsonToken.END_ARRAY; i++) {
            list.add(value(parser, path + "[" + i + "]", problems));
        }
        return list;
    }

    private static void reportLimit(StreamConstraintsException e, JsonLocation location, Problems problems) {
        String where = location.getLineNr() > 0 ? " at line " + location.getLineNr() : "";
        if (e.getOriginalMessage().startsWith("Document nesting depth")) {
            problems.add("", "nested deeper than " + MAX_DEPTH + " levels" + where);
        } else {
            problems.add("", "YAML error" + where + ": " + e.getOriginalMessage());
        }
    }

    private static void report(IOException e, Problems problems) {
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            String context = marked.getContext() == null ? "" : marked.getContext() + ", ";
            problems.add("", "YAML syntax error at line " + (marked.getProblemMark().getLine() + 1)
                    + ", column " + (marked.getProblemMark().getColumn() + 1) + ": " + context + marked.getProblem());
            return;
        }
        if (e instanceof JacksonException jackson) {
            JsonLocation location = jackson.getLocation();
            String where = location != null && location.getLineNr() > 0
                    ? " at line " + location.getLineNr() + ", column " + location.getColumnNr() : "";
            problems.add("", "YAML error" + where + ": " + jackson.getOriginalMessage().lines().findFirst().orElse(""));
            return;
        }
        problems.add("", "YAML error: " + e.getMessage());
    }
}
