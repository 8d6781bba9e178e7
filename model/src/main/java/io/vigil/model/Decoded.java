package io.vigil.model;

/** The outcome of decoding one wire record: exactly one of {@code record} and {@code rejection} is set. */
public record Decoded(TelemetryRecord record, Rejection rejection) {

    public static Decoded valid(TelemetryRecord record) {
        return new Decoded(record, null);
    }

    public static Decoded rejected(RejectReason reason, String detail) {
        return new Decoded(null, new Rejection(reason, detail));
    }

    public boolean isValid() {
        return record != null;
    }
}
