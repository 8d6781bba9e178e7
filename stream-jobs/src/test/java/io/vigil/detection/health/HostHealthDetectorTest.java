package io.vigil.detection.health;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.GpuSample;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HostHealthDetectorTest {

    KeyedOneInputStreamOperatorTestHarness<String, GpuSample, AlertEvent> h;

    @BeforeEach
    void open() throws Exception {
        h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new HostHealthDetector(HostHealthConfig.defaults()),
                s -> s.cluster() + "/" + s.host(), Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    /** Seconds {@code from} to {@code to} of host h1's 8 GPUs; {@code reporting} picks the GPUs that report. */
    void run(int from, int to, IntPredicate reporting, UnaryOperator<GpuSample.Builder> shape) throws Exception {
        for (int s = from; s < to; s++) {
            long ts = T0 + s * 1000L;
            for (int g = 0; g < 8; g++) {
                if (reporting.test(g)) {
                    GpuSample sample = shape.apply(healthy("h1", g, ts).gpuTempC(60.0 + g * 0.4)).build();
                    h.processElement(sample, ts);
                }
            }
            h.processWatermark(new Watermark(ts - 2001));
        }
    }

    List<AlertEvent> alerts() {
        return h.extractOutputValues();
    }

    @Test
    void gpusJudgedFromTheirBmcEveryTwentySecondsAreNotSilentUntilTheBmcStops() throws Exception {
        // Seconds 0-180: a BMC-only tray's 4 GPUs, one sample each every 20 s; then GPU 3 is no longer reported.
        for (int s = 0; s <= 300; s++) {
            long ts = T0 + s * 1000L;
            if (s % 20 == 0) {
                for (int g = 0; g < 4; g++) {
                    if (g == 3 && s > 180) continue;
                    h.processElement(healthy("h1", g, ts).source(GpuSample.Source.REDFISH).jobId(null).rank(null)
                            .build(), ts);
                }
            }
            h.processWatermark(new Watermark(ts - 2001));
        }
        List<AlertEvent> silent = alerts().stream().filter(a -> a.type() == AlertType.SILENT).toList();
        assertThat(silent).as("a 20 s rhythm is no silence; a stopped GPU is, after three of its intervals")
                .singleElement().satisfies(a -> {
                    assertThat(a.labels()).containsEntry("gpu", "3");
                    assertThat(a.detectedAt().toEpochMilli() - a.startsAt().toEpochMilli()).isEqualTo(60_000);
                });
    }

    @Test
    void aSilenceSnapshottedMidwayRestoresWithNoEventLostOrRepeated() throws Exception {
        List<io.vigil.detection.SnapshotRestore.Step> steps = new java.util.ArrayList<>();
        for (int s = 0; s < 65; s++) {
            long ts = T0 + s * 1000L;
            for (int g = 0; g < 8; g++) {
                if (s < 30 || s >= 60 || g != 5) {
                    steps.add(io.vigil.detection.SnapshotRestore.element(healthy("h1", g, ts).gpuTempC(60.0 + g * 0.4)
                            .build(), ts));
                }
            }
            steps.add(io.vigil.detection.SnapshotRestore.watermark(ts - 2001));
        }
        int midSilence = steps.size() * 50 / 65; // second 50: GPU 5 silent and alerted, not yet back
        List<AlertEvent> out = io.vigil.detection.SnapshotRestore.sameAfterRestoreAt(
                () -> new HostHealthDetector(HostHealthConfig.defaults()), s -> s.cluster() + "/" + s.host(),
                Types.STRING, steps, midSilence);
        assertThat(out).extracting(AlertEvent::type, AlertEvent::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple(AlertType.SILENT, AlertEvent.State.FIRING),
                org.assertj.core.groups.Tuple.tuple(AlertType.SILENT, AlertEvent.State.RESOLVED));
    }

    @Test
    void aGpuThatStopsReportingIsSilentUntilItReturns() throws Exception {
        run(0, 30, g -> true, b -> b);
        run(30, 60, g -> g != 5, b -> b);
        assertThat(alerts()).hasSize(1);
        AlertEvent a = alerts().get(0);
        assertThat(a.type()).isEqualTo(AlertType.SILENT);
        assertThat(a.labels()).containsEntry("host", "h1").containsEntry("gpu", "5").containsEntry("scope", "gpu");
        assertThat(a.summary()).contains("no samples for 15 s while the host's other GPUs report");
        // Judged once event time passes the returning samples (the watermark trails them by 2 s).
        run(60, 65, g -> true, b -> b);
        assertThat(alerts()).extracting(AlertEvent::state)
                .containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
    }

    @Test
    void aWholeHostGoingSilentIsOneHostAlertAndIsForgottenAfterTheEntityTimeout() throws Exception {
        run(0, 30, g -> true, b -> b);
        h.processWatermark(new Watermark(T0 + 50_000));
        assertThat(alerts()).hasSize(1);
        // The collector that reported it, so the correlator can make one page of hosts silent through one collector.
        assertThat(alerts().get(0).labels()).containsEntry("scope", "host").doesNotContainKey("gpu")
                .containsEntry("collector", "test");
        assertThat(alerts().get(0).severity()).isEqualTo(AlertEvent.Severity.CRITICAL);
        h.processWatermark(new Watermark(T0 + 11 * 60_000));
        assertThat(alerts()).extracting(AlertEvent::state)
                .containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
        assertThat(alerts().get(1).summary()).contains("forgotten");
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void theEndOfABoundedInputIsNotSilence() throws Exception {
        run(0, 30, g -> true, b -> b);
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(alerts()).isEmpty();
    }

    @Test
    void aRecordingReadWhollyBeforeItsFirstWatermarkFindsTheSilenceInItsMiddle() throws Exception {
        // The whole recording arrives before any watermark (a replay faster than the first watermark), then the end
        // of input: the host's silence from second 30 to 60 is found as it is in real time, its end is not silence.
        for (int s = 0; s < 90; s++) {
            if (s >= 30 && s < 60) continue;
            for (int g = 0; g < 8; g++) h.processElement(healthy("h1", g, T0 + s * 1000L).build(), T0 + s * 1000L);
        }
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(alerts()).extracting(AlertEvent::type, AlertEvent::state, a -> a.labels().get("scope")).containsExactly(
                org.assertj.core.groups.Tuple.tuple(AlertType.SILENT, AlertEvent.State.FIRING, "host"),
                org.assertj.core.groups.Tuple.tuple(AlertType.SILENT, AlertEvent.State.RESOLVED, "host"));
    }

    @Test
    void aLostGpuFiresOnceAndResolvesWhenItAnswersAgain() throws Exception {
        run(0, 10, g -> true, b -> b);
        run(10, 20, g -> true, b -> b.build().gpu() == 2 ? b.state(GpuSample.GpuState.LOST) : b);
        run(20, 28, g -> true, b -> b);
        assertThat(alerts()).filteredOn(a -> a.type() == AlertType.GPU_LOST).extracting(AlertEvent::state)
                .containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
        assertThat(alerts().get(0).severity()).isEqualTo(AlertEvent.Severity.CRITICAL);
    }

    @Test
    void anXidIsAnEventWithItsCatalogueSeverityNotAGauge() throws Exception {
        run(0, 10, g -> true, b -> b);
        // The collector reports the last XID on every sample from then on: one alert, not one per sample.
        run(10, 40, g -> true, b -> b.build().gpu() == 4 ? b.lastXid(48) : b);
        run(40, 50, g -> true, b -> b.build().gpu() == 4 ? b.lastXid(13) : b);
        List<AlertEvent> xids = alerts().stream().filter(a -> a.type() == AlertType.XID).toList();
        assertThat(xids).extracting(a -> a.labels().get("xid") + ":" + a.state() + ":" + a.severity())
                .containsExactly("48:FIRING:CRITICAL", "48:RESOLVED:CRITICAL", "13:FIRING:INFO");
        assertThat(xids.get(0).summary()).contains("XID 48", "double-bit ECC");
        assertThat(XidCatalogue.lookup(79).severity()).isEqualTo(AlertEvent.Severity.CRITICAL);
        assertThat(XidCatalogue.lookup(31).severity()).isEqualTo(AlertEvent.Severity.INFO);
    }

    @Test
    void aGpuHotterThanItsPeersAtSimilarPowerIsAColdPlateSuspect() throws Exception {
        run(0, 40, g -> true, b -> b);
        // GPU 6 climbs 1 °C per second above its usual place among its peers, at the same power.
        for (int s = 40; s < 70; s++) {
            int k = s - 40;
            run(s, s + 1, g -> true, b -> b.build().gpu() == 6 ? b.gpuTempC(62.4 + k) : b);
        }
        List<AlertEvent> cp = alerts().stream().filter(a -> a.type() == AlertType.THERMAL).toList();
        assertThat(cp).hasSize(1);
        assertThat(cp.get(0).labels()).containsEntry("gpu", "6").containsEntry("check", "cold-plate");
        assertThat(cp.get(0).summary()).contains("hotter than its 7 host peers at similar power");
        // Fired after 3 samples over the usual difference + 5 °C, i.e. about 8 s into the rise.
        assertThat(cp.get(0).detectedAt().toEpochMilli()).isBetween(T0 + 46_000, T0 + 49_000);
    }

    @Test
    void gpusAtDifferentPowerAreNotComparedAndIdleWarmupIsNotJudged() throws Exception {
        run(0, 60, g -> true, b -> b.build().gpu() == 1 ? b.powerW(80.0).gpuTempC(36.0) : b);
        run(60, 90, g -> true, b -> b.build().gpu() == 1 ? b.powerW(640.0).gpuTempC(71.0) : b);
        assertThat(alerts()).isEmpty();
    }

    @Test
    void aGpuWhoseSamplesArriveLateIsNotComparedWithWhatItsPeersReachedSecondsLater() throws Exception {
        // The rack's coolant recovers: every GPU cools by 4 °C a second from second 60 to 70, at the same power.
        // GPU 5's samples arrive 6 s late, behind the watermark (accepted late, judged at once): against its peers'
        // temperatures judged by then, 2 s newer, it would read 8 °C hotter for as long as the cooling lasts.
        for (int s = 0; s < 100; s++) {
            long ts = T0 + s * 1000L;
            for (int g = 0; g < 8; g++) {
                int at = g == 5 ? s - 6 : s;
                if (at < 0) continue;
                long sampleTs = T0 + at * 1000L;
                double temp = 90.0 + g * 0.4 - 4 * Math.max(0, Math.min(10, at - 60));
                h.processElement(healthy("h1", g, sampleTs).gpuTempC(temp).build(), sampleTs);
            }
            h.processWatermark(new Watermark(ts - 2001));
        }
        assertThat(alerts()).filteredOn(a -> a.type() == AlertType.THERMAL).isEmpty();
    }

    /**
     * The host's GPUs through two partitions, GPUs 0-5 read {@code aheadS} seconds ahead of GPUs 6 and 7 (as a
     * backlog is read), the watermark following the slower: GPU 6 heats up from second 40, GPU 2 stops at second 70.
     */
    List<String> skewed(int aheadS) throws Exception {
        h.close();
        open();
        for (int s = 0; s < 120 + aheadS; s++) {
            for (int g = 0; g < 8; g++) {
                int at = g < 6 ? s : s - aheadS; // GPUs 0-5 are read ahead
                if (at < 0 || at >= 120 || (g == 2 && at >= 70)) continue;
                long ts = T0 + at * 1000L;
                double temp = 60.0 + g * 0.4 + (g == 6 && at >= 40 ? Math.min(20, at - 40) : 0);
                h.processElement(healthy("h1", g, ts).gpuTempC(temp).build(), ts);
            }
            h.processWatermark(new Watermark(T0 + (s - aheadS) * 1000L - 2001));
        }
        return alerts().stream().map(a -> a.type() + " " + a.state() + " gpu" + a.labels().get("gpu") + " from "
                + (a.startsAt().toEpochMilli() - T0)).toList();
    }

    @Test
    void whatIsFoundDoesNotDependOnHowFarApartTheHostsPartitionsAreRead() throws Exception {
        List<String> inStep = skewed(0);
        assertThat(inStep).as("the cold plate and the stopped GPU, in step")
                .anyMatch(a -> a.startsWith("THERMAL FIRING gpu6")).anyMatch(a -> a.startsWith("SILENT FIRING gpu2"))
                .hasSize(2);
        assertThat(skewed(12)).as("six of the host's GPUs read 12 s ahead of the other two").isEqualTo(inStep);
        assertThat(skewed(90)).as("a minute and a half ahead").isEqualTo(inStep);
    }
}
