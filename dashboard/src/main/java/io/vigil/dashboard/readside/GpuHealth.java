package io.vigil.dashboard.readside;

import io.vigil.model.ClockEventReason;
import io.vigil.storage.query.GpuStatus;
import java.util.Map;

/**
 * A GPU's health as the console colours it, most urgent first. Nothing here re-derives a detection rule: the alert
 * states come from the detectors' alerts, and the thermal states from the sample's own fields — the clock-event
 * reasons the driver reports and the slowdown temperature the GPU itself declares. A GPU that does not report its
 * slowdown temperature is never called hot or warm by its temperature alone.
 */
public enum GpuHealth {
    /** A critical alert about this GPU is firing. */
    CRITICAL,
    /** A warning alert about this GPU is firing. */
    WARNING,
    /** The driver reports thermal clock slowdown, or the GPU is at or above its own slowdown temperature. */
    HOT,
    /** Within {@link #WARM_BAND_C} °C of its own slowdown temperature. */
    WARM,
    /** Working, nothing wrong. */
    BUSY,
    /** Under 5 % utilisation. */
    IDLE;

    /** How close to its slowdown temperature a GPU is shown as warm: a display band, not an alert threshold. */
    public static final double WARM_BAND_C = 8;
    public static final double IDLE_BELOW_PCT = 5;

    /** The health of one GPU given the severities of the alerts firing about it ("host/gpu" to highest severity). */
    public static GpuHealth of(GpuStatus g, Map<String, String> firingSeverityByGpu) {
        String severity = firingSeverityByGpu.get(g.host() + "/" + g.gpu());
        if ("CRITICAL".equals(severity)) return CRITICAL;
        if (severity != null) return WARNING;
        boolean throttled = g.clockEventReasons() != null && (g.clockEventReasons() & ClockEventReason.THERMAL_MASK) != 0;
        Double slowdown = g.slowdownTempC();
        if (throttled || (slowdown != null && g.tempC() != null && g.tempC() >= slowdown)) return HOT;
        if (slowdown != null && g.tempC() != null && g.tempC() >= slowdown - WARM_BAND_C) return WARM;
        if (g.utilPct() != null && g.utilPct() < IDLE_BELOW_PCT) return IDLE;
        return BUSY;
    }

    public String cssName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
