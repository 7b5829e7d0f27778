package io.infergate.core.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Parses YAML text into a tree. A duplicate key (YAML would silently keep the last one, hiding an
 * edit that was meant to count) is reported at its path and reading goes on, so that binding still
 * finds every other problem. A syntax error is one problem with its position, since there is no
 * tree to bind after it.
 */
final class YamlTreeReader {

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder().build());

    private YamlTreeReader() {}

    /** The document, a {@link MissingNode} when it is empty, or null after reporting why it cannot be read. */
    static JsonNode read(String yaml, Problems problems) {
        try (JsonParser parser = YAML.createParser(yaml)) {
            return parser.nextToken() == null ? MissingNode.getInstance() : value(parser, "", problems);
        } catch (IOException e) {
            report(e, problems);
            return null;
        }
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
        // Scalars as Jackson's own tree holds them, numbers included.
        return YAML.readTree(parser);
    }

    private static JsonNode map(JsonParser parser, String path, Problems problems) throws IOException {
        ObjectNode map = JsonNodeFactory.instance.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            int line = parser.currentTokenLocation().getLineNr();
            parser.nextToken();
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
