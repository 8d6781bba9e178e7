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

/**
 * Event time that one host's wrong clock cannot drag along. The watermark is the median, over the hosts (and
 * facility devices) reporting through this source split, of each one's newest timestamp, less the bounded
 * out-of-orderness. With the usual maximum-based watermark, one host whose clock runs a few seconds ahead would
 * make every other host's samples late; here it only moves its own samples into later windows. A host whose clock
 * runs behind by more than the bound has its samples dead-lettered as LATE, and counted. Hosts not heard from for
 * {@code forgetAfter} (behind the newest) no longer count, so a host that leaves does not hold time back.
 */
public final class HostMedianWatermarks implements WatermarkGenerator<TelemetryRecord> {

    private final long outOfOrdernessMs;
    private final long forgetAfterMs;
    private final Map<String, long[]> newestByReporter = new HashMap<>();
    private long newest = Long.MIN_VALUE;
    private long emitted = Long.MIN_VALUE;
    private long[] scratch = new long[64];

    public HostMedianWatermarks(Duration outOfOrderness, Duration forgetAfter) {
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.forgetAfterMs = forgetAfter.toMillis();
    }

    public static WatermarkStrategy<TelemetryRecord> strategy(Duration outOfOrderness, Duration idleTimeout) {
        return WatermarkStrategy.<TelemetryRecord>forGenerator(
                        ctx -> new HostMedianWatermarks(outOfOrderness, Duration.ofSeconds(60)))
                .withTimestampAssigner((r, previous) -> r.eventTimeMs())
                .withIdleness(idleTimeout);
    }

    /** Which clock stamped the record: its host, or the facility device, or (job events) the cluster's scheduler. */
    static String reporter(TelemetryRecord r) {
        if (r instanceof GpuSample s) return s.cluster() + "|" + s.host();
        if (r instanceof PowerSample p) return p.cluster() + "|" + (p.host() != null ? p.host() : p.device());
        if (r instanceof CoolingSample c) return c.cluster() + "|" + c.device();
        if (r instanceof StepEvent e) return e.cluster() + "|" + (e.host() != null ? e.host() : e.jobId() + "#" + e.rank());
        if (r instanceof JobEvent j) return j.cluster() + "|scheduler";
        return "?";
    }

    @Override
    public void onEvent(TelemetryRecord event, long eventTimestamp, WatermarkOutput output) {
        long[] slot = newestByReporter.get(reporter(event));
        if (slot == null) {
            newestByReporter.put(reporter(event), new long[] {eventTimestamp});
        } else if (eventTimestamp > slot[0]) {
            slot[0] = eventTimestamp;
        }
        newest = Math.max(newest, eventTimestamp);
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (newestByReporter.isEmpty()) {
            return;
        }
        if (scratch.length < newestByReporter.size()) {
            scratch = new long[newestByReporter.size() * 2];
        }
        int n = 0;
        var it = newestByReporter.values().iterator();
        while (it.hasNext()) {
            long t = it.next()[0];
            if (t < newest - forgetAfterMs) {
                it.remove();
            } else {
                scratch[n++] = t;
            }
        }
        Arrays.sort(scratch, 0, n);
        long median = scratch[(n - 1) / 2];
        long wm = median - outOfOrdernessMs - 1;
        if (wm > emitted) {
            emitted = wm;
            output.emitWatermark(new Watermark(wm));
        }
    }
}
