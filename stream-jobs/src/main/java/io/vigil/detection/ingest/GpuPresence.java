package io.vigil.detection.ingest;

/**
 * That a GPU (by cluster and UUID) reported in band — NVML or dcgm-exporter — at {@code ts}: what the
 * {@link BmcGpuArbiter} needs to know of the in-band stream, without the samples themselves. A Flink POJO.
 */
public final class GpuPresence {
    public String key;
    public long ts;

    public GpuPresence() {}

    public GpuPresence(String key, long ts) {
        this.key = key;
        this.ts = ts;
    }

    /** The arbiter's key for a GPU: cluster and UUID (case folded, with its {@code GPU-} prefix). */
    public static String keyOf(String cluster, String uuid) {
        String u = uuid.toLowerCase(java.util.Locale.ROOT);
        return cluster + "/" + (u.startsWith("gpu-") ? u : "gpu-" + u);
    }
}
