package io.vigil.storage.query;

import java.time.Instant;
import java.util.Map;

/** One alert episode as stored: firing until {@code endsAt} is set and {@code state} is RESOLVED. */
public record AlertRow(String fingerprint, String type, String severity, String state, Instant startsAt,
                       Instant endsAt, Map<String, String> labels, String summary, Map<String, Double> evidence,
                       Instant updatedAt) {}
