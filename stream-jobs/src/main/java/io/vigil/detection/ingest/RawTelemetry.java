package io.vigil.detection.ingest;

/**
 * One record as read from Kafka, before decoding: the bytes plus where they came from, so that a refused record
 * can be sent to the dead-letter topic with its exact origin.
 */
public record RawTelemetry(String topic, int partition, long offset, byte[] value) implements java.io.Serializable {}
