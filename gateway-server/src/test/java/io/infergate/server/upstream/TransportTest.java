package io.infergate.server.upstream;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TransportTest {

    @Test
    void oneThePlatformLacksIsRefusedWithTheReasonAnOperatorCanAct() {
        Transport.Unavailable refused = new Transport.Unavailable("io_uring",
                new IOException("failed to create io_uring ring fd: Operation not permitted"));
        assertEquals("server.transport: io_uring is not available here (failed to create io_uring ring fd: "
                + "Operation not permitted); leave the key out to take the default", refused.getMessage());
    }
}
