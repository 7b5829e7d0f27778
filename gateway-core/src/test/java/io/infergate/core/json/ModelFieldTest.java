package io.infergate.core.json;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ModelFieldTest {

    private static ModelField of(String json) {
        return ModelField.of(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static void assertNamed(String model, String json) {
        assertEquals(new ModelField(ModelField.Kind.NAMED, model), of(json), json);
    }

    private static void assertKind(ModelField.Kind kind, String json) {
        ModelField field = of(json);
        assertEquals(kind, field.kind(), json);
        assertNull(field.name());
    }

    @Test
    void theTopLevelModelIsFoundFirstOrLast() {
        assertNamed("llama-70b", "{\"model\":\"llama-70b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertNamed("llama-70b", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,\"model\":\"llama-70b\"}");
        assertNamed("llama-70b", " \uFEFF".substring(1) + "{ \"model\" : \"llama-70b\" }\n");
        assertNamed("a\"b/é", "{\"model\":\"a\\\"b\\/\\u00e9\"}");
        assertNamed("llama-70b", "{\"mod\\u0065l\":\"llama-70b\"}");
    }

    @Test
    void modelKeysInsideOtherValuesDoNotCount() {
        assertKind(ModelField.Kind.ABSENT, "{\"messages\":[{\"role\":\"user\",\"model\":\"llama-3b\",\"content\":\"model\"}],"
                + "\"tools\":{\"model\":\"x\"},\"metadata\":\"\\\"model\\\":\\\"y\\\"\"}");
        assertNamed("llama-70b", "{\"messages\":[{\"model\":\"llama-3b\"}],\"model\":\"llama-70b\",\"extra\":{\"model\":\"z\"}}");
    }

    @Test
    void aRepeatedModelCountsOnlyWhenItNamesTheSameModel() {
        assertNamed("llama-70b", "{\"model\":\"llama-70b\",\"n\":1,\"model\":\"llama-70b\"}");
        assertKind(ModelField.Kind.CONFLICTING, "{\"model\":\"llama-3b\",\"n\":1,\"model\":\"llama-70b\"}");
    }

    @Test
    void aModelThatIsNotAStringIsSaidSo() {
        assertKind(ModelField.Kind.NOT_A_STRING, "{\"model\":null}");
        assertKind(ModelField.Kind.NOT_A_STRING, "{\"model\":42}");
        assertKind(ModelField.Kind.NOT_A_STRING, "{\"model\":{\"name\":\"llama-70b\"}}");
    }

    @Test
    void whatIsNotOneJsonObjectIsNotJson() {
        for (String body : new String[] {"[{\"model\":\"a\"}]", "\"model\"", "{\"model\":\"a\"", "{\"model\":\"a\"} {}",
                "{\"model\":\"a\",}", "model=a", "{\"messages\":[{\"model\":\"a\"}", "{\"model\":\"a\",\"x\":tru}"}) {
            assertKind(ModelField.Kind.NOT_JSON, body);
        }
        assertKind(ModelField.Kind.ABSENT, "{}");
        assertKind(ModelField.Kind.ABSENT, "");
        assertKind(ModelField.Kind.ABSENT, " \r\n");
    }

    @Test
    void aHugeBodyIsReadWithoutBindingItWhereverItsModelIs() {
        String filler = "x".repeat(4 * 1024 * 1024);
        assertNamed("llama-3b", "{\"model\":\"llama-3b\",\"prompt\":\"" + filler + "\"}");
        assertNamed("llama-3b", "{\"prompt\":\"" + filler + "\",\"n\":[" + "1,".repeat(100_000) + "2],\"model\":\"llama-3b\"}");
        assertKind(ModelField.Kind.NOT_JSON, "{\"prompt\":\"" + filler + "\",\"model\":\"llama-3b\"");
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertKind(ModelField.Kind.NOT_JSON, "{\"x\":" + deep + ",\"model\":\"a\"}");
    }

    @Test
    void aBodyInChunksReadsAsOne() {
        String json = "{\"messages\":[{\"content\":\"hi\"}],\"model\":\"llama-70b\"}";
        for (int split = 0; split <= json.length(); split++) {
            InputStream chunks = new SequenceInputStream(
                    new ByteArrayInputStream(json.substring(0, split).getBytes(StandardCharsets.UTF_8)),
                    new ByteArrayInputStream(json.substring(split).getBytes(StandardCharsets.UTF_8)));
            assertEquals("llama-70b", ModelField.of(chunks).name(), "split at " + split);
        }
    }

    @Test
    void everyKindButNamedSaysWhyItCannotBeRouted() {
        for (ModelField.Kind kind : ModelField.Kind.values()) {
            assertEquals(kind == ModelField.Kind.NAMED, new ModelField(kind, null).problem() == null, kind.name());
        }
    }
}
