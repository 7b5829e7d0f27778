package io.infergate.server.exchange;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static io.infergate.server.exchange.Phase.AWAITING_BODY;
import static io.infergate.server.exchange.Phase.AWAITING_HEAD;
import static io.infergate.server.exchange.Phase.BREAKER_WAIT;
import static io.infergate.server.exchange.Phase.CONNECTING;
import static io.infergate.server.exchange.Phase.DONE;
import static io.infergate.server.exchange.Phase.GATING;
import static io.infergate.server.exchange.Phase.HOLDING;
import static io.infergate.server.exchange.Phase.RELAYING;
import static io.infergate.server.exchange.Phase.RETRY_WAIT;
import static io.infergate.server.exchange.Phase.WARMING_WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The exchange's phases: the moves drawn in {@link Exchange}'s Javadoc are allowed, and no other. */
class PhaseTest {

    /** Each move of the diagram in {@link Exchange}'s Javadoc, one row a move. */
    private static final List<Phase[]> DIAGRAM = List.of(
            move(AWAITING_BODY, GATING),
            move(GATING, CONNECTING),
            move(GATING, WARMING_WAIT),
            move(GATING, BREAKER_WAIT),
            move(BREAKER_WAIT, CONNECTING),
            move(CONNECTING, AWAITING_HEAD),
            move(AWAITING_HEAD, HOLDING),
            move(AWAITING_HEAD, RELAYING),
            move(HOLDING, RELAYING),
            move(CONNECTING, RETRY_WAIT), move(CONNECTING, CONNECTING), move(CONNECTING, WARMING_WAIT),
            move(AWAITING_HEAD, RETRY_WAIT), move(AWAITING_HEAD, CONNECTING), move(AWAITING_HEAD, WARMING_WAIT),
            move(HOLDING, RETRY_WAIT), move(HOLDING, CONNECTING), move(HOLDING, WARMING_WAIT),
            move(RETRY_WAIT, CONNECTING),
            move(WARMING_WAIT, CONNECTING),
            move(RETRY_WAIT, WARMING_WAIT), move(BREAKER_WAIT, WARMING_WAIT),
            move(RELAYING, CONNECTING),
            move(AWAITING_BODY, DONE), move(GATING, DONE), move(CONNECTING, DONE), move(AWAITING_HEAD, DONE),
            move(HOLDING, DONE), move(RELAYING, DONE), move(RETRY_WAIT, DONE), move(WARMING_WAIT, DONE),
            move(BREAKER_WAIT, DONE));

    /**
     * Moves the table allows beyond the diagram's first lines: a released request may find its
     * endpoint warming and park again, and a request held for a probe another makes is held again.
     */
    private static final List<Phase[]> BEYOND_THE_DIAGRAM = List.of(
            move(WARMING_WAIT, WARMING_WAIT),
            move(BREAKER_WAIT, BREAKER_WAIT));

    private static Phase[] move(Phase from, Phase to) {
        return new Phase[] {from, to};
    }

    private static boolean listed(Phase from, Phase to) {
        return Stream.concat(DIAGRAM.stream(), BEYOND_THE_DIAGRAM.stream())
                .anyMatch(m -> m[0] == from && m[1] == to);
    }

    static Stream<Arguments> diagramMoves() {
        return DIAGRAM.stream().map(m -> Arguments.of(m[0], m[1]));
    }

    static Stream<Arguments> movesBeyondTheDiagram() {
        return BEYOND_THE_DIAGRAM.stream().map(m -> Arguments.of(m[0], m[1]));
    }

    static Stream<Arguments> movesNotListed() {
        List<Arguments> refused = new ArrayList<>();
        for (Phase from : Phase.values()) {
            for (Phase to : Phase.values()) {
                if (!listed(from, to)) {
                    refused.add(Arguments.of(from, to));
                }
            }
        }
        return refused.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("diagramMoves")
    void everyMoveInTheDiagramIsAllowed(Phase from, Phase to) {
        assertSame(to, from.check(to));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("movesBeyondTheDiagram")
    void aRequestParkedAfterARetryOrAReleaseMayParkAgain(Phase from, Phase to) {
        assertSame(to, from.check(to));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("movesNotListed")
    void aMoveNotListedThrowsNamingBothPhases(Phase from, Phase to) {
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> from.check(to));
        assertEquals("an exchange cannot move from " + from + " to " + to, refused.getMessage());
    }

    @ParameterizedTest(name = "DONE -> {0}")
    @EnumSource(Phase.class)
    void doneIsFinal(Phase to) {
        assertThrows(IllegalStateException.class, () -> DONE.check(to));
    }

    @ParameterizedTest(name = "{0} -> DONE")
    @EnumSource(value = Phase.class, names = "DONE", mode = EnumSource.Mode.EXCLUDE)
    void everyPhaseButDoneMayFinish(Phase from) {
        assertSame(DONE, from.check(DONE));
    }

    @Test
    void relayingGoesOnlyToDoneOrBackToConnectingToContinueABrokenStream() {
        assertSame(DONE, RELAYING.check(DONE));
        assertSame(CONNECTING, RELAYING.check(CONNECTING));
        for (Phase to : EnumSet.complementOf(EnumSet.of(DONE, CONNECTING))) {
            assertThrows(IllegalStateException.class, () -> RELAYING.check(to), "RELAYING -> " + to);
        }
    }

    @Test
    void onlyConnectingAwaitingTheHeadAndHoldingAreAttempting() {
        Set<Phase> attempting = EnumSet.noneOf(Phase.class);
        for (Phase phase : Phase.values()) {
            if (phase.attempting()) {
                attempting.add(phase);
            }
        }
        assertEquals(EnumSet.of(CONNECTING, AWAITING_HEAD, HOLDING), attempting);
    }
}
