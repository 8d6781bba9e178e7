package io.vigil.detection.ingest;

import io.vigil.model.AlertEvent;
import io.vigil.model.DeadLetter;
import io.vigil.model.Decoded;
import io.vigil.model.RejectReason;
import io.vigil.model.Schema;
import io.vigil.model.TelemetryValidator;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns raw Kafka records into validated telemetry, on the main output with the partition it came from, and every refused record into a dead letter
 * on {@link #DEAD_LETTERS} with its reason and original bytes: in = valid + rejected, and each rejection counts on a
 * counter named for its reason ({@code rejected_<reason>}).
 *
 * <p>This runs before event time is assigned, so a record stamped far in the future is refused here and cannot move
 * the watermark.
 */
public final class TelemetryDecoder extends ProcessFunction<RawTelemetry, SourcedRecord> {

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final Topics topics;
    private final Clock clock;
    private final Duration maxFutureSkew;
    private transient WireFormat wire;
    private transient Map<RejectReason, Counter> rejected;

    public TelemetryDecoder(Topics topics, Clock clock, Duration maxFutureSkew) {
        this.topics = topics;
        this.clock = clock;
        this.maxFutureSkew = maxFutureSkew;
    }

    @Override
    public void open(OpenContext openContext) {
        wire = new WireFormat(new TelemetryValidator(clock, maxFutureSkew));
        rejected = new EnumMap<>(RejectReason.class);
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, getRuntimeContext().getMetricGroup().addGroup(io.vigil.model.metrics.PrometheusText.FLINK_GROUP).counter(reason.counterName()));
        }
    }

    @Override
    public void processElement(RawTelemetry raw, Context ctx, Collector<SourcedRecord> out) {
        Decoded d = wire.decode(raw.value(), expectedSchema(raw.topic()));
        if (!d.isValid()) {
            rejected.get(d.rejection().reason()).inc();
            ctx.output(DEAD_LETTERS, DeadLetter.of(d.rejection(), raw.topic(), raw.partition(), raw.offset(),
                    clock.instant(), raw.value()));
            return;
        }
        if (d.record() instanceof AlertEvent) {
            rejected.get(RejectReason.WRONG_TOPIC).inc();
            ctx.output(DEAD_LETTERS, DeadLetter.of(new io.vigil.model.Rejection(RejectReason.WRONG_TOPIC,
                    d.record().schema().id() + " records do not belong on telemetry topics"),
                    raw.topic(), raw.partition(), raw.offset(), clock.instant(), raw.value()));
            return;
        }
        out.collect(new SourcedRecord(d.record(), raw.topic(), raw.partition()));
    }

    /** Each telemetry topic carries one kind; an unknown topic (tests, or a custom feed) accepts any kind. */
    private Schema expectedSchema(String topic) {
        if (topic == null) return null;
        if (topic.equals(topics.gpu())) return Schema.GPU;
        if (topic.equals(topics.power())) return Schema.POWER;
        if (topic.equals(topics.cooling())) return Schema.COOLING;
        if (topic.equals(topics.jobs())) return Schema.JOB;
        if (topic.equals(topics.steps())) return Schema.STEP;
        return null;
    }
}
