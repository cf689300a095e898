// Package containerdsuite runs containerd's own snapshotter conformance suite
// (github.com/containerd/containerd/snapshots/testsuite) against `strata daemon`, through
// containerd's proxy snapshotter client, dialled and called exactly as containerd talks to a
// [proxy_plugins] snapshotter.
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

	snapshotsapi "github.com/containerd/containerd/api/services/snapshots/v1"
	"github.com/containerd/containerd/defaults"
	"github.com/containerd/containerd/pkg/dialer"
	"github.com/containerd/containerd/snapshots"
	"github.com/containerd/containerd/snapshots/proxy"
	"github.com/containerd/containerd/snapshots/testsuite"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
)

func TestStrataSnapshotter(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the suite mounts snapshots: run as root")
	}
	name := os.Getenv("STRATA_SNAPSHOTTER")
	argv := strings.Split(strings.TrimSpace(os.Getenv("STRATA_DAEMON_ARGV")), "\n")
	if name == "" || argv[0] == "" {
		t.Fatal("set STRATA_SNAPSHOTTER and STRATA_DAEMON_ARGV")
	}
	backend := strings.TrimPrefix(name, "strata-")
	testsuite.SnapshotterSuite(t, name, func(ctx context.Context, root string) (snapshots.Snapshotter, func() error, error) {
		return startDaemon(argv, name, backend, root)
	})
}

func startDaemon(argv []string, name, backend, root string) (snapshots.Snapshotter, func() error, error) {
	// Unix socket paths are limited to 108 bytes: keep the socket short, outside the suite's deep root.
	sockDir, err := os.MkdirTemp("", "strata-sock-")
	if err != nil {
		return nil, nil, err
	}
	socket := filepath.Join(sockDir, "s.sock")
	logDir := os.Getenv("STRATA_DAEMON_LOGDIR")
	if logDir == "" {
		logDir = root
	}
	logFile, err := os.CreateTemp(logDir, "daemon-*.log")
	if err != nil {
		return nil, nil, err
	}
	args := append(append([]string{}, argv[1:]...), "daemon", "--address", socket,
		"--root", filepath.Join(root, "state"), "--namespaces", "ignore", "--snapshotters", backend,
		"--log-level", "info")
	cmd := exec.Command(argv[0], args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, nil, err
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
			return nil, nil, fmt.Errorf("strata daemon exited before serving (%v): %s", err, log)
		default:
		}
		if time.Now().After(deadline) {
			_ = stop()
			return nil, nil, fmt.Errorf("strata daemon did not create %s within 120s", socket)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Dialled exactly as containerd 1.6 dials a proxy plugin (services/server proxyClients.getClient):
	// no blocking dial, no minimum connect timeout, backoff capped at 3 s, and calls without
	// WaitForReady. The socket exists, so Strata must answer on it at once, as containerd expects.
	backoffConfig := backoff.DefaultConfig
	backoffConfig.MaxDelay = 3 * time.Second
	conn, err := grpc.Dial(dialer.DialAddress(socket),
		grpc.WithInsecure(),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoffConfig}),
		grpc.WithContextDialer(dialer.ContextDialer),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(defaults.DefaultMaxRecvMsgSize)),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(defaults.DefaultMaxSendMsgSize)))
	if err != nil {
		_ = stop()
		return nil, nil, fmt.Errorf("dial %s: %w", socket, err)
	}
	sn := proxy.NewSnapshotter(snapshotsapi.NewSnapshotsClient(conn), name)
	return sn, func() error {
		conn.Close()
		return stop()
	}, nil
}
