package io.strata.cli;

import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Mount;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.api.Usage;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata snapshots ...}: the habits of {@code ctr snapshots}. */
@Command(name = "snapshots", aliases = {"snapshot", "s"}, mixinStandardHelpOptions = true,
        description = "Manage snapshots: prepare, view, commit, rm, ls, info, label, usage, mounts, tree, cleanup.",
        subcommands = {SnapshotsCommand.Prepare.class, SnapshotsCommand.View.class, SnapshotsCommand.Commit.class,
                SnapshotsCommand.Remove.class, SnapshotsCommand.ListCmd.class, SnapshotsCommand.InfoCmd.class,
                SnapshotsCommand.Label.class, SnapshotsCommand.UsageCmd.class, SnapshotsCommand.Mounts.class,
                SnapshotsCommand.TreeCmd.class, SnapshotsCommand.Cleanup.class})
final class SnapshotsCommand {

    /** Base of every subcommand: opens the store, runs, closes. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        StoreOptions store;
        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        @Override
        public Integer call() throws Exception {
            try (Snapshotter sn = store.open()) {
                run(sn);
            }
            out().flush();
            return 0;
        }

        abstract void run(Snapshotter sn) throws Exception;
    }

    static Map<String, String> parseLabels(List<String> kvs, boolean allowEmpty) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String kv : kvs) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new InvalidArgumentException("label \"" + kv + "\" is not of the form key=value");
            }
            String v = kv.substring(eq + 1);
            if (v.isEmpty() && !allowEmpty) {
                throw new InvalidArgumentException("label \"" + kv + "\" has an empty value");
            }
            labels.put(kv.substring(0, eq), v);
        }
        return labels;
    }

    static void printMounts(PrintWriter out, List<Mount> mounts, String target, boolean json) {
        if (json) {
            out.println(Json.array(mounts.stream().map(Json::mount).toList()));
            return;
        }
        for (Mount m : mounts) {
            String t = m.target().isEmpty() ? target : target + "/" + m.target();
            out.println("mount -t " + m.type() + " " + m.source() + " " + t
                    + (m.options().isEmpty() ? "" : " -o " + String.join(",", m.options())));
        }
    }

    /** Shared by prepare and view: key, parent, labels, and how to show the mounts. */
    abstract static class Create extends Base {
        @Parameters(index = "0", description = "Key of the new snapshot.")
        String key;
        @Parameters(index = "1", arity = "0..1", defaultValue = "", description = "Committed parent (none: empty base).")
        String parent;
        @Option(names = {"--label", "-l"}, description = "Label key=value (repeatable).")
        List<String> labels = new ArrayList<>();
        @Option(names = "--mounts", description = "Print the mounts as JSON.")
        boolean mounts;
        @Option(names = "--target", description = "Print the mount commands for this target directory.")
        String target;

        @Override
        void run(Snapshotter sn) {
            List<Mount> m = create(sn, SnapshotOption.labels(parseLabels(labels, true)));
            if (mounts) {
                printMounts(out(), m, "", true);
            } else if (target != null) {
                printMounts(out(), m, target, false);
            }
        }

        abstract List<Mount> create(Snapshotter sn, SnapshotOption labels);
    }

    @Command(name = "prepare", description = "Prepare an active (writable) snapshot on a committed parent.")
    static final class Prepare extends Create {
        @Override
        List<Mount> create(Snapshotter sn, SnapshotOption labels) {
            return sn.prepare(key, parent, labels);
        }
    }

    @Command(name = "view", description = "Create a read-only view of a committed snapshot.")
    static final class View extends Create {
        @Override
        List<Mount> create(Snapshotter sn, SnapshotOption labels) {
            return sn.view(key, parent, labels);
        }
    }

    @Command(name = "commit", description = "Commit an active snapshot as NAME.")
    static final class Commit extends Base {
        @Parameters(index = "0", description = "Name of the committed snapshot.")
        String name;
        @Parameters(index = "1", description = "Key of the active snapshot.")
        String key;
        @Option(names = {"--label", "-l"}, description = "Label key=value (repeatable); labels are not inherited.")
        List<String> labels = new ArrayList<>();

        @Override
        void run(Snapshotter sn) {
            sn.commit(name, key, SnapshotOption.labels(parseLabels(labels, true)));
        }
    }

    @Command(name = "rm", aliases = {"remove", "delete", "del"}, description = "Remove snapshots.")
    static final class Remove extends Base {
        @Parameters(arity = "1..*", description = "Keys or names.")
        List<String> keys;

        @Override
        void run(Snapshotter sn) {
            for (String k : keys) {
                sn.remove(k);
            }
        }
    }

    @Command(name = "ls", aliases = {"list"}, description = "List snapshots (KEY PARENT KIND).")
    static final class ListCmd extends Base {
        @Option(names = {"--filter", "-f"}, description = "containerd filter, e.g. kind==committed (repeat to OR).")
        List<String> filters = new ArrayList<>();
        @Option(names = "--json", description = "JSON output.")
        boolean json;
        @Option(names = {"--quiet", "-q"}, description = "Print only keys.")
        boolean quiet;

        @Override
        void run(Snapshotter sn) {
            List<Info> infos = new ArrayList<>(sn.list(filters.toArray(String[]::new)));
            infos.sort(Comparator.comparing(Info::name));
            if (json) {
                out().println(Json.array(infos.stream().map(Json::info).toList()));
                return;
            }
            if (quiet) {
                infos.forEach(i -> out().println(i.name()));
                return;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"KEY", "PARENT", "KIND"});
            for (Info i : infos) {
                rows.add(new String[] {i.name(), i.parentOrEmpty(), capitalize(i.kind().toString())});
            }
            Table.print(out(), rows);
        }
    }

    static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    @Command(name = "info", description = "Show a snapshot's info as JSON.")
    static final class InfoCmd extends Base {
        @Parameters(index = "0", description = "Key or name.")
        String key;

        @Override
        void run(Snapshotter sn) {
            out().println(Json.info(sn.stat(key)));
        }
    }

    @Command(name = "label", description = "Set labels (key=value) or delete them (key=) on a snapshot; prints the labels.")
    static final class Label extends Base {
        @Parameters(index = "0", description = "Key or name.")
        String key;
        @Parameters(index = "1..*", arity = "0..*", description = "key=value to set, key= to delete.")
        List<String> labels = new ArrayList<>();

        @Override
        void run(Snapshotter sn) {
            Map<String, String> asked = parseLabels(labels, true);
            Map<String, String> set = new HashMap<>();
            List<String> paths = new ArrayList<>();
            asked.forEach((k, v) -> {
                paths.add("labels." + k);
                if (!v.isEmpty()) {
                    set.put(k, v);
                }
            });
            Info updated = paths.isEmpty() ? sn.stat(key)
                    : sn.update(key, set, paths.toArray(String[]::new));
            new TreeMap<>(updated.labels()).forEach((k, v) -> out().println(k + "=" + v));
        }
    }

    @Command(name = "usage", description = "Show usage (KEY SIZE INODES) of snapshots (all when none given).")
    static final class UsageCmd extends Base {
        @Parameters(arity = "0..*", description = "Keys or names.")
        List<String> keys = new ArrayList<>();
        @Option(names = {"-b", "--bytes"}, description = "Sizes in bytes.")
        boolean bytes;
        @Option(names = "--json", description = "JSON output.")
        boolean json;

        @Override
        void run(Snapshotter sn) {
            List<String> which = keys.isEmpty() ? sn.list().stream().map(Info::name).sorted().toList() : keys;
            List<String[]> rows = new ArrayList<>();
            List<String> js = new ArrayList<>();
            rows.add(new String[] {"KEY", "SIZE", "INODES"});
            for (String k : which) {
                Usage u = sn.usage(k);
                rows.add(new String[] {k, bytes ? Long.toString(u.size()) : Table.human(u.size()), Long.toString(u.inodes())});
                js.add(Json.usage(k, u));
            }
            if (json) {
                out().println(Json.array(js));
            } else {
                Table.print(out(), rows);
            }
        }
    }

    @Command(name = "mounts", aliases = {"m", "mount"}, description = "Print the mount commands of an active or view snapshot.")
    static final class Mounts extends Base {
        @Parameters(index = "0", description = "Target directory to show in the commands.")
        String target;
        @Parameters(index = "1", description = "Key.")
        String key;
        @Option(names = "--json", description = "JSON output.")
        boolean json;

        @Override
        void run(Snapshotter sn) {
            printMounts(out(), sn.mounts(key), target, json);
        }
    }

    @Command(name = "tree", description = "Show snapshots as a tree of parents and children.")
    static final class TreeCmd extends Base {
        @Override
        void run(Snapshotter sn) {
            List<Info> infos = sn.list();
            Map<String, List<Info>> children = new TreeMap<>();
            for (Info i : infos) {
                children.computeIfAbsent(i.parentOrEmpty(), k -> new ArrayList<>()).add(i);
            }
            children.values().forEach(l -> l.sort(Comparator.comparing(Info::name)));
            print(children, "", 0);
        }

        private void print(Map<String, List<Info>> children, String parent, int depth) {
            for (Info i : children.getOrDefault(parent, List.of())) {
                out().println(depth == 0 ? " " + i.name() : "  ".repeat(depth) + "\\_ " + i.name()
                        + (i.kind() == io.strata.api.Kind.COMMITTED ? "" : " (" + i.kind() + ")"));
                print(children, i.name(), depth + 1);
            }
        }
    }

    @Command(name = "cleanup", description = "Free the disk space of removed snapshots and crash orphans.")
    static final class Cleanup extends Base {
        @Override
        void run(Snapshotter sn) {
            sn.cleanup();
        }
    }
}
