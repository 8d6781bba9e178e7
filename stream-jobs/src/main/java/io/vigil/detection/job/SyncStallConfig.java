package io.vigil.detection.job;

import java.io.Serializable;
import java.time.Duration;

/**
 * Parameters of the synchronization-stall detector.
 *
 * @param stallFraction       share of reporting ranks that must be paused at once
 * @param maxTensorPct        a paused rank's tensor activity is at most this
 * @param pausedPowerFraction a paused rank draws at most this share of its power limit
 * @param maxLinkBps          a paused rank moves at most this over NVLink and PCIe (bytes/s, both directions)
 * @param spinningUtilPct     median utilisation at or above which the pause is "spinning" (ranks waiting in a
 *                            collective: NCCL keeps one SM busy, so utilisation reads ~100% at idle power)
 * @param minSpinningStall    a spinning pause alerts after max(this, learnedFactor x the job's longest recent
 *                            spinning pause that did not alert)
 * @param minIdleStall        the same for an idle pause (utilisation near 0: checkpoints, evaluation, data waits)
 * @param learnedFactor       margin over the job's own normal pauses
 * @param maxStall            the threshold never exceeds this, so a stall is reported well before the collective
 *                            library's own timeout (PyTorch's NCCL default: 10 minutes)
 * @param resumeWindows       consecutive active windows that end a pause (and resolve its alert)
 */
public record SyncStallConfig(double stallFraction, double maxTensorPct, double pausedPowerFraction,
                              double maxLinkBps, double spinningUtilPct, Duration minSpinningStall,
                              Duration minIdleStall, double learnedFactor, Duration maxStall, int resumeWindows)
        implements Serializable {

    public SyncStallConfig {
        if (stallFraction <= 0.5 || stallFraction > 1) throw new IllegalArgumentException("stall.fraction must be in (0.5, 1]");
        if (learnedFactor < 1) throw new IllegalArgumentException("stall.learned-factor must be >= 1");
        if (minSpinningStall.compareTo(maxStall) > 0 || minIdleStall.compareTo(maxStall) > 0) {
            throw new IllegalArgumentException("stall: min-spinning and min-idle must not exceed stall.max");
        }
        if (resumeWindows < 1) throw new IllegalArgumentException("stall.resume-windows must be >= 1");
    }

    public static SyncStallConfig defaults() {
        return new SyncStallConfig(0.9, 5, 0.3, 1e9, 80, Duration.ofSeconds(60), Duration.ofSeconds(240), 1.5,
                Duration.ofMinutes(5), 3);
    }
}
