// Command probe starts a snapshots gRPC server, dials it exactly as containerd dials a proxy
// plugin (non-blocking grpc.Dial, backoff max 3 s, no minimum connect timeout, no WaitForReady)
// and measures, from exec: when the socket appears, when the first call is answered, how many
// calls failed after the socket existed (a Stat every 10 ms), then the first 1,000 Stats and the
// first 200 Prepare+Commit pairs against the same after warming up. One JSON line on stdout.
//
// Usage: probe -socket S -snapshotter NAME [-log FILE] -- ARGV...
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	snapshotsapi "github.com/containerd/containerd/api/services/snapshots/v1"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/namespaces"
	"github.com/containerd/containerd/pkg/dialer"
	"github.com/containerd/containerd/snapshots"
	"github.com/containerd/containerd/snapshots/proxy"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
)

type result struct {
	SocketMs         float64 `json:"socket_ms"`
	FirstAnswerMs    float64 `json:"first_answer_ms"`
	FailedCalls      int     `json:"failed_calls"`
	FirstError       string  `json:"first_error,omitempty"`
	Stat1kColdMs     float64 `json:"stat1k_cold_ms"`
	Stat1kWarmMs     float64 `json:"stat1k_warm_ms"`
	PrepCommitColdMs float64 `json:"prepcommit200_cold_ms"`
	PrepCommitWarmMs float64 `json:"prepcommit200_warm_ms"`
}

func main() {
	socket := flag.String("socket", "", "socket the server creates")
	name := flag.String("snapshotter", "overlayfs", "snapshotter name to call")
	logPath := flag.String("log", "/dev/null", "server's stdout and stderr")
	warmRounds := flag.Int("warm-rounds", 5, "rounds of warm-up before the warm figures")
	tsv := flag.Bool("tsv", false, "print tab-separated numbers instead of JSON")
	flag.Parse()
	argv := flag.Args()
	if *socket == "" || len(argv) == 0 {
		fmt.Fprintln(os.Stderr, "usage: probe -socket S -snapshotter NAME -- ARGV...")
		os.Exit(2)
	}
	logFile, err := os.Create(*logPath)
	check(err)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	start := time.Now()
	check(cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
		}
	}()

	var r result
	for {
		if _, err := os.Stat(*socket); err == nil {
			break
		}
		select {
		case err := <-exited:
			fmt.Fprintln(os.Stderr, "probe: server exited before its socket appeared:", err)
			os.Exit(1)
		default:
		}
		if time.Since(start) > 60*time.Second {
			fmt.Fprintln(os.Stderr, "probe: no socket after 60 s")
			os.Exit(1)
		}
		time.Sleep(time.Millisecond)
	}
	r.SocketMs = ms(time.Since(start))

	// containerd's services/server proxyClients.getClient, option for option.
	backoffConfig := backoff.DefaultConfig
	backoffConfig.MaxDelay = 3 * time.Second
	conn, err := grpc.Dial(dialer.DialAddress(*socket),
		grpc.WithInsecure(),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoffConfig}),
		grpc.WithContextDialer(dialer.ContextDialer))
	check(err)
	defer conn.Close()
	sn := proxy.NewSnapshotter(snapshotsapi.NewSnapshotsClient(conn), *name)
	ctx := namespaces.WithNamespace(context.Background(), "probe")

	for {
		_, err := sn.Stat(ctx, "probe-missing")
		if err == nil || errdefs.IsNotFound(err) {
			break
		}
		if r.FailedCalls == 0 {
			r.FirstError = err.Error()
		}
		r.FailedCalls++
		if time.Since(start) > 60*time.Second {
			fmt.Fprintln(os.Stderr, "probe: no answer after 60 s:", err)
			os.Exit(1)
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.FirstAnswerMs = ms(time.Since(start))

	round := 0
	stats := func() float64 {
		t := time.Now()
		for i := 0; i < 1000; i++ {
			if _, err := sn.Stat(ctx, "probe-missing"); err != nil && !errdefs.IsNotFound(err) {
				check(err)
			}
		}
		return ms(time.Since(t))
	}
	prepCommit := func() float64 {
		round++
		t := time.Now()
		for i := 0; i < 200; i++ {
			key := fmt.Sprintf("a-%d-%d", round, i)
			_, err := sn.Prepare(ctx, key, "")
			check(err)
			check(sn.Commit(ctx, fmt.Sprintf("c-%d-%d", round, i), key))
		}
		return ms(time.Since(t))
	}
	r.Stat1kColdMs = stats()
	r.PrepCommitColdMs = prepCommit()
	for i := 0; i < *warmRounds; i++ {
		r.Stat1kWarmMs = stats()
		r.PrepCommitWarmMs = prepCommit()
	}
	removeAll(ctx, sn)
	if *tsv {
		fmt.Printf("%.1f\t%.1f\t%d\t%.1f\t%.1f\t%.1f\t%.1f\n", r.SocketMs, r.FirstAnswerMs, r.FailedCalls,
			r.Stat1kColdMs, r.Stat1kWarmMs, r.PrepCommitColdMs, r.PrepCommitWarmMs)
		return
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
}

func removeAll(ctx context.Context, sn snapshots.Snapshotter) {
	var keys []string
	_ = sn.Walk(ctx, func(_ context.Context, info snapshots.Info) error {
		keys = append(keys, info.Name)
		return nil
	})
	for _, k := range keys {
		_ = sn.Remove(ctx, k)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
}
