package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/stratadb/strata/client"
	stratapb "github.com/stratadb/strata/proto"
)

// rpcFlags are --addr and --timeout of the commands that make one call to
// any member (strata cluster, strata pipeline).
type rpcFlags struct {
	addr    string
	timeout time.Duration
}

func (r *rpcFlags) add(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVar(&r.addr, "addr", defaultAddr, "gRPC address of any member")
	cmd.PersistentFlags().DurationVar(&r.timeout, "timeout", 30*time.Second, "give up after this long")
}

// call dials the member, runs f with the deadline, and closes.
func (r *rpcFlags) call(cmd *cobra.Command, f func(ctx context.Context, c stratapb.StrataClient) error) error {
	c, err := client.Dial(r.addr, client.Options{})
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(cmd.Context(), r.timeout)
	defer cancel()
	return f(ctx, c.RPC())
}
