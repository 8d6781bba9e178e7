package io.vigil.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Electrical power at one instant, on {@link Topics#power()}: a host's PSU input ({@link Source#HOST_PSU}) or a
 * rack PDU ({@link Source#RACK_PDU}, with its capacity and per-phase current). Absent fields are not measured.
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
        Origin origin) implements TelemetryRecord {

    public enum Source { HOST_PSU, RACK_PDU }

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
