package io.infergate.core.config;

import static io.infergate.core.config.ConfigFixtures.ONE_ROUTE;
import static io.infergate.core.config.ConfigFixtures.load;
import static io.infergate.core.config.ConfigFixtures.problemsOf;
import static io.infergate.core.config.ConfigFixtures.withServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

class ServerSectionTest {

    @Test
    void portsOutsideZeroTo65535AreRefused() {
        assertEquals(List.of(
                "server.port: \"-1\" is out of range (expected: 0-65535)",
                "server.adminPort: \"65536\" is out of range (expected: 0-65535)"),
                problemsOf(withServer("port: -1\nadminPort: 65536")));
    }

    @Test
    void http2LimitsBindAndDefault() throws ConfigException {
        assertEquals(Http2Config.DEFAULTS, load(ONE_ROUTE).server().http2());
        ServerConfig server = load(withServer(
                "http2: { maxConcurrentStreams: 8, maxHeaderListBytes: 4KiB, maxResets: 50, resetWindow: 10s }")).server();
        assertEquals(new Http2Config(8, 4096, 50, Duration.ofSeconds(10)), server.http2());
        assertEquals(List.of(
                "server.http2.maxStreams: unknown key (expected one of: maxConcurrentStreams, maxHeaderListBytes, "
                        + "maxResets, resetWindow)",
                "server.http2.maxConcurrentStreams: \"0\" is out of range (expected: 1-2147483647)",
                "server.http2.maxHeaderListBytes: \"0\" must be positive"),
                problemsOf(withServer("http2: { maxConcurrentStreams: 0, maxHeaderListBytes: 0, maxStreams: 3 }")));
    }

    @Test
    void listenerTlsNeedsACertificateAndAKeyThatCanBeRead(@TempDir Path dir)
            throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt"), "pem");
        assertEquals(List.of("server.tls.keyFile: is required with server.tls"),
                problemsOf(withServer("tls: { certFile: \"" + cert + "\" }")));
        assertEquals(List.of("server.tls.clientCa: unknown key (expected one of: certFile, keyFile, clientCaFile)",
                        "server.tls.keyFile: cannot read " + dir.resolve("nope.key") + " (no such file)"),
                problemsOf(withServer("tls: { certFile: \"" + cert + "\", keyFile: \"" + dir.resolve("nope.key")
                        + "\", clientCa: x }")));
        ServerConfig server = load(withServer("tls: { certFile: \"" + cert + "\", keyFile: \"" + cert + "\" }")).server();
        assertEquals(new ListenerTlsConfig(cert, cert, null), server.tls());
        assertEquals(null, load(withServer("port: 8081")).server().tls(), "plain HTTP unless asked");
    }

    @Test
    void portZeroAsksForAnyFreePortAndMayBeUsedForBoth() throws ConfigException {
        ServerConfig server = ConfigFixtures.load(withServer("port: 0\nadminPort: 0")).server();
        assertEquals(0, server.port());
        assertEquals(0, server.adminPort());
    }

    @Test
    void portThatIsNotAnIntegerIsRefused() {
        assertEquals(List.of("server.port: \"abc\" is not an integer"), problemsOf(withServer("port: abc")));
        assertEquals(List.of("server.port: \"80.5\" is not an integer"), problemsOf(withServer("port: 80.5")));
    }

    @Test
    void portAndAdminPortMustDiffer() {
        assertEquals(List.of("server.adminPort: must differ from server.port (both are 7000)"),
                problemsOf(withServer("port: 7000\nadminPort: 7000")));
    }

    @Test
    void portEqualToTheDefaultAdminPortIsBlamedOnPort() {
        assertEquals(List.of("server.port: must differ from server.adminPort (both are 9090)"),
                problemsOf(withServer("port: 9090")));
    }

    @Test
    void anInvalidPortDoesNotAlsoClashWithTheOther() {
        assertEquals(List.of("server.port: \"abc\" is not an integer"),
                problemsOf(withServer("port: abc\nadminPort: 8080")));
    }

    @Test
    void byteSizesTakeIntegersAndBinarySuffixes() throws ConfigException {
        ServerConfig server = load(withServer("maxBodyBytes: 1GiB\nmaxHeaderBytes: 8192")).server();

        assertEquals(1L << 30, server.maxBodyBytes());
        assertEquals(8192, server.maxHeaderBytes());
    }

    @Test
    void byteSizesMustBePositive() {
        assertEquals(List.of(
                "server.maxBodyBytes: \"0\" must be positive",
                "server.maxHeaderBytes: \"-1KiB\" must be positive"),
                problemsOf(withServer("maxBodyBytes: 0\nmaxHeaderBytes: -1KiB")));
    }

    @Test
    void maxHeaderBytesMustFitAnInt() {
        assertEquals(List.of("server.maxHeaderBytes: \"2GiB\" is too large (expected: at most 2147483647 bytes)"),
                problemsOf(withServer("maxHeaderBytes: 2GiB")));
    }

    @Test
    void serverDurationsMayBeZeroButNotNegative() throws ConfigException {
        assertEquals(Duration.ZERO, load(withServer("drainTimeout: 0s")).server().drainTimeout());
        assertEquals(List.of("server.idleTimeout: \"-5s\" must not be negative"),
                problemsOf(withServer("idleTimeout: -5s")));
    }

    @Test
    void theAccessLogIsOnUnlessTurnedOff() throws ConfigException {
        assertEquals(AccessLogConfig.DEFAULTS, load(ONE_ROUTE).server().accessLog());
        assertTrue(load(ONE_ROUTE).server().accessLog().enabled());
        assertFalse(load(withServer("accessLog: false")).server().accessLog().enabled());
        assertFalse(load(withServer("accessLog: { enabled: false }")).server().accessLog().enabled());
        assertEquals(List.of("server.accessLog: \"maybe\" is not a boolean (expected: true or false)"),
                problemsOf(withServer("accessLog: maybe")));
    }

    @Test
    void theAccessLogMapNamesAFileAndSizesTheQueueAndStaysOnByDefault() throws ConfigException {
        AccessLogConfig log = load(withServer("accessLog: { file: /var/log/infergate/access.log, queue: 1024 }"))
                .server().accessLog();

        assertEquals(new AccessLogConfig(true, Path.of("/var/log/infergate/access.log"), 1024), log);
        assertEquals(new AccessLogConfig(true, null, AccessLogConfig.DEFAULTS.queue()),
                load(withServer("accessLog: {}")).server().accessLog());
    }

    @Test
    void aBadAccessLogMapIsReportedKeyByKey() {
        assertEquals(List.of(
                "server.accessLog.path: unknown key (expected one of: enabled, file, queue)",
                "server.accessLog.enabled: \"maybe\" is not a boolean (expected: true or false)",
                "server.accessLog.file: must not be empty",
                "server.accessLog.queue: \"0\" is out of range (expected: 1-1048576)"),
                problemsOf(withServer("accessLog: { enabled: maybe, file: \"\", queue: 0, path: /x }")));
        assertEquals(List.of("server.accessLog.file: is not a valid path (Nul character not allowed)"),
                problemsOf(withServer("accessLog: { file: \"a\\u0000b\" }")));
        assertEquals(List.of("server.accessLog: expected a boolean, got a list"),
                problemsOf(withServer("accessLog: [ true ]")));
    }

    @Test
    void theApplicationLogIsTextUnlessJsonIsAskedFor() throws ConfigException {
        assertEquals(ServerConfig.LogFormat.TEXT, load(ONE_ROUTE).server().logFormat());
        assertEquals(ServerConfig.LogFormat.TEXT, load(withServer("logFormat: text")).server().logFormat());
        assertEquals(ServerConfig.LogFormat.JSON, load(withServer("logFormat: json")).server().logFormat());
    }

    @Test
    void aLogFormatOtherThanTextOrJsonIsRefusedAtItsPath() {
        assertEquals(List.of("server.logFormat: \"JSON\" is not a log format (expected: text or json)"),
                problemsOf(withServer("logFormat: JSON")));
        assertEquals(List.of("server.logFormat: \"logfmt\" is not a log format (expected: text or json)"),
                problemsOf(withServer("logFormat: logfmt")));
        assertEquals(List.of("server.logFormat: expected a string, got a list"),
                problemsOf(withServer("logFormat: [json]")));
    }

    @Test
    void theTransportIsChosenForThePlatformUnlessOneIsAskedFor() throws ConfigException {
        assertEquals(ServerConfig.Transport.AUTO, load(ONE_ROUTE).server().transport());
        assertEquals(ServerConfig.Transport.IO_URING, load(withServer("transport: io_uring")).server().transport());
        assertEquals(ServerConfig.Transport.EPOLL, load(withServer("transport: epoll")).server().transport());
        assertEquals(ServerConfig.Transport.NIO, load(withServer("transport: nio")).server().transport());
    }

    @Test
    void aTransportThatIsNoneOfTheFourIsRefusedAtItsPath() {
        assertEquals(List.of("server.transport: \"uring\" is not a transport (expected: auto, io_uring, epoll or nio)"),
                problemsOf(withServer("transport: uring")));
        assertEquals(List.of("server.transport: expected a string, got a list"),
                problemsOf(withServer("transport: [epoll, nio]")));
    }

    @Test
    void emptyAdminBindIsRefused() {
        assertEquals(List.of("server.adminBind: must not be empty"), problemsOf(withServer("adminBind: \"\"")));
    }

    @Test
    void serverThatIsNotAMapIsRefused() {
        assertEquals(List.of("server: expected a map, got a list"), problemsOf("server: [8080]\n" + ONE_ROUTE));
    }

    @Test
    void scalarThatIsAMapIsRefused() {
        assertEquals(List.of("server.port: expected an integer, got a map"),
                problemsOf(withServer("port: { value: 8080 }")));
    }

    @Test
    void unknownServerKeyListsTheKnownOnesWhenNoneIsClose() {
        assertEquals(List.of("server.listen: unknown key (expected one of: " + String.join(", ", ServerBinder.KEYS) + ")"),
                problemsOf(withServer("listen: 8080")));
    }

    @Test
    void unknownKeyThatDiffersOnlyInCaseGetsASuggestion() {
        assertEquals(List.of("server.maxbodybytes: unknown key (did you mean \"maxBodyBytes\"?)"),
                problemsOf(withServer("maxbodybytes: 1MiB")));
    }

    @Test
    void unknownTopLevelKeyIsRefused() {
        assertEquals(List.of("rotues: unknown key (did you mean \"routes\"?)", "routes: required"),
                problemsOf("rotues: []\n"));
    }
}
