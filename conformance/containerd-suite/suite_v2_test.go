//go:build containerd2

package containerdsuite

// containerd 2.1's suite, from Debian sid's golang-github-containerd-containerd-dev (.ci/containerd2).

import (
	"testing"

	snapshotsapi "github.com/containerd/containerd/api/services/snapshots/v1"
	"github.com/containerd/containerd/v2/core/snapshots"
	"github.com/containerd/containerd/v2/core/snapshots/proxy"
	"github.com/containerd/containerd/v2/core/snapshots/testsuite"
	"github.com/containerd/containerd/v2/defaults"
	"github.com/containerd/containerd/v2/pkg/dialer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func TestStrataSnapshotter(t *testing.T) {
	name, backend, argv := suiteArgs(t)
	// The suite's Rename case renames a directory of a lower layer except on snapshotters named
	// "overlayfs": overlay without redirect_dir answers EXDEV, on containerd's overlayfs as on Strata's.
	suiteName := name
	if backend == "overlayfs" {
		suiteName = "overlayfs"
	}
	testsuite.SnapshotterSuite(t, suiteName, snapshotterFunc(argv, backend, dial, func(conn *grpc.ClientConn) snapshots.Snapshotter {
		return proxy.NewSnapshotter(snapshotsapi.NewSnapshotsClient(conn), name)
	}))
}

// dial dials exactly as containerd 2.1 dials a proxy plugin (cmd/containerd/server proxyClients.getClient):
// grpc.NewClient (never a blocking dial), no minimum connect timeout, backoff capped at 3 s, and
// calls without WaitForReady. The socket exists, so Strata must answer on it at once.
func dial(socket string) (*grpc.ClientConn, error) {
	return grpc.NewClient(dialer.DialAddress(socket),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: proxyBackoff()}),
		grpc.WithContextDialer(dialer.ContextDialer),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(defaults.DefaultMaxRecvMsgSize)),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(defaults.DefaultMaxSendMsgSize)))
}
