package io.vigil.model;

/** A refused record: the reason and a human-readable detail naming the offending field and value. */
public record Rejection(RejectReason reason, String detail) {}
