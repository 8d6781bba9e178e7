package io.vigil.detection.job;

import static io.vigil.detection.job.StragglerDetector.RANK_WARMUP_WINDOWS;

import io.vigil.detection.job.StragglerDetector.JobState;
import io.vigil.detection.job.StragglerDetector.RankTrack;
import java.util.List;

/**
 * One job window's cohort statistics, by median and MAD: the ranks' clock, activity, power and step cost as they are,
 * and each rank's change from its own usual (clock share, activity difference, step ratio), against which the
 * straggler detector judges every rank.
 */
record JobCohort(RobustStats clock, RobustStats sm, RobustStats tensor, RobustStats power, RobustStats step,
                 RobustStats relClock, RobustStats dSm, RobustStats dTensor, RobustStats relStep) {

    static JobCohort of(List<RankWindow> present, JobState st) {
        int n = present.size();
        double[] clock = new double[n], sm = new double[n], tensor = new double[n], power = new double[n],
                step = new double[n], relClock = new double[n], dSm = new double[n], dTensor = new double[n],
                relStep = new double[n];
        int nc = 0, ns = 0, nt = 0, np = 0, nst = 0, nrc = 0, nds = 0, ndt = 0, nrs = 0;
        for (RankWindow r : present) {
            RankTrack t = st.ranks.get(r.rank());
            boolean known = t.learned >= RANK_WARMUP_WINDOWS;
            if (!Double.isNaN(r.smClockMHz())) clock[nc++] = r.smClockMHz();
            if (!Double.isNaN(r.smActivePct())) {
                sm[ns++] = r.smActivePct();
                if (known && !Double.isNaN(t.baseSm)) dSm[nds++] = r.smActivePct() - t.baseSm;
            }
            if (!Double.isNaN(r.tensorActivePct())) {
                tensor[nt++] = r.tensorActivePct();
                if (known && !Double.isNaN(t.baseTensor)) dTensor[ndt++] = r.tensorActivePct() - t.baseTensor;
            }
            if (!Double.isNaN(r.powerW())) power[np++] = r.powerW();
            if (!Double.isNaN(r.stepCostMs())) {
                step[nst++] = r.stepCostMs();
                if (t.stepLearned >= RANK_WARMUP_WINDOWS && t.baseStep > 0) relStep[nrs++] = r.stepCostMs() / t.baseStep;
            }
        }
        RobustStats clockStats = RobustStats.of(clock, nc, 0.01, 5);
        if (nc > 0 && clockStats.median > 0) {
            for (RankWindow r : present) {
                RankTrack t = st.ranks.get(r.rank());
                if (!Double.isNaN(r.smClockMHz()) && t.clockLearned >= RANK_WARMUP_WINDOWS && t.clockShare > 0) {
                    relClock[nrc++] = r.smClockMHz() / clockStats.median / t.clockShare;
                }
            }
        }
        return new JobCohort(clockStats, RobustStats.of(sm, ns, 0, 1.5),
                RobustStats.of(tensor, nt, 0, 1.5), RobustStats.of(power, np, 0.02, 5),
                RobustStats.of(step, nst, 0.02, 1e-6), RobustStats.of(relClock, nrc, 0.01, 0.0025),
                RobustStats.of(dSm, nds, 0, 1.5), RobustStats.of(dTensor, ndt, 0, 1.5),
                RobustStats.of(relStep, nrs, 0.02, 1e-6));
    }
}
