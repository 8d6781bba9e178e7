package io.vigil.evaluation.chaos;

/**
 * What one failure scenario did to the data, reconciled by every record's origin (collector, boot epoch, sequence):
 * each record a collector published is stored, dead-lettered, or lost; a record stored twice is duplicated; an alert
 * event seen twice by a {@code read_committed} consumer of the alert topic is a duplicate alert.
 *
 * @param recordsIn       records the collectors published (their own count, said at their clean stop)
 * @param stored          distinct records found in PostgreSQL
 * @param deadLettered    distinct records found only on the dead-letter topic
 * @param lost            published, neither stored nor dead-lettered
 * @param duplicated      rows beyond the first of one origin
 * @param alertEvents     distinct alert events on the alert topic
 * @param duplicateAlerts alert events seen more than once
 * @param recoverySeconds from the fault to the platform working again, as the scenario defines it; -1 when it did not
 * @param paging          R7 only (else null): what on-call behind the Alertmanager pair was told, judged
 */
public record ChaosResult(String scenario, String description, long recordsIn, long stored, long deadLettered,
                          long lost, long duplicated, long alertEvents, long duplicateAlerts, double recoverySeconds,
                          String note, PagingCheck.Verdict paging) {

    public ChaosResult(String scenario, String description, long recordsIn, long stored, long deadLettered,
                       long lost, long duplicated, long alertEvents, long duplicateAlerts, double recoverySeconds,
                       String note) {
        this(scenario, description, recordsIn, stored, deadLettered, lost, duplicated, alertEvents, duplicateAlerts,
                recoverySeconds, note, null);
    }

    /** Whether nothing was lost or repeated, the platform came back, and (R7) on-call was told right. */
    public boolean passed() {
        return lost == 0 && duplicated == 0 && duplicateAlerts == 0 && recoverySeconds >= 0 && recordsIn > 0
                && (paging == null || paging.clean());
    }
}
