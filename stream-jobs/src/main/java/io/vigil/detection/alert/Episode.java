package io.vigil.detection.alert;

import io.vigil.model.Origin;

/**
 * The life of one alert on one entity, shared by every detector: fire after N bad observations in a row, resolve
 * after M good ones in a row (the hysteresis that stops flapping), an episode start that stays the same from FIRING
 * to RESOLVED, and the entity's origin sequence, gap-free and deterministic across restarts from a checkpoint. An
 * observation that is neither bad nor good (a reading in the hysteresis band, a window not judged) breaks both runs'
 * growth but resets neither. A Flink POJO: public fields, kept in the detectors' keyed state.
 */
public final class Episode {

    /** What one observation did to the episode. */
    public enum Step { NONE, FIRED, RESOLVED }

    public boolean firing;
    public int badRun;
    public int goodRun;
    /** When the current run of bad observations began (the episode's start once it fires). */
    public long startMs;
    /** Events emitted on the entity's origin stream so far; the next event carries {@code seq + 1}. */
    public long seq;
    /** The episode start of the first event on the entity's stream: with the stream's name, unique per life. */
    public long originEpochMs;

    /**
     * One observation at {@code ts}. Fires on the {@code fireAfter}-th bad observation in a row (1: at once),
     * resolves a firing episode on the {@code resolveAfter}-th good one in a row.
     */
    public Step observe(boolean bad, boolean good, long ts, int fireAfter, int resolveAfter) {
        if (bad && badRun == 0 && !firing) startMs = ts;
        badRun = bad ? badRun + 1 : 0;
        goodRun = good ? goodRun + 1 : 0;
        if (!firing && badRun >= fireAfter) {
            firing = true;
            return Step.FIRED;
        }
        if (firing && goodRun >= resolveAfter) {
            firing = false;
            badRun = 0;
            return Step.RESOLVED;
        }
        return Step.NONE;
    }

    /** Fires at once, starting at {@code ts} (an event rather than a run: a leak, a lost GPU, an XID). */
    public boolean fireNow(long ts) {
        if (firing) return false;
        firing = true;
        startMs = ts;
        goodRun = 0;
        return true;
    }

    /** Ends a firing episode whatever the runs say (its entity went silent, its job ended). */
    public boolean close() {
        if (!firing) return false;
        firing = false;
        badRun = 0;
        goodRun = 0;
        return true;
    }

    /**
     * The origin of the next event on the entity's stream: its name, the episode start of the stream's first event
     * (a second life of the entity, after its state was forgotten, so starts a new stream instead of reusing numbers
     * already on the alert topic), and the next sequence number.
     */
    public Origin nextOrigin(String stream) {
        if (seq == 0) originEpochMs = startMs;
        return new Origin(stream, originEpochMs, ++seq);
    }
}
