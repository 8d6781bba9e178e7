package io.vigil.detection.alert;

import io.vigil.model.AlertEvent;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Several detectors of the same key and input run in one operator, so their input crosses the network once: a
 * shuffle of every GPU sample costs more than the detectors' logic (docs/benchmarks.md). Each detector keeps its own
 * state (its own state name) and timers; every element and every timer is handed to each, in order, and a detector
 * ignores the timers that are not its own, as it does alone.
 */
public final class KeyedDetectors<K, I> extends KeyedProcessFunction<K, I, AlertEvent> {

    private final List<KeyedDetector<K, I, ?>> detectors;

    @SafeVarargs
    public KeyedDetectors(KeyedDetector<K, I, ?>... detectors) {
        this.detectors = List.of(detectors);
    }

    @Override
    public void setRuntimeContext(RuntimeContext context) {
        super.setRuntimeContext(context);
        for (KeyedDetector<K, I, ?> d : detectors) d.setRuntimeContext(context);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        for (KeyedDetector<K, I, ?> d : detectors) d.open(openContext);
    }

    @Override
    public void close() throws Exception {
        for (KeyedDetector<K, I, ?> d : detectors) d.close();
    }

    @Override
    public void processElement(I value, Context ctx, Collector<AlertEvent> out) throws Exception {
        for (KeyedDetector<K, I, ?> d : detectors) d.processElement(value, ctx, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out) throws Exception {
        for (KeyedDetector<K, I, ?> d : detectors) d.onTimer(timestamp, ctx, out);
    }
}
