package io.infergate.core.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.infergate.core.config.ConfigFixtures.ONE_ROUTE;
import static io.infergate.core.config.ConfigFixtures.TEST_CA_PEM;
import static io.infergate.core.config.ConfigFixtures.load;
import static io.infergate.core.config.ConfigFixtures.problemsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreSectionTest {

    private static final String PASSWORD = "s3cret-Redis-passw0rd";

    @Test
    void withoutAStoreSectionEverythingStaysInMemory() throws ConfigException {
        assertEquals(StoreConfig.DEFAULTS, load(ONE_ROUTE).store());
        assertEquals(Optional.empty(), StoreConfig.DEFAULTS.redis());
        assertEquals(StoreConfig.OnUnavailable.ALLOW, StoreConfig.DEFAULTS.onUnavailable());
    }

    @Test
    void aUrlAloneTakesTheDefaults() throws ConfigException {
        StoreConfig store = load("store: { redis: { url: \"redis://127.0.0.1:6379/0\" } }\n" + ONE_ROUTE).store();
        assertEquals(new StoreConfig(Optional.of(new RedisStoreConfig(URI.create("redis://127.0.0.1:6379/0"), null,
                Duration.ofSeconds(2), Duration.ofMillis(500), "infergate:", null)), StoreConfig.OnUnavailable.ALLOW), store);
    }

    @Test
    void everyKeyIsBoundAndThePasswordComesFromTheEnvironmentAndIsNeverShown() throws ConfigException {
        StoreConfig store = ConfigLoader.load("""
                store:
                  onUnavailable: deny
                  redis:
                    url: "rediss://gateway@redis.internal:6380/2"
                    passwordEnv: REDIS_PASSWORD
                    connectTimeout: 3s
                    commandTimeout: 200ms
                    keyPrefix: "team-a:"
                """ + ONE_ROUTE, Map.of("REDIS_PASSWORD", PASSWORD)).store();
        assertEquals(new StoreConfig(Optional.of(new RedisStoreConfig(URI.create("rediss://gateway@redis.internal:6380/2"),
                PASSWORD, Duration.ofSeconds(3), Duration.ofMillis(200), "team-a:", null)), StoreConfig.OnUnavailable.DENY), store);
        assertFalse(store.toString().contains(PASSWORD), store.toString());
    }

    @Test
    void aSentinelUrlWithSeveralHostsIsTaken() throws ConfigException {
        StoreConfig store = load("store: { redis: { url: \"redis-sentinel://10.0.0.1:26379,10.0.0.2:26379/0#mymaster\" } }\n"
                + ONE_ROUTE).store();
        assertTrue(store.redis().isPresent());
    }

    @Test
    void badValuesAreReportedByPath() {
        assertEquals(List.of("store.redis.url: unsupported scheme (expected one of: redis, rediss, redis-sentinel,"
                + " rediss-sentinel, e.g. redis://127.0.0.1:6379/0)"),
                problemsOf("store: { redis: { url: \"http://127.0.0.1:6379\" } }\n" + ONE_ROUTE));
        assertEquals(List.of("store.redis.url: required"), problemsOf("store: { redis: { keyPrefix: x } }\n" + ONE_ROUTE));
        assertEquals(List.of("store.redis.url: the path must be a database number, e.g. /0"),
                problemsOf("store: { redis: { url: \"redis://127.0.0.1:6379/zero\" } }\n" + ONE_ROUTE));
        assertEquals(List.of("store.onUnavailable: \"maybe\" is not a policy (expected: allow or deny)"),
                problemsOf("store: { onUnavailable: maybe, redis: { url: \"redis://h:6379\" } }\n" + ONE_ROUTE));
        assertEquals(List.of("store.onUnavailable: applies to a shared store only: set store.redis too"),
                problemsOf("store: { onUnavailable: deny }\n" + ONE_ROUTE));
        assertEquals(List.of("store.redis.commandTimeout: \"0s\" must be positive"),
                problemsOf("store: { redis: { url: \"redis://h:6379\", commandTimeout: 0s } }\n" + ONE_ROUTE));
        assertEquals(List.of("store.redis.keyPrefix: must be at most 64 visible ASCII characters, without spaces"),
                problemsOf("store: { redis: { url: \"redis://h:6379\", keyPrefix: \"a b\" } }\n" + ONE_ROUTE));
        assertEquals(List.of("store.redis.urll: unknown key (did you mean \"url\"?)", "store.redis.url: required"),
                problemsOf("store: { redis: { urll: \"redis://h:6379\" } }\n" + ONE_ROUTE));
        assertEquals(List.of("store.redis: expected a map with at least url, e.g. { url: \"redis://127.0.0.1:6379/0\" }"),
                problemsOf("store: { redis: \"redis://h:6379\" }\n" + ONE_ROUTE));
    }

    @Test
    void aPasswordInTheUrlOrInPlaceOfItsVariableIsRefusedUnshown() {
        List<String> inUrl = problemsOf("store: { redis: { url: \"redis://user:" + PASSWORD + "@h:6379\" } }\n" + ONE_ROUTE);
        assertEquals(1, inUrl.size());
        assertTrue(inUrl.get(0).startsWith("store.redis.url: must not hold a password (value not shown)"), inUrl.get(0));
        assertFalse(inUrl.get(0).contains(PASSWORD));
        List<String> pasted = problemsOf("store: { redis: { url: \"redis://h:6379\", passwordEnv: \"" + PASSWORD + "\" } }\n"
                + ONE_ROUTE);
        assertEquals(List.of("store.redis.passwordEnv: must be the name of an environment variable that holds the"
                + " password, not the password itself (value not shown)"), pasted);
        assertEquals(List.of("store.redis.passwordEnv: environment variable REDIS_PASSWORD is not set"),
                problemsOf("store: { redis: { url: \"redis://h:6379\", passwordEnv: REDIS_PASSWORD } }\n" + ONE_ROUTE));
    }

    @Test
    void aCaFileIsReadAtLoadAndTakenFromTheConfigFilesDirectory(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("certs"));
        Path ca = Files.writeString(dir.resolve("certs").resolve("ca.pem"), TEST_CA_PEM);
        Path file = Files.writeString(dir.resolve("gateway.yaml"),
                "store: { redis: { url: \"rediss://redis.internal:6380/0\", caFile: certs/ca.pem } }\n" + ONE_ROUTE);

        assertEquals(ca.toString(), ConfigLoader.load(file, Map.of()).store().redis().orElseThrow().caFile());
        assertEquals(null, load("store: { redis: { url: \"rediss://h:6380/0\" } }\n" + ONE_ROUTE)
                .store().redis().orElseThrow().caFile(), "none: the JVM's default trust store");
    }

    @Test
    void aCaFileMustBeAPemBundleAndNeedsATlsUrl(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.pem");
        Path notPem = Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");
        Path ca = Files.writeString(dir.resolve("ca.pem"), TEST_CA_PEM);

        assertEquals(List.of("store.redis.caFile: \"" + missing + "\" is not a readable file"),
                problemsOf("store: { redis: { url: \"rediss://h:6380/0\", caFile: \"" + missing + "\" } }\n" + ONE_ROUTE));
        assertEquals(List.of("store.redis.caFile: \"" + notPem + "\" is not a PEM certificate bundle"),
                problemsOf("store: { redis: { url: \"rediss://h:6380/0\", caFile: \"" + notPem + "\" } }\n" + ONE_ROUTE));
        assertEquals(List.of("store.redis.caFile: caFile needs a rediss:// (or rediss-sentinel://) url"),
                problemsOf("store: { redis: { url: \"redis://h:6379/0\", caFile: \"" + ca + "\" } }\n" + ONE_ROUTE));
        assertEquals(ca.toString(), load("store: { redis: { url: \"rediss-sentinel://h:26379/0#mymaster\", caFile: \""
                + ca + "\" } }\n" + ONE_ROUTE).store().redis().orElseThrow().caFile());
    }
}
