package io.vigil.evaluation.field;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.evaluation.field.FieldWorkload.Fault;
import io.vigil.evaluation.field.FieldWorkload.Job;
import io.vigil.evaluation.field.FieldWorkload.Nuisances;
import io.vigil.evaluation.field.FieldWorkload.Shape;
import io.vigil.model.GpuSample;
import io.vigil.model.StepEvent;
import io.vigil.model.TelemetryValidator;
import java.util.ArrayList;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The field fleet does what its scenarios claim: the nuisances are there, the readings look like a real H100's. */
class FieldFleetTest {

    static final long T0 = 1_790_000_000_000L;

    List<FieldFleet.Delivery> run(FieldWorkload w, int seconds) {
        FieldFleet f = new FieldFleet("t", w, T0, 7).lengthSeconds(seconds);
        List<FieldFleet.Delivery> out = new ArrayList<>();
        for (int s = 0; s < seconds; s++) out.addAll(f.step(s));
        return out;
    }

    @Test
    void everyNuisanceIsThereAndEveryRecordIsValid() {
        FieldWorkload w = new FieldWorkload(16, FieldSuite.trainingJobs(), Nuisances.all(), List.of());
        List<FieldFleet.Delivery> all = run(w, 120);
        TelemetryValidator validator = new TelemetryValidator(InstantSource.fixed(Instant.ofEpochMilli(T0 + 86_400_000L)),
                Duration.ofMinutes(5));
        int omitted = 0, steps = 0;
        for (FieldFleet.Delivery d : all) {
            assertThat(validator.validate(d.record())).as(d.record().toString()).isNull();
            if (d.record() instanceof GpuSample g) {
                if (g.smActivePct() == null) omitted++;
                // Whole degrees and watts, like nvidia-smi.
                assertThat(g.gpuTempC() % 1).isZero();
                assertThat(g.powerW() % 1).isZero();
            } else if (d.record() instanceof StepEvent) {
                steps++;
            }
        }
        // Clock offsets: some host's samples are stamped seconds away from when they were sent.
        long skewed = all.stream().filter(d -> d.record() instanceof GpuSample)
                .map(d -> (GpuSample) d.record()).filter(g -> Math.abs((g.ts() - T0) % 1000) > 0).count();
        assertThat(skewed).isPositive();
        // Bursty delivery: a quarter of the hosts deliver 3 s and more after the others.
        long bursty = all.stream().filter(d -> d.record() instanceof GpuSample && d.arrivalMs() % 3000 == 0).count();
        assertThat(bursty).isPositive();
        assertThat(omitted).isPositive();
        assertThat(steps).isPositive();
    }

    @Test
    void aThrottledGpuShowsItsBrakeAndHoldsItsJobBack() {
        FieldWorkload w = new FieldWorkload(8, List.of(new Job("j", 0, 8, 0, 5, 0, 0, 900, false, Shape.UNIFORM)),
                Nuisances.none(), List.of(new Fault(Fault.Kind.THROTTLED_GPU, 2, 3, null, 30, 30)));
        List<GpuSample> samples = run(w, 60).stream().filter(d -> d.record() instanceof GpuSample)
                .map(d -> (GpuSample) d.record()).toList();
        GpuSample throttled = samples.stream().filter(g -> g.ts() == T0 + 40_000 && g.host().equals(FieldFleet.host(2))
                && g.gpu() == 3).findFirst().orElseThrow();
        GpuSample peer = samples.stream().filter(g -> g.ts() == T0 + 40_000 && g.host().equals(FieldFleet.host(0))
                && g.gpu() == 0).findFirst().orElseThrow();
        assertThat(throttled.smClockMHz()).isEqualTo(1395.0);
        assertThat(throttled.clockEventReasons() & 0x80L).isNotZero();
        assertThat(peer.smClockMHz()).isEqualTo(1980.0);
        assertThat(peer.smActivePct()).isLessThan(75.0); // waiting in the collective
    }
}
