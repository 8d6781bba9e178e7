package io.vigil.model;

/**
 * Where a record came from: the collector instance, the epoch at which that collector booted and a sequence
 * number that grows by one per record the collector emits. Together they make loss and duplication measurable
 * end to end: a gap in {@code sequence} within one {@code (collector, bootEpochMs)} is loss, a repeat is a duplicate.
 */
public record Origin(String collector, long bootEpochMs, long sequence) {}
