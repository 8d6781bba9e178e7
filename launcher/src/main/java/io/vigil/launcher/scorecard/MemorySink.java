package io.vigil.launcher.scorecard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** A sink that keeps what reaches it in this JVM, for the scorecard and the benchmark on a local MiniCluster. */
public final class MemorySink<T> implements Sink<T> {

    private static final Map<String, ConcurrentLinkedQueue<Object>> RESULTS = new ConcurrentHashMap<>();
    private final String id = UUID.randomUUID().toString();

    public MemorySink() {
        RESULTS.put(id, new ConcurrentLinkedQueue<>());
    }

    @SuppressWarnings("unchecked")
    public List<T> drain() {
        List<T> out = new ArrayList<>();
        ConcurrentLinkedQueue<Object> q = RESULTS.get(id);
        Object o;
        while ((o = q.poll()) != null) out.add((T) o);
        return out;
    }

    /** Called for each record as it arrives, in the sink's thread (the benchmark times alerts with it). */
    public interface Listener<T> extends java.io.Serializable {
        void arrived(T record);
    }

    private Listener<T> listener;

    public MemorySink<T> withListener(Listener<T> l) {
        this.listener = l;
        return this;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        ConcurrentLinkedQueue<Object> target = RESULTS.get(id);
        Listener<T> l = listener;
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                if (l != null) l.arrived(element);
                target.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
