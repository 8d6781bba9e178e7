package io.vigil.collectors.kafka;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.JobEvent;
import io.vigil.model.Origin;
import io.vigil.model.StepEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class KafkaTelemetryPublisherTest {

    @Test
    void everyRecordKindHasTheKeyThatKeepsItsEntityOnOnePartition() {
        Origin o = new Origin("col", 1, 2);
        assertThat(KafkaTelemetryPublisher.key(healthy("h1", 3, T0).build())).isEqualTo(healthy("h1", 3, T0).build()
                .gpuKey());
        assertThat(KafkaTelemetryPublisher.key(new JobEvent(T0, "c", "j", JobEvent.Kind.END, null, null, List.of(), o)))
                .isEqualTo("c/j");
        // Step events (the simulator publishes them) used to fail the publisher with a ClassCastException.
        assertThat(KafkaTelemetryPublisher.key(new StepEvent("c", "j", 7, 2, T0 - 500, T0, 400.0, null, "h", 0, o)))
                .isEqualTo("c/j/7");
    }
}
