package io.vigil.detection.alert;

import io.vigil.model.AlertEvent;
import java.io.IOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;

/**
 * A detector: one keyed process function turning records into alert events, holding one state object per key
 * (entity, job, cluster). Subclasses hold only their signal logic; the state's registration lives here, the
 * episode's life in {@link Episode}, the entity's timeout in {@link EntityTimeout}, the events' form in
 * {@link Alerts}.
 *
 * @param <S> the state per key, a Flink POJO
 */
public abstract class KeyedDetector<K, I, S> extends KeyedProcessFunction<K, I, AlertEvent> {

    private final String stateName;
    private final Class<S> stateClass;
    private final org.apache.flink.api.common.typeutils.TypeSerializer<S> stateSerializer;
    private transient ValueState<S> state;

    protected KeyedDetector(String stateName, Class<S> stateClass) {
        this.stateName = stateName;
        this.stateClass = stateClass;
        this.stateSerializer = null;
    }

    /** With a serializer of its own for the state (one whose maps Flink would otherwise hand to Kryo). */
    protected KeyedDetector(String stateName, org.apache.flink.api.common.typeutils.TypeSerializer<S> stateSerializer) {
        this.stateName = stateName;
        this.stateClass = null;
        this.stateSerializer = stateSerializer;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        state = getRuntimeContext().getState(stateDescriptor());
    }

    /** The state's registration: by its class (Flink's POJO serializer) or with the detector's own serializer. */
    protected ValueStateDescriptor<S> stateDescriptor() {
        return stateSerializer != null ? new ValueStateDescriptor<>(stateName, stateSerializer)
                : new ValueStateDescriptor<>(stateName, stateClass);
    }

    /** This key's state, or null when it has none. */
    protected S load() throws IOException {
        return state.value();
    }

    protected void save(S value) throws IOException {
        state.update(value);
    }

    /**
     * The entity timer, as every detector with one episode per entity handles it: at the entity's timer, an entity
     * silent for {@code timeoutMs} has its open episode closed ({@code onClose} emits the RESOLVED event, saying why)
     * and its state dropped; otherwise the timer moves on to the new deadline. Timers that are not the entity's are
     * ignored.
     */
    protected void expireSilent(long timestamp, S value, Episode episode, EntityTimeout timeout, long timeoutMs,
                                TimerService timers, Runnable onClose) throws IOException {
        if (value == null || !timeout.owns(timestamp)) return;
        if (timeout.expired(timestamp, timeoutMs, timers)) {
            if (episode.close()) onClose.run();
            drop();
            return;
        }
        save(value);
    }

    /** Forgets this key: its state goes (its timers are the subclass's to have let lapse). */
    protected void drop() {
        state.clear();
    }
}
