package io.vigil.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Cooling at one instant, on {@link Topics#cooling()}: a coolant distribution unit ({@link Source#CDU}: supply and
 * return coolant temperature, flow, differential pressure, leak state, and the racks it feeds), a rack's air
 * sensors ({@link Source#RACK_AIR}: inlet and outlet air temperature, fan speeds), or a server chassis's own
 * sensors ({@link Source#CHASSIS}, from its BMC: intake/exhaust air, fans, cold-plate coolant, leak detectors).
 * Absent fields are not measured.
 */
public record CoolingSample(
        long ts,
        String cluster,
        String row,
        String rack,
        Source source,
        String device,
        Double supplyTempC,
        Double returnTempC,
        Double flowLpm,
        Double diffPressureKPa,
        Boolean leakDetected,
        Double inletAirTempC,
        Double outletAirTempC,
        List<Double> fanRpm,
        List<String> servesRacks,
        Origin origin,
        List<LeakDetector> leakDetectors) implements TelemetryRecord {

    public enum Source { CDU, RACK_AIR, CHASSIS }

    /**
     * One leak detector as its device reports it: {@code OK}, {@code WARNING} (moisture) or {@code CRITICAL} (a
     * leak). {@code leakDetected} is true when any of a sample's detectors is not {@code OK}.
     *
     * @param name                 the detector's id as the device names it, e.g. {@code LeakDetector_1_Manifold}
     * @param state                its state, mapped from whatever the device says (see the collector's README)
     * @param where                what it watches, where the device says ({@code ColdPlate}, {@code Manifold},
     *                             {@code Chassis}, ...); null when it does not
     * @param reportedState        the device's own words for the state, e.g. {@code LeakDetected}; null when absent
     * @param reactionDelaySeconds how long the device waits before it reacts on its own; null when not stated
     * @param reaction             what the device does on its own when the state turns critical, e.g.
     *                             {@code PowerOff}; null when not stated
     */
    public record LeakDetector(String name, State state, String where, String reportedState,
                               Double reactionDelaySeconds, String reaction) {
        public enum State { OK, WARNING, CRITICAL }

        /** A detector known only by its name and state. */
        public LeakDetector(String name, State state) {
            this(name, state, null, null, null, null);
        }
    }

    /** A sample without per-detector leak states. */
    public CoolingSample(long ts, String cluster, String row, String rack, Source source, String device,
                         Double supplyTempC, Double returnTempC, Double flowLpm, Double diffPressureKPa,
                         Boolean leakDetected, Double inletAirTempC, Double outletAirTempC, List<Double> fanRpm,
                         List<String> servesRacks, Origin origin) {
        this(ts, cluster, row, rack, source, device, supplyTempC, returnTempC, flowLpm, diffPressureKPa, leakDetected,
                inletAirTempC, outletAirTempC, fanRpm, servesRacks, origin, null);
    }

    @Override
    @JsonProperty("schema")
    public Schema schema() {
        return Schema.COOLING;
    }

    @Override
    @JsonIgnore
    public long eventTimeMs() {
        return ts;
    }
}
