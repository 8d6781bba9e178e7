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

    /** Four hosts' samples at {@code ts} through {@code partition}. */
    static void deliver(HostMedianWatermarks wm, WatermarkOutput out, int partition, long ts) {
        for (int host = 0; host < 4; host++) {
            GpuSample g = healthy("p" + partition + "h" + host, 0, ts).build();
            wm.onEvent(in(g, partition), g.ts(), out);
        }
    }

    @Test
    void aPartitionIsIdleAfterTheTimeoutOfFlowingInputButNotWhileTheJobIsBackPressured() {
        ManualClock wall = new ManualClock();
        // Flink's own input-activity clock, paused by the operator while its output is back-pressured.
        PausableRelativeClock activity = new PausableRelativeClock(wall);
        HostMedianWatermarks wm = onActivityClock(activity);
        List<Long> emitted = new ArrayList<>();
        WatermarkOutput out = collecting(emitted);
        // Two partitions of a backlog: partition 0 read a minute ahead of partition 1, both flowing through the
        // start-up hold (twice the idle timeout).
        for (int s = 0; s <= 20; s += 5) {
            deliver(wm, out, 0, T0 + 60_000);
            deliver(wm, out, 1, T0);
            wall.advanceTime(Duration.ofSeconds(5));
        }
        wm.onPeriodicEmit(out);
        assertThat(emitted).containsExactly(T0 - 2001);
        // The job is blocked on its own output for 30 s (catching up): nothing is read, nothing is idle.
        activity.markStart(); // what the operator's back-pressure listener calls
        wall.advanceTime(Duration.ofSeconds(30));
        activity.markEnd();
        deliver(wm, out, 0, T0 + 61_000);
        wm.onPeriodicEmit(out);
        assertThat(emitted).as("partition 1 still holds time back").containsExactly(T0 - 2001);
        // Flowing input for longer than the idle timeout with nothing from partition 1: it no longer holds time back.
        wall.advanceTime(Duration.ofSeconds(11));
        deliver(wm, out, 0, T0 + 62_000);
        wm.onPeriodicEmit(out);
        assertThat(emitted).last().isEqualTo(T0 + 62_000 - 2001);
    }

    @Test
    void atRestartTimeWaitsUntilNoPartitionHasDeliveredItsFirstRecordForTwiceTheIdleTimeout() {
        ManualClock wall = new ManualClock();
        PausableRelativeClock activity = new PausableRelativeClock(wall);
        HostMedianWatermarks wm = onActivityClock(activity);
        List<Long> emitted = new ArrayList<>();
        WatermarkOutput out = collecting(emitted);
        // A reader starting on a backlog: every 2 s of reading, each partition it has heard from delivers its next
        // 4 s of records. Partition 1's first records come 12 s after partition 0's (another broker, a busy machine).
        long[] next = new long[2];
        for (int step = 0; step < 22; step++) {
            for (int partition = 0; partition < 2; partition++) {
                if (partition == 1 && step < 6) continue;
                deliver(wm, out, partition, T0 + next[partition]);
                next[partition] += 4_000;
            }
            wall.advanceTime(Duration.ofSeconds(2));
            wm.onPeriodicEmit(out);
            if (step < 15) assertThat(emitted).as("step " + step).isEmpty();
        }
        // Twenty seconds after partition 1 came: time is the slower partition's.
        assertThat(emitted).isNotEmpty().allSatisfy(w -> assertThat(w).isLessThanOrEqualTo(T0 + next[1] - 4_000 - 2001));
        assertThat(emitted).last().isEqualTo(T0 + next[1] - 4_000 - 2001);
    }

    @Test
    void aReaderSlowToDeliverItsFirstRecordIsNotIdleButOneWhosePartitionsAllWentQuietIs() {
        ManualClock wall = new ManualClock();
        PausableRelativeClock activity = new PausableRelativeClock(wall);
        HostMedianWatermarks wm = onActivityClock(activity);
        List<String> said = new ArrayList<>();
        WatermarkOutput out = saying(said);
        // After a restart its Kafka consumer delivers nothing for 30 s: the other readers must not set time alone.
        for (int s = 0; s < 30; s++) {
            wall.advanceTime(Duration.ofSeconds(1));
            wm.onPeriodicEmit(out);
        }
        assertThat(said).isEmpty();
        for (int s = 0; s <= 20; s += 5) {
            deliver(wm, out, 0, T0 + s * 1000L);
            wall.advanceTime(Duration.ofSeconds(5));
        }
        wm.onPeriodicEmit(out);
        assertThat(said).containsExactly("wm " + (20_000 - 2001));
        // Its partitions go quiet for longer than the idle timeout: its output is idle, once.
        wall.advanceTime(Duration.ofSeconds(11));
        wm.onPeriodicEmit(out);
        wm.onPeriodicEmit(out);
        assertThat(said).containsExactly("wm 17999", "idle");
        deliver(wm, out, 0, T0 + 30_000);
        wm.onPeriodicEmit(out);
        assertThat(said).containsExactly("wm 17999", "idle", "active", "wm 27999");
    }

    @Test
    void aShortReplayThatWentQuietDuringTheStartUpHoldStillHasItsTimeJudged() {
        ManualClock wall = new ManualClock();
        HostMedianWatermarks wm = onActivityClock(new PausableRelativeClock(wall));
        List<String> said = new ArrayList<>();
        WatermarkOutput out = saying(said);
        // A recording replayed at once: two partitions, two minutes each, in a second; then nothing more.
        for (int s = 0; s < 120; s++) {
            deliver(wm, out, 0, T0 + s * 1000L);
            deliver(wm, out, 1, T0 + s * 500L);
        }
        for (int s = 0; s < 21; s++) {
            wall.advanceTime(Duration.ofSeconds(1));
            wm.onPeriodicEmit(out);
        }
        assertThat(said).containsExactly("wm " + (59_500 - 2001), "idle");
    }

    @Test
    void whenTheInputStopsAPartitionWhoseReportersMovedAwayLongAgoDoesNotHoldTimeBack() {
        ManualClock wall = new ManualClock();
        HostMedianWatermarks wm = onActivityClock(new PausableRelativeClock(wall));
        List<String> said = new ArrayList<>();
        WatermarkOutput out = saying(said);
        // Partition 1's last records are two minutes older than partition 0's (its devices now hash elsewhere);
        // both were read in the same breath, then nothing more came.
        deliver(wm, out, 1, T0);
        for (int s = 0; s < 60; s++) deliver(wm, out, 0, T0 + 120_000 + s * 1000L);
        for (int s = 0; s < 21; s++) {
            wall.advanceTime(Duration.ofSeconds(1));
            wm.onPeriodicEmit(out);
        }
        assertThat(said).containsExactly("wm " + (179_000 - 2001), "idle");
    }

    @Test
    void aReaderThatNeverDeliversIsIdleAfterAMinute() {
        ManualClock wall = new ManualClock();
        HostMedianWatermarks wm = onActivityClock(new PausableRelativeClock(wall));
        List<String> said = new ArrayList<>();
        WatermarkOutput out = saying(said);
        wm.onPeriodicEmit(out);
        wall.advanceTime(Duration.ofSeconds(59));
        wm.onPeriodicEmit(out);
        assertThat(said).isEmpty();
        wall.advanceTime(Duration.ofSeconds(2));
        wm.onPeriodicEmit(out);
        assertThat(said).containsExactly("idle");
    }

    /** A generator on {@code activity} (Flink's input-activity clock): out-of-orderness 2 s, idle timeout 10 s. */
    static HostMedianWatermarks onActivityClock(PausableRelativeClock activity) {
        return new HostMedianWatermarks(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(10), activity);
    }

    /** An output that says what it was told: {@code wm <ms after T0>}, {@code idle}, {@code active}. */
    static WatermarkOutput saying(List<String> said) {
        return new WatermarkOutput() {
            public void emitWatermark(Watermark w) { said.add("wm " + (w.getTimestamp() - T0)); }
            public void markIdle() { said.add("idle"); }
            public void markActive() { said.add("active"); }
        };
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
