package io.vigil.collectors.simulator;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.TelemetrySink;
import io.vigil.model.GpuSample;
import io.vigil.model.Origin;
import io.vigil.model.PowerSample;
import io.vigil.model.StepEvent;
import io.vigil.model.TelemetryRecord;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One collector's share of a simulated site, for running the simulator as several collector processes: every
 * process simulates the whole site (the physics couples hosts: a straggler slows its job's other ranks, a rack's
 * power sums its hosts), and each publishes only its hosts' records. Host {@code i} of the topology belongs to shard
 * {@code i mod count}; what belongs to no host (PDUs, rack air, CDUs, job events) to shard 0. The records kept are
 * stamped again by this collector's own {@link OriginStamper}, so each collector's origin stream stays gap-free.
 */
public final class ShardedSink implements TelemetrySink {

    private final TelemetrySink delegate;
    private final OriginStamper stamper;
    private final int index;
    private final int count;
    private final Map<String, Integer> hostIndex = new HashMap<>();
    private static final Map<Class<?>, Constructor<?>> CONSTRUCTORS = new ConcurrentHashMap<>();

    public ShardedSink(TelemetrySink delegate, OriginStamper stamper, ClusterTopology topology, int index, int count) {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("shard " + index + " of " + count + ": need 0 <= index < count");
        }
        this.delegate = delegate;
        this.stamper = stamper;
        this.index = index;
        this.count = count;
        List<ClusterTopology.Host> hosts = topology.hosts();
        for (int i = 0; i < hosts.size(); i++) hostIndex.put(hosts.get(i).name(), i);
    }

    /** Whether a record about {@code host} (null: no host) is this shard's. */
    public boolean owns(String host) {
        Integer i = host == null ? null : hostIndex.get(host);
        return (i == null ? 0 : i % count) == index;
    }

    @Override
    public void publish(TelemetryRecord record) {
        String host = record instanceof GpuSample g ? g.host()
                : record instanceof StepEvent s ? s.host()
                : record instanceof PowerSample p ? p.host() : null;
        if (owns(host)) delegate.publish(withOrigin(record, stamper.next()));
    }

    /** {@code record} with another origin stamp. */
    static TelemetryRecord withOrigin(TelemetryRecord record, Origin origin) {
        if (record instanceof GpuSample g) return g.toBuilder().origin(origin).build();
        try {
            Constructor<?> c = CONSTRUCTORS.computeIfAbsent(record.getClass(), ShardedSink::canonical);
            RecordComponent[] parts = record.getClass().getRecordComponents();
            Object[] values = new Object[parts.length];
            for (int i = 0; i < parts.length; i++) {
                values[i] = parts[i].getType() == Origin.class ? origin : parts[i].getAccessor().invoke(record);
            }
            return (TelemetryRecord) c.newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot re-stamp " + record.getClass().getSimpleName(), e);
        }
    }

    private static Constructor<?> canonical(Class<?> type) {
        try {
            Class<?>[] types = java.util.Arrays.stream(type.getRecordComponents()).map(RecordComponent::getType)
                    .toArray(Class<?>[]::new);
            return type.getDeclaredConstructor(types);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(type + " is not a record", e);
        }
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
