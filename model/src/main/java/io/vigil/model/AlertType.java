package io.vigil.model;

/** What an alert is about; the one list every module and the wire format share. */
public enum AlertType {
    THERMAL,
    STRAGGLER,
    SYNC_STALL,
    COOLING,
    POWER,
    GPU_LOST,
    XID,
    SILENT
}
