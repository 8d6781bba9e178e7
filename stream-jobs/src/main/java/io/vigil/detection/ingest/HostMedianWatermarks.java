package io.vigil.detection.ingest;

import io.vigil.model.CoolingSample;
import io.vigil.model.GpuSample;
import io.vigil.model.JobEvent;
import io.vigil.model.PowerSample;
import io.vigil.model.StepEvent;
import io.vigil.model.TelemetryRecord;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Event time that one host's wrong clock cannot drag along. Per source partition, the watermark is the median, over
 * the hosts (and facility devices) reporting through it, of each one's newest timestamp, less the bounded
 * out-of-orderness; the job's watermark is the lowest over the partitions that are flowing, so a partition read
 * behind the others (Kafka does not read topics in step) holds time back instead of having its records judged
 * late. With the usual maximum-based watermark, one host whose clock runs a few seconds ahead would make every
 * other host's samples late; here it only moves its own samples into later windows. A host whose clock runs behind
 * by more than the bound has its samples dead-lettered as LATE, and counted. Hosts not heard from for
 * {@code forgetAfter} (behind their partition's newest) no longer count, nor do partitions silent for the idle
 * timeout; a reader that has delivered nothing for the idle timeout marks its output idle (this replaces Flink's
 * {@code withIdleness}, which also marked a reader idle that had not delivered its first record yet), after time
 * has reached what its partitions delivered, save those a minute behind the newest. Job events
 * are control records and do not move time. At (re)start, time is held until no partition has delivered its
 * first record for twice the idle timeout, so that every partition has delivered before any is judged: a reader
 * starting on a backlog gets its partitions broker by broker, and on a busy machine the first records of one
 * partition came 8 to 12 s after another's (seen in docker-compose.yml at its first start and after a JobManager
 * restart, with a hold of 5 s: the partitions read last had their records dead-lettered as late or judged after
 * the fact, and a hundred GPUs or more paged as silent). The reader cannot know which partitions it was given, so
 * this is a presumption: a partition whose first record comes later still is judged late.
 *
 * <p>Both are measured on the operator's input-activity clock, which stands still while the job is back-pressured:
 * a job catching up on a backlog spends most of its time blocked on its own output, and by the wall clock every
 * partition would look idle after such a wait; the first one read again would then set time alone, and the others'
 * records, minutes behind it, would be judged late.
 */
public final class HostMedianWatermarks implements WatermarkGenerator<SourcedRecord> {

    /** One partition's reporters and when it last delivered (on the input-activity clock). */
    private static final class Partition {
        final Map<String, long[]> newestByReporter = new HashMap<>();
        long newest = Long.MIN_VALUE;
        long lastRecordNanos;
    }

    private final long outOfOrdernessMs;
    private final long forgetAfterMs;
    private final long idleNanos;
    private final long startupNanos;
    /** Time the input was flowing or waiting for data, not blocked on back-pressure. */
    private final RelativeClock activity;
    private final Map<String, Partition> partitions = new HashMap<>();
    private long emitted = Long.MIN_VALUE;
    private long[] scratch = new long[64];
    /** When any partition last delivered (on the input-activity clock). */
    private long lastRecordNanos;
    /** When a partition last delivered its first record (on the input-activity clock). */
    private long newPartitionNanos = Long.MIN_VALUE;
    /** When this reader was first asked for a watermark: its (re)start. */
    private long startedNanos = Long.MIN_VALUE;
    /** Whether the reader's output is marked idle (the other readers then set time without it). */
    private boolean idle;

    /**
     * How long a reader may deliver nothing at all after its (re)start before it is idle: much longer than the idle
     * timeout, because a reader whose Kafka consumer was slow to deliver its first fetch (seen at 10 s and more on a
     * busy machine after a restart), once marked idle, would let the other readers set time alone, and its
     * partitions' hosts would then look silent. A reader with no partition at all holds time this long, once.
     */
    static final long FIRST_RECORD_WAIT_NANOS = Duration.ofSeconds(60).toNanos();

    /**
     * @param activity the clock idleness and the start-up hold are measured on: Flink's input-activity clock in a
     *                 job; {@code null} for none (unit tests drive partitions explicitly: no start-up hold, and
     *                 no partition is ever idle)
     */
    HostMedianWatermarks(Duration outOfOrderness, Duration forgetAfter, Duration idleTimeout, RelativeClock activity) {
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.forgetAfterMs = forgetAfter.toMillis();
        this.idleNanos = idleTimeout.toNanos();
        this.activity = activity;
        this.startupNanos = activity == null ? 0 : 2 * idleTimeout.toNanos();
    }

    public static WatermarkStrategy<SourcedRecord> strategy(Duration outOfOrderness, Duration idleTimeout) {
        return WatermarkStrategy.<SourcedRecord>forGenerator(ctx -> new HostMedianWatermarks(outOfOrderness,
                        Duration.ofSeconds(60), idleTimeout, ctx.getInputActivityClock()))
                .withTimestampAssigner((r, previous) -> r.record().eventTimeMs());
    }

    /** Which clock stamped the record: its host, or the facility device. */
    static String reporter(TelemetryRecord r) {
        if (r instanceof GpuSample s) return s.cluster() + "|" + s.host();
        if (r instanceof PowerSample p) return p.cluster() + "|" + (p.host() != null ? p.host() : p.device());
        if (r instanceof CoolingSample c) return c.cluster() + "|" + c.device();
        if (r instanceof StepEvent e) return e.cluster() + "|" + (e.host() != null ? e.host() : e.jobId() + "#" + e.rank());
        return "?";
    }

    @Override
    public void onEvent(SourcedRecord event, long eventTimestamp, WatermarkOutput output) {
        if (idle) {
            idle = false;
            output.markActive();
        }
        if (event.record() instanceof JobEvent) {
            return;
        }
        String key = event.topic() + "#" + event.partition();
        Partition p = partitions.get(key);
        if (p == null) {
            p = new Partition();
            partitions.put(key, p);
            newPartitionNanos = nanos();
        }
        p.lastRecordNanos = nanos();
        lastRecordNanos = p.lastRecordNanos;
        String reporter = reporter(event.record());
        long[] slot = p.newestByReporter.get(reporter);
        if (slot == null) {
            p.newestByReporter.put(reporter, new long[] {eventTimestamp});
        } else if (eventTimestamp > slot[0]) {
            slot[0] = eventTimestamp;
        }
        p.newest = Math.max(p.newest, eventTimestamp);
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long now = nanos();
        if (startedNanos == Long.MIN_VALUE) startedNanos = now;
        if (newPartitionNanos == Long.MIN_VALUE) {
            if (activity != null && now - startedNanos > FIRST_RECORD_WAIT_NANOS) markIdle(output);
            return;
        }
        if (now - newPartitionNanos < startupNanos) {
            // At (re)start, partitions deliver their first records one after another: time waits until no new one
            // has come for a while, or a partition not read yet would find its records late.
            return;
        }
        long wm = Long.MAX_VALUE;
        boolean starved = activity != null && now - lastRecordNanos > idleNanos;
        if (!starved) {
            for (Partition p : partitions.values()) {
                if (p.newestByReporter.isEmpty() || activity != null && now - p.lastRecordNanos > idleNanos) continue;
                wm = Math.min(wm, median(p) - outOfOrdernessMs - 1);
            }
        } else {
            // Nothing delivered for the idle timeout: every partition has given what it has (the end of a replay, a
            // stopped site). Time reaches the slowest of them, less those already forgotten behind the newest (a
            // partition whose reporters moved away), and is then set by the other readers.
            long newest = Long.MIN_VALUE;
            for (Partition p : partitions.values()) {
                if (!p.newestByReporter.isEmpty()) newest = Math.max(newest, median(p));
            }
            for (Partition p : partitions.values()) {
                if (p.newestByReporter.isEmpty()) continue;
                long m = median(p);
                if (m >= newest - forgetAfterMs) wm = Math.min(wm, m - outOfOrdernessMs - 1);
            }
        }
        if (wm != Long.MAX_VALUE && wm > emitted) emit(wm, output);
        if (starved) markIdle(output);
    }

    private void emit(long wm, WatermarkOutput output) {
        emitted = wm;
        idle = false;
        output.emitWatermark(new Watermark(wm));
    }

    private void markIdle(WatermarkOutput output) {
        if (!idle) {
            idle = true;
            output.markIdle();
        }
    }

    private long nanos() {
        return activity == null ? 0 : activity.relativeTimeNanos();
    }

    private long median(Partition p) {
        if (scratch.length < p.newestByReporter.size()) {
            scratch = new long[p.newestByReporter.size() * 2];
        }
        int n = 0;
        var it = p.newestByReporter.values().iterator();
        while (it.hasNext()) {
            long t = it.next()[0];
            if (t < p.newest - forgetAfterMs) {
                it.remove();
            } else {
                scratch[n++] = t;
            }
        }
        Arrays.sort(scratch, 0, n);
        return scratch[(n - 1) / 2];
    }
}
