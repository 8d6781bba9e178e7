package io.vigil.detection.health;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.detection.StateFill;
import io.vigil.detection.health.HostHealthDetector.GpuTrack;
import io.vigil.detection.health.HostHealthDetector.HostState;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.GpuSample;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class HostStateSerializerTest {

    @Test
    void everyFieldSurvivesARoundTripAndACopyIsDeep() throws Exception {
        HostState h = StateFill.filled(new HostState(), 0);
        h.gpus.put("0", StateFill.filled(new GpuTrack(), 100));
        GpuTrack noXid = StateFill.filled(new GpuTrack(), 200);
        noXid.lastXid = null;
        noXid.uuid = null;
        h.gpus.put("1", noXid);
        HostStateSerializer serializer = new HostStateSerializer();
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(h, out);
        HostState back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).usingRecursiveComparison().isEqualTo(h);

        HostState copy = serializer.copy(h);
        assertThat(copy).usingRecursiveComparison().isEqualTo(h);
        copy.gpus.get("0").coldPlate.firing = !h.gpus.get("0").coldPlate.firing;
        copy.gpus.remove("1");
        assertThat(h.gpus).hasSize(2);
        assertThat(h.gpus.get("0").coldPlate.firing).isNotEqualTo(copy.gpus.get("0").coldPlate.firing);
    }

    /** The detector as it was before the serializer: Flink's POJO serializer, with Kryo for the GPUs' map. */
    static final class BeforeTheSerializer extends HostHealthDetector {
        BeforeTheSerializer() {
            super(HostHealthConfig.defaults());
        }

        @Override
        protected ValueStateDescriptor<HostState> stateDescriptor() {
            return new ValueStateDescriptor<>("host-health", HostState.class);
        }
    }

    static KeyedOneInputStreamOperatorTestHarness<String, GpuSample, AlertEvent> harness(HostHealthDetector d)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(d),
                s -> s.cluster() + "/" + s.host(), Types.STRING);
    }

    static void run(KeyedOneInputStreamOperatorTestHarness<String, GpuSample, AlertEvent> h, int from, int to,
                    int gpus) throws Exception {
        for (int s = from; s < to; s++) {
            long ts = T0 + s * 1000L;
            for (int g = 0; g < gpus; g++) h.processElement(healthy("h1", g, ts).build(), ts);
            h.processWatermark(new Watermark(ts - 2001));
        }
    }

    @Test
    void aHostsGpusCheckpointedByTheEarlierSerializerAreRestored() throws Exception {
        OperatorSubtaskState before;
        try (var old = harness(new BeforeTheSerializer())) {
            old.open();
            run(old, 0, 30, 8);
            before = old.snapshot(1, T0 + 30_000);
        }
        try (var restored = harness(new HostHealthDetector(HostHealthConfig.defaults()))) {
            restored.initializeState(before);
            restored.open();
            // GPU 7 stops: only a state that remembers it (restored, not fresh) can find it silent.
            run(restored, 30, 90, 7);
            assertThat(restored.extractOutputValues()).filteredOn(a -> a.type() == AlertType.SILENT)
                    .singleElement().satisfies(a -> assertThat(a.labels()).containsEntry("gpu", "7"));
        }
    }
}
