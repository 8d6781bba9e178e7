package io.vigil.detection.alert;

import org.apache.flink.streaming.api.TimerService;

/**
 * The event-time timer that drops an entity's state once it has been silent for a timeout, shared by the
 * detectors. One timer per entity, moved forward lazily, when it fires, rather than on every record: at 100,000
 * GPUs a delete and register per sample costs more than the detection itself. A Flink POJO kept in keyed state.
 */
public final class EntityTimeout {

    public long lastSeenMs = Long.MIN_VALUE;
    public long timerMs = Long.MIN_VALUE;

    /** Notes a record at {@code ts}; registers the timer if the entity has none. */
    public void touch(long ts, long timeoutMs, TimerService timers) {
        lastSeenMs = Math.max(lastSeenMs, ts);
        if (timerMs == Long.MIN_VALUE) {
            timerMs = lastSeenMs + timeoutMs;
            timers.registerEventTimeTimer(timerMs);
        }
    }

    /** Whether the timer firing at {@code timestamp} is this entity's. */
    public boolean owns(long timestamp) {
        return timestamp == timerMs;
    }

    /**
     * At the entity's timer: true when it has been silent for the timeout (drop its state); otherwise the timer is
     * moved to the new deadline and false is returned.
     */
    public boolean expired(long timestamp, long timeoutMs, TimerService timers) {
        long due = lastSeenMs + timeoutMs;
        if (due <= timestamp) return true;
        timerMs = due;
        timers.registerEventTimeTimer(due);
        return false;
    }
}
