package io.strata.content;

import io.strata.oci.Digests;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.strata.oci.Descriptor;
import io.strata.oci.Index;
import io.strata.oci.Manifest;
import io.strata.oci.MediaTypes;
import io.strata.oci.Platform;
import io.strata.oci.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds test images from files the test writes: layers are made by GNU tar (and gzip), the
 * JSON by the model. Nothing is downloaded.
 */
public final class TestImages {
    private TestImages() {}

    /** One built image: its target and every blob by digest. */
    public record Built(Descriptor target, byte[] targetBytes, List<Descriptor> manifests, Map<String, byte[]> blobs) {}

    /**
     * Writes an OCI layout at {@code layout} with one image tagged {@code tag}: a single manifest
     * when one platform is given, an index of one manifest per platform otherwise. Each manifest has
     * {@code layers} gzip layers; the last layer deletes a file of the first (a whiteout).
     */
    public static Built ociLayout(Path layout, Path work, String tag, List<Platform> platforms, int layers,
                                  int layerBytes) throws IOException, InterruptedException {
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        List<Descriptor> manifests = new ArrayList<>();
        for (Platform p : platforms) {
            List<Descriptor> layerDescs = new ArrayList<>();
            List<String> diffIds = new ArrayList<>();
            for (int i = 0; i < layers; i++) {
                Path src = work.resolve(p.toString().replace('/', '_') + "-layer" + i);
                Files.createDirectories(src.resolve("etc"));
                Files.writeString(src.resolve("etc/layer" + i), p + " layer " + i + "\n");
                byte[] random = new byte[layerBytes];
                new Random(p.hashCode() * 31L + i).nextBytes(random);
                Files.write(src.resolve("data" + i + ".bin"), random);
                if (i == layers - 1 && i > 0) {
                    Files.writeString(src.resolve(".wh.data0.bin"), "");
                }
                Path tar = work.resolve(src.getFileName() + ".tar");
                run("tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "-C", src.toString(), "-cf",
                        tar.toString(), ".");
                byte[] plain = Files.readAllBytes(tar);
                run("gzip", "-n", "-k", "-f", tar.toString());
                byte[] gz = Files.readAllBytes(Path.of(tar + ".gz"));
                diffIds.add(Digests.of(plain));
                layerDescs.add(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digests.of(gz), gz.length));
                blobs.put(Digests.of(gz), gz);
            }
            byte[] config = config(p, diffIds);
            blobs.put(Digests.of(config), config);
            var m = new Manifest(MediaTypes.OCI_MANIFEST, Descriptor.of(MediaTypes.OCI_CONFIG, Digests.of(config),
                    config.length), layerDescs, Map.of());
            byte[] mb = m.toJson();
            blobs.put(Digests.of(mb), mb);
            manifests.add(Descriptor.of(MediaTypes.OCI_MANIFEST, Digests.of(mb), mb.length).withPlatform(p));
        }
        Descriptor target;
        byte[] targetBytes;
        if (manifests.size() == 1) {
            target = manifests.getFirst();
            targetBytes = blobs.get(target.digest());
        } else {
            targetBytes = new Index(MediaTypes.OCI_INDEX, manifests, Map.of()).toJson();
            blobs.put(Digests.of(targetBytes), targetBytes);
            target = Descriptor.of(MediaTypes.OCI_INDEX, Digests.of(targetBytes), targetBytes.length);
        }
        Files.createDirectories(layout.resolve("blobs/sha256"));
        for (var e : blobs.entrySet()) {
            Files.write(layout.resolve("blobs/sha256/" + Digests.hex(e.getKey())), e.getValue());
        }
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        var top = new Index(MediaTypes.OCI_INDEX, List.of(target.withAnnotation(Descriptor.REF_NAME, tag)), Map.of());
        Files.write(layout.resolve("index.json"), top.toJson());
        return new Built(target, targetBytes, manifests, blobs);
    }

    /** An image config for {@code p} with these DiffIDs. */
    public static byte[] config(Platform p, List<String> diffIds) {
        var rootfs = new LinkedHashMap<String, Object>();
        rootfs.put("type", "layers");
        rootfs.put("diff_ids", diffIds);
        var c = new LinkedHashMap<String, Object>();
        c.put("architecture", p.architecture());
        c.put("os", p.os());
        if (!p.variant().isEmpty()) {
            c.put("variant", p.variant());
        }
        c.put("config", Map.of("Cmd", List.of("/bin/sh")));
        c.put("rootfs", rootfs);
        return Json.writeBytes(c);
    }

    /** Tars {@code dir} (its contents at the archive root) to {@code out} with GNU tar. */
    public static void tar(Path dir, Path out) throws IOException, InterruptedException {
        run("tar", "--sort=name", "-C", dir.toString(), "-cf", out.toString(), ".");
    }

    /** Runs a command, failing with its output if it exits non-zero. */
    public static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
