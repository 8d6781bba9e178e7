package io.vigil.detection.job;

import static io.vigil.testsupport.GpuSamples.T0;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** Builds job windows for the job-level detector tests: ranks on hosts of 8, one window per second from T0. */
final class JobWindows {

    private JobWindows() {}

    /** A training rank at full pace. */
    static RankWindow training(int rank) {
        return new RankWindow(rank, "h" + rank / 8, rank % 8, "A01", 1, 99, 78 + (rank % 3) * 0.5, 52 + (rank % 2) * 0.5,
                1980 - (rank % 4) * 5, 640 + rank % 5, 700, 0, 2.2e11, 0, Double.NaN);
    }

    static RankWindow withClock(RankWindow r, double mhz, long reasons) {
        return new RankWindow(r.rank(), r.host(), r.gpu(), r.rack(), r.samples(), r.utilPct(), r.smActivePct(),
                r.tensorActivePct(), mhz, r.powerW(), r.powerLimitW(), reasons, r.linkBps(), r.steps(), r.stepCostMs());
    }

    static RankWindow withActivity(RankWindow r, double util, double sm, double tensor, double power, double link) {
        return new RankWindow(r.rank(), r.host(), r.gpu(), r.rack(), r.samples(), util, sm, tensor, r.smClockMHz(),
                power, r.powerLimitW(), r.clockEventReasons(), link, r.steps(), r.stepCostMs());
    }

    static RankWindow withStep(RankWindow r, double costMs) {
        return new RankWindow(r.rank(), r.host(), r.gpu(), r.rack(), r.samples(), r.utilPct(), r.smActivePct(),
                r.tensorActivePct(), r.smClockMHz(), r.powerW(), r.powerLimitW(), r.clockEventReasons(), r.linkBps(),
                1, costMs);
    }

    /** Window number {@code second} of job-1 with {@code ranks} ranks, each shaped by {@code rank}. */
    static JobWindow window(int second, int ranks, IntFunction<RankWindow> rank) {
        List<RankWindow> list = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            RankWindow w = rank.apply(r);
            if (w != null) list.add(w);
        }
        long start = T0 + second * 1000L;
        return new JobWindow("test", "job-1", start, start + 1000, start + 3000, ranks, list, JobWindow.End.NONE);
    }

    static JobWindow end(int second, JobWindow.End end) {
        long t = T0 + second * 1000L;
        return new JobWindow("test", "job-1", t, t, t, 0, List.of(), end);
    }
}
