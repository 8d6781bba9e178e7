package io.vigil.detection.health;

import io.vigil.detection.alert.StateSerializer;
import io.vigil.detection.health.HostHealthDetector.GpuTrack;
import io.vigil.detection.health.HostHealthDetector.HostState;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A host's health state in checkpoints (its GPUs' tracks, each with two episodes), instead of Flink's POJO
 * serializer handing the map of GPUs to Kryo once per host in every checkpoint.
 */
public final class HostStateSerializer extends StateSerializer<HostState> {

    private static final long serialVersionUID = 1L;

    @Override
    public HostState createInstance() {
        return new HostState();
    }

    @Override
    public HostState copy(HostState from) {
        HostState to = new HostState();
        to.cluster = from.cluster;
        to.host = from.host;
        to.row = from.row;
        to.rack = from.rack;
        to.collector = from.collector;
        for (Map.Entry<String, GpuTrack> e : from.gpus.entrySet()) to.gpus.put(e.getKey(), copy(e.getValue()));
        to.lastSeen = from.lastSeen;
        to.silent = from.silent;
        to.silentSince = from.silentSince;
        to.timer = from.timer;
        to.seq = from.seq;
        to.originEpochMs = from.originEpochMs;
        return to;
    }

    private static GpuTrack copy(GpuTrack from) {
        GpuTrack to = new GpuTrack();
        to.lastSeen = from.lastSeen;
        to.silent = from.silent;
        to.silentSince = from.silentSince;
        to.lost = copyEpisode(from.lost);
        to.lastXid = from.lastXid;
        to.xidOpen = from.xidOpen;
        to.xidCode = from.xidCode;
        to.xidStart = from.xidStart;
        to.xidLastAt = from.xidLastAt;
        to.xidCount = from.xidCount;
        to.temp = from.temp;
        to.power = from.power;
        to.limit = from.limit;
        to.tempTs = from.tempTs;
        to.usualDelta = from.usualDelta;
        to.deltaSamples = from.deltaSamples;
        to.coldPlate = copyEpisode(from.coldPlate);
        to.job = from.job;
        to.rank = from.rank;
        to.uuid = from.uuid;
        to.rankNo = from.rankNo;
        to.intervalMs = from.intervalMs;
        to.bmc = from.bmc;
        return to;
    }

    @Override
    public void serialize(HostState h, DataOutputView out) throws IOException {
        writeString(h.cluster, out);
        writeString(h.host, out);
        writeString(h.row, out);
        writeString(h.rack, out);
        writeString(h.collector, out);
        out.writeLong(h.lastSeen);
        out.writeBoolean(h.silent);
        out.writeLong(h.silentSince);
        out.writeLong(h.timer);
        out.writeLong(h.seq);
        out.writeLong(h.originEpochMs);
        out.writeInt(h.gpus.size());
        for (Map.Entry<String, GpuTrack> e : h.gpus.entrySet()) {
            out.writeUTF(e.getKey());
            GpuTrack g = e.getValue();
            out.writeLong(g.lastSeen);
            out.writeBoolean(g.silent);
            out.writeLong(g.silentSince);
            writeEpisode(g.lost, out);
            out.writeBoolean(g.lastXid != null);
            if (g.lastXid != null) out.writeInt(g.lastXid);
            out.writeBoolean(g.xidOpen);
            out.writeInt(g.xidCode);
            out.writeLong(g.xidStart);
            out.writeLong(g.xidLastAt);
            out.writeInt(g.xidCount);
            out.writeDouble(g.temp);
            out.writeDouble(g.power);
            out.writeDouble(g.limit);
            out.writeLong(g.tempTs);
            out.writeDouble(g.usualDelta);
            out.writeInt(g.deltaSamples);
            writeEpisode(g.coldPlate, out);
            writeString(g.job, out);
            writeString(g.rank, out);
            writeString(g.uuid, out);
            out.writeInt(g.rankNo);
            out.writeLong(g.intervalMs);
            out.writeBoolean(g.bmc);
        }
    }

    @Override
    public HostState deserialize(DataInputView in) throws IOException {
        HostState h = new HostState();
        h.cluster = readString(in);
        h.host = readString(in);
        h.row = readString(in);
        h.rack = readString(in);
        h.collector = readString(in);
        h.lastSeen = in.readLong();
        h.silent = in.readBoolean();
        h.silentSince = in.readLong();
        h.timer = in.readLong();
        h.seq = in.readLong();
        h.originEpochMs = in.readLong();
        int n = in.readInt();
        h.gpus = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            String id = in.readUTF();
            GpuTrack g = new GpuTrack();
            g.lastSeen = in.readLong();
            g.silent = in.readBoolean();
            g.silentSince = in.readLong();
            g.lost = readEpisode(in);
            g.lastXid = in.readBoolean() ? in.readInt() : null;
            g.xidOpen = in.readBoolean();
            g.xidCode = in.readInt();
            g.xidStart = in.readLong();
            g.xidLastAt = in.readLong();
            g.xidCount = in.readInt();
            g.temp = in.readDouble();
            g.power = in.readDouble();
            g.limit = in.readDouble();
            g.tempTs = in.readLong();
            g.usualDelta = in.readDouble();
            g.deltaSamples = in.readInt();
            g.coldPlate = readEpisode(in);
            g.job = readString(in);
            g.rank = readString(in);
            g.uuid = readString(in);
            g.rankNo = in.readInt();
            g.intervalMs = in.readLong();
            g.bmc = in.readBoolean();
            h.gpus.put(id, g);
        }
        return h;
    }

    @Override
    public TypeSerializerSnapshot<HostState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Names the serializer; state of the earlier serializer is migrated on restore. */
    public static final class Snapshot extends MigratingSnapshot<HostState> {
        public Snapshot() {
            super(HostStateSerializer::new);
        }
    }
}
