package io.infergate.server.store;

import io.infergate.core.config.RedisStoreConfig;
import io.infergate.core.config.ServerConfig;
import io.infergate.core.store.StoreUnavailableException;
import io.infergate.server.testing.RedisServer;
import io.infergate.server.testing.TestGateway;
import io.infergate.server.upstream.Transport;
import io.infergate.testing.Await;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Each gateway event loop's own connection to a real Redis: a command sent from a loop is answered on
 * that loop, one sent from elsewhere through the shared connection, and every loop's connection is
 * back on its own after Redis restarts, as a gateway's rate-limited requests show.
 */
class LoopConnectionsIT {

    private static final String KEY = "loop-key-000000001";
    private static final int LOOPS = 3;

    @TempDir
    Path dir;
    private RedisServer redis;
    private EventLoopGroup group;
    private RedisStore store;
    private TestGateway gateway;
    private MockWebServer upstream;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(RedisServer.installed(), "redis-server is installed (.ci/run installs it)");
        redis = RedisServer.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (store != null) {
            store.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (redis != null) {
            redis.close();
        }
    }

    private void storeOnLoops() {
        Transport transport = Transport.choose(ServerConfig.Transport.AUTO);
        group = transport.newGroup(LOOPS);
        RedisStoreConfig config = new RedisStoreConfig(URI.create(redis.url()), null, Duration.ofSeconds(1),
                Duration.ofMillis(500), "it:", null);
        store = new RedisStore(config, new StoreHealth(redis.url(), "test"), new SimpleMeterRegistry(),
                System::nanoTime, group, transport.clientChannel());
        store.connectNow();
    }

    /** Sends a PING from {@code loop}; the future holds the thread its answer came on. */
    private CompletableFuture<Thread> pingFrom(EventExecutor loop) {
        CompletableFuture<Thread> answeredOn = new CompletableFuture<>();
        loop.execute(() -> store.command("ping", RedisAsyncCommands::ping).whenComplete((pong, error) -> {
            if (error != null) {
                answeredOn.completeExceptionally(error);
            } else if (!"PONG".equals(pong)) {
                answeredOn.completeExceptionally(new AssertionError("answered " + pong));
            } else {
                answeredOn.complete(Thread.currentThread());
            }
        }));
        return answeredOn;
    }

    private static Thread threadOf(EventExecutor loop) throws Exception {
        return loop.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aStoreGivenByIpAddressOpensNoUdpSocketForLookups() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "a Linux /proc to count sockets with");
        long before = udpSockets();
        storeOnLoops();
        for (EventExecutor loop : group) {
            pingFrom(loop).get(5, TimeUnit.SECONDS); // each loop's connection made and used
        }
        assertTrue(store.isUp());
        assertEquals(before, udpSockets(), "no DNS resolver's socket on any loop: 127.0.0.1 needs no lookup");
    }

    /** UDP sockets this process holds open: its descriptors' socket inodes found in the kernel's UDP tables. */
    private static long udpSockets() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while we listed them
                }
            }
        }
        long udp = 0;
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            Path path = Path.of(table);
            if (Files.exists(path)) {
                udp += Files.readAllLines(path).stream().skip(1).map(line -> line.trim().split("\\s+"))
                        .filter(fields -> fields.length > 9 && inodes.contains(fields[9])).count();
            }
        }
        return udp;
    }

    @Test
    void aCommandFromALoopIsAnsweredOnThatLoopAndOneFromElsewhereOnLettucesThreads() throws Exception {
        storeOnLoops();
        assertTrue(store.isUp());
        for (EventExecutor loop : group) {
            for (int i = 0; i < 3; i++) {
                assertEquals(threadOf(loop), pingFrom(loop).get(5, TimeUnit.SECONDS),
                        "written from the loop, read by the loop, completed on the loop");
            }
        }
        assertEquals(LOOPS + 1, connectedClients(), "one connection per loop and the shared one");

        Thread answeredOn = threadAnsweringFromElsewhere();
        for (EventExecutor loop : group) {
            assertNotEquals(threadOf(loop), answeredOn, "the shared connection is on none of the gateway's loops");
        }
    }

    /**
     * The thread that completes a command sent from this thread, read off the command's own future.
     * A callback added to a future already complete runs on the thread that adds it: so an answer
     * that came before the callback was added tells nothing, and the command is sent again.
     */
    private Thread threadAnsweringFromElsewhere() throws Exception {
        Thread caller = Thread.currentThread();
        for (int attempt = 0; attempt < 50; attempt++) {
            CompletableFuture<Thread> answeredOn = new CompletableFuture<>();
            store.<String>command("ping", commands -> {
                RedisFuture<String> sent = commands.ping();
                sent.thenRun(() -> answeredOn.complete(Thread.currentThread()));
                return sent;
            }).get(5, TimeUnit.SECONDS);
            Thread thread = answeredOn.get(5, TimeUnit.SECONDS);
            if (thread != caller) {
                return thread;
            }
        }
        throw new AssertionError("every answer came before its callback was added");
    }

    @Test
    void everyLoopsConnectionIsBackAfterRedisRestartsAndTheStoreIsUpOnlyOnceAllAre() throws Exception {
        storeOnLoops();
        redis.stop();
        Await.until("the store is down", Duration.ofSeconds(5), () -> !store.isUp());
        for (EventExecutor loop : group) {
            Await.until("with its connection down, a loop's command fails at once, it never waits",
                    Duration.ofSeconds(5), () -> failsAtOnce(pingFrom(loop)));
        }

        redis.start();
        Await.until("the store is up again", Duration.ofSeconds(5), () -> store.isUp());
        for (EventExecutor loop : group) {
            assertEquals(threadOf(loop), pingFrom(loop).get(5, TimeUnit.SECONDS),
                    "being up means every loop's connection is back");
        }
        assertEquals(LOOPS + 1, connectedClients());
    }

    private static boolean failsAtOnce(CompletableFuture<Thread> ping) {
        try {
            ping.get(100, TimeUnit.MILLISECONDS);
            return false;
        } catch (ExecutionException e) {
            return e.getCause() instanceof StoreUnavailableException;
        } catch (TimeoutException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void aGatewaysRateLimitedRequestsAreDecidedOnEveryLoopAgainAfterRedisRestarts() throws Exception {
        upstream = new MockWebServer();
        upstream.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
                return new MockResponse.Builder().body("ok").build();
            }
        });
        upstream.start();
        gateway = TestGateway.start("""
                store:
                  onUnavailable: deny
                  redis: { url: "%s", commandTimeout: 300ms, connectTimeout: 1s, keyPrefix: "it:" }
                tenants:
                  - { name: busy, keySha256: "%s", limits: { requestsPerMinute: 100000 } }
                routes:
                  - name: chat
                    match: { pathPrefix: / }
                    upstreams: [ { name: model, endpoints: [ "%s" ] } ]
                """.formatted(redis.url(), sha256(KEY), upstream.url("/")));
        int loops = Runtime.getRuntime().availableProcessors();
        assertTrue(everyLoopDecides(loops), "each new connection lands on the next loop: all of them decide");

        redis.stop();
        Await.until("the gateway is unready", Duration.ofSeconds(5), () -> readyz() == 503);
        assertFalse(everyLoopDecides(loops), "deny: refused while the store is down");

        redis.start();
        Await.until("rate-limited requests are decided on every loop again, without a restart",
                Duration.ofSeconds(5), () -> everyLoopDecides(loops));
        assertEquals(200, readyz());
        assertEquals(loops + 1, connectedClients());
    }

    /** Sends {@code 2 * loops} requests, each on a new connection, so each loop gets some: all allowed? */
    private boolean everyLoopDecides(int loops) {
        boolean all = true;
        for (int i = 0; i < 2 * loops; i++) {
            all &= "200".equals(statusOnNewConnection());
        }
        return all;
    }

    private String statusOnNewConnection() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /generate HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readNBytes(12), StandardCharsets.US_ASCII); // "HTTP/1.1 200"
            return statusLine.substring(9);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private int readyz() {
        try {
            return gateway.admin("/readyz").statusCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The clients connected to Redis, but for the connection that asks. */
    private int connectedClients() {
        return Integer.parseInt(redis.info("connected_clients")) - 1;
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
