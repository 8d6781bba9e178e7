package io.vigil.collectors;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.CoolingSample;
import io.vigil.model.GpuSample;
import io.vigil.model.PowerSample;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordSanitizerTest {

    final RecordSanitizer sanitizer = new RecordSanitizer();

    static GpuSample.Builder gpu() {
        return GpuSample.builder().ts(1_790_000_000_000L).cluster("dc1").host("n1").gpu(0).source(GpuSample.Source.DCGM);
    }

    @Test
    void anImplausibleReadingIsDroppedAloneAndCounted() {
        GpuSample in = gpu().powerW(-5.0).gpuUtilPct(250.0).gpuTempC(71.0).memTempC(400.0).smClockMHz(1980.0).build();
        GpuSample out = (GpuSample) sanitizer.clean(in);
        assertThat(out.powerW()).isNull();
        assertThat(out.gpuUtilPct()).isNull();
        assertThat(out.memTempC()).isNull();
        assertThat(out.gpuTempC()).isEqualTo(71.0);
        assertThat(out.smClockMHz()).isEqualTo(1980.0);
        assertThat(sanitizer.dropped()).containsEntry("powerW/NEGATIVE_VALUE", 1L)
                .containsEntry("gpuUtilPct/OUT_OF_RANGE", 1L).containsEntry("memTempC/OUT_OF_RANGE", 1L);
        assertThat(sanitizer.droppedTotal()).isEqualTo(3);
    }

    @Test
    void aPlausibleRecordPassesUnchanged() {
        GpuSample in = gpu().powerW(612.0).gpuTempC(70.0).clockEventReasons(4L).energyJ(1000.0).build();
        assertThat(sanitizer.clean(in)).isSameAs(in);
        assertThat(sanitizer.droppedTotal()).isZero();
    }

    @Test
    void aCounterThatGoesBackwardsIsDroppedOnceThenFollowedFromItsNewValue() {
        assertThat(((GpuSample) sanitizer.clean(gpu().energyJ(5000.0).eccCorrected(10L).build())).energyJ()).isEqualTo(5000.0);
        GpuSample reset = (GpuSample) sanitizer.clean(gpu().energyJ(20.0).eccCorrected(11L).build());
        assertThat(reset.energyJ()).isNull();
        assertThat(reset.eccCorrected()).isEqualTo(11L);
        assertThat(((GpuSample) sanitizer.clean(gpu().energyJ(30.0).build())).energyJ()).isEqualTo(30.0);
        assertThat(sanitizer.dropped()).containsEntry("energyJ/COUNTER_BACKWARDS", 1L);
        // Another device, or another source of the same device, has counters of its own.
        assertThat(((GpuSample) sanitizer.clean(gpu().gpu(1).energyJ(1.0).build())).energyJ()).isEqualTo(1.0);
        assertThat(((GpuSample) sanitizer.clean(gpu().source(GpuSample.Source.REDFISH).energyJ(2.0).build())).energyJ())
                .isEqualTo(2.0);
    }

    @Test
    void longTextIsCut() {
        GpuSample out = (GpuSample) sanitizer.clean(gpu().pod("p".repeat(100_000)).build());
        assertThat(out.pod()).hasSize(RecordSanitizer.MAX_TEXT);
        assertThat(sanitizer.dropped()).containsEntry("pod/TEXT_TOO_LONG", 1L);
    }

    @Test
    void powerAndCoolingReadingsAreCheckedFieldByField() {
        PowerSample p = (PowerSample) sanitizer.clean(new PowerSample(1L, "dc1", null, "R1", null,
                PowerSample.Source.PSU, "shelf/PSU_0", 3600.0, -1.0, List.of(1.0, -2.0), null, 3400.0, -48.0, 140.0));
        assertThat(p.powerW()).isEqualTo(3600.0);
        assertThat(p.capacityW()).isNull();
        assertThat(p.phaseCurrentA()).as("a bad phase drops only itself").containsExactly(1.0);
        assertThat(p.inputVoltageV()).as("-48 V DC is real").isEqualTo(-48.0);
        assertThat(p.efficiencyPct()).isNull();
        CoolingSample c = (CoolingSample) sanitizer.clean(new CoolingSample(1L, "dc1", null, "R1",
                CoolingSample.Source.CDU, "cdu", 30.0, 999.0, -3.0, 80.0, true, null, null, null, null, null,
                List.of(new CoolingSample.LeakDetector("tray", CoolingSample.LeakDetector.State.CRITICAL))));
        assertThat(c.supplyTempC()).isEqualTo(30.0);
        assertThat(c.returnTempC()).isNull();
        assertThat(c.flowLpm()).isNull();
        assertThat(c.leakDetected()).isTrue();
        assertThat(c.leakDetectors()).hasSize(1);
    }

    @Test
    void implausibleVoltagesClocksAndSupplyReadingsDropOnlyThemselves() {
        GpuSample g = (GpuSample) sanitizer.clean(gpu().coreVoltageV(5000.0).smClockMHz(1e9).memClockMHz(2619.0).build());
        assertThat(g.coreVoltageV()).as("a 5,000 V core").isNull();
        assertThat(g.smClockMHz()).as("10^9 MHz").isNull();
        assertThat(g.memClockMHz()).isEqualTo(2619.0);
        assertThat(sanitizer.dropped()).containsEntry("coreVoltageV/OUT_OF_RANGE", 1L)
                .containsEntry("smClockMHz/OUT_OF_RANGE", 1L);

        PowerSample psu = (PowerSample) sanitizer.clean(new PowerSample(1L, "dc1", null, "R1", null,
                PowerSample.Source.PSU, "shelf/PSU_1", 3000.0, 5500.0, null, null, 3600.0, 99_999.0, 120.0));
        assertThat(psu.powerW()).isEqualTo(3000.0);
        assertThat(psu.outputPowerW()).as("output above input").isNull();
        assertThat(psu.efficiencyPct()).isNull();
        assertThat(psu.inputVoltageV()).as("99,999 V").isNull();
        assertThat(sanitizer.dropped()).containsEntry("outputPowerW/OUTPUT_ABOVE_INPUT", 1L)
                .containsEntry("inputVoltageV/OUT_OF_RANGE", 1L);

        CoolingSample c = (CoolingSample) sanitizer.clean(new CoolingSample(1L, "dc1", null, "R1",
                CoolingSample.Source.CHASSIS, "n1/chassis", null, null, null, null, null, 24.0, 38.0,
                List.of(9000.0, -1.0, 9100.0, 5e6), null, null));
        assertThat(c.fanRpm()).as("one negative fan drops itself, not the list").containsExactly(9000.0, 9100.0);
        assertThat(psu).satisfies(x -> assertThat(new io.vigil.model.TelemetryValidator(java.time.InstantSource.system(),
                java.time.Duration.ofMinutes(5)).validate(x)).isNull());
    }
}
