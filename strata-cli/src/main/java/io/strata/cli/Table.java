package io.strata.cli;

import java.io.PrintWriter;
import java.util.List;

/** Left-aligned columns separated by at least three spaces, like Go's tabwriter in ctr. */
final class Table {
    private Table() {
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
