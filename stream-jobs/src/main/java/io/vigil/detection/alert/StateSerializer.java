package io.vigil.detection.alert;

import java.io.IOException;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A hand-written serializer of one detector's mutable state object, for state that Flink's POJO serializer would
 * write with Kryo (maps, nested objects): reflective, and at 16,384 GPUs most of every checkpoint's time. A subclass
 * writes and reads each field and makes a deep copy (the heap state backend copies an entry changed while a
 * checkpoint writes it); it is stateless, so one instance serves every thread.
 *
 * <p>Its snapshot ({@link MigratingSnapshot}) accepts state written by any earlier serializer of the type as
 * {@code compatibleAfterMigration}: Flink reads it with the serializer that wrote it and writes it with this one from
 * then on, so a job restored from a checkpoint of an older Vigil keeps its state.
 */
public abstract class StateSerializer<T> extends TypeSerializer<T> {

    private static final long serialVersionUID = 1L;

    @Override
    public final boolean isImmutableType() {
        return false;
    }

    @Override
    public final TypeSerializer<T> duplicate() {
        return this;
    }

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final T deserialize(T reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public final void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public final boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }

    @Override
    public final int hashCode() {
        return getClass().hashCode();
    }

    /** A nullable string: a presence byte, then modified UTF-8 (hosts, racks, ids and check names are short). */
    protected static void writeString(String s, DataOutputView out) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) out.writeUTF(s);
    }

    protected static String readString(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    /** An episode's fields (the alert-episode core every detector shares). */
    protected static void writeEpisode(Episode e, DataOutputView out) throws IOException {
        out.writeBoolean(e.firing);
        out.writeInt(e.badRun);
        out.writeInt(e.goodRun);
        out.writeLong(e.startMs);
        out.writeLong(e.seq);
        out.writeLong(e.originEpochMs);
    }

    protected static Episode readEpisode(DataInputView in) throws IOException {
        Episode e = new Episode();
        e.firing = in.readBoolean();
        e.badRun = in.readInt();
        e.goodRun = in.readInt();
        e.startMs = in.readLong();
        e.seq = in.readLong();
        e.originEpochMs = in.readLong();
        return e;
    }

    protected static Episode copyEpisode(Episode from) {
        Episode e = new Episode();
        e.firing = from.firing;
        e.badRun = from.badRun;
        e.goodRun = from.goodRun;
        e.startMs = from.startMs;
        e.seq = from.seq;
        e.originEpochMs = from.originEpochMs;
        return e;
    }

    /**
     * Names the serializer (no configuration); state of any earlier serializer of the type is migrated on restore.
     * Each serializer has its own subclass with a public no-argument constructor, which Flink instantiates.
     */
    public abstract static class MigratingSnapshot<T> implements TypeSerializerSnapshot<T> {
        private final Supplier<? extends StateSerializer<T>> serializer;

        protected MigratingSnapshot(Supplier<? extends StateSerializer<T>> serializer) {
            this.serializer = serializer;
        }

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
        public TypeSerializer<T> restoreSerializer() {
            return serializer.get();
        }

        @Override
        public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
            return old.getClass() == getClass() ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
    }
}
