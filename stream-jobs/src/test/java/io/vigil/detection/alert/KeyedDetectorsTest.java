package io.vigil.detection.alert;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.throttled;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.detection.quality.DataQualityDetector;
import io.vigil.detection.thermal.ThermalConfig;
import io.vigil.detection.thermal.ThermalDetector;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.GpuSample;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class KeyedDetectorsTest {

    @Test
    void twoDetectorsInOneOperatorEachSeeEverySampleAndTheirOwnTimersAndLeaveNoState() throws Exception {
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new KeyedDetectors<>(new ThermalDetector(ThermalConfig.defaults()),
                        new DataQualityDetector(Duration.ofMinutes(2))), GpuSample::gpuKey, Types.STRING)) {
            // A GPU over its slowdown temperature whose SM-activity metric reads 0 under load for 11 minutes.
            for (int s = 0; s < 660; s++) {
                h.processElement(throttled("h1", 0, T0 + s * 1000L, 95).powerW(600.0).powerLimitW(700.0)
                        .smActivePct(0.0).dramActivePct(40.0).gpuTempC(95.0 + (s % 10) / 10.0).build(), T0 + s * 1000L);
            }
            assertThat(h.extractOutputValues()).extracting(AlertEvent::type)
                    .containsExactly(AlertType.THERMAL, AlertType.DATA_QUALITY);
            h.processWatermark(new Watermark(T0 + 660_000 + ThermalConfig.defaults().entityTimeout().toMillis()
                    + 180_000));
            assertThat(h.extractOutputValues()).filteredOn(a -> a.state() == AlertEvent.State.RESOLVED)
                    .extracting(AlertEvent::type).containsExactlyInAnyOrder(AlertType.THERMAL, AlertType.DATA_QUALITY);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
