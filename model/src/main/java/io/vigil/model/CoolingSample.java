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
        Origin origin) implements TelemetryRecord {

    public enum Source { CDU, RACK_AIR, CHASSIS }

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
