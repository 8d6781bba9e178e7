package io.vigil.detection.facility;

import static io.vigil.testsupport.GpuSamples.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.CoolingSample;
import io.vigil.model.PowerSample;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class CoolingDetectorTest {

    static CoolingSample cdu(int s, double flow, double supply, boolean leak) {
        return new CoolingSample(T0 + s * 1000L, "test", "A", null, CoolingSample.Source.CDU, "CDU-3", supply,
                supply + 8, flow, flow / 420 * 120, leak, null, null, null, List.of("A05", "A06"), null);
    }

    static CoolingSample air(int s, double inlet) {
        return new CoolingSample(T0 + s * 1000L, "test", "A", "A07", CoolingSample.Source.RACK_AIR, "A07-air", null,
                null, null, null, null, inlet, inlet + 12, List.of(9000.0), null, null);
    }

    KeyedOneInputStreamOperatorTestHarness<String, CoolingSample, AlertEvent> harness() throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(new CoolingDetector(FacilityConfig.defaults()),
                c -> c.cluster() + "/" + c.device(), Types.STRING);
    }

    @Test
    void aCduFlowLossFiresOnceNamingTheRacksItFeedsAndResolvesWithHysteresis() throws Exception {
        try (var h = harness()) {
            for (int s = 0; s < 30; s++) h.processElement(cdu(s, 420 + (s % 3), 30.0, false), 0);
            for (int s = 30; s < 60; s++) h.processElement(cdu(s, 84, 30 + (s - 30) * 0.2, false), 0);
            for (int s = 60; s < 80; s++) h.processElement(cdu(s, 420, 30.0, false), 0);
            List<AlertEvent> out = h.extractOutputValues();
            assertThat(out).extracting(AlertEvent::state)
                    .containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
            AlertEvent a = out.get(0);
            assertThat(a.type()).isEqualTo(AlertType.COOLING);
            assertThat(a.severity()).isEqualTo(AlertEvent.Severity.CRITICAL);
            assertThat(a.labels()).containsEntry("device", "CDU-3").containsEntry("racks", "A05,A06");
            assertThat(a.summary()).contains("flow loss: 84 L/min vs 421 usual (\u221280%)");
            assertThat(a.detectedAt().toEpochMilli()).isEqualTo(T0 + 32_000);
            assertThat(out.get(1).endsAt().toEpochMilli()).isEqualTo(T0 + 69_000);
        }
    }

    @Test
    void anEpisodeSnapshottedMidwayRestoresWithNoEventLostOrRepeated() throws Exception {
        List<io.vigil.detection.SnapshotRestore.Step> steps = new java.util.ArrayList<>();
        for (int s = 0; s < 30; s++) steps.add(io.vigil.detection.SnapshotRestore.element(cdu(s, 420 + (s % 3), 30.0, false), T0 + s * 1000L));
        for (int s = 30; s < 60; s++) steps.add(io.vigil.detection.SnapshotRestore.element(cdu(s, 84, 30.0, false), T0 + s * 1000L));
        for (int s = 60; s < 80; s++) steps.add(io.vigil.detection.SnapshotRestore.element(cdu(s, 420, 30.0, false), T0 + s * 1000L));
        steps.add(io.vigil.detection.SnapshotRestore.watermark(T0 + 3_600_000L)); // the entity's timeout timer fires
        List<AlertEvent> out = io.vigil.detection.SnapshotRestore.sameAfterRestoreAt(
                () -> new CoolingDetector(FacilityConfig.defaults()), c -> c.cluster() + "/" + c.device(), Types.STRING,
                steps, 45); // mid-episode: firing, not yet resolved
        assertThat(out).extracting(AlertEvent::state).containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
    }

    @Test
    void aLeakFiresAtOnceAsItsOwnAlertAndResolvesWhenDry() throws Exception {
        try (var h = harness()) {
            for (int s = 0; s < 5; s++) h.processElement(cdu(s, 420, 30, false), 0);
            h.processElement(cdu(5, 420, 30, true), 0);
            assertThat(h.extractOutputValues()).singleElement().satisfies(a -> {
                assertThat(a.type()).isEqualTo(AlertType.LEAK);
                assertThat(a.severity()).isEqualTo(AlertEvent.Severity.CRITICAL);
                assertThat(a.detectedAt().toEpochMilli()).as("on the sample that reports it").isEqualTo(T0 + 5_000);
                assertThat(a.summary()).contains("CDU-3 leak detected").contains("feeds racks A05,A06");
            });
            for (int s = 6; s < 20; s++) h.processElement(cdu(s, 420, 30, s < 8), 0);
            assertThat(h.extractOutputValues()).extracting(AlertEvent::type, AlertEvent::state).containsExactly(
                    org.assertj.core.api.Assertions.tuple(AlertType.LEAK, AlertEvent.State.FIRING),
                    org.assertj.core.api.Assertions.tuple(AlertType.LEAK, AlertEvent.State.RESOLVED));
            assertThat(h.extractOutputValues().get(1).endsAt().toEpochMilli())
                    .as("after resolveSamples dry samples").isEqualTo(T0 + (8 + FacilityConfig.defaults().resolveSamples() - 1) * 1000L);
        }
    }

    @Test
    void aLeakWhileTheDevicesFlowLossAlertFiresStillPages() throws Exception {
        try (var h = harness()) {
            for (int s = 0; s < 30; s++) h.processElement(cdu(s, 420, 30.0, false), 0);
            for (int s = 30; s < 40; s++) h.processElement(cdu(s, 84, 30.0, false), 0);
            assertThat(h.extractOutputValues()).extracting(AlertEvent::type).containsExactly(AlertType.COOLING);
            h.processElement(cdu(40, 84, 30.0, true), 0);
            assertThat(h.extractOutputValues()).extracting(AlertEvent::type, AlertEvent::state).containsExactly(
                    org.assertj.core.api.Assertions.tuple(AlertType.COOLING, AlertEvent.State.FIRING),
                    org.assertj.core.api.Assertions.tuple(AlertType.LEAK, AlertEvent.State.FIRING));
            assertThat(h.extractOutputValues().get(0).fingerprint()).isNotEqualTo(h.extractOutputValues().get(1).fingerprint());
        }
    }

    @Test
    void aTrayLeakNamesTheDetectorWhatItWatchesAndHowTheTrayWillReact() throws Exception {
        try (var h = harness()) {
            List<CoolingSample.LeakDetector> ok = List.of(
                    new CoolingSample.LeakDetector("LeakDetector_0_ColdPlate", CoolingSample.LeakDetector.State.OK),
                    new CoolingSample.LeakDetector("LeakDetector_1_Manifold", CoolingSample.LeakDetector.State.OK));
            List<CoolingSample.LeakDetector> leaking = List.of(
                    new CoolingSample.LeakDetector("LeakDetector_0_ColdPlate", CoolingSample.LeakDetector.State.OK),
                    new CoolingSample.LeakDetector("LeakDetector_1_Manifold", CoolingSample.LeakDetector.State.CRITICAL,
                            "Manifold", "LeakDetected", 10.0, "ForceOff"));
            for (int s = 0; s < 3; s++) h.processElement(tray(s, ok), 0);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processElement(tray(3, leaking), 0);
            assertThat(h.extractOutputValues()).singleElement().satisfies(a -> {
                assertThat(a.type()).isEqualTo(AlertType.LEAK);
                assertThat(a.state()).isEqualTo(AlertEvent.State.FIRING);
                assertThat(a.severity()).isEqualTo(AlertEvent.Severity.CRITICAL);
                assertThat(a.labels()).containsEntry("rack", "R12").containsEntry("device", "gb300-n1/Compute_Tray_0");
                assertThat(a.summary()).contains(
                        "leak detected (LeakDetector_1_Manifold: CRITICAL, says LeakDetected; ForceOff in 10 s) in rack R12")
                        .doesNotContain("LeakDetector_0_ColdPlate");
                assertThat(a.evidence()).containsEntry("reactionDelaySeconds", 10.0);
            });
        }
    }

    @Test
    void aMoistureWarningIsAWarningLeak() throws Exception {
        try (var h = harness()) {
            h.processElement(tray(0, List.of(new CoolingSample.LeakDetector("Tray_Floor",
                    CoolingSample.LeakDetector.State.WARNING))), 0);
            assertThat(h.extractOutputValues()).singleElement()
                    .satisfies(a -> assertThat(a.severity()).isEqualTo(AlertEvent.Severity.WARNING));
        }
    }

    @Test
    void aLeakingDeviceThatFallsSilentHasItsLeakClosedAndItsStateDropped() throws Exception {
        try (var h = harness()) {
            for (int s = 0; s < 5; s++) h.processElement(cdu(s, 420, 30, s >= 3), 0);
            h.processWatermark(new Watermark(T0 + 5_000 + 10 * 60_000));
            assertThat(h.extractOutputValues()).extracting(AlertEvent::type, AlertEvent::state).containsExactly(
                    org.assertj.core.api.Assertions.tuple(AlertType.LEAK, AlertEvent.State.FIRING),
                    org.assertj.core.api.Assertions.tuple(AlertType.LEAK, AlertEvent.State.RESOLVED));
            assertThat(h.extractOutputValues().get(1).summary()).contains("stopped reporting");
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aLeakSnapshottedMidwayRestoresWithNoEventLostOrRepeated() throws Exception {
        List<io.vigil.detection.SnapshotRestore.Step> steps = new java.util.ArrayList<>();
        for (int s = 0; s < 30; s++) {
            steps.add(io.vigil.detection.SnapshotRestore.element(cdu(s, 420, 30.0, s >= 10 && s < 20), T0 + s * 1000L));
        }
        steps.add(io.vigil.detection.SnapshotRestore.watermark(T0 + 3_600_000L));
        List<AlertEvent> out = io.vigil.detection.SnapshotRestore.sameAfterRestoreAt(
                () -> new CoolingDetector(FacilityConfig.defaults()), c -> c.cluster() + "/" + c.device(), Types.STRING,
                steps, 15);
        assertThat(out).extracting(AlertEvent::type, AlertEvent::state).containsExactly(
                org.assertj.core.api.Assertions.tuple(AlertType.LEAK, AlertEvent.State.FIRING),
                org.assertj.core.api.Assertions.tuple(AlertType.LEAK, AlertEvent.State.RESOLVED));
    }

    static CoolingSample tray(int s, List<CoolingSample.LeakDetector> detectors) {
        boolean leak = detectors.stream().anyMatch(d -> d.state() != CoolingSample.LeakDetector.State.OK);
        return new CoolingSample(T0 + s * 1000L, "test", "C", "R12", CoolingSample.Source.CHASSIS,
                "gb300-n1/Compute_Tray_0", 31.0, 44.0, 6.0, null, leak, null, null, null, null, null, detectors);
    }

    @Test
    void rackInletAirOverTheAshraeRecommendationAlertsButAWarmInSpecRackDoesNot() throws Exception {
        try (var h = harness()) {
            for (int s = 0; s < 120; s++) h.processElement(air(s, 26.8), 0);
            assertThat(h.extractOutputValues()).isEmpty();
            for (int s = 120; s < 130; s++) h.processElement(air(s, 28.5), 0);
            assertThat(h.extractOutputValues()).hasSize(1);
            assertThat(h.extractOutputValues().get(0).summary()).contains("inlet air 28.5 °C");
        }
    }

    @Test
    void aDeviceThatStopsReportingIsForgotten() throws Exception {
        try (var h = harness()) {
            for (int s = 0; s < 30; s++) h.processElement(cdu(s, 420, 30, false), 0);
            for (int s = 30; s < 40; s++) h.processElement(cdu(s, 50, 30, false), 0);
            h.processWatermark(new Watermark(T0 + 40_000 + 10 * 60_000));
            assertThat(h.extractOutputValues()).extracting(AlertEvent::state)
                    .containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aPduEpisodeSnapshottedMidwayRestoresWithNoEventLostOrRepeated() throws Exception {
        List<io.vigil.detection.SnapshotRestore.Step> steps = new java.util.ArrayList<>();
        for (int s = 0; s < 60; s++) {
            double load = s < 20 ? 0.6 : s < 35 ? 0.95 : s < 40 ? 0.88 : 0.7;
            steps.add(io.vigil.detection.SnapshotRestore.element(new PowerSample(T0 + s * 1000L, "test", "A", "A01",
                    null, PowerSample.Source.RACK_PDU, "A01-pdu", 60_000 * load, 60_000.0, null, null), T0 + s * 1000L));
        }
        steps.add(io.vigil.detection.SnapshotRestore.watermark(T0 + 3_600_000L));
        List<AlertEvent> out = io.vigil.detection.SnapshotRestore.sameAfterRestoreAt(
                () -> new PowerDetector(FacilityConfig.defaults()), (PowerSample p) -> p.cluster() + "/" + p.device(),
                Types.STRING, steps, 30);
        assertThat(out).extracting(AlertEvent::state).containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
    }

    @Test
    void aPduNearItsCapacityAlertsWithHysteresis() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new PowerDetector(FacilityConfig.defaults()),
                (PowerSample p) -> p.cluster() + "/" + p.device(), Types.STRING)) {
            double[] load = new double[60];
            for (int s = 0; s < 60; s++) load[s] = s < 20 ? 0.6 : s < 35 ? 0.95 : s < 40 ? 0.88 : 0.7;
            for (int s = 0; s < 60; s++) {
                h.processElement(new PowerSample(T0 + s * 1000L, "test", "A", "A01", null, PowerSample.Source.RACK_PDU,
                        "A01-pdu", 60_000 * load[s], 60_000.0, null, null), 0);
            }
            h.processElement(new PowerSample(T0, "test", "A", "A01", "h1", PowerSample.Source.HOST_PSU, "h1-psu",
                    9_000.0, null, null, null), 0);
            List<AlertEvent> out = h.extractOutputValues();
            assertThat(out).extracting(AlertEvent::state)
                    .containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
            assertThat(out.get(0).summary()).contains("A01-pdu at 57.0 kW of 60.0 kW capacity (95%)");
            assertThat(out.get(1).endsAt().toEpochMilli()).isEqualTo(T0 + 49_000);
        }
    }
}
