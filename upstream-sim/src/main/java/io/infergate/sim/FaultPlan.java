package io.infergate.sim;

/** The faults one request gets, decided when it arrives. Token positions are 0 when off. */
record FaultPlan(boolean error, boolean hangBeforeHead, boolean malformedHttp, boolean trickle,
                 int stallAfterTokens, int resetAfterTokens, int invalidJsonEventAfterTokens) {

    static final FaultPlan NONE = new FaultPlan(false, false, false, false, 0, 0, 0);

    static FaultPlan of(Faults faults, boolean error) {
        return new FaultPlan(error, faults.hangBeforeHead(), faults.malformedHttp(), faults.trickle(),
                orZero(faults.stallAfterTokens()), orZero(faults.resetAfterTokens()),
                orZero(faults.invalidJsonEventAfterTokens()));
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
