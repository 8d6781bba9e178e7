package io.vigil.detection.ingest;

import static io.vigil.detection.ingest.TelemetryRouterTest.in;
import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.GpuSample;
import io.vigil.model.JobEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.streaming.api.operators.util.PausableRelativeClock;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

class HostMedianWatermarksTest {

    @Test
    void oneHostsClockRunningAheadDoesNotDragTheWatermarkAlong() {
        HostMedianWatermarks wm = new HostMedianWatermarks(Duration.ofSeconds(2), Duration.ofSeconds(60),
                Duration.ofMinutes(10), null);
        List<Long> emitted = new ArrayList<>();
        WatermarkOutput out = collecting(emitted);
        for (int s = 0; s < 10; s++) {
            for (int host = 0; host < 5; host++) {
                long skew = host == 4 ? 30_000 : 0;
                GpuSample g = healthy("h" + host, 0, T0 + s * 1000L + skew).build();
                wm.onEvent(in(g), g.ts(), out);
            }
        }
        wm.onPeriodicEmit(out);
        assertThat(emitted).containsExactly(T0 + 9000 - 2001);
        // A host that left (not heard from for a minute, behind the rest) no longer holds time back either.
        for (int host = 0; host < 3; host++) {
            GpuSample g = healthy("h" + host, 0, T0 + 120_000).build();
            wm.onEvent(in(g), g.ts(), out);
        }
        wm.onPeriodicEmit(out);
        assertThat(emitted).last().isEqualTo(T0 + 120_000 - 2001);
    }

    @Test
    void aPartitionReadBehindTheOthersHoldsTimeBack() {
        HostMedianWatermarks wm = new HostMedianWatermarks(Duration.ofSeconds(2), Duration.ofSeconds(60),
                Duration.ofMinutes(10), null);
        List<Long> emitted = new ArrayList<>();
        WatermarkOutput out = collecting(emitted);
        for (int host = 0; host < 4; host++) {
            GpuSample ahead = healthy("h" + host, 0, T0 + 30_000).build();
            wm.onEvent(in(ahead, 0), ahead.ts(), out);
            GpuSample behind = healthy("g" + host, 0, T0 + 5_000).build();
            wm.onEvent(in(behind, 1), behind.ts(), out);
        }
        wm.onEvent(in(new JobEvent(T0, "test", "job-1", JobEvent.Kind.START, null, null, List.of(), null), 2), T0, out);
        wm.onPeriodicEmit(out);
        assertThat(emitted).containsExactly(T0 + 5_000 - 2001);
    }

    @Test
    void aPartitionIsIdleAfterTheTimeoutOfFlowingInputButNotWhileTheJobIsBackPressured() {
        ManualClock wall = new ManualClock();
        // Flink's own input-activity clock, paused by the operator while its output is back-pressured.
        PausableRelativeClock activity = new PausableRelativeClock(wall);
        HostMedianWatermarks wm = new HostMedianWatermarks(Duration.ofSeconds(2), Duration.ofSeconds(60),
                Duration.ofSeconds(10), activity);
        List<Long> emitted = new ArrayList<>();
        WatermarkOutput out = collecting(emitted);
        // Two partitions of a backlog: partition 0 read a minute ahead of partition 1.
        for (int host = 0; host < 4; host++) {
            GpuSample ahead = healthy("h" + host, 0, T0 + 60_000).build();
            wm.onEvent(in(ahead, 0), ahead.ts(), out);
            GpuSample behind = healthy("g" + host, 0, T0).build();
            wm.onEvent(in(behind, 1), behind.ts(), out);
        }
        wall.advanceTime(Duration.ofSeconds(5)); // the start-up hold
        wm.onPeriodicEmit(out);
        assertThat(emitted).containsExactly(T0 - 2001);
        // The job is blocked on its own output for 30 s (catching up): nothing is read, nothing is idle.
        activity.markStart(); // what the operator's back-pressure listener calls
        wall.advanceTime(Duration.ofSeconds(30));
        activity.markEnd();
        GpuSample next = healthy("h0", 0, T0 + 61_000).build();
        wm.onEvent(in(next, 0), next.ts(), out);
        wm.onPeriodicEmit(out);
        assertThat(emitted).as("partition 1 still holds time back").containsExactly(T0 - 2001);
        // Flowing input for longer than the idle timeout with nothing from partition 1: it no longer holds time back.
        wall.advanceTime(Duration.ofSeconds(11));
        wm.onEvent(in(healthy("h0", 0, T0 + 62_000).build(), 0), T0 + 62_000, out);
        wm.onPeriodicEmit(out);
        assertThat(emitted).last().isEqualTo(T0 + 60_000 - 2001);
    }

    /** A watermark output that keeps what is emitted. */
    static WatermarkOutput collecting(List<Long> emitted) {
        return new WatermarkOutput() {
            public void emitWatermark(Watermark w) { emitted.add(w.getTimestamp()); }
            public void markIdle() {}
            public void markActive() {}
        };
    }
}
