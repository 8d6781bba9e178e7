package io.vigil.evaluation.bench;

import io.vigil.model.ClockEventReason;
import io.vigil.model.GpuSample;
import io.vigil.model.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * A large fleet's GPU samples as Kafka would deliver them: one JSON record per GPU per second, pre-encoded once per
 * GPU so that the benchmark measures the detection job, not the generator. A record for another second is the
 * template with its 13 timestamp digits patched in place. Hosts of 8 GPUs, racks of 4 hosts, jobs of 64 hosts
 * (512 ranks). One GPU in {@link #HOT_EVERY_S} seconds runs hot (a thermal fault) for {@link #HOT_FOR_S} seconds, so
 * alerts flow and their latency can be measured.
 */
final class SyntheticFleet {

    static final int HOT_EVERY_S = 30, HOT_FOR_S = 20;

    private final int gpus;
    private final byte[][] healthy;
    private final byte[][] hot;
    private final int[] tsOffset;
    private final int[] hotTsOffset;

    SyntheticFleet(int gpus) {
        this.gpus = gpus;
        healthy = new byte[gpus][];
        hot = new byte[gpus][];
        tsOffset = new int[gpus];
        hotTsOffset = new int[gpus];
        Random r = new Random(7);
        for (int i = 0; i < gpus; i++) {
            GpuSample s = sample(i, r);
            healthy[i] = WireFormat.encode(s);
            hot[i] = WireFormat.encode(s.toBuilder().gpuTempC(91.0).smClockMHz(1410.0).powerW(520.0)
                    .clockEventReasons(ClockEventReason.SW_THERMAL_SLOWDOWN.bit()
                            | ClockEventReason.HW_THERMAL_SLOWDOWN.bit()).build());
            tsOffset[i] = offsetOfTs(healthy[i]);
            hotTsOffset[i] = offsetOfTs(hot[i]);
        }
    }

    int gpus() {
        return gpus;
    }

    /** GPU {@code gpu}'s record stamped {@code ts}, hot if a fault is active on it {@code secondOfRun} into the run. */
    byte[] record(int gpu, long ts, long secondOfRun) {
        boolean isHot = hotGpu(secondOfRun) == gpu;
        byte[] template = isHot ? hot[gpu] : healthy[gpu];
        byte[] out = template.clone();
        int at = isHot ? hotTsOffset[gpu] : tsOffset[gpu];
        long v = ts;
        for (int k = 12; k >= 0; k--) {
            out[at + k] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return out;
    }

    /** The GPU running hot at that second, or -1. */
    int hotGpu(long secondOfRun) {
        if (secondOfRun < 15 || secondOfRun % HOT_EVERY_S >= HOT_FOR_S) return -1;
        return (int) ((secondOfRun / HOT_EVERY_S) * 7919 % gpus);
    }

    private GpuSample sample(int i, Random r) {
        int host = i / 8;
        int gpu = i % 8;
        int rack = host / 4;
        int job = host / 64;
        int rank = (host % 64) * 8 + gpu;
        return GpuSample.builder().ts(1_790_000_000_000L).cluster("bench").row("R" + rack / 32)
                .rack(String.format("R%05d", rack)).host(String.format("h%05d", host)).gpu(gpu)
                .uuid("GPU-" + i).model("NVIDIA H100 80GB HBM3").jobId("job-" + job).rank(rank)
                .state(GpuSample.GpuState.OK).gpuUtilPct(99.0).smActivePct(78.0 + r.nextGaussian())
                .tensorActivePct(52.0 + r.nextGaussian()).memUsedMiB(71_000.0).memTotalMiB(81_559.0)
                .gpuTempC(60.0 + r.nextInt(10)).memTempC(70.0).slowdownTempC(89.0).shutdownTempC(92.0)
                .powerW(640.0 + r.nextInt(20)).powerLimitW(700.0).energyJ(1.0e9).smClockMHz(1980.0)
                .memClockMHz(2619.0).clockEventReasons(0L).eccCorrected(0L).eccUncorrected(0L)
                .nvlinkTxBps(1.1e11).nvlinkRxBps(1.1e11).pcieTxBps(2.7e9).pcieRxBps(2.7e9).build();
    }

    private static int offsetOfTs(byte[] json) {
        String s = new String(json, StandardCharsets.US_ASCII);
        int at = s.indexOf("\"ts\":");
        if (at < 0) throw new IllegalStateException("no ts in " + s);
        return at + 5;
    }
}
