package io.infergate.core.config;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.infergate.core.config.ConfigFixtures.ONE_ROUTE;
import static io.infergate.core.config.ConfigFixtures.load;
import static io.infergate.core.config.ConfigFixtures.problemsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TracingSectionTest {

    private static final String TOKEN = "collector-t0ken-value";

    @Test
    void withoutATracingSectionTheGatewayDoesNotTraceWhateverTheEnvironmentSays() throws ConfigException {
        assertEquals(TracingConfig.OFF, load(ONE_ROUTE).tracing());
        assertEquals(TracingConfig.OFF, ConfigLoader.load(ONE_ROUTE,
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")).tracing());
    }

    @Test
    void anEndpointAloneTakesOpenTelemetrysDefaultsAndTheTracesPath() throws ConfigException {
        TracingConfig tracing = load("tracing: { otlpEndpoint: \"http://collector:4318\" }\n" + ONE_ROUTE).tracing();
        assertTrue(tracing.enabled());
        assertEquals(URI.create("http://collector:4318/v1/traces"), tracing.otlpEndpoint());
        assertEquals(TracingConfig.Protocol.HTTP_PROTOBUF, tracing.protocol());
        assertEquals(1.0, tracing.sampleRatio());
        assertEquals("infergate", tracing.serviceName());
        assertTrue(tracing.responseTraceparent());
        assertEquals(2048, tracing.queueSize());
        assertEquals(512, tracing.batchSize());
        assertEquals(Duration.ofSeconds(1), tracing.scheduleDelay());
    }

    @Test
    void everyKeyIsBoundAndTheHeadersComeFromTheEnvironmentUnshown() throws ConfigException {
        TracingConfig tracing = ConfigLoader.load("""
                tracing:
                  otlpEndpoint: "http://collector:4317"
                  protocol: grpc
                  sampleRatio: 0.01
                  serviceName: edge-gateway
                  headersEnv: OTLP_HEADERS
                  responseTraceparent: false
                  queueSize: 100
                  batchSize: 10
                  scheduleDelay: 200ms
                  exportTimeout: 3s
                """ + ONE_ROUTE, Map.of("OTLP_HEADERS", "authorization=Bearer%20" + TOKEN + ",x-tenant=a")).tracing();
        assertEquals(URI.create("http://collector:4317"), tracing.otlpEndpoint(), "gRPC takes the URL as it is");
        assertEquals(TracingConfig.Protocol.GRPC, tracing.protocol());
        assertEquals(0.01, tracing.sampleRatio());
        assertEquals("edge-gateway", tracing.serviceName());
        assertEquals(Map.of("authorization", "Bearer " + TOKEN, "x-tenant", "a"), tracing.headers());
        assertFalse(tracing.responseTraceparent());
        assertEquals(100, tracing.queueSize());
        assertEquals(10, tracing.batchSize());
        assertEquals(Duration.ofMillis(200), tracing.scheduleDelay());
        assertEquals(Duration.ofSeconds(3), tracing.exportTimeout());
    }

    @Test
    void keysLeftOutAreTakenFromTheStandardVariables() throws ConfigException {
        TracingConfig tracing = ConfigLoader.load("tracing: {}\n" + ONE_ROUTE, Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
                "OTEL_SERVICE_NAME", "from-env",
                "OTEL_TRACES_SAMPLER", "parentbased_traceidratio",
                "OTEL_TRACES_SAMPLER_ARG", "0.25",
                "OTEL_EXPORTER_OTLP_HEADERS", "api-key=" + TOKEN)).tracing();
        assertEquals(URI.create("http://collector:4318/v1/traces"), tracing.otlpEndpoint());
        assertEquals("from-env", tracing.serviceName());
        assertEquals(0.25, tracing.sampleRatio());
        assertEquals(Map.of("api-key", TOKEN), tracing.headers());
        assertEquals(URI.create("http://localhost:4318/v1/traces"),
                load("tracing: {}\n" + ONE_ROUTE).tracing().otlpEndpoint(), "OpenTelemetry's own default");
        assertEquals(TracingConfig.OFF, ConfigLoader.load("tracing: {}\n" + ONE_ROUTE,
                Map.of("OTEL_SDK_DISABLED", "true")).tracing());
    }

    @Test
    void badValuesAreReportedByPath() {
        assertEquals(List.of("tracing.otlpEndpoint: expected an http or https URL with a host, e.g. http://127.0.0.1:4318"),
                problemsOf("tracing: { otlpEndpoint: \"grpc://collector\" }\n" + ONE_ROUTE));
        assertEquals(List.of("tracing.protocol: \"http/json\" is not a protocol (expected: http/protobuf or grpc)"),
                problemsOf("tracing: { protocol: http/json }\n" + ONE_ROUTE));
        assertEquals(List.of("tracing.sampleRatio: \"10\" is not a ratio (expected: a number from 0 to 1, such as 0.01)"),
                problemsOf("tracing: { sampleRatio: 10 }\n" + ONE_ROUTE));
        assertEquals(List.of("tracing.batchSize: 20 is more than queueSize 10 (expected: at most queueSize)"),
                problemsOf("tracing: { queueSize: 10, batchSize: 20 }\n" + ONE_ROUTE));
        assertEquals(List.of("tracing.headersEnv: environment variable NOPE is not set"),
                problemsOf("tracing: { headersEnv: NOPE }\n" + ONE_ROUTE));
        assertEquals(List.of("tracing: expected a map, e.g. { otlpEndpoint: \"http://127.0.0.1:4318\", sampleRatio: 0.01 }"),
                problemsOf("tracing: yes\n" + ONE_ROUTE));
        assertTrue(problemsOf("tracing: { sampleRate: 0.1 }\n" + ONE_ROUTE).get(0).startsWith("tracing.sampleRate: unknown key"),
                problemsOf("tracing: { sampleRate: 0.1 }\n" + ONE_ROUTE).toString());
    }

    @Test
    void headersWrittenInPlaceOfTheirVariableAreRefusedUnshown() {
        List<String> problems = problemsOf("tracing: { headersEnv: \"authorization=" + TOKEN + "\" }\n" + ONE_ROUTE);
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("tracing.headersEnv: must be the name of an environment variable"), problems.get(0));
        assertFalse(problems.get(0).contains(TOKEN));
        List<String> inUrl = problemsOf("tracing: { otlpEndpoint: \"http://user:" + TOKEN + "@collector:4318\" }\n" + ONE_ROUTE);
        assertFalse(inUrl.toString().contains(TOKEN), inUrl.toString());
    }

    @Test
    void aSampleRatioOfZeroKeepsOnlyWhatClientsSampled() throws ConfigException {
        assertEquals(0.0, load("tracing: { sampleRatio: 0 }\n" + ONE_ROUTE).tracing().sampleRatio());
    }
}
