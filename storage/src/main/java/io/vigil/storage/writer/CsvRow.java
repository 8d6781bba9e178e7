package io.vigil.storage.writer;

import java.time.Instant;
import java.util.List;

/**
 * Appends one row in PostgreSQL's COPY CSV format: an unquoted empty field is NULL, text is always quoted (so an
 * empty string stays an empty string), arrays use PostgreSQL's {@code {a,b}} literal.
 */
final class CsvRow {
    private final StringBuilder out;
    private boolean first = true;

    CsvRow(StringBuilder out) {
        this.out = out;
    }

    private void sep() {
        if (!first) out.append(',');
        first = false;
    }

    CsvRow text(String v) {
        sep();
        if (v != null) quote(v);
        return this;
    }

    CsvRow num(Number v) {
        sep();
        if (v != null) out.append(v);
        return this;
    }

    CsvRow bool(Boolean v) {
        sep();
        if (v != null) out.append(v ? 't' : 'f');
        return this;
    }

    CsvRow time(long epochMs) {
        sep();
        out.append(Instant.ofEpochMilli(epochMs));
        return this;
    }

    CsvRow time(Instant t) {
        sep();
        if (t != null) out.append(t);
        return this;
    }

    CsvRow numbers(List<Double> values) {
        sep();
        if (values != null) {
            StringBuilder a = new StringBuilder("{");
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) a.append(',');
                a.append(values.get(i));
            }
            quote(a.append('}').toString());
        }
        return this;
    }

    CsvRow texts(List<String> values) {
        sep();
        if (values != null) {
            StringBuilder a = new StringBuilder("{");
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) a.append(',');
                a.append('"').append(values.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            quote(a.append('}').toString());
        }
        return this;
    }

    void end() {
        out.append('\n');
    }

    private void quote(String v) {
        out.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"') out.append('"');
            out.append(c);
        }
        out.append('"');
    }
}
