package io.vigil.model.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/** The process's own figures under the names Prometheus' client libraries use, so the usual dashboards apply. */
public final class JvmMetrics {

    private JvmMetrics() {}

    public static PrometheusText addTo(PrometheusText m) {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            m.counter("process_cpu_seconds_total", "CPU time of the process.", sun.getProcessCpuTime() / 1e9);
        }
        m.gauge("process_start_time_seconds", "Start of the process, seconds since the epoch.",
                ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0);
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        m.gauge("jvm_memory_used_bytes", "Memory in use.", heap.getUsed(), "area", "heap");
        m.gauge("jvm_memory_used_bytes", "Memory in use.", nonHeap.getUsed(), "area", "nonheap");
        if (heap.getMax() >= 0) m.gauge("jvm_memory_max_bytes", "Most memory the JVM will use.", heap.getMax(), "area", "heap");
        m.gauge("jvm_threads_current", "Live threads.", ManagementFactory.getThreadMXBean().getThreadCount());
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            m.counter("jvm_gc_collection_seconds_total", "Time spent in garbage collection.",
                    gc.getCollectionTime() / 1000.0, "gc", gc.getName());
        }
        return m;
    }
}
