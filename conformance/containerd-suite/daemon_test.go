// Package containerdsuite runs containerd's own snapshotter conformance suite against `strata daemon`,
// through containerd's proxy snapshotter client, dialled and called exactly as containerd talks to a
// [proxy_plugins] snapshotter: containerd 1.6's suite (snapshots/testsuite) by default, containerd
// 2.1's (core/snapshots/testsuite) with -tags containerd2. This file starts and stops the daemons;
// suite_v1_test.go and suite_v2_test.go dial them as each containerd does.
//
// Environment:
//
//	STRATA_SNAPSHOTTER    the snapshotter name the daemon serves (strata-overlayfs, strata-native, strata-block)
//	STRATA_DAEMON_ARGV    the command that runs `strata`, one argument per line
//	                      (e.g. "java\n--enable-native-access=ALL-UNNAMED\n-jar\nstrata.jar")
//	STRATA_DAEMON_LOGDIR  optional: a directory that keeps each daemon's stderr (default: the test's root)
//
// Each subtest gets a fresh daemon with its own socket and an empty state root under the suite's root
// directory; the cleanup function sends SIGTERM and waits for the daemon to exit.
package containerdsuite

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
)

// suiteArgs reads the environment: the snapshotter name, its backend, and the daemon's command.
func suiteArgs(t *testing.T) (name, backend string, argv []string) {
	if os.Geteuid() != 0 {
		t.Skip("the suite mounts snapshots: run as root")
	}
	name = os.Getenv("STRATA_SNAPSHOTTER")
	argv = strings.Split(strings.TrimSpace(os.Getenv("STRATA_DAEMON_ARGV")), "\n")
	if name == "" || argv[0] == "" {
		t.Fatal("set STRATA_SNAPSHOTTER and STRATA_DAEMON_ARGV")
	}
	return name, strings.TrimPrefix(name, "strata-"), argv
}

// startDaemon starts `strata daemon` serving backend under root and returns its socket once the socket
// exists (the daemon creates it only when it answers), and a function that stops it.
func startDaemon(argv []string, backend, root string) (string, func() error, error) {
	// Unix socket paths are limited to 108 bytes: keep the socket short, outside the suite's deep root.
	sockDir, err := os.MkdirTemp("", "strata-sock-")
	if err != nil {
		return "", nil, err
	}
	socket := filepath.Join(sockDir, "s.sock")
	logDir := os.Getenv("STRATA_DAEMON_LOGDIR")
	if logDir == "" {
		logDir = root
	}
	logFile, err := os.CreateTemp(logDir, "daemon-*.log")
	if err != nil {
		return "", nil, err
	}
	args := append(append([]string{}, argv[1:]...), "daemon", "--address", socket,
		"--root", filepath.Join(root, "state"), "--namespaces", "ignore", "--snapshotters", backend,
		"--log-level", "info")
	cmd := exec.Command(argv[0], args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return "", nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	stop := func() error {
		defer os.RemoveAll(sockDir)
		defer logFile.Close()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			// The JVM runs its shutdown hooks on SIGTERM (the daemon drains calls and closes its stores),
			// then exits with 128+15 = 143: that, or 0, is a clean stop.
			if code := cmd.ProcessState.ExitCode(); err != nil && code != 143 {
				return fmt.Errorf("strata daemon exited with %v (log %s)", err, logFile.Name())
			}
			return nil
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("strata daemon did not stop within 60s of SIGTERM (log %s)", logFile.Name())
		}
	}

	deadline := time.Now().Add(120 * time.Second)
	for {
		if _, err := os.Stat(socket); err == nil {
			break
		}
		select {
		case err := <-exited:
			exited <- err
			_ = stop()
			log, _ := os.ReadFile(logFile.Name())
			return "", nil, fmt.Errorf("strata daemon exited before serving (%v): %s", err, log)
		default:
		}
		if time.Now().After(deadline) {
			_ = stop()
			return "", nil, fmt.Errorf("strata daemon did not create %s within 120s", socket)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return socket, stop, nil
}

// snapshotterFunc is what containerd's SnapshotterSuite calls for every subtest: a fresh daemon,
// connected with dial, its snapshotter wrapped by wrap (each containerd's proxy client).
func snapshotterFunc[S any](argv []string, backend string, dial func(socket string) (*grpc.ClientConn, error),
	wrap func(*grpc.ClientConn) S) func(context.Context, string) (S, func() error, error) {
	return func(ctx context.Context, root string) (S, func() error, error) {
		conn, stop, err := serve(argv, backend, root, dial)
		if err != nil {
			var none S
			return none, nil, err
		}
		return wrap(conn), stop, nil
	}
}

// serve starts a daemon and connects to it with dial; the function it returns closes the connection,
// then stops the daemon.
func serve(argv []string, backend, root string, dial func(socket string) (*grpc.ClientConn, error)) (*grpc.ClientConn, func() error, error) {
	socket, stop, err := startDaemon(argv, backend, root)
	if err != nil {
		return nil, nil, err
	}
	conn, err := dial(socket)
	if err != nil {
		_ = stop()
		return nil, nil, fmt.Errorf("dial %s: %w", socket, err)
	}
	return conn, func() error {
		conn.Close()
		return stop()
	}, nil
}

// proxyBackoff is the backoff containerd gives its proxy plugins' connections: gRPC's default, capped at 3 s.
func proxyBackoff() backoff.Config {
	c := backoff.DefaultConfig
	c.MaxDelay = 3 * time.Second
	return c
}
