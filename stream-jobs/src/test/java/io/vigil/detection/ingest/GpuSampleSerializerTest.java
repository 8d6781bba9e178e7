package io.vigil.detection.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.GpuSample;
import io.vigil.model.Origin;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class GpuSampleSerializerTest {

    static GpuSample roundTrip(GpuSample s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        new GpuSampleSerializer().serialize(s, out);
        return new GpuSampleSerializer().deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void theSourceCrossesSoABmcsSampleKeepsItsOwnKey() throws Exception {
        GpuSample bmc = GpuSample.builder().ts(1_790_000_000_000L).cluster("dc1").host("n1").gpu(2)
                .source(GpuSample.Source.REDFISH).gpuTempC(64.0).uuid("GPU-x").serial("165").pcieReplays(7L)
                .state(GpuSample.GpuState.OK).origin(new Origin("c", 1, 2)).build();
        GpuSample back = roundTrip(bmc);
        assertThat(back.gpuKey()).isEqualTo("dc1/n1/2/bmc").isEqualTo(bmc.gpuKey());
        assertThat(back.source()).isEqualTo(GpuSample.Source.REDFISH);
        assertThat(back.gpuTempC()).isEqualTo(64.0);
        assertThat(back.uuid()).isEqualTo("GPU-x");
        assertThat(back.origin()).isEqualTo(bmc.origin());
        // Health counters no detector reads do not cross the shuffle.
        assertThat(back.pcieReplays()).isNull();

        GpuSample dcgm = bmc.toBuilder().source(GpuSample.Source.DCGM).build();
        assertThat(roundTrip(dcgm).gpuKey()).isEqualTo("dc1/n1/2");
        GpuSample unknown = bmc.toBuilder().source(null).build();
        assertThat(roundTrip(unknown).source()).isNull();
    }
}
