package io.vigil.detection.thermal;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static io.vigil.testsupport.GpuSamples.throttled;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.ClockEventReason;
import io.vigil.model.GpuSample;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ThermalDetectorTest {

    static final ThermalConfig CONFIG = new ThermalConfig(3, 5, 3.0, 87.0, Duration.ofMinutes(2));
    KeyedOneInputStreamOperatorTestHarness<String, GpuSample, AlertEvent> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new ThermalDetector(CONFIG),
                GpuSample::gpuKey, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    void feed(GpuSample s) throws Exception {
        harness.processElement(s, s.ts());
    }

    /** Seconds since T0 as event time. */
    static long t(int seconds) {
        return T0 + seconds * 1000L;
    }

    List<AlertEvent> alerts() {
        return harness.extractOutputValues();
    }

    @Test
    void firesOnceAfterThreeHotSamplesWithEvidence() throws Exception {
        feed(healthy("h1", 3, t(0)).build());
        feed(throttled("h1", 3, t(1), 88.0).build());
        feed(throttled("h1", 3, t(2), 89.5).build());
        assertThat(alerts()).isEmpty();
        feed(throttled("h1", 3, t(3), 90.0).build());
        for (int i = 4; i < 60; i++) {
            feed(throttled("h1", 3, t(i), 90.0).build());
        }
        List<AlertEvent> out = alerts();
        assertThat(out).hasSize(1);
        AlertEvent a = out.get(0);
        assertThat(a.type()).isEqualTo(AlertType.THERMAL);
        assertThat(a.state()).isEqualTo(AlertEvent.State.FIRING);
        assertThat(a.startsAt().toEpochMilli()).isEqualTo(t(1));
        assertThat(a.labels()).containsEntry("host", "h1").containsEntry("gpu", "3").containsEntry("job", "job-1")
                .containsEntry("rank", "3");
        assertThat(a.evidence()).containsEntry("gpuTempC", 90.0).containsEntry("slowdownTempC", 89.0)
                .containsEntry("clockEventReasons", (double) ClockEventReason.SW_THERMAL_SLOWDOWN.bit());
        assertThat(a.summary()).contains("h1/gpu3").contains("90 °C").contains("SW_THERMAL_SLOWDOWN");
    }

    @Test
    void anEpisodeSnapshottedMidwayRestoresWithNoEventLostOrRepeated() throws Exception {
        List<io.vigil.detection.SnapshotRestore.Step> steps = new java.util.ArrayList<>();
        int i = 0;
        for (; i < 5; i++) steps.add(io.vigil.detection.SnapshotRestore.element(healthy("h1", 0, t(i)).build(), t(i)));
        for (; i < 15; i++) steps.add(io.vigil.detection.SnapshotRestore.element(throttled("h1", 0, t(i), 90).build(), t(i)));
        for (; i < 30; i++) {
            steps.add(io.vigil.detection.SnapshotRestore.element(healthy("h1", 0, t(i)).gpuTempC(80.0).build(), t(i)));
        }
        steps.add(io.vigil.detection.SnapshotRestore.watermark(t(3600))); // the GPU's timeout: state dropped
        List<AlertEvent> out = io.vigil.detection.SnapshotRestore.sameAfterRestoreAt(() -> new ThermalDetector(CONFIG),
                GpuSample::gpuKey, Types.STRING, steps, 12);
        assertThat(out).extracting(AlertEvent::state).containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
    }

    @Test
    void temperatureAtTheDevicesOwnThresholdIsHotEvenWithoutAReason() throws Exception {
        for (int i = 0; i < 3; i++) {
            feed(healthy("h1", 0, t(i)).gpuTempC(89.0).build());
        }
        assertThat(alerts()).singleElement().satisfies(a -> assertThat(a.state()).isEqualTo(AlertEvent.State.FIRING));
    }

    @Test
    void nonThermalClockReasonsAreNotThermalProblems() throws Exception {
        long notThermal = ClockEventReason.GPU_IDLE.bit() | ClockEventReason.HW_SLOWDOWN.bit()
                | ClockEventReason.SW_POWER_CAP.bit() | ClockEventReason.SYNC_BOOST.bit();
        for (int i = 0; i < 20; i++) {
            feed(healthy("h1", 0, t(i)).gpuTempC(80.0).clockEventReasons(notThermal).build());
        }
        assertThat(alerts()).isEmpty();
    }

    @Test
    void interruptedHotRunsDoNotFire() throws Exception {
        for (int i = 0; i < 30; i += 3) {
            feed(throttled("h1", 0, t(i), 88).build());
            feed(throttled("h1", 0, t(i + 1), 88).build());
            feed(healthy("h1", 0, t(i + 2)).build());
        }
        assertThat(alerts()).isEmpty();
    }

    @Test
    void resolvesAfterFiveCoolSamplesAndDoesNotFlapNearTheThreshold() throws Exception {
        int i = 0;
        for (; i < 5; i++) feed(throttled("h1", 0, t(i), 90).build());
        // Hovering just under the threshold without throttling is neither hot nor cool: the alert holds.
        for (; i < 25; i++) feed(healthy("h1", 0, t(i)).gpuTempC(i % 2 == 0 ? 87.5 : 86.5).build());
        assertThat(alerts()).hasSize(1);
        for (int k = 0; k < 4; k++, i++) feed(healthy("h1", 0, t(i)).gpuTempC(80.0).build());
        assertThat(alerts()).hasSize(1);
        feed(healthy("h1", 0, t(i)).gpuTempC(80.0).build());
        List<AlertEvent> out = alerts();
        assertThat(out).hasSize(2);
        AlertEvent resolved = out.get(1);
        assertThat(resolved.state()).isEqualTo(AlertEvent.State.RESOLVED);
        assertThat(resolved.fingerprint()).isEqualTo(out.get(0).fingerprint());
        assertThat(resolved.startsAt()).isEqualTo(out.get(0).startsAt());
        assertThat(resolved.endsAt().toEpochMilli()).isEqualTo(t(i));
        assertThat(resolved.origin().sequence()).isEqualTo(out.get(0).origin().sequence() + 1);
    }

    @Test
    void aSecondEpisodeIsANewAlertWithTheSameFingerprint() throws Exception {
        int i = 0;
        for (; i < 4; i++) feed(throttled("h1", 0, t(i), 90).build());
        for (; i < 10; i++) feed(healthy("h1", 0, t(i)).build());
        for (; i < 14; i++) feed(throttled("h1", 0, t(i), 90).build());
        List<AlertEvent> out = alerts();
        assertThat(out).extracting(AlertEvent::state).containsExactly(AlertEvent.State.FIRING,
                AlertEvent.State.RESOLVED, AlertEvent.State.FIRING);
        assertThat(out.get(2).fingerprint()).isEqualTo(out.get(0).fingerprint());
        assertThat(out.get(2).startsAt()).isAfter(out.get(0).startsAt());
    }

    @Test
    void gpusAreIndependent() throws Exception {
        for (int i = 0; i < 5; i++) {
            feed(throttled("h1", 0, t(i), 90).build());
            feed(healthy("h1", 1, t(i)).build());
            feed(healthy("h2", 0, t(i)).build());
        }
        assertThat(alerts()).singleElement().satisfies(a -> assertThat(a.labels()).containsEntry("host", "h1")
                .containsEntry("gpu", "0"));
    }

    @Test
    void stateAndTimersDropToZeroWhenAGpuGoesAway() throws Exception {
        for (int i = 0; i < 10; i++) {
            feed(healthy("h1", 0, t(i)).build());
            feed(healthy("h1", 1, t(i)).build());
        }
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);
        harness.processWatermark(t(9) + Duration.ofMinutes(2).toMillis() + 1);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(alerts()).isEmpty();
    }

    @Test
    void aFiringGpuThatGoesSilentIsResolvedThenForgotten() throws Exception {
        for (int i = 0; i < 5; i++) feed(throttled("h1", 0, t(i), 90).build());
        harness.processWatermark(t(4) + Duration.ofMinutes(2).toMillis());
        List<AlertEvent> out = alerts();
        assertThat(out).hasSize(2);
        assertThat(out.get(1).state()).isEqualTo(AlertEvent.State.RESOLVED);
        assertThat(out.get(1).fingerprint()).isEqualTo(out.get(0).fingerprint());
        assertThat(out.get(1).summary()).contains("stopped reporting");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aGpuForgottenAndBackStartsANewOriginStreamSoNoTwoEventsShareAnOrigin() throws Exception {
        // Seen in the Kafka-outage failure test: a GPU silent past the entity timeout is forgotten; when it reports
        // again its state starts over, and its events once reused origins already on the alert topic.
        for (int i = 0; i < 5; i++) feed(throttled("h1", 0, t(i), 90).build());
        harness.processWatermark(t(4) + Duration.ofMinutes(2).toMillis());
        int back = 4 + 180;
        for (int i = back; i < back + 5; i++) feed(throttled("h1", 0, t(i), 90).build());
        List<AlertEvent> out = alerts();
        assertThat(out).extracting(AlertEvent::state).containsExactly(AlertEvent.State.FIRING,
                AlertEvent.State.RESOLVED, AlertEvent.State.FIRING);
        assertThat(out.get(2).origin().sequence()).isEqualTo(out.get(0).origin().sequence());
        assertThat(out).extracting(AlertEvent::origin).doesNotHaveDuplicates();
    }

    @Test
    void aGpuThatKeepsReportingKeepsOneTimer() throws Exception {
        for (int i = 0; i < 300; i++) {
            feed(healthy("h1", 0, t(i)).build());
            harness.processWatermark(t(i) - 2000);
        }
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }

    @Test
    void aThermalReasonOnAGpuFarBelowItsSlowdownIsNoDeviceAlertButNearItIs() throws Exception {
        // SW thermal slowdown reported at 48 °C (slowdown 87 °C): the GPU is slowed, not hot.
        for (int i = 0; i < 10; i++) feed(throttled("h1", 0, t(i), 48).memTempC(44.0).build());
        assertThat(harness.extractOutputValues()).isEmpty();
        // The same reason at 79 °C, within 10 °C of the slowdown: heat.
        for (int i = 10; i < 15; i++) feed(throttled("h1", 0, t(i), 79).build());
        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(a -> assertThat(a.state()).isEqualTo(io.vigil.model.AlertEvent.State.FIRING));
    }
}
