package io.vigil.dashboard.readside;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.ClockEventReason;
import io.vigil.storage.query.GpuStatus;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GpuHealthTest {

    static GpuStatus gpu(Double temp, Double slowdown, Double util, Long reasons) {
        return new GpuStatus("c1", "A", "A01", "h1", 0, Instant.EPOCH, temp, slowdown, 500.0, util, 1800.0, reasons,
                null, null);
    }

    @Test
    void alertsComeFirstBySeverity() {
        assertThat(GpuHealth.of(gpu(40.0, 90.0, 90.0, 0L), Map.of("h1/0", "CRITICAL"))).isEqualTo(GpuHealth.CRITICAL);
        assertThat(GpuHealth.of(gpu(40.0, 90.0, 90.0, 0L), Map.of("h1/0", "WARNING"))).isEqualTo(GpuHealth.WARNING);
        assertThat(GpuHealth.of(gpu(40.0, 90.0, 90.0, 0L), Map.of("h1/1", "CRITICAL"))).isEqualTo(GpuHealth.BUSY);
    }

    @Test
    void thermalStatesUseTheGpusOwnSlowdownTemperatureAndClockEvents() {
        assertThat(GpuHealth.of(gpu(95.0, 95.0, 90.0, 0L), Map.of())).isEqualTo(GpuHealth.HOT);
        assertThat(GpuHealth.of(gpu(88.0, 95.0, 90.0, 0L), Map.of())).isEqualTo(GpuHealth.WARM);
        assertThat(GpuHealth.of(gpu(88.0, 100.0, 90.0, 0L), Map.of())).isEqualTo(GpuHealth.BUSY);
        assertThat(GpuHealth.of(gpu(60.0, 95.0, 90.0, ClockEventReason.SW_THERMAL_SLOWDOWN.bit()), Map.of()))
                .isEqualTo(GpuHealth.HOT);
        // No slowdown temperature reported: a hot reading alone does not make it hot (no assumed 87 °C).
        assertThat(GpuHealth.of(gpu(99.0, null, 90.0, 0L), Map.of())).isEqualTo(GpuHealth.BUSY);
        assertThat(GpuHealth.of(gpu(40.0, null, 1.0, null), Map.of())).isEqualTo(GpuHealth.IDLE);
    }
}
