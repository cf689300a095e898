//go:build !containerd2

package containerdsuite

// containerd 1.6's suite, as Debian 12 packages it (golang-github-containerd-containerd-dev).

import (
	"testing"

	snapshotsapi "github.com/containerd/containerd/api/services/snapshots/v1"
	"github.com/containerd/containerd/defaults"
	"github.com/containerd/containerd/pkg/dialer"
	"github.com/containerd/containerd/snapshots"
	"github.com/containerd/containerd/snapshots/proxy"
	"github.com/containerd/containerd/snapshots/testsuite"
	"google.golang.org/grpc"
)

func TestStrataSnapshotter(t *testing.T) {
	name, backend, argv := suiteArgs(t)
	testsuite.SnapshotterSuite(t, name, snapshotterFunc(argv, backend, dial, func(conn *grpc.ClientConn) snapshots.Snapshotter {
		return proxy.NewSnapshotter(snapshotsapi.NewSnapshotsClient(conn), name)
	}))
}

// dial dials exactly as containerd 1.6 dials a proxy plugin (services/server proxyClients.getClient):
// no blocking dial, no minimum connect timeout, backoff capped at 3 s, and calls without
// WaitForReady. The socket exists, so Strata must answer on it at once, as containerd expects.
func dial(socket string) (*grpc.ClientConn, error) {
	return grpc.Dial(dialer.DialAddress(socket),
		grpc.WithInsecure(),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: proxyBackoff()}),
		grpc.WithContextDialer(dialer.ContextDialer),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(defaults.DefaultMaxRecvMsgSize)),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(defaults.DefaultMaxSendMsgSize)))
}
