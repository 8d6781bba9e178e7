package io.vigil.launcher.metrics;

import java.util.Properties;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/** Makes {@link PrometheusEndpointReporter}s; found by Flink through {@code META-INF/services}. */
public final class PrometheusEndpointReporterFactory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return new PrometheusEndpointReporter();
    }
}
