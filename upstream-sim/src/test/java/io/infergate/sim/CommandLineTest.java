package io.infergate.sim;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {

    private static SimConfig parse(String... args) {
        Main main = new Main();
        new CommandLine(main).parseArgs(args);
        return main.builder().config();
    }

    @Test
    void flagsMirrorTheBuilder() {
        SimConfig config = parse("--port", "0", "--model-id", "m", "--max-batch", "3", "--max-queue", "5",
                "--tokens-per-second", "100", "--cold-start", "30s", "--cold-start-mode", "serverless",
                "--scale-to-zero-after", "5m", "--load-headers", "orca,gpu", "--flavor", "vllm", "--seed", "7",
                "--prefill-per-token", "2ms", "--stall-after-tokens", "4", "--fault-count", "2");
        assertEquals("m", config.modelId());
        assertEquals(3, config.maxBatch());
        assertEquals(5, config.maxQueue());
        assertEquals(100, config.tokensPerSecond());
        assertEquals(Duration.ofSeconds(30), config.coldStart());
        assertEquals(ColdStartMode.SERVERLESS, config.coldStartMode());
        assertEquals(Duration.ofMinutes(5), config.scaleToZeroAfter());
        assertEquals(Set.of(LoadHeader.ORCA, LoadHeader.GPU), config.loadHeaders());
        assertEquals(Flavor.VLLM, config.flavor());
        assertEquals(7, config.seed());
        assertEquals(Duration.ofMillis(2), config.prefillPerToken());
        assertEquals(Faults.none().withStallAfterTokens(4).withCount(2), config.faults());
    }

    @Test
    void hfProxyIsTheDefaultColdStartMode() {
        assertEquals(ColdStartMode.HF_PROXY, parse().coldStartMode());
        assertEquals(ColdStartMode.HF_PROXY, parse("--cold-start-mode", "hf-proxy").coldStartMode());
        assertEquals(ColdStartMode.REFUSE, parse("--cold-start-mode", "refuse").coldStartMode());
    }

    @Test
    void helpListsEveryFlagAndABadValueExitsWithUsage() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new Main()).setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("--help"));
        for (String flag : new String[] {"--cold-start-mode", "--load-headers", "--reset-after-tokens", "--trickle"}) {
            assertTrue(out.toString().contains(flag), flag);
        }
        StringWriter err = new StringWriter();
        assertEquals(2, new CommandLine(new Main()).setErr(new PrintWriter(err)).execute("--cold-start-mode", "sleepy"));
        assertTrue(err.toString().contains("[hf-proxy, refuse, serverless]"), err.toString());
    }
}
