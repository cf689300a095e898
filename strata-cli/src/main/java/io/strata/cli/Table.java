package io.strata.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Left-aligned columns separated by at least three spaces, like Go's tabwriter in ctr. */
final class Table {
    private Table() {
    }

    /** A byte count as people read it: {@code 512 B}, {@code 1.5 KiB}, {@code 53.6 MiB}. */
    static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static void print(PrintWriter out, List<String[]> rows) {
        int cols = rows.getFirst().length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            sb.setLength(0);
            for (int c = 0; c < cols; c++) {
                sb.append(r[c]);
                if (c < cols - 1) {
                    sb.append(" ".repeat(width[c] - r[c].length() + 3));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
