package io.vigil.detection.facility;

import io.vigil.detection.alert.Alerts;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.PowerSample;
import java.util.Map;
import org.apache.flink.util.Collector;

/**
 * Power detector, keyed by device ({@code cluster/device}): a rack PDU drawing near its capacity (WARNING over
 * {@link FacilityConfig#pduWarnFraction()}, CRITICAL over {@link FacilityConfig#pduCriticalFraction()}), with
 * hysteresis: it resolves after {@link FacilityConfig#resolveSamples()} samples 5 points under the warning level.
 * Samples without a capacity (host PSUs) are not judged. A host's power-capped GPUs show in the straggler alert's
 * clock-event reasons (power brake, SW power cap).
 */
public final class PowerDetector extends DeviceDetector<PowerSample, DeviceTrack> {

    private final FacilityConfig config;

    public PowerDetector(FacilityConfig config) {
        super(AlertType.POWER, "power", DeviceTrack.class, config.entityTimeout());
        this.config = config;
    }

    @Override
    public void processElement(PowerSample s, Context ctx, Collector<AlertEvent> out) throws Exception {
        if (s.capacityW() == null || s.powerW() == null || s.capacityW() <= 0) {
            return;
        }
        DeviceTrack t = load();
        if (t == null) {
            t = new DeviceTrack();
            t.cluster = s.cluster();
            t.device = s.device();
        }
        t.row = s.row();
        t.rack = s.rack();
        double load = s.powerW() / s.capacityW();
        switch (t.episode.observe(load >= config.pduWarnFraction(), load < config.pduWarnFraction() - 0.05, s.ts(),
                config.fireSamples(), config.resolveSamples())) {
            case FIRED -> {
                t.severity = load >= config.pduCriticalFraction() ? AlertEvent.Severity.CRITICAL
                        : AlertEvent.Severity.WARNING;
                out.collect(event(t, AlertEvent.State.FIRING, null, s.ts(),
                        String.format("%s at %.1f kW of %.1f kW capacity (%.0f%%)", t.device, s.powerW() / 1000,
                                s.capacityW() / 1000, load * 100),
                        Alerts.evidence("powerW", s.powerW(), "capacityW", s.capacityW(), "loadPct", load * 100)));
            }
            case RESOLVED -> out.collect(event(t, AlertEvent.State.RESOLVED, s.ts(), s.ts(),
                    String.format("%s back to %.0f%% of capacity", t.device, load * 100), Map.of()));
            default -> { }
        }
        seen(t, s.ts(), ctx);
        save(t);
    }

    @Override
    Map<String, String> describe(DeviceTrack t) {
        return Alerts.labels("row", t.row, "rack", t.rack, "scope", "facility");
    }
}
