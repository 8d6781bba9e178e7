package io.vigil.evaluation.scorecard;

import io.vigil.collectors.kafka.KafkaTelemetryPublisher;
import io.vigil.model.TelemetryRecord;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * How the detection job receives a recorded stream: the same records, on the partitions Vigil's publisher would put
 * them on (by Kafka key), in the order a Kafka reader would hand them over in each arrival mode. Within a partition
 * the order is always the recorded one (Kafka keeps it); what changes is how the partitions interleave, which is
 * exactly what arrival speed changes.
 */
public enum Arrival {
    /** As recorded: every partition read as it is written, the records of a second together. */
    REAL_TIME,
    /**
     * A backlog read as fast as the reader goes (a drained spool, a restarted or lagging job; 30× and faster): the
     * partitions in turn, a fetch of {@value #FETCH} records from each.
     */
    BACKLOG,
    /**
     * A backlog whose partitions are read in a seeded random order and uneven fetches (a quarter to twice
     * {@value #FETCH} records), so that any partition may run minutes ahead of another.
     */
    SHUFFLED,
    /**
     * As recorded, but the job is stopped halfway with a savepoint and started again from it (an upgrade, a move
     * to another machine): what it found before and after must be what one uninterrupted run finds.
     */
    RESTART;

    /** Whether the job is stopped halfway through the recording and resumed from its savepoint. */
    public boolean restartsMidway() {
        return this == RESTART;
    }

    /** Records per fetch of one partition: Kafka's 1 MiB per-partition fetch holds a few thousand of ours. */
    static final int FETCH = 2_000;
    /** The telemetry topics' partitions in the scorecard (the embedded default is 4, compose 12). */
    public static final int PARTITIONS = 6;

    /** One record and the partition it is read from. */
    public record Delivery(TelemetryRecord record, int partition) {}

    /** The partition Vigil's publisher puts a record on: its key's hash, as Kafka's default partitioner spreads keys. */
    static int partitionOf(TelemetryRecord r) {
        return Math.floorMod(KafkaTelemetryPublisher.key(r).hashCode(), PARTITIONS);
    }

    /** The records of {@code recorded} (in their recorded order) as this mode delivers them. */
    public Iterator<Delivery> deliver(Iterator<TelemetryRecord> recorded, long seed) {
        if (this == REAL_TIME || this == RESTART) {
            return new Iterator<>() {
                public boolean hasNext() {
                    return recorded.hasNext();
                }

                public Delivery next() {
                    TelemetryRecord r = recorded.next();
                    return new Delivery(r, partitionOf(r));
                }
            };
        }
        return new Fetches(recorded, this == SHUFFLED ? new Random(seed) : null);
    }

    /** Partition-by-partition fetches over a read-ahead of at most a couple of fetches per partition. */
    private static final class Fetches implements Iterator<Delivery> {
        private final Iterator<TelemetryRecord> recorded;
        private final Random random;
        @SuppressWarnings("unchecked")
        private final ArrayDeque<TelemetryRecord>[] queues = new ArrayDeque[PARTITIONS];
        private int current;
        private int left;

        Fetches(Iterator<TelemetryRecord> recorded, Random random) {
            this.recorded = recorded;
            this.random = random;
            for (int i = 0; i < PARTITIONS; i++) queues[i] = new ArrayDeque<>();
            current = random == null ? 0 : random.nextInt(PARTITIONS);
            left = fetchSize();
        }

        private int fetchSize() {
            return random == null ? FETCH : FETCH / 4 + random.nextInt(FETCH * 2 - FETCH / 4);
        }

        /** Reads ahead until the current partition has a record, or the recording is exhausted. */
        private boolean fill() {
            while (queues[current].isEmpty() && recorded.hasNext()) {
                TelemetryRecord r = recorded.next();
                queues[partitionOf(r)].add(r);
            }
            return !queues[current].isEmpty();
        }

        private void nextPartition() {
            current = random == null ? (current + 1) % PARTITIONS : random.nextInt(PARTITIONS);
            left = fetchSize();
        }

        @Override
        public boolean hasNext() {
            for (int tried = 0; tried <= PARTITIONS * 4; tried++) {
                if (left > 0 && fill()) return true;
                nextPartition();
            }
            for (int p = 0; p < PARTITIONS; p++) {
                if (!queues[p].isEmpty()) {
                    current = p;
                    left = fetchSize();
                    return true;
                }
            }
            return false;
        }

        @Override
        public Delivery next() {
            if (!hasNext()) throw new NoSuchElementException();
            left--;
            return new Delivery(queues[current].poll(), current);
        }
    }
}
