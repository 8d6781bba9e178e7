package io.vigil.detection.quality;

import io.vigil.detection.alert.EntityTimeout;
import io.vigil.detection.quality.DataQualityDetector.Check;
import io.vigil.detection.quality.DataQualityDetector.GpuQuality;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
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
public final class GpuQualitySerializer extends TypeSerializer<GpuQuality> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<GpuQuality> duplicate() {
        return this; // stateless
    }

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
    public GpuQuality copy(GpuQuality from, GpuQuality reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
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
        string(q.cluster, out);
        string(q.row, out);
        string(q.rack, out);
        string(q.host, out);
        string(q.gpu, out);
        string(q.uuid, out);
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
        q.cluster = string(in);
        q.row = string(in);
        q.rack = string(in);
        q.host = string(in);
        q.gpu = string(in);
        q.uuid = string(in);
        q.timeout = new EntityTimeout();
        q.timeout.lastSeenMs = in.readLong();
        q.timeout.timerMs = in.readLong();
        return q;
    }

    @Override
    public GpuQuality deserialize(GpuQuality reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    private static void string(String s, DataOutputView out) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) out.writeUTF(s);
    }

    private static String string(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof GpuQualitySerializer;
    }

    @Override
    public int hashCode() {
        return GpuQualitySerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<GpuQuality> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Names the serializer; state of any earlier serializer of this state is migrated on restore. */
    public static final class Snapshot implements TypeSerializerSnapshot<GpuQuality> {
        @Override
        public int getCurrentVersion() {
            return 1;
        }

        @Override
        public void writeSnapshot(DataOutputView out) {
            // no configuration
        }

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader) {
            // no configuration
        }

        @Override
        public TypeSerializer<GpuQuality> restoreSerializer() {
            return new GpuQualitySerializer();
        }

        @Override
        public TypeSerializerSchemaCompatibility<GpuQuality> resolveSchemaCompatibility(
                TypeSerializerSnapshot<GpuQuality> oldSerializerSnapshot) {
            return oldSerializerSnapshot instanceof Snapshot ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
    }
}
