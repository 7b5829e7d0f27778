package io.infergate.core.config;

import static io.infergate.core.config.ConfigFixtures.TEST_CA_PEM;
import static io.infergate.core.config.ConfigFixtures.load;
import static io.infergate.core.config.ConfigFixtures.problemsOf;
import static io.infergate.core.config.ConfigFixtures.withUpstream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpstreamValidationTest {

    private static final String SECRET = "hf_TopSecretValue123";
    private static final String HTTPS = "endpoints: [ \"https://x.endpoints.huggingface.cloud\" ]\n";

    @Test
    void endpointThatIsNotAnAbsoluteUrlIsRefusedAtItsIndex() {
        assertEquals(List.of(
                "routes[0].upstreams[0].endpoints[1]: \"not a url\" is not an absolute http(s) URL",
                "routes[0].upstreams[0].endpoints[2]: \"ftp://h\" is not an absolute http(s) URL"),
                problemsOf(withUpstream("endpoints: [ \"http://h\", \"not a url\", \"ftp://h\" ]")));
    }

    @Test
    void upstreamWithoutEndpointsIsRefused() {
        assertEquals(List.of("routes[0].upstreams[0].endpoints: required"), problemsOf(withUpstream("")));
        assertEquals(List.of("routes[0].upstreams[0].endpoints: must not be empty"),
                problemsOf(withUpstream("endpoints: []")));
    }

    @Test
    void upstreamWithoutNameIsRefused() {
        String yaml = """
                routes:
                  - name: a
                    match: { pathPrefix: /a/ }
                    upstreams: [ { endpoints: [ "http://h" ] } ]
                """;

        assertEquals(List.of("routes[0].upstreams[0].name: required"), problemsOf(yaml));
    }

    @Test
    void bearerEnvReadsTheTokenFromTheEnvironment() throws ConfigException {
        UpstreamAuth auth = ConfigLoader.load(withUpstream(HTTPS + "auth: { bearerEnv: HF_TOKEN }"),
                Map.of("HF_TOKEN", SECRET)).routes().get(0).primary().auth();

        assertEquals(new UpstreamAuth("HF_TOKEN", SECRET), auth);
        assertFalse(auth.toString().contains(SECRET));
    }

    @Test
    void bearerEnvNamingAnUnsetVariableIsRefused() {
        assertEquals(List.of("routes[0].upstreams[0].auth.bearerEnv: environment variable HF_TOKEN is not set"),
                problemsOf(withUpstream(HTTPS + "auth: { bearerEnv: HF_TOKEN }")));
    }

    @Test
    void bearerEnvNamingAnEmptyVariableIsRefused() {
        assertEquals(List.of("routes[0].upstreams[0].auth.bearerEnv: environment variable HF_TOKEN is empty"),
                problemsOf(withUpstream(HTTPS + "auth: { bearerEnv: HF_TOKEN }"), Map.of("HF_TOKEN", "")));
    }

    @Test
    void authWithoutBearerEnvIsRefused() {
        assertEquals(List.of("routes[0].upstreams[0].auth.bearerEnv: required"),
                problemsOf(withUpstream(HTTPS + "auth: {}")));
    }

    @Test
    void unknownAuthKeyIsRefused() {
        assertEquals(List.of("routes[0].upstreams[0].auth.bearerToken: unknown key (expected one of: bearerEnv)",
                        "routes[0].upstreams[0].auth.bearerEnv: required"),
                problemsOf(withUpstream(HTTPS + "auth: { bearerToken: " + SECRET + " }")));
    }

    @Test
    void tokenPastedInPlaceOfItsVariableNameIsNotEchoed() {
        List<String> problems = problemsOf(withUpstream(HTTPS + "auth: { bearerEnv: " + SECRET + " }"));

        assertEquals(List.of("routes[0].upstreams[0].auth.bearerEnv: must be the name of an environment variable"
                + " that holds the token, not the token itself (value not shown)"), problems);
    }

    @Test
    void secretNeverAppearsInAnyProblem() {
        String yaml = withUpstream("""
                endpoints: [ "${HF_TOKEN}", "https://h/${HF_TOKEN}?q" ]
                auth: { bearerEnv: HF_TOKEN }""");

        List<String> problems = problemsOf(yaml, Map.of("HF_TOKEN", SECRET));

        assertEquals(2, problems.size());
        assertTrue(problems.stream().noneMatch(p -> p.contains(SECRET)), problems::toString);
        assertEquals("routes[0].upstreams[0].endpoints[0]: \"[redacted]\" is not an absolute http(s) URL", problems.get(0));
    }

    @Test
    void tlsOnAnUpstreamWithOnlyHttpEndpointsIsFine() throws ConfigException {
        TlsConfig tls = load(withUpstream("endpoints: [ \"http://h\" ]\ntls: { insecureSkipVerify: true }"))
                .routes().get(0).primary().tls();

        assertEquals(new TlsConfig(null, true), tls);
    }

    @Test
    void caFileThatDoesNotExistIsRefused(@TempDir Path dir) {
        Path missing = dir.resolve("missing.pem");

        assertEquals(List.of("routes[0].upstreams[0].tls.caFile: \"" + missing + "\" is not a readable file"),
                problemsOf(withUpstream(HTTPS + "tls: { caFile: \"" + missing + "\" }")));
    }

    @Test
    void caFileThatIsADirectoryIsRefused(@TempDir Path dir) {
        assertEquals(List.of("routes[0].upstreams[0].tls.caFile: \"" + dir + "\" is not a readable file"),
                problemsOf(withUpstream(HTTPS + "tls: { caFile: \"" + dir + "\" }")));
    }

    @Test
    void caFileThatHoldsNoCertificateIsRefused(@TempDir Path dir) throws Exception {
        Path notPem = Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");

        assertEquals(List.of("routes[0].upstreams[0].tls.caFile: \"" + notPem + "\" is not a PEM certificate bundle"),
                problemsOf(withUpstream(HTTPS + "tls: { caFile: \"" + notPem + "\" }")));
    }

    @Test
    void caFileWithAPemCertificateIsAccepted(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), TEST_CA_PEM);

        TlsConfig tls = load(withUpstream(HTTPS + "tls: { caFile: \"" + ca + "\" }")).routes().get(0).primary().tls();

        assertEquals(new TlsConfig(ca.toString(), false), tls);
    }

    @Test
    void relativeCaFileIsTakenFromTheConfigFilesDirectory(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("certs"));
        Path ca = Files.writeString(dir.resolve("certs").resolve("ca.pem"), TEST_CA_PEM);
        Path file = Files.writeString(dir.resolve("gateway.yaml"), withUpstream(HTTPS + "tls: { caFile: certs/ca.pem }"));

        TlsConfig tls = ConfigLoader.load(file, Map.of()).routes().get(0).primary().tls();

        assertEquals(ca.toString(), tls.caFile());
    }

    @Test
    void insecureSkipVerifyMustBeABoolean() {
        assertEquals(List.of("routes[0].upstreams[0].tls.insecureSkipVerify: \"maybe\" is not a boolean (expected: true or false)"),
                problemsOf(withUpstream(HTTPS + "tls: { insecureSkipVerify: maybe }")));
    }

    @Test
    void misspelledTlsKeyGetsASuggestion() {
        assertEquals(List.of("routes[0].upstreams[0].tls.cafile: unknown key (did you mean \"caFile\"?)"),
                problemsOf(withUpstream(HTTPS + "tls: { cafile: ca.pem }")));
    }
}
