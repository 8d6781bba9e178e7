package io.vigil.detection.quality;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.GpuSample;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class DataQualityDetectorTest {

    KeyedOneInputStreamOperatorTestHarness<String, GpuSample, AlertEvent> harness() throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new DataQualityDetector(Duration.ofMinutes(2)), GpuSample::gpuKey, Types.STRING);
    }

    /** One GPU, one sample a second for {@code seconds}, shaped per second. */
    static void run(KeyedOneInputStreamOperatorTestHarness<String, GpuSample, AlertEvent> h, int from, int to,
                    IntFunction<GpuSample> sample) throws Exception {
        for (int s = from; s < to; s++) h.processElement(sample.apply(s), T0 + s * 1000L);
    }

    /** A working GPU: 550 of 700 W, 99 % busy, its memory and tensor cores busy; temperature following its load. */
    static GpuSample.Builder working(int s) {
        return healthy("h1", 0, T0 + s * 1000L).powerW(500.0 + (s % 60)).powerLimitW(700.0).gpuUtilPct(99.0)
                .smActivePct(78.0).tensorActivePct(52.0).dramActivePct(35.0).gpuTempC(60.0 + (s % 60) / 10.0);
    }

    @Test
    void aHealthyWorkingGpuAndAStalledOneRaiseNothing() throws Exception {
        try (var h = harness()) {
            run(h, 0, 1800, s -> working(s).build());
            // A stall: ranks spin at near-idle power, no tensor or memory traffic, utilisation still 100 %.
            run(h, 1800, 3000, s -> working(s).powerW(115.0).gpuUtilPct(100.0).smActivePct(0.0).tensorActivePct(0.0)
                    .dramActivePct(0.0).build());
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void smActivityStuckAtZeroUnderLoadIsAnInfoRecordNotAPageAndClearsWhenItReadsAgain() throws Exception {
        try (var h = harness()) {
            run(h, 0, 660, s -> working(s).smActivePct(0.0).build());
            List<AlertEvent> out = h.extractOutputValues();
            assertThat(out).singleElement().satisfies(a -> {
                assertThat(a.type()).isEqualTo(AlertType.DATA_QUALITY);
                assertThat(a.severity()).isEqualTo(AlertEvent.Severity.INFO);
                assertThat(a.labels()).containsEntry("check", "sm-activity-zero").containsEntry("host", "h1")
                        .containsEntry("gpu", "0");
                assertThat(a.startsAt().toEpochMilli()).isEqualTo(T0);
                assertThat(a.detectedAt().toEpochMilli()).isEqualTo(T0 + 600_000);
                assertThat(a.summary()).contains("SM activity reads 0").contains("metric is suspect");
            });
            run(h, 660, 760, s -> working(s).build());
            assertThat(h.extractOutputValues()).extracting(AlertEvent::state)
                    .containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
        }
    }

    @Test
    void powerBelowIdleAtFullUtilisationAndAFrozenTemperatureAreSuspect() throws Exception {
        try (var h = harness()) {
            run(h, 0, 700, s -> working(s).powerW(12.0).gpuTempC(61.3).powerW(s % 120 < 60 ? 12.0 : 12.5).build());
            assertThat(h.extractOutputValues()).extracting(a -> a.labels().get("check"))
                    .containsExactly("power-below-idle");
        }
        try (var h = harness()) {
            // Load moving 300-600 W while the temperature reads 58.0 °C throughout.
            run(h, 0, 700, s -> working(s).powerW(s % 120 < 60 ? 300.0 : 600.0).gpuTempC(58.0).build());
            assertThat(h.extractOutputValues()).singleElement().satisfies(a -> {
                assertThat(a.labels()).containsEntry("check", "temperature-frozen");
                assertThat(a.startsAt().toEpochMilli()).isEqualTo(T0);
                assertThat(a.summary()).contains("58.0 °C unchanged for 10 min");
            });
        }
    }

    @Test
    void aGpuThatFallsSilentHasItsRecordsClosedAndItsStateDropped() throws Exception {
        try (var h = harness()) {
            run(h, 0, 660, s -> working(s).smActivePct(0.0).build());
            h.processWatermark(new Watermark(T0 + 660_000 + 180_000));
            assertThat(h.extractOutputValues()).extracting(AlertEvent::state)
                    .containsExactly(AlertEvent.State.FIRING, AlertEvent.State.RESOLVED);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
