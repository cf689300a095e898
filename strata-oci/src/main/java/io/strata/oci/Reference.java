package io.strata.oci;

import io.strata.api.InvalidArgumentException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A normalized image reference, as the Docker reference grammar and containerd read them:
 * {@code busybox} → {@code docker.io/library/busybox:latest};
 * {@code host:5000/a/b@sha256:…} keeps its domain and has no tag.
 *
 * @param domain the registry host[:port] ({@code docker.io} for Docker Hub)
 * @param path   the repository path, lowercase ({@code library/busybox})
 * @param tag    the tag; {@code latest} when neither tag nor digest was given
 * @param digest the digest, when pinned
 */
public record Reference(String domain, String path, Optional<String> tag, Optional<String> digest) {
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final Pattern PATH = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
                    + "|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final int MAX_NAME = 255;

    public static final String DOCKER_HUB = "docker.io";

    public Reference {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(digest, "digest");
        if (!DOMAIN.matcher(domain).matches()) {
            throw new InvalidArgumentException("invalid registry domain \"" + domain + "\"");
        }
        if (!PATH.matcher(path).matches()) {
            throw new InvalidArgumentException("invalid repository path \"" + path + "\""
                    + (path.equals(path.toLowerCase(java.util.Locale.ROOT)) ? "" : ": repository names must be lowercase"));
        }
        if (domain.length() + 1 + path.length() > MAX_NAME) {
            throw new InvalidArgumentException("repository name longer than " + MAX_NAME + " characters");
        }
        tag.ifPresent(t -> {
            if (!TAG.matcher(t).matches()) {
                throw new InvalidArgumentException("invalid tag \"" + t + "\"");
            }
        });
        digest.ifPresent(Digests::require);
    }

    /**
     * Parses and normalizes a reference. A name without a registry is on Docker Hub; a Hub name
     * with one component is under {@code library/}; {@code index.docker.io} becomes
     * {@code docker.io}; a reference with neither tag nor digest gets {@code latest}. The first
     * component is a registry when it contains {@code .} or {@code :}, or is {@code localhost}.
     *
     * @throws InvalidArgumentException naming the reference and what is wrong with it
     */
    public static Reference parse(String ref) {
        Objects.requireNonNull(ref, "ref");
        if (ref.isEmpty()) {
            throw new InvalidArgumentException("empty image reference");
        }
        try {
            String rest = ref;
            Optional<String> digest = Optional.empty();
            int at = rest.indexOf('@');
            if (at >= 0) {
                digest = Optional.of(rest.substring(at + 1));
                rest = rest.substring(0, at);
            }
            Optional<String> tag = Optional.empty();
            int slash = rest.lastIndexOf('/');
            int colon = rest.lastIndexOf(':');
            if (colon > slash) {
                tag = Optional.of(rest.substring(colon + 1));
                rest = rest.substring(0, colon);
            }
            String domain;
            String path;
            int first = rest.indexOf('/');
            String head = first < 0 ? "" : rest.substring(0, first);
            if (first >= 0 && (head.contains(".") || head.contains(":") || head.equals("localhost")
                    || !head.equals(head.toLowerCase(java.util.Locale.ROOT)))) {
                domain = head;
                path = rest.substring(first + 1);
            } else {
                domain = DOCKER_HUB;
                path = rest;
            }
            if (domain.equals("index.docker.io")) {
                domain = DOCKER_HUB;
            }
            if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
                path = "library/" + path;
            }
            if (tag.isEmpty() && digest.isEmpty()) {
                tag = Optional.of("latest");
            }
            return new Reference(domain, path, tag, digest);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException("invalid image reference \"" + ref + "\": " + e.getMessage(), e);
        }
    }

    /** {@code domain/path}, e.g. {@code docker.io/library/busybox}. */
    public String repository() {
        return domain + "/" + path;
    }

    /** What the registry API addresses the manifest by: the digest if pinned, else the tag. */
    public String object() {
        return digest.orElseGet(tag::orElseThrow);
    }

    /** This repository pinned to {@code d} (tag kept, as containerd names pulled-by-digest images). */
    public Reference withDigest(String d) {
        return new Reference(domain, path, tag, Optional.of(d));
    }

    /** The full normalized form: {@code domain/path[:tag][@digest]}. */
    @Override
    public String toString() {
        return repository() + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
    }
}
