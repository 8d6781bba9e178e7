package io.vigil.detection.ingest;

import io.vigil.model.TelemetryRecord;

/** A decoded record and the topic partition it came from: event time is tracked per partition, as Flink does per split. */
public record SourcedRecord(TelemetryRecord record, String topic, int partition) {}
