package io.vigil.detection.quality;

import io.vigil.detection.alert.EntityTimeout;
import io.vigil.detection.quality.DataQualityDetector.Check;
import io.vigil.detection.quality.DataQualityDetector.GpuQuality;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Each GPU's data-quality state in checkpoints, every field in its plain binary form. Without it Flink's POJO
 * serializer handed the map of checks to Kryo's reflective serializer, once per GPU in every checkpoint (16,384 times
 * every two seconds at a 16,384-GPU site; part of the 14 % of checkpoint time still in Kryo after the job windows got
 * their own serializer). State written by the earlier serializer is migrated on restore; {@link #copy} is deep, as
 * the heap state backend needs for an entry changed while a checkpoint writes it.
 */
public final class GpuQualitySerializer extends io.vigil.detection.alert.StateSerializer<GpuQuality> {

    private static final long serialVersionUID = 1L;

    @Override
    public GpuQuality createInstance() {
        return new GpuQuality();
    }

    @Override
    public GpuQuality copy(GpuQuality from) {
        GpuQuality to = new GpuQuality();
        for (Map.Entry<String, Check> e : from.checks.entrySet()) to.checks.put(e.getKey(), copy(e.getValue()));
        to.frozenTemp = from.frozenTemp;
        to.frozenSinceMs = from.frozenSinceMs;
        to.powerMin = from.powerMin;
        to.powerMax = from.powerMax;
        to.cluster = from.cluster;
        to.row = from.row;
        to.rack = from.rack;
        to.host = from.host;
        to.gpu = from.gpu;
        to.uuid = from.uuid;
        to.timeout = new EntityTimeout();
        if (from.timeout != null) {
            to.timeout.lastSeenMs = from.timeout.lastSeenMs;
            to.timeout.timerMs = from.timeout.timerMs;
        }
        return to;
    }

    private static Check copy(Check from) {
        Check to = new Check();
        to.badSinceMs = from.badSinceMs;
        to.goodSinceMs = from.goodSinceMs;
        to.firing = from.firing;
        to.startMs = from.startMs;
        to.seq = from.seq;
        to.epochMs = from.epochMs;
        return to;
    }

    @Override
    public void serialize(GpuQuality q, DataOutputView out) throws IOException {
        out.writeInt(q.checks.size());
        for (Map.Entry<String, Check> e : q.checks.entrySet()) {
            out.writeUTF(e.getKey());
            Check c = e.getValue();
            out.writeLong(c.badSinceMs);
            out.writeLong(c.goodSinceMs);
            out.writeBoolean(c.firing);
            out.writeLong(c.startMs);
            out.writeLong(c.seq);
            out.writeLong(c.epochMs);
        }
        out.writeDouble(q.frozenTemp);
        out.writeLong(q.frozenSinceMs);
        out.writeDouble(q.powerMin);
        out.writeDouble(q.powerMax);
        writeString(q.cluster, out);
        writeString(q.row, out);
        writeString(q.rack, out);
        writeString(q.host, out);
        writeString(q.gpu, out);
        writeString(q.uuid, out);
        EntityTimeout t = q.timeout == null ? new EntityTimeout() : q.timeout;
        out.writeLong(t.lastSeenMs);
        out.writeLong(t.timerMs);
    }

    @Override
    public GpuQuality deserialize(DataInputView in) throws IOException {
        GpuQuality q = new GpuQuality();
        int n = in.readInt();
        q.checks = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            Check c = new Check();
            c.badSinceMs = in.readLong();
            c.goodSinceMs = in.readLong();
            c.firing = in.readBoolean();
            c.startMs = in.readLong();
            c.seq = in.readLong();
            c.epochMs = in.readLong();
            q.checks.put(name, c);
        }
        q.frozenTemp = in.readDouble();
        q.frozenSinceMs = in.readLong();
        q.powerMin = in.readDouble();
        q.powerMax = in.readDouble();
        q.cluster = readString(in);
        q.row = readString(in);
        q.rack = readString(in);
        q.host = readString(in);
        q.gpu = readString(in);
        q.uuid = readString(in);
        q.timeout = new EntityTimeout();
        q.timeout.lastSeenMs = in.readLong();
        q.timeout.timerMs = in.readLong();
        return q;
    }

    @Override
    public TypeSerializerSnapshot<GpuQuality> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Names the serializer; state of the earlier serializer is migrated on restore. */
    public static final class Snapshot extends MigratingSnapshot<GpuQuality> {
        public Snapshot() {
            super(GpuQualitySerializer::new);
        }
    }
}
