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
        expireSilent(timestamp, t, t.episode, t.timeout, timeoutMs, ctx.timerService(),
                () -> out.collect(event(t, AlertEvent.State.RESOLVED, timestamp, timestamp,
                        t.device + " stopped reporting; alert closed, state dropped", Map.of())));
    }

    AlertEvent event(T t, AlertEvent.State st, Long end, long detected, String summary, Map<String, Double> evidence) {
        return Alerts.event(type, t.severity == null ? AlertEvent.Severity.WARNING : t.severity, st,
                Alerts.labels("cluster", t.cluster, "device", t.device), describe(t), t.episode.startMs, end,
                detected, summary, evidence, t.episode.nextOrigin(origin + t.cluster + "/" + t.device));
    }
}
