package io.infergate.sim;

/** The parts of one simulator every connection shares. */
record SimContext(SimConfig config, BatchScheduler scheduler, ColdStart coldStart, FaultInjector faults,
                  Counters counters, TokenGenerator generator, RequestParser parser, LoadReporter load,
                  MetricsPage metrics) {

    static SimContext create(SimConfig config) {
        BatchScheduler scheduler = new BatchScheduler(config.maxBatch(), config.maxQueue(), config.batchSlowdown());
        Counters counters = new Counters();
        LoadReporter load = new LoadReporter(config, scheduler);
        FaultInjector faults = new FaultInjector(config.seed());
        faults.set(config.faults());
        return new SimContext(config, scheduler, new ColdStart(config.coldStart(), config.scaleToZeroAfter(), config.ticker()),
                faults, counters, new TokenGenerator(config.seed()), new RequestParser(config), load,
                new MetricsPage(config, scheduler, counters, load));
    }

    Ticker ticker() {
        return config.ticker();
    }

    SimStats stats() {
        return new SimStats(counters.received.sum(), counters.overloaded.sum(), counters.completed.sum(),
                counters.inFlight.get(), scheduler.running(), scheduler.queued(), scheduler.maxRunningSeen(),
                counters.refusedWhileLoading.sum());
    }
}
