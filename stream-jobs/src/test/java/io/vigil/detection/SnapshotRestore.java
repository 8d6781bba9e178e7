package io.vigil.detection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Runs a keyed function over the same input twice — once straight through, once snapshotted at a given step and
 * restored into a fresh operator — and checks that the restored run emits exactly what the straight run did: no
 * event lost, none repeated, timers and state carried across.
 */
public final class SnapshotRestore {

    /** One input: an element with its timestamp, or a watermark. */
    public sealed interface Step permits Element, Watermark {}

    public record Element<T>(T value, long ts) implements Step {}

    public record Watermark(long ts) implements Step {}

    public static <T> Step element(T value, long ts) {
        return new Element<>(value, ts);
    }

    public static Step watermark(long ts) {
        return new Watermark(ts);
    }

    private SnapshotRestore() {}

    /** Checks the two runs agree and returns the straight run's output. */
    public static <K, IN, OUT> List<OUT> sameAfterRestoreAt(Supplier<KeyedProcessFunction<K, IN, OUT>> function,
                                                           KeySelector<IN, K> key, TypeInformation<K> keyType,
                                                           List<Step> steps, int restoreAt) throws Exception {
        List<OUT> straight;
        try (var h = harness(function, key, keyType)) {
            h.open();
            apply(h, steps.subList(0, steps.size()));
            straight = h.extractOutputValues();
        }
        List<OUT> restored = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(function, key, keyType)) {
            h.open();
            apply(h, steps.subList(0, restoreAt));
            restored.addAll(h.extractOutputValues());
            snapshot = h.snapshot(1L, 0L);
        }
        try (var h = harness(function, key, keyType)) {
            h.initializeState(snapshot);
            h.open();
            apply(h, steps.subList(restoreAt, steps.size()));
            restored.addAll(h.extractOutputValues());
        }
        assertThat(restored).as("output with a snapshot and restore after step %d", restoreAt).isEqualTo(straight);
        return straight;
    }

    private static <K, IN, OUT> KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> harness(
            Supplier<KeyedProcessFunction<K, IN, OUT>> function, KeySelector<IN, K> key, TypeInformation<K> keyType)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function.get()), key, keyType);
    }

    @SuppressWarnings("unchecked")
    private static <IN> void apply(KeyedOneInputStreamOperatorTestHarness<?, IN, ?> h, List<Step> steps)
            throws Exception {
        for (Step s : steps) {
            if (s instanceof Element<?> e) {
                h.processElement((IN) e.value(), e.ts());
            } else if (s instanceof Watermark w) {
                h.processWatermark(w.ts());
            }
        }
    }
}
