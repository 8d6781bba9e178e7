package io.vigil.notify;

import io.vigil.model.AlertEvent;
import io.vigil.model.NotificationAttempt;
import io.vigil.notify.delivery.Dispatcher;
import io.vigil.notify.incident.IncidentNotifier;
import io.vigil.notify.incident.Notification;
import io.vigil.notify.incident.NotifyControl;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The notification job's wiring, and nothing else:
 * <pre>
 * alerts (read_committed) ─ by incident ─→ notifier ─→ dispatcher (async HTTP) ─→ attempts
 * silences, acks, job owners ─ broadcast ─┘
 * </pre>
 * It is its own Flink job, so a slow or dead receiver back-pressures notifications only, never detection.
 * Sources and sinks come from outside: production uses Kafka, tests bounded sources and collecting sinks.
 */
public final class NotificationJob {

    private final Source<AlertEvent, ?, ?> alerts;
    private final Source<NotifyControl, ?, ?> control;
    private final Sink<NotificationAttempt> attemptSink;
    private final NotifyConfig config;

    public NotificationJob(Source<AlertEvent, ?, ?> alerts, Source<NotifyControl, ?, ?> control,
                           Sink<NotificationAttempt> attemptSink, NotifyConfig config) {
        this.alerts = alerts;
        this.control = control;
        this.attemptSink = attemptSink;
        this.config = config;
    }

    public void build(StreamExecutionEnvironment env) {
        // Few records, each a page someone waits for: hand network buffers on after 5 ms instead of Flink's 100 ms.
        env.setBufferTimeout(5);
        DataStream<AlertEvent> alertStream = env.fromSource(alerts, WatermarkStrategy.noWatermarks(), "alert-source")
                .uid("alert-source");
        BroadcastStream<NotifyControl> controlStream = env
                .fromSource(control, WatermarkStrategy.noWatermarks(), "control-source").uid("control-source")
                .broadcast(IncidentNotifier.SILENCES, IncidentNotifier.JOB_OWNERS);

        DataStream<Notification> notifications = alertStream
                .keyBy(IncidentNotifier::incidentOf)
                .connect(controlStream)
                .process(new IncidentNotifier(config.routing(), config.dashboardUrl(), config.orphanTimeout()))
                .name("incident-notifier").uid("incident-notifier");

        // The notifier's output stays partitioned by incident, so one incident's deliveries share a dispatcher
        // instance, which sends them in order. The timeout only bounds a resolution retried for a month.
        AsyncDataStream.unorderedWait(notifications, new Dispatcher(config.delivery()), 30, TimeUnit.DAYS,
                        config.maxInFlight())
                .name("dispatcher").uid("dispatcher")
                .sinkTo(attemptSink).name("attempt-sink").uid("attempt-sink");
    }
}
