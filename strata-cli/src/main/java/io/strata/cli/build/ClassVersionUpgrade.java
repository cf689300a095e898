package io.strata.cli.build;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * A build step, not part of the command line: rewrites the class files of a jar that are older
 * than Java 6 (version 50) as Java 8 class files with stack maps, so that the JDK's AOT cache can
 * hold them loaded and linked. picocli is compiled for Java 5: its 175 classes were read from the
 * jar and checked by the old verifier on every start, 0.12 s of each {@code strata} command.
 * Only the version and the stack maps change; the code is re-emitted as it was.
 *
 * <p>Run by {@code strata-cli/pom.xml}: {@code java -cp classes io.strata.cli.build.ClassVersionUpgrade JAR}.
 */
public final class ClassVersionUpgrade {
    private ClassVersionUpgrade() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ClassVersionUpgrade JAR");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        Path out = jar.resolveSibling(jar.getFileName() + ".upgrading");
        int upgraded = 0;
        try (JarFile in = new JarFile(jar.toFile());
             URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
             JarOutputStream w = new JarOutputStream(Files.newOutputStream(out))) {
            ClassFile cf = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                    ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                            .orElse(ClassHierarchyResolver.ofResourceParsing(loader))));
            Enumeration<JarEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                byte[] bytes;
                try (InputStream s = in.getInputStream(e)) {
                    bytes = s.readAllBytes();
                }
                if (e.getName().endsWith(".class") && !e.getName().endsWith("module-info.class")) {
                    ClassModel m = cf.parse(bytes);
                    if (m.majorVersion() < ClassFile.JAVA_6_VERSION) {
                        bytes = cf.transformClass(m, ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                                .andThen(ClassTransform.endHandler(b -> b.withVersion(ClassFile.JAVA_8_VERSION, 0))));
                        upgraded++;
                    }
                }
                JarEntry copy = new JarEntry(e.getName());
                copy.setTime(e.getTime());
                w.putNextEntry(copy);
                w.write(bytes);
                w.closeEntry();
            }
        }
        Files.move(out, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("upgraded " + upgraded + " class files of " + jar.getFileName() + " to Java 8 with stack maps");
    }
}
