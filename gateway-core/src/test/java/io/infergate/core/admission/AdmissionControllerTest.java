package io.infergate.core.admission;

import io.infergate.core.FakeTicker;
import io.infergate.core.error.GatewayError;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdmissionControllerTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    private final FakeTicker ticker = new FakeTicker();
    private final AtomicInteger capacity = new AtomicInteger(2);
    private final AtomicReference<RouteLoad> load = new AtomicReference<>(RouteLoad.UNKNOWN);
    /** Every hold is taken to last 1 s until one is observed. */
    private final WaitEstimator estimator = new WaitEstimator(Duration.ofSeconds(1));
    private AdmissionController controller = controller(8, Duration.ofSeconds(30), 1.0);

    private AdmissionController controller(int queue, Duration maxQueueWait, double perTenantShare) {
        return new AdmissionController(new AdmissionSettings(1, queue, maxQueueWait, 0.95, 32, perTenantShare),
                capacity::get, load::get, estimator, ticker);
    }

    private Ticket acquire(String tenant, Tier tier) {
        return acquire(tenant, tier, LONG);
    }

    private Ticket acquire(String tenant, Tier tier, Duration timeout) {
        long now = ticker.nanoTime();
        return controller.acquire(new Request(tenant, tier, now, now + timeout.toNanos()));
    }

    private static Verdict verdict(Ticket ticket) {
        return ticket.outcome().map(Outcome::verdict).orElse(null);
    }

    private static Permit permit(Ticket ticket) {
        assertEquals(Verdict.ADMITTED, verdict(ticket));
        return ticket.outcome().orElseThrow().permit();
    }

    private static void assertWaiting(Ticket... tickets) {
        for (Ticket ticket : tickets) {
            assertNull(verdict(ticket), "still waiting");
        }
    }

    /** Releases {@code held}, then each newly admitted permit in turn, and says who was admitted in what order. */
    private List<Ticket> admissionOrder(Permit held, List<Ticket> waiting) {
        List<Ticket> order = new ArrayList<>();
        Permit next = held;
        while (order.size() < waiting.size()) {
            controller.release(next);
            List<Ticket> admitted = waiting.stream()
                    .filter(t -> verdict(t) == Verdict.ADMITTED && !order.contains(t))
                    .toList();
            assertEquals(1, admitted.size(), "one release admits one waiter");
            order.add(admitted.get(0));
            next = permit(admitted.get(0));
        }
        return order;
    }

    @Test
    void admitsUpToCapacityThenQueues() {
        Ticket a = acquire("acme", Tier.STANDARD);
        Ticket b = acquire("acme", Tier.STANDARD);
        Ticket c = acquire("acme", Tier.STANDARD);
        permit(a);
        permit(b);
        assertWaiting(c);
        assertEquals(2, controller.inFlight());
        assertEquals(1, controller.queueDepth());

        assertTrue(controller.release(permit(a)));
        permit(c);
        assertEquals(2, controller.inFlight());
        assertEquals(0, controller.queueDepth());
    }

    @Test
    void aHoldEndedByItsClientGivesItsSlotBackWithoutTeachingTheServiceTime() {
        Permit slowReader = permit(acquire("acme", Tier.STANDARD));
        ticker.advance(Duration.ofSeconds(30));
        assertTrue(controller.releaseIgnored(slowReader));
        assertEquals(0, controller.inFlight());
        assertEquals(Duration.ofSeconds(1).toNanos(), estimator.meanServiceNanos(), "a client's slowness taught the estimate");
        assertFalse(controller.release(slowReader), "released once only");

        Permit served = permit(acquire("acme", Tier.STANDARD));
        ticker.advance(Duration.ofSeconds(3));
        controller.release(served);
        assertTrue(estimator.meanServiceNanos() > Duration.ofSeconds(1).toNanos(), "a real hold is learned");
    }

    @Test
    void servesWaitersFirstComeFirstServedWithinATier() {
        capacity.set(1);
        Permit held = permit(acquire("acme", Tier.STANDARD));
        List<Ticket> waiting = List.of(acquire("a", Tier.STANDARD), acquire("b", Tier.STANDARD), acquire("a", Tier.STANDARD));
        assertEquals(waiting, admissionOrder(held, waiting));
    }

    @Test
    void servesHigherTiersFirstWhateverTheArrivalOrder() {
        capacity.set(1);
        Permit held = permit(acquire("acme", Tier.STANDARD));
        Ticket free1 = acquire("f", Tier.FREE);
        Ticket standard1 = acquire("s", Tier.STANDARD);
        Ticket free2 = acquire("f", Tier.FREE);
        Ticket premium = acquire("p", Tier.PREMIUM);
        Ticket standard2 = acquire("s", Tier.STANDARD);
        assertEquals(2, controller.queueDepth(Tier.FREE));
        assertEquals(2, controller.queueDepth(Tier.STANDARD));
        assertEquals(1, controller.queueDepth(Tier.PREMIUM));

        assertEquals(List.of(premium, standard1, standard2, free1, free2),
                admissionOrder(held, List.of(free1, standard1, free2, premium, standard2)));
        assertEquals(0, controller.queueDepth(Tier.FREE));
    }

    @Test
    void aHigherTierAtAFullQueueDisplacesTheLowestTiersNewestEntry() {
        controller = controller(4, Duration.ofSeconds(30), 1.0);
        permit(acquire("acme", Tier.STANDARD));
        permit(acquire("acme", Tier.STANDARD));
        Ticket free1 = acquire("f", Tier.FREE);
        Ticket free2 = acquire("f", Tier.FREE);
        Ticket standard1 = acquire("s", Tier.STANDARD);
        Ticket standard2 = acquire("s", Tier.STANDARD);
        AtomicReference<Outcome> told = new AtomicReference<>();
        free2.decision().thenAccept(told::set);

        Ticket premium = acquire("p", Tier.PREMIUM);

        assertWaiting(premium, free1, standard1, standard2);
        assertEquals(Verdict.SHED_DISPLACED, verdict(free2));
        assertEquals(GatewayError.SHED_OVERLOAD, told.get().error());
        assertEquals(3, told.get().retryAfterSeconds(), "behind 4 waiters on 2 busy slots of 1 s: 2.5 s, rounded up");
        assertEquals(4, controller.queueDepth());
        assertEquals(1, controller.queueDepth(Tier.FREE));
    }

    @Test
    void aFullQueueWithNothingOfALowerTierToDisplaceIsQueueFull() {
        controller = controller(2, Duration.ofSeconds(30), 1.0);
        capacity.set(1);
        permit(acquire("acme", Tier.FREE));
        Ticket standard1 = acquire("s", Tier.STANDARD);
        Ticket standard2 = acquire("s", Tier.STANDARD);

        Ticket sameTier = acquire("t", Tier.STANDARD);
        Ticket lowerTier = acquire("f", Tier.FREE);

        assertEquals(Verdict.QUEUE_FULL, verdict(sameTier));
        assertEquals(GatewayError.QUEUE_FULL, sameTier.outcome().orElseThrow().error());
        assertEquals(3, sameTier.outcome().orElseThrow().retryAfterSeconds(),
                "a full queue says when it turns over: 2 waiters on 1 busy slot of 1 s, 3 s");
        assertEquals(Verdict.QUEUE_FULL, verdict(lowerTier));
        assertWaiting(standard1, standard2);
        assertEquals(2, controller.queueDepth());
    }

    @Test
    void oneTenantCannotHoldMoreThanItsShareOfItsTiersQueue() {
        controller = controller(8, Duration.ofSeconds(30), 0.5);
        capacity.set(1);
        permit(acquire("other", Tier.FREE));
        List<Ticket> acme = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            acme.add(acquire("acme", Tier.FREE));
        }
        Ticket fifth = acquire("acme", Tier.FREE);
        Ticket someoneElse = acquire("beta", Tier.FREE);

        assertWaiting(acme.toArray(Ticket[]::new));
        assertEquals(Verdict.TENANT_SHARE_FULL, verdict(fifth));
        assertEquals(GatewayError.QUEUE_FULL, fifth.outcome().orElseThrow().error());
        assertTrue(fifth.outcome().orElseThrow().retryAfterSeconds() >= 1, "a full share says when to come back too");
        assertWaiting(someoneElse);

        assertTrue(controller.cancel(acme.get(0)));
        assertWaiting(acquire("acme", Tier.FREE));
    }

    @Test
    void shedsWhenThePredictedWaitExceedsMaxQueueWaitWithThePredictionAsRetryAfter() {
        controller = controller(16, Duration.ofSeconds(3), 1.0);
        permit(acquire("acme", Tier.STANDARD));
        permit(acquire("acme", Tier.STANDARD));
        List<Ticket> waiting = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            waiting.add(acquire("acme", Tier.STANDARD)); // waits 0.5 s, 1 s, ... 3 s: at the limit, not past it
        }
        assertWaiting(waiting.toArray(Ticket[]::new));

        Ticket seventh = acquire("acme", Tier.STANDARD);

        assertEquals(Verdict.SHED_PREDICTED_WAIT, verdict(seventh));
        assertEquals(GatewayError.SHED_OVERLOAD, seventh.outcome().orElseThrow().error());
        assertEquals(4, seventh.outcome().orElseThrow().retryAfterSeconds(), "7 holds on 2 slots of 1 s: 3.5 s");
        assertEquals(6, controller.queueDepth());
        assertWaiting(acquire("vip", Tier.PREMIUM)); // only what is ahead counts: 0.5 s
    }

    @Test
    void shedsWhenThePredictedWaitAndItsOwnServiceTimeExceedTheRequestsRemainingDeadline() {
        permit(acquire("acme", Tier.STANDARD));
        permit(acquire("acme", Tier.STANDARD));
        acquire("acme", Tier.STANDARD);
        acquire("acme", Tier.STANDARD);

        // Its answer is due a tenth of its time ahead of its deadline: 2.5 s are 0.9 of 2.778 s.
        Ticket hurried = acquire("acme", Tier.STANDARD, Duration.ofMillis(2777));
        Ticket justInTime = acquire("acme", Tier.STANDARD, Duration.ofMillis(2778));

        assertEquals(Verdict.SHED_PAST_DEADLINE, verdict(hurried), "1.5 s to wait, then 1 s of its own");
        assertEquals(2, hurried.outcome().orElseThrow().retryAfterSeconds(), "3 holds on 2 slots of 1 s: 1.5 s");
        assertWaiting(justInTime);
    }

    @Test
    void shedsFreeAtItsThresholdWhileAdmittingPremiumWithRetryAfterOfAtLeastOneServiceTime() {
        Permit measured = permit(acquire("acme", Tier.STANDARD));
        ticker.advance(Duration.ofMillis(2500));
        controller.release(measured);
        load.set(RouteLoad.ofGpuUtilization(0.9));

        Ticket free = acquire("f", Tier.FREE);
        Ticket premium = acquire("p", Tier.PREMIUM);

        assertEquals(Verdict.SHED_LOAD, verdict(free));
        assertEquals(GatewayError.SHED_OVERLOAD, free.outcome().orElseThrow().error());
        assertEquals(3, free.outcome().orElseThrow().retryAfterSeconds(), "slots are free; one hold is 2.5 s");
        permit(premium);

        load.set(RouteLoad.ofGpuUtilization(0.84));
        permit(acquire("f", Tier.FREE));
    }

    @Test
    void shedsByTheReportedQueueDepthTierByTier() {
        load.set(RouteLoad.ofQueueDepth(16));
        assertEquals(Verdict.SHED_LOAD, verdict(acquire("f", Tier.FREE)));
        permit(acquire("s", Tier.STANDARD));
        load.set(RouteLoad.ofQueueDepth(32));
        assertEquals(Verdict.SHED_LOAD, verdict(acquire("s", Tier.STANDARD)));
        assertEquals(1, controller.inFlight());
    }

    @Test
    void unknownLoadDoesNotShed() {
        load.set(RouteLoad.UNKNOWN);
        permit(acquire("f", Tier.FREE));
        permit(acquire("f", Tier.FREE));
        assertWaiting(acquire("f", Tier.FREE));
    }

    @Test
    void aWaiterWhoseDeadlinePassesIsAnsweredDeadlineExceededAndTheSlotGoesToTheNext() {
        capacity.set(1);
        Permit held = permit(acquire("acme", Tier.STANDARD));
        Ticket shortDeadline = acquire("a", Tier.PREMIUM, Duration.ofSeconds(5));
        Ticket next = acquire("b", Tier.STANDARD);

        ticker.advance(Duration.ofMillis(4999));
        controller.onTick();
        assertWaiting(shortDeadline, next);

        ticker.advance(Duration.ofMillis(1));
        controller.onTick();
        assertEquals(Verdict.DEADLINE_EXCEEDED, verdict(shortDeadline));
        assertEquals(GatewayError.DEADLINE_EXCEEDED, shortDeadline.outcome().orElseThrow().error());
        assertEquals(1, controller.queueDepth());

        controller.release(held);
        permit(next);
    }

    @Test
    void aWaiterPastItsDeadlineIsNeverAdmittedLateEvenBeforeTheTimerRuns() {
        capacity.set(1);
        Permit held = permit(acquire("acme", Tier.STANDARD));
        Ticket shortDeadline = acquire("a", Tier.PREMIUM, Duration.ofSeconds(5));
        Ticket next = acquire("b", Tier.STANDARD);
        ticker.advance(Duration.ofSeconds(5));

        controller.release(held);

        assertEquals(Verdict.DEADLINE_EXCEEDED, verdict(shortDeadline));
        permit(next);
        assertEquals(1, controller.inFlight());
    }

    @Test
    void aRequestWhoseDeadlineIsAlreadyGoneIsRefusedEvenWithASlotFree() {
        Ticket late = acquire("acme", Tier.PREMIUM, Duration.ZERO);
        assertEquals(Verdict.DEADLINE_EXCEEDED, verdict(late));
        assertEquals(0, controller.inFlight());
    }

    @Test
    void aCancelledWaiterLeavesTheQueueWithoutTakingAPermit() {
        capacity.set(1);
        Permit held = permit(acquire("acme", Tier.STANDARD));
        Ticket leaving = acquire("a", Tier.STANDARD);
        Ticket staying = acquire("b", Tier.STANDARD);

        assertTrue(controller.cancel(leaving));
        assertEquals(Verdict.CANCELLED, verdict(leaving));
        assertNull(leaving.outcome().orElseThrow().error());
        assertFalse(controller.cancel(leaving), "already gone");
        assertEquals(1, controller.queueDepth());

        controller.release(held);
        permit(staying);
        assertEquals(1, controller.inFlight());
        assertFalse(controller.cancel(staying), "admitted: the caller releases its permit instead");
        assertEquals(Verdict.ADMITTED, verdict(staying));
    }

    @Test
    void releasingAPermitTwiceFreesOneSlot() {
        capacity.set(1);
        Permit first = permit(acquire("acme", Tier.STANDARD));
        Ticket second = acquire("acme", Tier.STANDARD);
        Ticket third = acquire("acme", Tier.STANDARD);

        assertTrue(controller.release(first));
        permit(second);
        assertFalse(controller.release(first), "the stream ended and the error path released again");

        assertWaiting(third);
        assertEquals(1, controller.inFlight());
    }

    @Test
    void aShrunkCapacityAdmitsNoOneUntilThePermitsOutFallBelowIt() {
        capacity.set(3);
        Permit a = permit(acquire("acme", Tier.STANDARD));
        Permit b = permit(acquire("acme", Tier.STANDARD));
        Permit c = permit(acquire("acme", Tier.STANDARD));
        capacity.set(1);
        Ticket waiting = acquire("acme", Tier.PREMIUM);
        assertWaiting(waiting);

        controller.release(a);
        controller.release(b);
        assertWaiting(waiting);
        assertEquals(1, controller.inFlight());

        controller.release(c);
        permit(waiting);
        assertEquals(1, controller.inFlight());
    }

    @Test
    void aGrownCapacityAdmitsWaitersAtOnce() {
        capacity.set(1);
        permit(acquire("acme", Tier.STANDARD));
        Ticket w1 = acquire("acme", Tier.STANDARD);
        Ticket w2 = acquire("acme", Tier.STANDARD);
        Ticket w3 = acquire("acme", Tier.STANDARD);

        capacity.set(3);
        controller.capacityChanged();

        permit(w1);
        permit(w2);
        assertWaiting(w3);
        assertEquals(3, controller.inFlight());
        capacity.set(4);
        controller.onTick();
        permit(w3);
    }

    @Test
    void withNoCapacityAtAllRequestsWaitRatherThanBeingShedOnAPredictionThatCannotBeMade() {
        controller = controller(8, Duration.ofSeconds(3), 1.0);
        capacity.set(0);
        List<Ticket> waiting = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            waiting.add(acquire("acme", Tier.STANDARD));
        }
        assertWaiting(waiting.toArray(Ticket[]::new));
        assertEquals(Verdict.QUEUE_FULL, verdict(acquire("beta", Tier.STANDARD)));

        capacity.set(2);
        controller.capacityChanged();
        permit(waiting.get(0));
        permit(waiting.get(1));
        assertEquals(6, controller.queueDepth());
    }

    @Test
    void aPermitKnowsHowLongItsRequestWaitedAndItsHoldFeedsThePrediction() {
        capacity.set(1);
        Permit held = permit(acquire("acme", Tier.STANDARD));
        Ticket waiting = acquire("acme", Tier.STANDARD);
        ticker.advance(Duration.ofSeconds(4));

        controller.release(held);

        Permit admitted = permit(waiting);
        assertEquals(Duration.ofSeconds(4).toNanos(), admitted.queueWaitNanos());
        assertEquals(0, held.queueWaitNanos());
        assertEquals(Duration.ofSeconds(4).toNanos(), estimator.meanServiceNanos());
        acquire("acme", Tier.STANDARD);
        Ticket third = acquire("acme", Tier.STANDARD, Duration.ofSeconds(7));
        assertEquals(Verdict.SHED_PAST_DEADLINE, verdict(third), "2 holds of 4 s on 1 slot: 8 s");
        assertEquals(8, third.outcome().orElseThrow().retryAfterSeconds());
    }

    @Test
    void callbacksRunAfterTheLockIsReleasedSoTheyMayCallBackIn() throws Exception {
        capacity.set(1);
        Permit held = permit(acquire("acme", Tier.STANDARD));
        Ticket waiting = acquire("acme", Tier.STANDARD);
        AtomicBoolean otherThreadGotThrough = new AtomicBoolean();
        AtomicBoolean releasedInside = new AtomicBoolean();
        waiting.decision().thenAccept(outcome -> {
            CountDownLatch done = new CountDownLatch(1);
            Thread other = new Thread(() -> {
                controller.queueDepth();
                done.countDown();
            });
            other.start();
            try {
                otherThreadGotThrough.set(done.await(2, java.util.concurrent.TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            releasedInside.set(controller.release(outcome.permit()));
        });

        controller.release(held);

        assertTrue(otherThreadGotThrough.get(), "another thread could take the lock while the callback ran");
        assertTrue(releasedInside.get());
        assertEquals(0, controller.inFlight());
    }

    @Test
    void aCallbackThatThrowsDoesNotKeepOtherTicketsFromTheirDecision() {
        capacity.set(1);
        permit(acquire("acme", Tier.STANDARD));
        Ticket first = acquire("a", Tier.STANDARD, Duration.ofSeconds(5));
        Ticket second = acquire("b", Tier.STANDARD, Duration.ofSeconds(5));
        first.decision().thenAccept(outcome -> {
            throw new IllegalStateException("a careless callback");
        });
        ticker.advance(Duration.ofSeconds(5));

        controller.onTick();

        assertEquals(Verdict.DEADLINE_EXCEEDED, verdict(first));
        assertEquals(Verdict.DEADLINE_EXCEEDED, verdict(second));
    }

    @Test
    void theDecisionCannotBeCompletedFromOutside() {
        capacity.set(1);
        permit(acquire("acme", Tier.STANDARD));
        Ticket waiting = acquire("acme", Tier.STANDARD);
        waiting.decision().toCompletableFuture().cancel(true);
        assertWaiting(waiting);
        assertEquals(1, controller.queueDepth());
    }

    @Test
    void permitsAndTicketsOfAnotherRouteAreRefused() {
        AdmissionController other = controller(8, Duration.ofSeconds(30), 1.0);
        long now = ticker.nanoTime();
        Ticket foreign = other.acquire(new Request("acme", Tier.STANDARD, now, now + LONG.toNanos()));
        assertThrows(IllegalArgumentException.class, () -> controller.release(permit(foreign)));
        assertThrows(IllegalArgumentException.class, () -> controller.cancel(foreign));
        assertSame(Verdict.ADMITTED, verdict(foreign));
    }

    @Test
    void aWaiterPushedBackByHigherTiersPastItsDeadlineIsShedAtOnceWithRetryAfter() {
        capacity.set(1);
        Permit held = permit(acquire("acme", Tier.STANDARD));
        Ticket free = acquire("f", Tier.FREE, Duration.ofMillis(3500));
        assertWaiting(free);
        Ticket premium = acquire("p", Tier.PREMIUM);
        assertWaiting(premium, free);
        Ticket secondPremium = acquire("q", Tier.PREMIUM);

        assertEquals(Verdict.SHED_PAST_DEADLINE, verdict(free), "3 s ahead of it now and 1 s of its own, 3.5 s to live");
        assertEquals(3, free.outcome().orElseThrow().retryAfterSeconds());
        assertWaiting(premium, secondPremium);
        assertEquals(2, controller.queueDepth());
        controller.release(held);
        permit(premium);
    }

    @Test
    void aWaiterIsForwardedOnlyIfItCanFinishAMarginAheadOfItsDeadline() {
        capacity.set(1);
        Permit held = permit(acquire("acme", Tier.STANDARD));
        Ticket tight = acquire("t", Tier.STANDARD, Duration.ofSeconds(5));
        ticker.advance(Duration.ofMillis(3600));

        controller.releaseIgnored(held); // the service time stays 1 s

        assertEquals(Verdict.SHED_PAST_DEADLINE, verdict(tight),
                "1.4 s to its deadline, but its answer is due 0.5 s before it and a request takes 1 s");
        Permit next = permit(acquire("acme", Tier.STANDARD));
        Ticket roomy = acquire("r", Tier.STANDARD, Duration.ofSeconds(5));
        ticker.advance(Duration.ofMillis(3500));
        controller.releaseIgnored(next);
        assertEquals(Verdict.ADMITTED, verdict(roomy), "1 s left before its answer is due: just enough");
    }

    @Test
    void theMarginAheadOfADeadlineIsATenthOfTheRequestsTimeAtMostOneSecond() {
        assertEquals(4_500_000_000L, new Request("a", Tier.STANDARD, 0, 5_000_000_000L).answerByNanos());
        assertEquals(59_000_000_000L, new Request("a", Tier.STANDARD, 0, 60_000_000_000L).answerByNanos());
        assertEquals(10_900_000_000L, new Request("a", Tier.STANDARD, 10_000_000_000L, 11_000_000_000L).answerByNanos());
    }

    @Test
    void whileTheCapacityIsStillGrowingRequestsWaitRatherThanBeingShedOnAFloor() {
        AtomicBoolean growing = new AtomicBoolean(true);
        controller = new AdmissionController(new AdmissionSettings(1, 4, Duration.ofSeconds(3), 0.95, 32, 0.5),
                Capacity.of(capacity::get, capacity::get, growing::get), load::get, estimator, ticker);
        capacity.set(1);
        permit(acquire("acme", Tier.STANDARD));
        List<Ticket> waiting = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waiting.add(acquire("acme", Tier.STANDARD, Duration.ofMillis(2500)));
        }
        assertWaiting(waiting.toArray(Ticket[]::new)); // past its share of 2, and 4 s predicted on 1 slot
        assertEquals(Verdict.QUEUE_FULL, verdict(acquire("acme", Tier.STANDARD)), "the queue's own bound holds");

        growing.set(false);
        controller.cancel(waiting.get(3));
        Ticket judged = acquire("other", Tier.STANDARD);
        assertEquals(Verdict.SHED_PREDICTED_WAIT, verdict(judged), "a capacity found is a measure again");
    }

    @Test
    void aWaiterWhoseTurnComesTooLateToFinishIsShedNotForwarded() {
        capacity.set(1);
        Permit held = permit(acquire("acme", Tier.STANDARD));
        Ticket waiter = acquire("w", Tier.STANDARD, Duration.ofMillis(2500));
        assertWaiting(waiter);
        ticker.advance(Duration.ofMillis(1600));

        controller.release(held);

        assertEquals(Verdict.SHED_PAST_DEADLINE, verdict(waiter), "0.9 s left, a request takes 1.6 s now");
        assertEquals(0, controller.inFlight(), "the slot stays free for a request that can use it");
    }

    @Test
    void aWaiterWhoseTurnComesInASlotPastTheProvenOnesMustHaveASecondServiceTimeLeft() {
        // Two slots, the second a learned limit's probe: the endpoint may hold a request sent in it a
        // whole service time before its own begins.
        assertEquals(Verdict.SHED_PAST_DEADLINE, turnInTheSecondOfTwoSlots(1),
                "1.7 s left; a service time inside the endpoint and its own take 2 s");
        assertEquals(Verdict.ADMITTED, turnInTheSecondOfTwoSlots(2), "1.7 s left in a proven slot; 1 s needed");
    }

    /** A waiter with a 3 s deadline whose turn comes after 1 s, in the second of two slots. */
    private Verdict turnInTheSecondOfTwoSlots(int proven) {
        capacity.set(2);
        AtomicInteger provenSlots = new AtomicInteger(proven);
        controller = new AdmissionController(new AdmissionSettings(1, 4, LONG, 0.95, 32, 1.0),
                Capacity.of(capacity::get, provenSlots::get, () -> false), load::get,
                new WaitEstimator(Duration.ofSeconds(1)), ticker);
        Permit first = permit(acquire("acme", Tier.STANDARD));
        permit(acquire("acme", Tier.STANDARD));
        Ticket waiter = acquire("w", Tier.STANDARD, Duration.ofSeconds(3));
        assertWaiting(waiter); // 0.5 s predicted, and a service time of 1 s: 1.5 s of the 2.7 s it has
        ticker.advance(Duration.ofSeconds(1));
        controller.release(first); // held 1 s: the mean, and the bound with no deviation yet
        return verdict(waiter);
    }
}
