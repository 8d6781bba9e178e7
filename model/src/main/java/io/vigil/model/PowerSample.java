package io.vigil.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Electrical power at one instant, on {@link Topics#power()}: a host's input power ({@link Source#HOST_PSU}), a
 * rack PDU ({@link Source#RACK_PDU}, with its capacity and per-phase current), a rack power shelf
 * ({@link Source#POWER_SHELF}: its total load, capacity and mains currents) or one power supply unit in a shelf or
 * a server ({@link Source#PSU}: input and output power, input voltage, efficiency). Absent fields are not measured.
 */
public record PowerSample(
        long ts,
        String cluster,
        String row,
        String rack,
        String host,
        Source source,
        String device,
        Double powerW,
        Double capacityW,
        List<Double> phaseCurrentA,
        Origin origin,
        Double outputPowerW,
        Double inputVoltageV,
        Double efficiencyPct) implements TelemetryRecord {

    public enum Source { HOST_PSU, RACK_PDU, POWER_SHELF, PSU }

    /** A sample with input power only: the form hosts and PDUs report. */
    public PowerSample(long ts, String cluster, String row, String rack, String host, Source source, String device,
                       Double powerW, Double capacityW, List<Double> phaseCurrentA, Origin origin) {
        this(ts, cluster, row, rack, host, source, device, powerW, capacityW, phaseCurrentA, origin, null, null, null);
    }

    @Override
    @JsonProperty("schema")
    public Schema schema() {
        return Schema.POWER;
    }

    @Override
    @JsonIgnore
    public long eventTimeMs() {
        return ts;
    }
}
