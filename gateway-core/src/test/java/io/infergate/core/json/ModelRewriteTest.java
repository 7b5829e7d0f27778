package io.infergate.core.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infergate.core.json.ModelRewrite.Kind;
import io.infergate.core.json.ModelRewrite.Result;
import io.infergate.core.json.ModelRewrite.Scan;
import io.infergate.core.json.ModelRewrite.Span;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static java.nio.charset.StandardCharsets.UTF_16BE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelRewriteTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private static byte[] utf8(String text) {
        return text.getBytes(UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        byte[] all = new byte[0];
        for (byte[] part : parts) {
            int at = all.length;
            all = Arrays.copyOf(all, at + part.length);
            System.arraycopy(part, 0, all, at, part.length);
        }
        return all;
    }

    private static String rewritten(String json, String model) {
        Result result = ModelRewrite.rewrite(utf8(json), model);
        assertEquals(Kind.FOUND, result.kind(), json);
        return new String(result.body(), UTF_8);
    }

    private static void unchanged(Kind kind, byte[] body) {
        Result result = ModelRewrite.rewrite(body, "fallback");
        assertEquals(kind, result.kind(), () -> new String(body, UTF_8));
        assertSame(body, result.body());
        assertEquals(List.of(), ModelRewrite.scan(body, 0, body.length).values());
    }

    private static void unchanged(Kind kind, String json) {
        unchanged(kind, utf8(json));
    }

    private static List<String> spanned(byte[] body, Scan scan) {
        return scan.values().stream().map(span -> new String(body, span.start(), span.length(), UTF_8)).toList();
    }

    @Test
    void anOpenAiChatBodyGetsTheFallbackModel() {
        String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true,\"temperature\":0.2}";
        assertEquals("{\"model\":\"meta-llama/Llama-3.1-8B-Instruct\",\"messages\":[{\"role\":\"system\","
                        + "\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true,\"temperature\":0.2}",
                rewritten(body, "meta-llama/Llama-3.1-8B-Instruct"));
    }

    @Test
    void whitespaceKeyOrderAndNumberSpellingsSurviveByteForByte() {
        String body = "\n {\t\"stream\" :true ,\r\n  \"max_tokens\":1.50e+02 ,\"model\"\t:\t\"tgi\"  ,"
                + "\"temperature\":0.70,\"seed\":-0,\"stop\":[ ]}\n\n";
        assertEquals("\n {\t\"stream\" :true ,\r\n  \"max_tokens\":1.50e+02 ,\"model\"\t:\t\"fallback\"  ,"
                + "\"temperature\":0.70,\"seed\":-0,\"stop\":[ ]}\n\n", rewritten(body, "fallback"));
    }

    @Test
    void modelKeysInsideOtherValuesAreLeftAlone() {
        assertEquals("{\"messages\":[{\"role\":\"user\",\"content\":\"say \\\"model\\\":\\\"x\\\"\",\"model\":\"nested\"}],"
                        + "\"parameters\":{\"model\":\"inner\",\"details\":{\"model\":[\"deep\"]}},\"model\":\"fallback\","
                        + "\"tools\":[{\"model\":1}]}",
                rewritten("{\"messages\":[{\"role\":\"user\",\"content\":\"say \\\"model\\\":\\\"x\\\"\",\"model\":\"nested\"}],"
                        + "\"parameters\":{\"model\":\"inner\",\"details\":{\"model\":[\"deep\"]}},\"model\":\"outer\","
                        + "\"tools\":[{\"model\":1}]}", "fallback"));
        unchanged(Kind.ABSENT, "{\"inputs\":\"hi\",\"parameters\":{\"model\":\"inner\"},\"messages\":[{\"model\":\"x\"}]}");
    }

    @Test
    void escapesElsewhereStayAndAnEscapedOldValueGoesWhole() {
        assertEquals("{\"model\":\"fallback\",\"prompt\":\"caf\\u00e9 \\\"q\\\" \\\\ \\ud83d\\ude00\"}",
                rewritten("{\"model\":\"m\\u00e9del\",\"prompt\":\"caf\\u00e9 \\\"q\\\" \\\\ \\ud83d\\ude00\"}", "fallback"));
        assertEquals("{\"model\":\"fallback\" }", rewritten("{\"model\":\"a\\\"b\" }", "fallback"));
        assertEquals("{\"model\":\"fallback\",\"x\":1}", rewritten("{\"model\":\"ends in \\\\\",\"x\":1}", "fallback"));
        assertEquals("{\"model\":\"fallback\",\"x\":\"\\/\"}", rewritten("{\"model\":\"\\ud83d\\ude00\\n\\/\",\"x\":\"\\/\"}", "fallback"));
    }

    @Test
    void multiByteUtf8BeforeTheFieldMovesNothing() {
        String body = "{\"messages\":[{\"content\":\"日本語で答えて 😀 — é\"}],\"model\":\"модель\",\"stream\":true}";
        assertEquals("{\"messages\":[{\"content\":\"日本語で答えて 😀 — é\"}],\"model\":\"fallback\",\"stream\":true}",
                rewritten(body, "fallback"));
    }

    @Test
    void aNameThatNeedsEscapingIsWrittenAsAJsonString() throws IOException {
        String name = "a\"b\\c é😀\n\u0001";
        String body = rewritten("{\"model\":\"x\",\"stream\":false}", name);
        assertEquals("{\"model\":\"a\\\"b\\\\c é😀\\n\\u0001\",\"stream\":false}", body);
        assertEquals(name, MAPPER.readTree(body).get("model").textValue());
        assertArrayEquals(utf8("\"a\\\"b\\\\c é😀\\n\\u0001\""), ModelRewrite.literal(name));
        assertArrayEquals(utf8("\"\""), ModelRewrite.literal(""));
    }

    @Test
    void aNameWithAnUnpairedSurrogateIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ModelRewrite.rewrite(utf8("{\"model\":\"x\"}"), "bad\ud800"));
        assertThrows(IllegalArgumentException.class, () -> ModelRewrite.rewrite(utf8("{}"), "bad\udc00"));
    }

    @Test
    void withoutATopLevelModelTheBodyIsTheSameArray() {
        unchanged(Kind.ABSENT, "{}");
        unchanged(Kind.ABSENT, " {\"inputs\":\"hi\",\"stream\":true} ");
        unchanged(Kind.ABSENT, "{\"Model\":\"x\",\"models\":[],\"model \":1,\"mode\":\"l\",\"_model\":\"x\"}");
    }

    @Test
    void anythingButOneJsonObjectInUtf8IsNotJson() {
        for (String body : List.of("", "   ", "not json", "[{\"model\":\"x\"}]", "\"model\"", "42", "null", "true",
                "{\"model\":\"x\",}", "{\"model\" \"x\"}", "{'model':'x'}", "{model:\"x\"}", "{\"model\":\"x\"]",
                "{\"model\":x}", "{\"model\":NaN}", "{\"model\":01}", "{\"model\":\"\\x\"}", "{\"model\":\"a\u0001\"}",
                "{\"model\":\"x\"}}", "{\"model\":\"x\"} x", "{\"model\":\"x\"}{\"model\":\"y\"}", "{\"model\":\"x\"} // c",
                "{\"a\":[1,],\"model\":\"x\"}", "{\"a\":\"\u0001\",\"model\":\"x\"}")) {
            unchanged(Kind.NOT_JSON, body);
        }
        unchanged(Kind.NOT_JSON, concat(utf8("{\"model\":\""), new byte[] {(byte) 0xC3, '('}, utf8("\"}")));
        unchanged(Kind.NOT_JSON, "{\"model\":\"x\"}".getBytes(UTF_16BE));
    }

    @Test
    void everyTruncationIsNotJson() {
        byte[] body = utf8("{\"model\":\"tgi\",\"messages\":[{\"role\":\"user\",\"content\":\"é 😀\"}],\"n\":12.5,\"s\":true}");
        assertEquals(Kind.FOUND, ModelRewrite.rewrite(body, "fallback").kind());
        for (int length = 0; length < body.length; length++) {
            unchanged(Kind.NOT_JSON, Arrays.copyOf(body, length));
        }
    }

    @Test
    void everyTopLevelModelIsReplacedWhenTheKeyRepeats() {
        String body = "{\"model\":\"a\",\"stream\":true,\"model\":\"b\", \"mod\\u0065l\" : null}";
        assertEquals("{\"model\":\"fallback\",\"stream\":true,\"model\":\"fallback\", \"mod\\u0065l\" : \"fallback\"}",
                rewritten(body, "fallback"));
        assertEquals(List.of("\"a\"", "\"b\"", "null"), spanned(utf8(body), ModelRewrite.scan(utf8(body), 0, utf8(body).length)));
    }

    @Test
    void aModelThatIsNotAStringIsReplacedWhole() {
        for (String value : List.of("null", "42", "-1.5e3", "true", "false", "{}", "[]", "[\"a\",\"b\"]",
                "{\"id\":\"x\",\"v\":[1,{\"model\":2}]}")) {
            assertEquals("{\"model\": \"fallback\" ,\"x\":1}", rewritten("{\"model\": " + value + " ,\"x\":1}", "fallback"));
            assertEquals("{\"x\":1,\"model\":\"fallback\"}", rewritten("{\"x\":1,\"model\":" + value + "}", "fallback"));
        }
    }

    @Test
    void scanPointsAtEachValueWithItsQuotesOrBrackets() {
        byte[] body = utf8("{ \"é\":\"😀\", \"model\" : \"a\\\"b\" , \"model\":{\"x\":[1]} }");
        Scan scan = ModelRewrite.scan(body, 0, body.length);
        assertEquals(Kind.FOUND, scan.kind());
        assertEquals(List.of("\"a\\\"b\"", "{\"x\":[1]}"), spanned(body, scan));
        assertEquals(List.of(new Span(25, 31), new Span(42, 51)), scan.values());
    }

    @Test
    void aSubRangeIsReadWithoutItsSurroundings() {
        String before = "xx{\"model\":\"before\"}";
        String json = "{\"stream\":true,\"model\":\"tgi\"}";
        byte[] array = utf8(before + json + "{\"model\":\"after\"}yy");
        int offset = utf8(before).length;
        int length = utf8(json).length;

        Result result = ModelRewrite.rewrite(array, offset, length, "fallback");
        assertEquals(Kind.FOUND, result.kind());
        assertEquals("{\"stream\":true,\"model\":\"fallback\"}", new String(result.body(), UTF_8));
        assertEquals(List.of("\"tgi\""), spanned(array, ModelRewrite.scan(array, offset, length)));

        Result cut = ModelRewrite.rewrite(array, offset, length - 1, "fallback");
        assertEquals(Kind.NOT_JSON, cut.kind());
        assertArrayEquals(Arrays.copyOfRange(array, offset, offset + length - 1), cut.body());

        byte[] whole = utf8("xx{\"stream\":true}yy");
        Result range = ModelRewrite.rewrite(whole, 2, whole.length - 4, "fallback");
        assertEquals(Kind.ABSENT, range.kind());
        assertEquals("{\"stream\":true}", new String(range.body(), UTF_8));
        assertNotSame(whole, range.body());

        assertThrows(IndexOutOfBoundsException.class, () -> ModelRewrite.scan(array, 5, array.length));
        assertThrows(IndexOutOfBoundsException.class, () -> ModelRewrite.rewrite(array, -1, 2, "fallback"));
    }

    @Test
    void aByteOrderMarkStaysAndCountsInTheOffsets() {
        byte[] body = concat(BOM, utf8("{\"x\":\"é\",\"model\":\"tgi\"}"));
        Result result = ModelRewrite.rewrite(body, "fallback");
        assertEquals(Kind.FOUND, result.kind());
        assertArrayEquals(concat(BOM, utf8("{\"x\":\"é\",\"model\":\"fallback\"}")), result.body());

        byte[] array = concat(utf8("[["), body, utf8("]]"));
        assertEquals(List.of(new Span(2 + 3 + 18, 2 + 3 + 23)), ModelRewrite.scan(array, 2, body.length).values());
        assertArrayEquals(result.body(), ModelRewrite.rewrite(array, 2, body.length, "fallback").body());
    }

    @Test
    void longNamesAndNumbersElsewhereDoNotStopTheRewrite() {
        String body = "{\"seed\":" + "9".repeat(1500) + ",\"" + "k".repeat(60_000) + "\":\"v\",\"model\":\"tgi\"}";
        assertEquals(body.replace("\"tgi\"", "\"fallback\""), rewritten(body, "fallback"));
    }

    @Test
    void nestingPastTheParserLimitIsNotJson() {
        unchanged(Kind.NOT_JSON, "{\"model\":\"x\",\"v\":" + "[".repeat(2000) + "]".repeat(2000) + "}");
        assertEquals("{\"v\":" + "[".repeat(500) + "]".repeat(500) + ",\"model\":\"fallback\"}",
                rewritten("{\"v\":" + "[".repeat(500) + "]".repeat(500) + ",\"model\":\"x\"}", "fallback"));
    }

    @Test
    void generatedBodiesKeepEverythingButTheModel() throws IOException {
        String[][] names = {
            {"tgi-fallback", "\"tgi-fallback\""},
            {"meta-llama/Llama-3.1-8B-Instruct", "\"meta-llama/Llama-3.1-8B-Instruct\""},
            {"q\"w\\é😀\t", "\"q\\\"w\\\\é😀\\t\""},
        };
        Random random = new Random(20_240_611);
        for (int i = 0; i < 200; i++) {
            String[] name = names[i % names.length];
            Generated body = Generated.of(random);
            String context = "body " + i + ": " + body.with(body.models());

            Result result = ModelRewrite.rewrite(utf8(body.with(body.models())), name[0]);
            assertEquals(Kind.FOUND, result.kind(), context);
            String out = new String(result.body(), UTF_8);
            assertEquals(body.with(body.models().stream().map(m -> name[1]).toList()), out, context);

            ObjectNode original = (ObjectNode) MAPPER.readTree(utf8(body.with(body.models())));
            ObjectNode rewritten = (ObjectNode) MAPPER.readTree(result.body());
            assertEquals(name[0], rewritten.get("model").textValue(), context);
            original.remove("model");
            rewritten.remove("model");
            assertEquals(original, rewritten, context);
        }
    }

    @Test
    void damagedBodiesNeverThrowAndOnlyAnObjectIsRewritten() throws IOException {
        Random random = new Random(7_001);
        byte[] insertable = utf8("{}[]\",:\\ x0e\t");
        int found = 0;
        for (int i = 0; i < 500; i++) {
            byte[] body = utf8(Generated.of(random).with(null));
            int at = random.nextInt(body.length);
            byte[] damaged = switch (random.nextInt(4)) {
                case 0 -> Arrays.copyOf(body, at);
                case 1 -> concat(Arrays.copyOf(body, at), Arrays.copyOfRange(body, at + 1, body.length));
                case 2 -> concat(Arrays.copyOf(body, at), new byte[] {insertable[random.nextInt(insertable.length)]},
                        Arrays.copyOfRange(body, at, body.length));
                default -> {
                    byte[] copy = body.clone();
                    copy[at] = (byte) (1 + random.nextInt(255));
                    yield copy;
                }
            };
            String context = "damaged " + i + ": " + new String(damaged, UTF_8);

            Result result = ModelRewrite.rewrite(damaged, "fallback");
            if (result.kind() != Kind.FOUND) {
                assertSame(damaged, result.body(), context);
            }
            JsonNode tree = readOrNull(damaged);
            if (tree != null && tree.isObject()) {
                assertEquals(tree.has("model") ? Kind.FOUND : Kind.ABSENT, result.kind(), context);
                if (tree.has("model")) {
                    found++;
                    assertEquals("fallback", MAPPER.readTree(result.body()).get("model").textValue(), context);
                }
            }
        }
        assertTrue(found > 50, "damage left too few bodies intact: " + found);
    }

    private static JsonNode readOrNull(byte[] body) {
        try {
            return MAPPER.readTree(body);
        } catch (IOException malformed) {
            return null;
        }
    }

    /** A random request body, split where its top-level model values go. */
    private record Generated(List<String> parts, List<String> models) {

        private static final String MARK = "\u0000";
        private static final String[] KEYS = {"messages", "stream", "temperature", "parameters", "inputs", "max_tokens",
            "top_p", "stop", "Model", "models", "model_id", "model ", "mod\\u0065lx", "\\u006dodel_name", "é😀"};
        private static final String[] MODEL_KEYS = {"model", "model", "model", "mod\\u0065l", "\\u006d\\u006f\\u0064\\u0065\\u006c"};
        private static final String[] NUMBERS = {"0", "-0", "1.0", "1.50", "1e5", "1E+2", "-2.5e-3", "12345678901234567890", "0.000"};
        private static final String[] TEXT = {"a", "hello", " ", "é", "日本", "😀", "\\u00e9", "\\ud83d\\ude00", "\\\"", "\\\\",
            "\\n", "\\t", "\\/", "model", "\\\"model\\\":\\\"x\\\"", "{", "}", "[", ",", ":"};
        private static final String[] NESTED_KEYS = {"model", "role", "content", "name", "model"};

        static Generated of(Random random) {
            List<String> members = new ArrayList<>();
            Set<String> keys = new HashSet<>();
            for (int n = random.nextInt(8); n > 0; n--) {
                String key = pick(random, KEYS);
                if (keys.add(key)) {
                    members.add(member(random, key, value(random, 0)));
                }
            }
            List<String> models = new ArrayList<>();
            for (int n = random.nextInt(10) == 0 ? 2 : 1; n > 0; n--) {
                models.add(random.nextInt(4) == 0 ? value(random, 1) : string(random));
                members.add(random.nextInt(members.size() + 1), member(random, pick(random, MODEL_KEYS), MARK));
            }
            StringBuilder body = new StringBuilder(random.nextInt(10) == 0 ? "\uFEFF" : "").append(space(random)).append('{');
            for (int i = 0; i < members.size(); i++) {
                body.append(i == 0 ? "" : space(random) + ",").append(space(random)).append(members.get(i));
            }
            body.append(space(random)).append('}').append(space(random));
            return new Generated(List.of(body.toString().split(MARK, -1)), List.copyOf(models));
        }

        /** The body with these values where the models go; null for the original ones. */
        String with(List<String> values) {
            List<String> fill = values == null ? models : values;
            StringBuilder body = new StringBuilder(parts.get(0));
            for (int i = 0; i < fill.size(); i++) {
                body.append(fill.get(i)).append(parts.get(i + 1));
            }
            return body.toString();
        }

        private static String member(Random random, String key, String value) {
            return "\"" + key + "\"" + space(random) + ":" + space(random) + value;
        }

        private static String value(Random random, int depth) {
            return switch (random.nextInt(depth < 3 ? 7 : 5)) {
                case 0, 1 -> string(random);
                case 2 -> pick(random, NUMBERS);
                case 3 -> random.nextBoolean() ? "true" : "false";
                case 4 -> "null";
                case 5 -> array(random, depth);
                default -> object(random, depth);
            };
        }

        private static String array(Random random, int depth) {
            List<String> items = new ArrayList<>();
            for (int n = random.nextInt(4); n > 0; n--) {
                items.add(space(random) + value(random, depth + 1) + space(random));
            }
            return "[" + String.join(",", items) + "]";
        }

        private static String object(Random random, int depth) {
            List<String> items = new ArrayList<>();
            Set<String> keys = new HashSet<>();
            for (int n = random.nextInt(4); n > 0; n--) {
                String key = pick(random, NESTED_KEYS);
                if (keys.add(key)) {
                    items.add(space(random) + member(random, key, value(random, depth + 1)) + space(random));
                }
            }
            return "{" + String.join(",", items) + "}";
        }

        private static String string(Random random) {
            StringBuilder text = new StringBuilder("\"");
            for (int n = random.nextInt(6); n > 0; n--) {
                text.append(pick(random, TEXT));
            }
            return text.append('"').toString();
        }

        private static String space(Random random) {
            StringBuilder space = new StringBuilder();
            for (int n = random.nextInt(4); n > 0; n--) {
                space.append(" \t\n\r".charAt(random.nextInt(4)));
            }
            return space.toString();
        }

        private static String pick(Random random, String[] choices) {
            return choices[random.nextInt(choices.length)];
        }
    }
}
