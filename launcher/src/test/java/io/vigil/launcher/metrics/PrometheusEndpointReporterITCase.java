package io.vigil.launcher.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.metrics.PrometheusText;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.legacy.DiscardingSink;
import org.junit.jupiter.api.Test;

/** The reporter on a real MiniCluster: a running job's Vigil counter and Flink's own metrics, scraped over HTTP. */
class PrometheusEndpointReporterITCase {

    static final CountDownLatch RELEASE = new CountDownLatch(1);

    /** Counts every record in Vigil's group with a reason label, then holds the job open until the test is done. */
    static final class Counting extends RichMapFunction<Long, Long> {
        private transient Counter seen;

        @Override
        public void open(OpenContext context) {
            seen = getRuntimeContext().getMetricGroup().addGroup(PrometheusText.FLINK_GROUP)
                    .addGroup("reason", "too_old").counter("records_seen");
        }

        @Override
        public Long map(Long value) throws Exception {
            seen.inc();
            if (value == 10) RELEASE.await(2, TimeUnit.MINUTES);
            return value;
        }
    }

    @Test
    void aRunningJobsVigilCountersAndFlinksOwnMetricsAreScrapedAsPrometheusText() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Configuration conf = new Configuration();
        conf.set(ConfigOptions.key("metrics.reporter.vigil.factory.class").stringType().noDefaultValue(),
                PrometheusEndpointReporterFactory.class.getName());
        conf.set(ConfigOptions.key("metrics.reporter.vigil.host").stringType().noDefaultValue(), "127.0.0.1");
        conf.set(ConfigOptions.key("metrics.reporter.vigil.port").stringType().noDefaultValue(), port + "-" + (port + 5));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        env.fromSequence(1, 10).map(new Counting()).name("counting").addSink(new DiscardingSink<>());
        JobClient job = env.executeAsync("reporter-test");
        try {
            HttpClient http = HttpClient.newHttpClient();
            String line = "vigil_records_seen_total{job=\"reporter-test\",operator=\"counting\",subtask=\"0\","
                    + "reason=\"too_old\"} 10";
            String body = "";
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!body.contains(line + "\n") && System.nanoTime() < deadline) {
                try {
                    body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                } catch (java.io.IOException notYet) {
                    // the MiniCluster is still starting
                }
                Thread.sleep(200);
            }
            assertThat(body).contains(line + "\n", "# TYPE vigil_records_seen_total counter\n",
                    "flink_taskmanager_job_task_operator_numRecordsIn{", "process_cpu_seconds_total ",
                    // The JobManager's health under Vigil's names too.
                    "\nvigil_flink_running_jobs 1\n", "\nvigil_flink_taskmanagers 1\n",
                    "\nvigil_flink_job_restarts_total{job=\"reporter-test\"} 0\n");
            // Every sample line is NAME{LABELS} VALUE with Prometheus' characters.
            assertThat(body.lines().filter(l -> !l.startsWith("#"))).allSatisfy(l ->
                    assertThat(l).matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*})? (-?[0-9.eE+-]+|NaN|[+-]Inf)"));
            // One TYPE line per family.
            assertThat(body.lines().filter(l -> l.startsWith("# TYPE ")).toList()).doesNotHaveDuplicates();
        } finally {
            RELEASE.countDown();
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void portsAreOneOrARange() {
        assertThat(PrometheusEndpointReporter.ports("9249")).containsExactly(9249);
        assertThat(PrometheusEndpointReporter.ports("9249-9251")).containsExactly(9249, 9250, 9251);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PrometheusEndpointReporter.ports("x"))
                .hasMessageContaining("'x'");
    }
}
