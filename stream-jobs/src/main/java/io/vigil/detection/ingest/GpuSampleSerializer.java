package io.vigil.detection.ingest;

import io.vigil.model.GpuSample;
import io.vigil.model.Origin;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * How GPU samples cross the job's shuffles: a bitmap of the fields present, then each present field in its plain
 * binary form. Flink's generic record serializer wraps each of the 39 nullable fields on its own and costs several
 * times more; at 100,000 samples a second, through two shuffles, that decided whether the job kept up. Samples are
 * immutable, so a copy is the sample itself. {@code clockEventNames} does not cross: it is the decoded form of
 * {@code clockEventReasons}, which detectors read instead, and it would cost a list of strings per sample. Of the
 * out-of-band health fields (serial, throttle time, PCIe and row-remap counters) only {@code source} crosses: it is
 * part of the sample's key ({@link GpuSample#gpuKey()}); no detector reads the others yet.
 */
public final class GpuSampleSerializer extends TypeSerializer<GpuSample> {

    private static final long serialVersionUID = 1L;

    /** The type information that selects this serializer. */
    public static final TypeInformation<GpuSample> TYPE = new GpuSampleType();

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public TypeSerializer<GpuSample> duplicate() {
        return this;
    }

    @Override
    public GpuSample createInstance() {
        return null;
    }

    @Override
    public GpuSample copy(GpuSample from) {
        return from;
    }

    @Override
    public GpuSample copy(GpuSample from, GpuSample reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(GpuSample s, DataOutputView out) throws IOException {
        Object[] v = {s.cluster(), s.row(), s.rack(), s.host(), s.gpu(), s.migInstance(), s.uuid(), s.model(),
                s.jobId(), s.rank(), s.pod(), s.namespace(), s.container(), s.state(), s.gpuUtilPct(),
                s.smActivePct(), s.tensorActivePct(), s.memUsedMiB(), s.memTotalMiB(), s.gpuTempC(), s.memTempC(),
                s.slowdownTempC(), s.shutdownTempC(), s.powerW(), s.powerLimitW(), s.energyJ(), s.smClockMHz(),
                s.memClockMHz(), s.clockEventReasons(), null, s.eccCorrected(), s.eccUncorrected(),
                s.lastXid(), s.nvlinkTxBps(), s.nvlinkRxBps(), s.pcieTxBps(), s.pcieRxBps(), s.origin(), s.source()};
        long present = 0;
        for (int i = 0; i < v.length; i++) {
            if (v[i] != null) present |= 1L << i;
        }
        out.writeLong(s.ts());
        out.writeLong(present);
        for (Object o : v) {
            if (o == null) continue;
            if (o instanceof String str) {
                StringValue.writeString(str, out);
            } else if (o instanceof Integer n) {
                out.writeInt(n);
            } else if (o instanceof Double d) {
                out.writeDouble(d);
            } else if (o instanceof Long l) {
                out.writeLong(l);
            } else if (o instanceof GpuSample.GpuState st) {
                out.writeByte(st.ordinal());
            } else if (o instanceof GpuSample.Source src) {
                out.writeByte(src.ordinal());
            } else if (o instanceof List<?> names) {
                out.writeInt(names.size());
                for (Object n : names) StringValue.writeString((String) n, out);
            } else if (o instanceof Origin origin) {
                StringValue.writeString(origin.collector(), out);
                out.writeLong(origin.bootEpochMs());
                out.writeLong(origin.sequence());
            }
        }
    }

    @Override
    public GpuSample deserialize(DataInputView in) throws IOException {
        long ts = in.readLong();
        long p = in.readLong();
        int[] i = {0};
        return new GpuSample(ts, str(in, p, i), str(in, p, i), str(in, p, i), str(in, p, i), integer(in, p, i),
                integer(in, p, i), str(in, p, i), str(in, p, i), str(in, p, i), integer(in, p, i), str(in, p, i),
                str(in, p, i), str(in, p, i), state(in, p, i), dbl(in, p, i), dbl(in, p, i), dbl(in, p, i),
                dbl(in, p, i), dbl(in, p, i), dbl(in, p, i), dbl(in, p, i), dbl(in, p, i), dbl(in, p, i),
                dbl(in, p, i), dbl(in, p, i), dbl(in, p, i), dbl(in, p, i), dbl(in, p, i), lng(in, p, i),
                names(in, p, i), lng(in, p, i), lng(in, p, i), integer(in, p, i), dbl(in, p, i), dbl(in, p, i),
                dbl(in, p, i), dbl(in, p, i), origin(in, p, i), source(in, p, i), null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null);
    }

    /** Appended last, so samples written before it existed read back with no source. */
    private static GpuSample.Source source(DataInputView in, long p, int[] i) throws IOException {
        return has(p, i) ? GpuSample.Source.values()[in.readByte()] : null;
    }

    private static boolean has(long present, int[] i) {
        return (present & (1L << i[0]++)) != 0;
    }

    private static String str(DataInputView in, long p, int[] i) throws IOException {
        return has(p, i) ? StringValue.readString(in) : null;
    }

    private static Integer integer(DataInputView in, long p, int[] i) throws IOException {
        return has(p, i) ? in.readInt() : null;
    }

    private static Double dbl(DataInputView in, long p, int[] i) throws IOException {
        return has(p, i) ? in.readDouble() : null;
    }

    private static Long lng(DataInputView in, long p, int[] i) throws IOException {
        return has(p, i) ? in.readLong() : null;
    }

    private static GpuSample.GpuState state(DataInputView in, long p, int[] i) throws IOException {
        return has(p, i) ? GpuSample.GpuState.values()[in.readByte()] : null;
    }

    private static List<String> names(DataInputView in, long p, int[] i) throws IOException {
        if (!has(p, i)) return null;
        int n = in.readInt();
        List<String> names = new ArrayList<>(n);
        for (int k = 0; k < n; k++) names.add(StringValue.readString(in));
        return List.copyOf(names);
    }

    private static Origin origin(DataInputView in, long p, int[] i) throws IOException {
        return has(p, i) ? new Origin(StringValue.readString(in), in.readLong(), in.readLong()) : null;
    }

    @Override
    public GpuSample deserialize(GpuSample reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof GpuSampleSerializer;
    }

    @Override
    public int hashCode() {
        return GpuSampleSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<GpuSample> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration: its snapshot only names it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<GpuSample> {
        public Snapshot() {
            super(GpuSampleSerializer::new);
        }
    }

    /** Type information for GPU samples that selects {@link GpuSampleSerializer}. */
    static final class GpuSampleType extends TypeInformation<GpuSample> {
        private static final long serialVersionUID = 1L;

        @Override public boolean isBasicType() { return false; }
        @Override public boolean isTupleType() { return false; }
        @Override public int getArity() { return 1; }
        @Override public int getTotalFields() { return 1; }
        @Override public Class<GpuSample> getTypeClass() { return GpuSample.class; }
        @Override public boolean isKeyType() { return false; }
        @Override public TypeSerializer<GpuSample> createSerializer(SerializerConfig config) {
            return new GpuSampleSerializer();
        }
        @Override public String toString() { return "GpuSample(vigil)"; }
        @Override public boolean equals(Object obj) { return obj instanceof GpuSampleType; }
        @Override public int hashCode() { return GpuSampleType.class.hashCode(); }
        @Override public boolean canEqual(Object obj) { return obj instanceof GpuSampleType; }
    }
}
