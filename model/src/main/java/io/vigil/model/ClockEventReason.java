package io.vigil.model;

import java.util.ArrayList;
import java.util.List;

/**
 * NVML clock-event (throttle) reasons, with the bit each has in {@code nvmlDeviceGetCurrentClocksEventReasons}
 * and dcgm-exporter's {@code DCGM_FI_DEV_CLOCKS_EVENT_REASONS}. Only some of them mean trouble: idle, application
 * clocks, sync boost and display clocks are normal.
 */
public enum ClockEventReason {
    GPU_IDLE(0x1L, false),
    APPLICATIONS_CLOCKS_SETTING(0x2L, false),
    SW_POWER_CAP(0x4L, true),
    HW_SLOWDOWN(0x8L, true),
    SYNC_BOOST(0x10L, false),
    SW_THERMAL_SLOWDOWN(0x20L, true),
    HW_THERMAL_SLOWDOWN(0x40L, true),
    HW_POWER_BRAKE_SLOWDOWN(0x80L, true),
    DISPLAY_CLOCK_SETTING(0x100L, false);

    /** Bits that say the GPU is being slowed for heat: software and hardware thermal slowdown. */
    public static final long THERMAL_MASK = SW_THERMAL_SLOWDOWN.bit | HW_THERMAL_SLOWDOWN.bit;

    /** Bits of every reason that slows the GPU below what its workload asks for ({@link #isProblem()}). */
    public static final long THROTTLE_MASK = SW_POWER_CAP.bit | HW_SLOWDOWN.bit | SW_THERMAL_SLOWDOWN.bit
            | HW_THERMAL_SLOWDOWN.bit | HW_POWER_BRAKE_SLOWDOWN.bit;

    private final long bit;
    private final boolean problem;

    ClockEventReason(long bit, boolean problem) {
        this.bit = bit;
        this.problem = problem;
    }

    public long bit() {
        return bit;
    }

    /** Whether this reason slows the GPU below what the workload asks for (as opposed to idling or a setting). */
    public boolean isProblem() {
        return problem;
    }

    public boolean isSetIn(long mask) {
        return (mask & bit) != 0;
    }

    /** The names of the reasons set in {@code mask}, lowest bit first; unknown bits are ignored. */
    public static List<String> decode(long mask) {
        List<String> names = new ArrayList<>(2);
        for (ClockEventReason r : values()) {
            if (r.isSetIn(mask)) {
                names.add(r.name());
            }
        }
        return names;
    }
}
