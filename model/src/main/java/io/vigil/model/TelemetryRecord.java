package io.vigil.model;

/** A record that travels on one of Vigil's topics; {@link #schema()} names its kind and version on the wire. */
public sealed interface TelemetryRecord permits GpuSample, PowerSample, CoolingSample, JobEvent, StepEvent, AlertEvent {

    /** The wire schema id, e.g. {@code vigil.gpu.v1}: see {@link Schema}. */
    Schema schema();

    /** Event time in epoch milliseconds. */
    long eventTimeMs();

    Origin origin();
}
