package io.vigil.collectors.simulator;

import java.time.Duration;

/** A fault active from {@code at} after the simulation starts, for {@code duration}. */
public record ScheduledFault(Duration at, Duration duration, Fault fault) {

    public boolean activeAt(Duration elapsed) {
        return elapsed.compareTo(at) >= 0 && elapsed.compareTo(at.plus(duration)) < 0;
    }
}
