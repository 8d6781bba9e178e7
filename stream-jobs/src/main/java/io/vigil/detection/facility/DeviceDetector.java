package io.vigil.detection.facility;

import io.vigil.detection.alert.Alerts;
import io.vigil.detection.alert.KeyedDetector;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.util.Collector;

/**
 * A facility detector, keyed by device ({@code cluster/device}): one alert episode per device, identified by
 * cluster and device, resolved and forgotten when the device stops reporting for the entity timeout.
 */
abstract class DeviceDetector<I, T extends DeviceTrack> extends KeyedDetector<String, I, T> {

    private final AlertType type;
    private final String origin;
    private final long timeoutMs;

    DeviceDetector(AlertType type, String name, Class<T> trackClass, Duration entityTimeout) {
        super(name, trackClass);
        this.type = type;
        this.origin = "detector-" + name + ":";
        this.timeoutMs = entityTimeout.toMillis();
    }

    /** Labels describing the device, besides cluster and device. */
    abstract Map<String, String> describe(T t);

    /** Notes a sample of the device at {@code ts}, for its timeout. */
    void seen(T t, long ts, Context ctx) {
        t.timeout.touch(ts, timeoutMs, ctx.timerService());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out) throws Exception {
        T t = load();
        if (t == null) return;
        boolean owned = t.timeout.owns(timestamp);
        expireSilent(timestamp, t, t.episode, t.timeout, timeoutMs, ctx.timerService(),
                () -> out.collect(event(t, AlertEvent.State.RESOLVED, timestamp, timestamp,
                        t.device + " stopped reporting; alert closed, state dropped", Map.of())));
        // The device's state was dropped: close what else it had open.
        if (owned && load() == null) closeSilent(t, timestamp, out);
    }

    /** Closes a device's other open episodes when it has gone silent and its state is dropped. */
    void closeSilent(T t, long timestamp, Collector<AlertEvent> out) {}

    AlertEvent event(T t, AlertEvent.State st, Long end, long detected, String summary, Map<String, Double> evidence) {
        return event(type, t.episode, t.severity, origin, t, st, end, detected, summary, evidence);
    }

    /** An event of another episode the device keeps (a leak beside its other cooling problems). */
    AlertEvent event(AlertType type, io.vigil.detection.alert.Episode episode, AlertEvent.Severity severity,
                     String stream, T t, AlertEvent.State st, Long end, long detected, String summary,
                     Map<String, Double> evidence) {
        return Alerts.event(type, severity == null ? AlertEvent.Severity.WARNING : severity, st,
                Alerts.labels("cluster", t.cluster, "device", t.device), describe(t), episode.startMs, end,
                detected, summary, evidence, episode.nextOrigin(stream + t.cluster + "/" + t.device));
    }
}
