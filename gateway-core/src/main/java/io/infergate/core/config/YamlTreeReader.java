package io.infergate.core.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Parses YAML text into a tree. A duplicate key is refused (YAML would silently keep the last one,
 * hiding an edit that was meant to count); it and a syntax error each become one problem with its
 * position, since there is no tree to bind after them.
 */
final class YamlTreeReader {

    private static final ObjectMapper YAML = new ObjectMapper(
            YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    private YamlTreeReader() {}

    /** The document, a {@link MissingNode} when it is empty, or null after reporting why it cannot be read. */
    static JsonNode read(String yaml, Problems problems) {
        try {
            JsonNode document = YAML.readTree(yaml);
            return document == null ? MissingNode.getInstance() : document;
        } catch (JacksonException e) {
            report(e, problems);
            return null;
        }
    }

    private static void report(JacksonException e, Problems problems) {
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            String context = marked.getContext() == null ? "" : marked.getContext() + ", ";
            problems.add("", "YAML syntax error at line " + (marked.getProblemMark().getLine() + 1)
                    + ", column " + (marked.getProblemMark().getColumn() + 1) + ": " + context + marked.getProblem());
            return;
        }
        JsonLocation location = e.getLocation();
        boolean located = location != null && location.getLineNr() > 0;
        if (e.getProcessor() instanceof JsonParser parser && e.getOriginalMessage().startsWith("Duplicate field")) {
            // The parser stands past the key by then, so only its line is worth giving.
            problems.add(pathOf(parser.getParsingContext()),
                    "duplicate key" + (located ? " at line " + location.getLineNr() : ""));
            return;
        }
        String where = located ? " at line " + location.getLineNr() + ", column " + location.getColumnNr() : "";
        problems.add("", "YAML error" + where + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
    }

    /** The parser's position in our path syntax: {@code routes[0].name}. */
    private static String pathOf(JsonStreamContext context) {
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            String segment = c.inArray() ? "[" + c.getCurrentIndex() + "]" : c.getCurrentName();
            boolean keyFollows = path.length() > 0 && path.charAt(0) != '[';
            path.insert(0, keyFollows ? segment + "." : segment);
        }
        return path.toString();
    }
}
