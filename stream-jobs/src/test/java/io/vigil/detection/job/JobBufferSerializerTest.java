package io.vigil.detection.job;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.detection.job.JobWindowAggregator.Acc;
import io.vigil.detection.job.JobWindowAggregator.JobBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class JobBufferSerializerTest {

    static <T> T filled(T o, int seed) throws Exception {
        return io.vigil.detection.StateFill.filled(o, seed);
    }

    static JobBuffer buffer() throws Exception {
        JobBuffer b = filled(new JobBuffer(), 0);
        for (long w = 0; w < 3; w++) {
            HashMap<Integer, Acc> ranks = new HashMap<>();
            for (int r = 0; r < 4; r++) ranks.put(r, filled(new Acc(), (int) (100 * w + 10 * r)));
            ranks.get(3).host = null; // a rank known only from its step events
            b.windows.put(T0 + w * 1000, ranks);
        }
        return b;
    }

    @Test
    void everyFieldSurvivesARoundTripAndACopyIsDeep() throws Exception {
        JobBufferSerializer serializer = new JobBufferSerializer();
        JobBuffer b = buffer();
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(b, out);
        JobBuffer back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).usingRecursiveComparison().isEqualTo(b);

        JobBuffer copy = serializer.copy(b);
        assertThat(copy).usingRecursiveComparison().isEqualTo(b);
        copy.windows.get(T0).get(0).samples++;
        copy.windows.remove(T0 + 1000);
        assertThat(b.windows).hasSize(3);
        assertThat(b.windows.get(T0).get(0).samples).isEqualTo(buffer().windows.get(T0).get(0).samples);
    }

    /** The aggregator as it was before the serializer: Flink's POJO serializer, with Kryo for the windows. */
    static final class BeforeTheSerializer extends JobWindowAggregator {
        BeforeTheSerializer() {
            super(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(2), Duration.ofSeconds(30));
        }

        @Override
        ValueStateDescriptor<JobBuffer> stateDescriptor() {
            return new ValueStateDescriptor<>("job-windows", JobBuffer.class);
        }
    }

    static KeyedOneInputStreamOperatorTestHarness<String, JobSignal, JobWindow> harness(JobWindowAggregator f)
            throws Exception {
        // Not opened: a restoring harness is initialised with the snapshot first.
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.KeyedProcessOperator<>(f), JobSignal::jobKey, Types.STRING);
    }

    static void sample(KeyedOneInputStreamOperatorTestHarness<String, JobSignal, JobWindow> h, int rank, long ts,
                       double clock) throws Exception {
        h.processElement(JobSignal.of(healthy("h" + rank / 8, rank % 8, ts).rank(rank).smClockMHz(clock).build()), ts);
    }

    @Test
    void windowsCheckpointedByTheEarlierSerializerAreRestoredAndCheckpointedAgain() throws Exception {
        OperatorSubtaskState before;
        try (var old = harness(new BeforeTheSerializer())) {
            old.open();
            sample(old, 0, T0 + 100, 1900);
            sample(old, 1, T0 + 300, 1500);
            sample(old, 0, T0 + 1200, 1980);
            before = old.snapshot(1, T0 + 1300);
        }
        OperatorSubtaskState after;
        try (var restored = harness(new JobWindowAggregator(Duration.ofSeconds(1), Duration.ofMinutes(5),
                Duration.ofSeconds(2), Duration.ofSeconds(30)))) {
            restored.initializeState(before);
            restored.open();
            restored.processWatermark(new Watermark(T0 + 999));
            List<JobWindow> out = restored.extractOutputValues();
            assertThat(out).singleElement().satisfies(w -> {
                assertThat(w.ranks()).extracting(RankWindow::rank).containsExactly(0, 1);
                assertThat(w.ranks().get(1).smClockMHz()).isEqualTo(1500.0);
            });
            after = restored.snapshot(2, T0 + 1400);
        }
        // Checkpointed again (now by the new serializer), the open window is still there.
        try (var again = harness(new JobWindowAggregator(Duration.ofSeconds(1), Duration.ofMinutes(5),
                Duration.ofSeconds(2), Duration.ofSeconds(30)))) {
            again.initializeState(after);
            again.open();
            again.processWatermark(new Watermark(T0 + 1999));
            assertThat(again.extractOutputValues()).singleElement().satisfies(w -> {
                assertThat(w.windowStart()).isEqualTo(T0 + 1000);
                assertThat(w.ranks().get(0).smClockMHz()).isEqualTo(1980.0);
            });
        }
    }
}
