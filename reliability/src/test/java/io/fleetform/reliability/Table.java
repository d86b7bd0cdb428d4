package io.fleetform.reliability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The results, one row per trial kind and a total; then what each defective trial noted. */
final class Table {
    private static final String[] HEADER = {"trial kind", "trials", "corrupt states", "orphans", "duplicates",
        "double allocations", "non-converging re-runs", "two lock holders", "foreign touched",
        "bad interrupts"};

    private Table() {
    }

    static String render(List<Outcome> outcomes) {
        Map<String, int[]> rows = new LinkedHashMap<>();
        int[] total = new int[9];
        for (Outcome o : outcomes) {
            int[] row = rows.computeIfAbsent(o.kind(), k -> new int[9]);
            int[] values = {1, o.corruptStates(), o.orphans(), o.duplicates(), o.doubleAllocations(), o.nonConverging(),
                o.twoLockHolders(), o.foreignTouched(), o.badInterrupts()};
            for (int i = 0; i < values.length; i++) {
                row[i] += values[i];
                total[i] += values[i];
            }
        }
        List<String[]> lines = new ArrayList<>();
        lines.add(HEADER);
        rows.forEach((kind, row) -> lines.add(cells(kind, row)));
        lines.add(cells("total", total));
        StringBuilder out = new StringBuilder();
        for (String[] line : lines) {
            out.append('|');
            for (int i = 0; i < line.length; i++) {
                out.append(' ').append(i == 0 ? pad(line[i], 18) : left(line[i], HEADER[i].length())).append(" |");
            }
            out.append('\n');
            if (line == HEADER) {
                out.append('|');
                for (int i = 0; i < line.length; i++) {
                    out.append(i == 0 ? "-".repeat(20) : "-".repeat(HEADER[i].length() + 1) + ":").append('|');
                }
                out.append('\n');
            }
        }
        for (Outcome o : outcomes) {
            if (!o.clean()) {
                out.append("\n").append(o.kind()).append(": ").append(o.note());
            }
        }
        return out.toString();
    }

    private static String[] cells(String kind, int[] row) {
        String[] cells = new String[10];
        cells[0] = kind;
        for (int i = 0; i < row.length; i++) {
            cells[i + 1] = Integer.toString(row[i]);
        }
        return cells;
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }

    private static String left(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
