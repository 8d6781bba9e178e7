package io.vigil.detection.job;

import io.vigil.detection.job.JobWindowAggregator.Acc;
import io.vigil.detection.job.JobWindowAggregator.JobBuffer;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A job's open windows in checkpoints: each field in its plain binary form. Without it Flink wrote the windows'
 * nested maps with Kryo's reflective serializer, which at 16,384 GPUs took about a third of every checkpoint's
 * time (a Java Flight Recorder profile of {@code ./vigil bench site}); checkpoints run every two seconds.
 *
 * <p>State written before this serializer existed (Flink's POJO serializer with Kryo for the maps) is read with
 * that serializer and written with this one from then on ({@code compatibleAfterMigration}), so a job restored from
 * an older checkpoint keeps its windows. {@link #copy} is a deep copy: the heap state backend copies an entry that
 * changes while a checkpoint is writing it.
 */
public final class JobBufferSerializer extends io.vigil.detection.alert.StateSerializer<JobBuffer> {

    private static final long serialVersionUID = 1L;

    @Override
    public JobBuffer createInstance() {
        return new JobBuffer();
    }

    @Override
    public JobBuffer copy(JobBuffer from) {
        JobBuffer to = new JobBuffer();
        for (Map.Entry<Long, HashMap<Integer, Acc>> w : from.windows.entrySet()) {
            HashMap<Integer, Acc> ranks = new HashMap<>(w.getValue().size() * 2);
            for (Map.Entry<Integer, Acc> r : w.getValue().entrySet()) ranks.put(r.getKey(), copy(r.getValue()));
            to.windows.put(w.getKey(), ranks);
        }
        to.cluster = from.cluster;
        to.jobId = from.jobId;
        to.worldSize = from.worldSize;
        to.lastSeenTs = from.lastSeenTs;
        to.cleanupTimer = from.cleanupTimer;
        to.endedAt = from.endedAt;
        to.waitMs = from.waitMs;
        to.lastLateTs = from.lastLateTs;
        to.emittedUpTo = from.emittedUpTo;
        return to;
    }

    private static Acc copy(Acc from) {
        Acc to = new Acc();
        to.host = from.host;
        to.gpu = from.gpu;
        to.rack = from.rack;
        to.samples = from.samples;
        to.steps = from.steps;
        to.util = from.util;
        to.sm = from.sm;
        to.tensor = from.tensor;
        to.clock = from.clock;
        to.power = from.power;
        to.limit = from.limit;
        to.link = from.link;
        to.stepCost = from.stepCost;
        to.nUtil = from.nUtil;
        to.nSm = from.nSm;
        to.nTensor = from.nTensor;
        to.nClock = from.nClock;
        to.nPower = from.nPower;
        to.nLimit = from.nLimit;
        to.nLink = from.nLink;
        to.reasons = from.reasons;
        return to;
    }

    @Override
    public void serialize(JobBuffer b, DataOutputView out) throws IOException {
        writeString(b.cluster, out);
        writeString(b.jobId, out);
        out.writeInt(b.worldSize);
        out.writeLong(b.lastSeenTs);
        out.writeLong(b.cleanupTimer);
        out.writeLong(b.endedAt);
        out.writeLong(b.waitMs);
        out.writeLong(b.lastLateTs);
        out.writeLong(b.emittedUpTo);
        out.writeInt(b.windows.size());
        for (Map.Entry<Long, HashMap<Integer, Acc>> w : b.windows.entrySet()) {
            out.writeLong(w.getKey());
            out.writeInt(w.getValue().size());
            for (Map.Entry<Integer, Acc> r : w.getValue().entrySet()) {
                out.writeInt(r.getKey());
                Acc a = r.getValue();
                writeString(a.host, out);
                out.writeInt(a.gpu);
                writeString(a.rack, out);
                out.writeInt(a.samples);
                out.writeInt(a.steps);
                out.writeDouble(a.util);
                out.writeDouble(a.sm);
                out.writeDouble(a.tensor);
                out.writeDouble(a.clock);
                out.writeDouble(a.power);
                out.writeDouble(a.limit);
                out.writeDouble(a.link);
                out.writeDouble(a.stepCost);
                out.writeInt(a.nUtil);
                out.writeInt(a.nSm);
                out.writeInt(a.nTensor);
                out.writeInt(a.nClock);
                out.writeInt(a.nPower);
                out.writeInt(a.nLimit);
                out.writeInt(a.nLink);
                out.writeLong(a.reasons);
            }
        }
    }

    @Override
    public JobBuffer deserialize(DataInputView in) throws IOException {
        JobBuffer b = new JobBuffer();
        b.cluster = readString(in);
        b.jobId = readString(in);
        b.worldSize = in.readInt();
        b.lastSeenTs = in.readLong();
        b.cleanupTimer = in.readLong();
        b.endedAt = in.readLong();
        b.waitMs = in.readLong();
        b.lastLateTs = in.readLong();
        b.emittedUpTo = in.readLong();
        int windows = in.readInt();
        for (int w = 0; w < windows; w++) {
            long start = in.readLong();
            int n = in.readInt();
            HashMap<Integer, Acc> ranks = new HashMap<>(n * 2);
            for (int r = 0; r < n; r++) {
                int rank = in.readInt();
                Acc a = new Acc();
                a.host = readString(in);
                a.gpu = in.readInt();
                a.rack = readString(in);
                a.samples = in.readInt();
                a.steps = in.readInt();
                a.util = in.readDouble();
                a.sm = in.readDouble();
                a.tensor = in.readDouble();
                a.clock = in.readDouble();
                a.power = in.readDouble();
                a.limit = in.readDouble();
                a.link = in.readDouble();
                a.stepCost = in.readDouble();
                a.nUtil = in.readInt();
                a.nSm = in.readInt();
                a.nTensor = in.readInt();
                a.nClock = in.readInt();
                a.nPower = in.readInt();
                a.nLimit = in.readInt();
                a.nLink = in.readInt();
                a.reasons = in.readLong();
                ranks.put(rank, a);
            }
            b.windows.put(start, ranks);
        }
        return b;
    }

    @Override
    public TypeSerializerSnapshot<JobBuffer> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Names the serializer; state of the earlier serializer is migrated on restore. */
    public static final class Snapshot extends MigratingSnapshot<JobBuffer> {
        public Snapshot() {
            super(JobBufferSerializer::new);
        }
    }
}
