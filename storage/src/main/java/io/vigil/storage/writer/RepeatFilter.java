package io.vigil.storage.writer;

import io.vigil.model.Origin;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recognises a record Kafka holds twice: a collector killed while Kafka had taken a batch but not yet answered
 * sends that batch again from its spool after its restart, under a new producer, so Kafka's idempotence cannot
 * drop it. The copy has the same origin (collector, boot, sequence) and lands on the same partition after the
 * original, so per partition and origin stream the sequences read lately (the last {@link #WINDOW}, more than a
 * spool's batch in flight) are remembered and a sequence seen again is a repeat.
 *
 * <p>It never drops a record it has not seen on that partition: a sequence older than the window counts as new,
 * and {@link #forget} (the writer calls it whenever it positions a partition again, after a rebalance or an
 * outage, so records it re-reads from the stored offsets are not taken for repeats) empties a partition's memory.
 * A repeat that arrives after such a repositioning is stored again; the failure tests' reconciliation counts it.
 */
final class RepeatFilter {

    /** Sequences remembered per stream: well over the 5,000 records a collector's spool has in flight. */
    static final int WINDOW = 1 << 13;
    /** Origin streams remembered per partition, the least recently seen forgotten first. */
    static final int MAX_STREAMS = 50_000;

    private static final class Stream {
        long high = -1;
        final BitSet seen = new BitSet(WINDOW);
    }

    private final Map<Object, Map<String, Stream>> partitions = new HashMap<>();
    private long repeats;

    /** True when {@code origin} has not been read on {@code partition} lately (and remembers it); false for a repeat. */
    boolean firstTime(Object partition, Origin origin) {
        if (origin == null || origin.collector() == null || origin.sequence() < 0) return true;
        Map<String, Stream> streams = partitions.computeIfAbsent(partition, p -> new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Stream> eldest) {
                return size() > MAX_STREAMS;
            }
        });
        Stream s = streams.computeIfAbsent(origin.collector() + "@" + origin.bootEpochMs(), k -> new Stream());
        long seq = origin.sequence();
        if (seq > s.high) {
            // Slide the window: the slots between the old high and the new one now stand for newer sequences.
            if (s.high < 0 || seq - s.high >= WINDOW) {
                s.seen.clear();
            } else {
                for (long q = s.high + 1; q < seq; q++) s.seen.clear((int) (q % WINDOW));
            }
            s.high = seq;
            s.seen.set((int) (seq % WINDOW));
            return true;
        }
        if (s.high - seq >= WINDOW) return true; // older than the window: cannot tell, keep it
        int slot = (int) (seq % WINDOW);
        if (s.seen.get(slot)) {
            repeats++;
            return false;
        }
        s.seen.set(slot);
        return true;
    }

    /** Forgets what was read on these partitions: they are read again from a stored position. */
    void forget(Collection<?> partitionsToForget) {
        partitionsToForget.forEach(partitions::remove);
    }

    long repeats() {
        return repeats;
    }
}
