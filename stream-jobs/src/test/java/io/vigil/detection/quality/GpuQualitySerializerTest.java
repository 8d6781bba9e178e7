package io.vigil.detection.quality;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.detection.StateFill;
import io.vigil.detection.quality.DataQualityDetector.Check;
import io.vigil.detection.quality.DataQualityDetector.GpuQuality;
import io.vigil.model.AlertEvent;
import io.vigil.model.GpuSample;
import java.time.Duration;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class GpuQualitySerializerTest {

    @Test
    void everyFieldSurvivesARoundTripAndACopyIsDeep() throws Exception {
        GpuQuality q = StateFill.filled(new GpuQuality(), 0);
        q.checks.put("sm-activity-zero", StateFill.filled(new Check(), 10));
        q.checks.put("temperature-frozen", StateFill.filled(new Check(), 20));
        q.uuid = null; // a GPU whose collector gives no UUID
        GpuQualitySerializer serializer = new GpuQualitySerializer();
        DataOutputSerializer out = new DataOutputSerializer(128);
        serializer.serialize(q, out);
        GpuQuality back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).usingRecursiveComparison().isEqualTo(q);

        GpuQuality copy = serializer.copy(q);
        assertThat(copy).usingRecursiveComparison().isEqualTo(q);
        copy.checks.get("sm-activity-zero").firing = false;
        copy.timeout.timerMs++;
        assertThat(q.checks.get("sm-activity-zero").firing).isTrue();
        assertThat(copy.timeout.timerMs).isNotEqualTo(q.timeout.timerMs);
    }

    /** The detector as it was before the serializer: Flink's POJO serializer, with Kryo for the checks. */
    static final class BeforeTheSerializer extends DataQualityDetector {
        BeforeTheSerializer() {
            super(Duration.ofMinutes(2));
        }

        @Override
        protected ValueStateDescriptor<GpuQuality> stateDescriptor() {
            return new ValueStateDescriptor<>("data-quality", GpuQuality.class);
        }
    }

    static KeyedOneInputStreamOperatorTestHarness<String, GpuSample, AlertEvent> harness(DataQualityDetector d)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(d), GpuSample::gpuKey,
                Types.STRING);
    }

    static GpuSample working(int s, double smActive) {
        return healthy("h1", 0, T0 + s * 1000L).powerW(500.0 + (s % 60)).powerLimitW(700.0).gpuUtilPct(99.0)
                .smActivePct(smActive).tensorActivePct(52.0).dramActivePct(35.0).gpuTempC(60.0 + (s % 60) / 10.0)
                .build();
    }

    @Test
    void anOpenCheckCheckpointedByTheEarlierSerializerIsRestoredAndResolves() throws Exception {
        OperatorSubtaskState before;
        try (var old = harness(new BeforeTheSerializer())) {
            old.open();
            for (int s = 0; s < 660; s++) old.processElement(working(s, 0.0), T0 + s * 1000L);
            assertThat(old.extractOutputValues()).singleElement()
                    .satisfies(a -> assertThat(a.state()).isEqualTo(AlertEvent.State.FIRING));
            before = old.snapshot(1, T0 + 660_000);
        }
        try (var restored = harness(new DataQualityDetector(Duration.ofMinutes(2)))) {
            restored.initializeState(before);
            restored.open();
            for (int s = 660; s < 800; s++) restored.processElement(working(s, 78.0), T0 + s * 1000L);
            // The check restored as open: reading again, it resolves (a fresh state would have nothing to resolve).
            assertThat(restored.extractOutputValues()).singleElement().satisfies(a -> {
                assertThat(a.state()).isEqualTo(AlertEvent.State.RESOLVED);
                assertThat(a.labels()).containsEntry("check", "sm-activity-zero");
            });
        }
    }
}
