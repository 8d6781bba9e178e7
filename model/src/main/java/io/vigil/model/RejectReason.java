package io.vigil.model;

/** Why a record was refused; carried on the dead-letter record and used as the name of the reject counter. */
public enum RejectReason {
    MALFORMED_JSON,
    NOT_AN_OBJECT,
    MISSING_SCHEMA,
    UNKNOWN_SCHEMA,
    WRONG_TOPIC,
    INVALID_FIELD,
    MISSING_FIELD,
    NOT_A_NUMBER,
    NEGATIVE_VALUE,
    OUT_OF_RANGE,
    FUTURE_TIMESTAMP,
    /** Arrived after event time had passed it (beyond the bounded out-of-orderness): too late to detect with. */
    LATE,
    /** Valid on the wire, refused by the database (e.g. a NUL character in a text field): stored nowhere else. */
    DATABASE_REJECTED;

    /** Counter name for records rejected for this reason, e.g. {@code rejected_malformed_json}. */
    public String counterName() {
        return "rejected_" + name().toLowerCase(java.util.Locale.ROOT);
    }
}
