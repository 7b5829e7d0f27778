package io.infergate.core.load;

import io.infergate.core.load.LoadReport.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class OrcaLoadParserTest {

    /** From Envoy's ORCA tests, as the reference quotes it. */
    private static final String ENVOY_BIN = "CQAAAAAAAOA/MQAAAAAAAFlAOQAAAAAAAABAQg4KA3JpZhEAAAAAAAAQQA";

    private static final double NAN = Double.NaN;

    private static Function<String, String> headers(String... namesAndValues) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return map::get;
    }

    private static String reason(Parsed<?> parsed) {
        return assertInstanceOf(Parsed.Rejected.class, parsed, () -> "accepted: " + parsed).reason();
    }

    private static void assertEnvoyExample(OrcaReport report) {
        assertEquals(new OrcaReport(0.5, NAN, NAN, 100, 2, Map.of(), Map.of("rif", 4.0), Map.of()), report);
    }

    // BIN

    @Test
    void theEnvoyBinaryExampleReadsAsCpuRpsEpsAndRif() {
        assertEnvoyExample(OrcaLoadParser.fromHeaders(headers(OrcaLoadParser.BIN_HEADER, ENVOY_BIN)).orElseThrow());
        assertEnvoyExample(OrcaLoadParser.fromHeaders(headers(OrcaLoadParser.HEADER, "BIN " + ENVOY_BIN)).orElseThrow());
    }

    @Test
    void base64MayBePaddedOrUnpaddedStandardOrUrlSafe() {
        assertEquals(2, ENVOY_BIN.length() % 4, "the example is unpadded");
        String padded = ENVOY_BIN + "==";
        String urlSafe = ENVOY_BIN.replace('/', '_').replace('+', '-');
        assertFalse(urlSafe.equals(ENVOY_BIN), "the example has a character the alphabets differ in");
        for (String form : new String[] {padded, urlSafe, urlSafe + "==", " " + padded + " "}) {
            assertEnvoyExample(OrcaLoadParser.parseBinary(form).orElseThrow());
        }
    }

    @Test
    void badBase64IsRejected() {
        assertEquals("binary value is empty", reason(OrcaLoadParser.parseBinary("")));
        assertEquals("binary value is empty", reason(OrcaLoadParser.parse("BIN ")));
        assertEquals("binary value is not base64: too much padding", reason(OrcaLoadParser.parseBinary(ENVOY_BIN + "===")));
        assertEquals("binary value mixes the standard and URL-safe base64 alphabets",
                reason(OrcaLoadParser.parseBinary(ENVOY_BIN.replace('/', '_') + "+A")));
        assertTrue(reason(OrcaLoadParser.parseBinary("not a proto!")).startsWith("binary value is not base64: "));
        assertTrue(reason(OrcaLoadParser.parseBinary("QUJD" + "Q")).startsWith("binary value is not base64: "),
                "one character past a full quantum cannot be base64");
    }

    @Test
    void unknownFieldsOfEveryWireTypeAreSkipped() {
        byte[] entryWithExtra = new Proto().string(1, "rif").fixed32(7, 9).fixed64(2, 4.0).bytes();
        byte[] message = new Proto()
                .varint(3, 1000) // rps, deprecated: read and dropped
                .varint(10, 1L << 62)
                .fixed32(11, 0xCAFE)
                .fixed64(12, -1.0) // unknown, so its negative value does not matter
                .string(13, "a future field")
                .group(14, new Proto().varint(1, 5).group(2, new Proto().string(3, "nested")))
                .varint(1, 7) // cpu_utilization with the wrong wire type: unknown to protobuf
                .fixed64(9, 0.25)
                .message(8, entryWithExtra)
                .bytes();
        OrcaReport report = OrcaLoadParser.parseBinary(base64(message)).orElseThrow();
        assertEquals(new OrcaReport(NAN, NAN, 0.25, NAN, NAN, Map.of(), Map.of("rif", 4.0), Map.of()), report);
    }

    @Test
    void everyFieldAndMapOfTheProtoIsRead() {
        byte[] message = new Proto()
                .fixed64(1, 0.7).fixed64(2, 0.9)
                .message(4, new Proto().string(1, "tokens").fixed64(2, 512).bytes())
                .message(5, new Proto().string(1, "gpu").fixed64(2, 0.6).bytes())
                .fixed64(6, 1000).fixed64(7, 2)
                .message(8, new Proto().string(1, "foo").fixed64(2, 123).bytes())
                .message(8, new Proto().string(1, "bar").fixed64(2, 0.2).bytes())
                .fixed64(9, 0.8)
                .bytes();
        assertEquals(new OrcaReport(0.7, 0.9, 0.8, 1000, 2, Map.of("gpu", 0.6), Map.of("foo", 123.0, "bar", 0.2),
                Map.of("tokens", 512.0)), OrcaLoadParser.parseBinary(base64(message)).orElseThrow());
    }

    @Test
    void aRepeatedFieldReplacesTheEarlierOneAsInProtobuf() {
        byte[] message = new Proto().fixed64(1, 0.2).fixed64(1, 0.3)
                .message(8, new Proto().string(1, "rif").fixed64(2, 1).bytes())
                .message(8, new Proto().string(1, "rif").fixed64(2, 6).bytes())
                .bytes();
        OrcaReport report = OrcaLoadParser.parseBinary(base64(message)).orElseThrow();
        assertEquals(0.3, report.cpuUtilization());
        assertEquals(Map.of("rif", 6.0), report.namedMetrics());
    }

    @Test
    void aTruncatedMessageIsRejectedUnlessItEndsBetweenFields() {
        byte[] whole = Base64.getDecoder().decode(ENVOY_BIN);
        Set<Integer> fieldEnds = Set.of(9, 18, 27, whole.length);
        for (int length = 1; length < whole.length; length++) {
            Parsed<OrcaReport> parsed = OrcaLoadParser.parseBinary(base64(Arrays.copyOf(whole, length)));
            if (fieldEnds.contains(length)) {
                assertTrue(parsed.isAccepted(), length + " bytes: " + parsed);
            } else {
                assertTrue(reason(parsed).startsWith("malformed binary report: "), length + " bytes: " + parsed);
            }
        }
    }

    @Test
    void malformedWireDataIsRejectedWithWhatWasWrong() {
        assertEquals("malformed binary report: invalid wire type 6", reason(bin(new byte[] {(byte) 0x0E, 0})));
        assertEquals("malformed binary report: invalid field tag 1", reason(bin(new byte[] {0x01})));
        assertEquals("malformed binary report: end of group 3 without its start", reason(bin(new byte[] {0x1C})));
        assertEquals("malformed binary report: group 3 ended as 4", reason(bin(new byte[] {0x1B, 0x24})));
        assertEquals("malformed binary report: truncated group 3", reason(bin(new byte[] {0x1B, 0x08, 0x01})));
        assertEquals("malformed binary report: length 100 past the end of the message",
                reason(bin(new byte[] {0x42, 100, 0x0A})));
        byte[] longVarint = new byte[12];
        longVarint[0] = 0x18; // field 3, varint
        Arrays.fill(longVarint, 1, 12, (byte) 0x80);
        assertEquals("malformed binary report: varint longer than 10 bytes", reason(bin(longVarint)));
        assertEquals("malformed binary report: string is not UTF-8",
                reason(bin(new Proto().message(8, new byte[] {0x0A, 0x01, (byte) 0xFF}).bytes())));
    }

    @Test
    void binaryValuesAreCheckedLikeTextOnes() {
        assertEquals("cpu_utilization is negative: -0.5", reason(bin(new Proto().fixed64(1, -0.5).bytes())));
        assertEquals("eps is NaN", reason(bin(new Proto().fixed64(7, Double.NaN).bytes())));
        assertEquals("named_metrics.rif is infinite",
                reason(bin(new Proto().message(8, new Proto().string(1, "rif").fixed64(2, Double.POSITIVE_INFINITY).bytes()).bytes())));
        assertEquals("named_metrics has an empty name",
                reason(bin(new Proto().message(8, new Proto().fixed64(2, 1).bytes()).bytes())));
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(20240611);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[1 + random.nextInt(40)];
            random.nextBytes(bytes);
            if (random.nextBoolean()) {
                bytes[0] = (byte) ((1 + random.nextInt(12)) << 3 | random.nextInt(8));
            }
            accepted += bin(bytes).isAccepted() ? 1 : 0;
        }
        assertTrue(accepted > 0, "some random messages are well formed");
    }

    @Test
    void theLegacyBinaryHeaderWinsOverTheOtherOne() {
        Parsed<OrcaReport> parsed = OrcaLoadParser.fromHeaders(headers(
                OrcaLoadParser.HEADER, "TEXT cpu_utilization=0.9",
                OrcaLoadParser.BIN_HEADER, ENVOY_BIN));
        assertEquals(0.5, parsed.orElseThrow().cpuUtilization());
    }

    @Test
    void noHeaderIsAnEmptyReport() {
        assertSame(OrcaReport.EMPTY, OrcaLoadParser.fromHeaders(name -> null).orElseThrow());
        assertTrue(OrcaReport.EMPTY.toLoadReport(0).isEmpty());
    }

    // TEXT

    @Test
    void theReferenceTextExampleReadsEveryField() {
        String header = "TEXT cpu_utilization=0.7,application_utilization=0.8,mem_utilization=0.9,rps_fractional=1000,"
                + "eps=2,named_metrics.foo=123,named_metrics.bar=0.2,utilization.total=0.5";
        assertEquals(new OrcaReport(0.7, 0.9, 0.8, 1000, 2, Map.of("total", 0.5), Map.of("foo", 123.0, "bar", 0.2), Map.of()),
                OrcaLoadParser.parse(header).orElseThrow());
    }

    @Test
    void textTakesColonsAsEnvoyOnceDidAndSpacesAroundCommas() {
        String colons = "TEXT cpu_utilization:0.7,application_utilization:0.8,mem_utilization:0.9,"
                + "rps_fractional:1000,eps:2,named_metrics.foo:123,named_metrics.bar:0.2";
        assertEquals(new OrcaReport(0.7, 0.9, 0.8, 1000, 2, Map.of(), Map.of("foo", 123.0, "bar", 0.2), Map.of()),
                OrcaLoadParser.parse(colons).orElseThrow());
        OrcaReport vllm = OrcaLoadParser.parse(
                "TEXT named_metrics.kv_cache_usage_perc=0.4, named_metrics.num_requests_waiting=0.0").orElseThrow();
        assertEquals(Map.of("kv_cache_usage_perc", 0.4, "num_requests_waiting", 0.0), vllm.namedMetrics());
        assertEquals(Map.of("a", 1.0, "b", 2.0),
                OrcaLoadParser.parse("TEXT  named_metrics.a = 1 ,\tnamed_metrics.b:2 ,").orElseThrow().namedMetrics());
    }

    static Stream<Arguments> textRejections() {
        return Stream.of(
                arguments("cpu_utilization=0.7,unsupported_metric=0.8", "unknown metric: 'unsupported_metric'"),
                arguments("cpuUtilization=0.7", "unknown metric: 'cpuUtilization'"),
                arguments("request_cost.tokens=3", "unknown metric: 'request_cost.tokens'"),
                arguments("cpu_utilization=0.7,cpu_utilization=0.8", "duplicate metric: cpu_utilization"),
                arguments("named_metrics.foo=123,named_metrics.dup=1,named_metrics.dup=0.2",
                        "duplicate metric: named_metrics.dup"),
                arguments("=0.5", "metric name is empty"),
                arguments("named_metrics.=123", "named_metrics has an empty name"),
                arguments("utilization.=0.1", "utilization has an empty name"),
                arguments("not-a-list-of-key-value-pairs", "metric without a value: 'not-a-list-of-key-value-pairs'"),
                arguments("eps=", "eps is empty"),
                arguments("cpu_utilization=\"0.7\"", "cpu_utilization is not a number: '\"0.7\"'"),
                arguments("cpu_utilization=0x1p3", "cpu_utilization is not a number: '0x1p3'"),
                arguments("cpu_utilization=NaN", "cpu_utilization is NaN"),
                arguments("cpu_utilization=nan", "cpu_utilization is NaN"),
                arguments("cpu_utilization=inf", "cpu_utilization is infinite"),
                arguments("cpu_utilization=-Infinity", "cpu_utilization is infinite"),
                arguments("eps=1e999", "eps is infinite"),
                arguments("mem_utilization=-0.1", "mem_utilization is negative: -0.1"),
                arguments("named_metrics.q=-3", "named_metrics.q is negative: -3.0"));
    }

    @ParameterizedTest
    @MethodSource("textRejections")
    void textIsRejectedLikeEnvoyRejectsIt(String body, String expectedReason) {
        assertEquals(expectedReason, reason(OrcaLoadParser.parse("TEXT " + body)));
    }

    @Test
    void anUnknownFormatIsNamedInTheRejection() {
        assertEquals("unsupported ORCA header format: 'BAD'", reason(OrcaLoadParser.parse("BAD random-value")));
        assertEquals("unsupported ORCA header format: ''", reason(OrcaLoadParser.parse("")));
        assertEquals("unsupported ORCA header format: 'text'", reason(OrcaLoadParser.parse("text eps=1")));
        assertEquals("unsupported ORCA header format: 'cpu_utilization:0.7'",
                reason(OrcaLoadParser.parse("cpu_utilization:0.7")));
    }

    // JSON

    @Test
    void theReferenceJsonExampleReadsEveryField() {
        String header = "JSON {\"cpu_utilization\": 0.7, \"mem_utilization\": 0.9, \"rps_fractional\": 1000, \"eps\": 2, "
                + "\"named_metrics\": {\"foo\": 123}, \"utilization\": {\"total\": 0.5}}";
        assertEquals(new OrcaReport(0.7, 0.9, NAN, 1000, 2, Map.of("total", 0.5), Map.of("foo", 123.0), Map.of()),
                OrcaLoadParser.parse(header).orElseThrow());
    }

    @Test
    void jsonTakesEitherSpellingOfANameAndNumbersInStrings() {
        String header = "JSON {\"cpuUtilization\": \"0.7\", \"applicationUtilization\": 0.8, \"namedMetrics\": {\"a\": \"1\"},"
                + " \"requestCost\": {\"tokens\": 40}, \"rps\": 12, \"eps\": null}";
        assertEquals(new OrcaReport(0.7, NAN, 0.8, NAN, NAN, Map.of(), Map.of("a", 1.0), Map.of("tokens", 40.0)),
                OrcaLoadParser.parse(header).orElseThrow());
        assertEquals(Map.of("kv_cache_usage_perc", 0.4, "num_requests_waiting", 0.0), OrcaLoadParser.parse(
                "JSON {\"named_metrics\": {\"kv_cache_usage_perc\": 0.4, \"num_requests_waiting\": 0.0}}")
                .orElseThrow().namedMetrics());
    }

    static Stream<Arguments> jsonRejections() {
        return Stream.of(
                arguments("{\"cpu_utilization\": 0.7, \"unknown_field\": 2}", "unknown field: 'unknown_field'"),
                arguments("{\"cpu_utilization\": true}", "cpu_utilization is not a number"),
                arguments("{\"eps\": \"NaN\"}", "eps is NaN"),
                arguments("{\"eps\": \"-Infinity\"}", "eps is infinite"),
                arguments("{\"eps\": 1e999}", "eps is infinite"),
                arguments("{\"eps\": -2}", "eps is negative: -2.0"),
                arguments("{\"named_metrics\": {\"x\": -1}}", "named_metrics.x is negative: -1.0"),
                arguments("{\"named_metrics\": {\"x\": [1]}}", "named_metrics.x is not a number"),
                arguments("{\"named_metrics\": {\"\": 1}}", "named_metrics has an empty name"),
                arguments("{\"named_metrics\": 4}", "named_metrics is not an object"),
                arguments("{\"cpu_utilization\": 0.1, \"cpuUtilization\": 0.2}", "duplicate metric: cpu_utilization"),
                arguments("{\"rps\": 1.5}", "rps is not an integer"),
                arguments("[0.5]", "JSON report is not an object"),
                arguments("", "JSON report is not an object"));
    }

    @ParameterizedTest
    @MethodSource("jsonRejections")
    void jsonIsRejectedWithAReason(String body, String expectedReason) {
        assertEquals(expectedReason, reason(OrcaLoadParser.parse("JSON " + body)));
    }

    @Test
    void jsonThatDoesNotParseIsRejectedAsInvalid() {
        for (String body : new String[] {"not-a-valid-json-string", "{\"cpu_utilization\": \"0.7\"",
                "{\"eps\": 1, \"eps\": 2}", "{\"eps\": 1} trailing", "{\"eps\": NaN}"}) {
            assertTrue(reason(OrcaLoadParser.parse("JSON " + body)).startsWith("invalid JSON: "), body);
        }
    }

    // to LoadReport

    @Test
    void vllmsNamedMetricsBecomeTheQueueTheBatchAndTheKvCache() {
        LoadReport load = OrcaLoadParser.parse("TEXT named_metrics.kv_cache_usage_perc=0.4, named_metrics.num_requests_waiting=2,"
                + " named_metrics.num_requests_running=7, cpu_utilization=0.3").orElseThrow().toLoadReport(99);
        assertEquals(LoadReport.empty(Source.ORCA, 99).withKvCacheUsage(0.4).withQueueDepth(2).withRunning(7), load);
        assertEquals(0.4, load.utilization(), "the CPU is not the GPU");
    }

    @Test
    void gpuUtilizationIsTheNamedMetricThenUtilizationGpuThenApplicationUtilization() {
        String all = "TEXT named_metrics.gpu_utilization=0.75,utilization.gpu=0.5,application_utilization=0.25";
        assertEquals(0.75, gpu(all));
        assertEquals(0.5, gpu("TEXT utilization.gpu=0.5,application_utilization=0.25"));
        assertEquals(0.25, gpu("TEXT application_utilization=0.25"));
        assertTrue(Double.isNaN(gpu("TEXT application_utilization=0")), "zero is proto3's unset");
        assertTrue(Double.isNaN(gpu("TEXT utilization.total=0.5,named_metrics.gpu=0.5")));
    }

    private static double gpu(String header) {
        return OrcaLoadParser.parse(header).orElseThrow().toLoadReport(0).gpuUtilization();
    }

    // helpers

    private static Parsed<OrcaReport> bin(byte[] message) {
        return OrcaLoadParser.parseBinary(base64(message));
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Writes protobuf wire data field by field. */
    private static final class Proto {

        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            tag(field, 0);
            writeVarint(value);
            return this;
        }

        Proto fixed64(int field, double value) {
            tag(field, 1);
            long bits = Double.doubleToRawLongBits(value);
            for (int i = 0; i < 8; i++) {
                out.write((int) (bits >>> (8 * i)));
            }
            return this;
        }

        Proto fixed32(int field, int value) {
            tag(field, 5);
            for (int i = 0; i < 4; i++) {
                out.write(value >>> (8 * i));
            }
            return this;
        }

        Proto message(int field, byte[] body) {
            tag(field, 2);
            writeVarint(body.length);
            out.writeBytes(body);
            return this;
        }

        Proto string(int field, String text) {
            return message(field, text.getBytes(StandardCharsets.UTF_8));
        }

        Proto group(int field, Proto body) {
            tag(field, 3);
            out.writeBytes(body.bytes());
            tag(field, 4);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void tag(int field, int wireType) {
            writeVarint((long) field << 3 | wireType);
        }

        private void writeVarint(long value) {
            long v = value;
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
