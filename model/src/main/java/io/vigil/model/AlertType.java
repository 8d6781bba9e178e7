package io.vigil.model;

/** What an alert is about; the one list every module and the wire format share. */
public enum AlertType {
    THERMAL,
    STRAGGLER,
    SYNC_STALL,
    COOLING,
    /** A coolant leak, on its own so that it always pages, even while the same device's other cooling alert fires. */
    LEAK,
    POWER,
    GPU_LOST,
    XID,
    SILENT,
    /** Readings that cannot all be true (a frozen or impossible metric): INFO, for the exporters' owners, never a page. */
    DATA_QUALITY
}
