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

    /** Fields that do not cross the shuffle: derived names and the out-of-band health fields no detector reads. */
    static final java.util.Set<String> NOT_CROSSING = java.util.Set.of("clockEventNames", "serial", "driverVersion",
            "coreVoltageV", "dramActivePct", "powerThrottleSeconds", "thermalThrottleSeconds", "hwThrottleSeconds",
            "swThrottleSeconds", "pcieReplays", "pcieCorrectableErrors", "pcieUncorrectableErrors",
            "remappedRowsCorrectable", "remappedRowsUncorrectable", "rowRemapPending", "rowRemapFailed");

    @Test
    void everyCrossingFieldRoundTripsAloneAndAllTogether() throws Exception {
        java.lang.reflect.RecordComponent[] components = GpuSample.class.getRecordComponents();
        Class<?>[] types = java.util.Arrays.stream(components).map(java.lang.reflect.RecordComponent::getType)
                .toArray(Class<?>[]::new);
        java.lang.reflect.Constructor<GpuSample> canonical = GpuSample.class.getDeclaredConstructor(types);
        Object[] all = new Object[components.length];
        all[0] = 1_790_000_000_000L;
        for (int i = 1; i < components.length; i++) {
            if (NOT_CROSSING.contains(components[i].getName())) continue;
            Object value = valueFor(types[i], i);
            Object[] alone = new Object[components.length];
            alone[0] = 1_790_000_000_000L;
            alone[i] = value;
            all[i] = value;
            GpuSample back = roundTrip(canonical.newInstance(alone));
            for (int k = 0; k < components.length; k++) {
                assertThat(components[k].getAccessor().invoke(back)).as("%s set alone, %s read back",
                        components[i].getName(), components[k].getName()).isEqualTo(alone[k]);
            }
        }
        GpuSample full = canonical.newInstance(all);
        assertThat(roundTrip(full)).isEqualTo(full);
    }

    static Object valueFor(Class<?> type, int i) {
        if (type == String.class) return "v" + i;
        if (type == Integer.class) return i + 1;
        if (type == Double.class) return i + 0.5;
        if (type == Long.class) return i + 100L;
        if (type == GpuSample.GpuState.class) return GpuSample.GpuState.LOST;
        if (type == GpuSample.Source.class) return GpuSample.Source.REDFISH;
        if (type == Origin.class) return new Origin("c" + i, i, i * 10L);
        throw new IllegalArgumentException("no test value for " + type);
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
