package io.vigil.collectors;

import io.vigil.model.Origin;
import java.util.concurrent.atomic.AtomicLong;

/** Hands out the origin stamp of one collector instance: its id, its boot epoch and a gap-free sequence. */
public final class OriginStamper {
    private final String collector;
    private final long bootEpochMs;
    private final AtomicLong next = new AtomicLong();

    public OriginStamper(String collector, long bootEpochMs) {
        this.collector = collector;
        this.bootEpochMs = bootEpochMs;
    }

    public Origin next() {
        return new Origin(collector, bootEpochMs, next.getAndIncrement());
    }

    public long issued() {
        return next.get();
    }
}
