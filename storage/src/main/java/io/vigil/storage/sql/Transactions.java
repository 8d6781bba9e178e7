package io.vigil.storage.sql;

import java.sql.Connection;
import java.sql.SQLException;

/** One place for running work in a database transaction: commit on success, roll back on any failure. */
public final class Transactions {

    /** Work done inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private Transactions() {}

    /**
     * Runs {@code work} in one transaction on {@code c} and commits; on failure rolls back and rethrows (a failed
     * rollback is added as suppressed). The connection's auto-commit setting is restored afterwards, unless the
     * connection broke, in which case the caller discards it.
     */
    public static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(auto);
            } catch (SQLException ignored) {
                // The connection is broken; the caller discards it.
            }
        }
    }
}
