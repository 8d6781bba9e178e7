package io.vigil.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Collections;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Flink sink that collects what reaches it, for tests, the scorecard and the benchmarks on a MiniCluster in the
 * same JVM. Each instance has its own id, so parallel runs do not see each other's records. Guarantee: everything
 * the job delivered to the sink, in arrival order per writer; nothing survives the JVM.
 */
public final class CollectingSink<T> implements Sink<T> {
    private static final Map<String, List<Object>> RESULTS = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();

    public CollectingSink() {
        RESULTS.put(id, Collections.synchronizedList(new ArrayList<>()));
    }

    @SuppressWarnings("unchecked")
    public List<T> collected() {
        List<Object> all = RESULTS.get(id);
        synchronized (all) {
            return new ArrayList<>((List<T>) (List<?>) all);
        }
    }

    /** What was collected, which the sink then forgets (a long evaluation runs many jobs in one JVM). */
    @SuppressWarnings("unchecked")
    public List<T> drain() {
        List<Object> all = RESULTS.remove(id);
        return all == null ? new ArrayList<>() : new ArrayList<>((List<T>) (List<?>) all);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        List<Object> target = RESULTS.get(id);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                target.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
