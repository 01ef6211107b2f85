package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/encoding/protojson"

	stratapb "github.com/stratadb/strata/proto"
)

// clusterCmd is `strata cluster status|add|remove`: membership through any
// member's gRPC address (what only the leader can do is forwarded to it).
func clusterCmd() *cobra.Command {
	var rpc rpcFlags
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Show and change a cluster's members",
		Long: `cluster shows a cluster's members and changes them, through any member.

  strata cluster status --addr 127.0.0.1:7600
  strata cluster add    --addr 127.0.0.1:7600 --node-id node4 --raft-addr 127.0.0.1:7703
  strata cluster remove --addr 127.0.0.1:7600 --node-id node4

A new node usually adds itself (strata server --join); add is for a
server started without --join, which waits to be added.`,
	}
	rpc.add(cmd)

	var format string
	status := &cobra.Command{
		Use:   "status",
		Short: "Every member's role, term, commit and applied index",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var cs *stratapb.ClusterStatusResponse
			err := rpc.call(cmd, func(ctx context.Context, c stratapb.StrataClient) (err error) {
				cs, err = c.ClusterStatus(ctx, &stratapb.ClusterStatusRequest{})
				return err
			})
			if err != nil {
				return fmt.Errorf("cluster status from %s: %w", rpc.addr, err)
			}
			switch format {
			case "json":
				b, err := protojson.MarshalOptions{Multiline: true, UseProtoNames: true, EmitUnpopulated: true}.Marshal(cs)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), string(b))
				return nil
			case "table":
				writeClusterStatus(cmd.OutOrStdout(), cs)
				return nil
			}
			return fmt.Errorf("--format %q: want table or json", format)
		},
	}
	status.Flags().StringVar(&format, "format", "table", "table or json")

	var nodeID, raftAddr string
	add := &cobra.Command{
		Use:   "add",
		Short: "Add a running server as a voter",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if nodeID == "" || raftAddr == "" {
				return fmt.Errorf("add needs --node-id and --raft-addr")
			}
			var resp *stratapb.JoinResponse
			err := rpc.call(cmd, func(ctx context.Context, c stratapb.StrataClient) (err error) {
				resp, err = c.Join(ctx, &stratapb.JoinRequest{NodeId: nodeID, RaftAddr: raftAddr})
				return err
			})
			if err != nil {
				return fmt.Errorf("add %s: %w", nodeID, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "added %s; %d members\n", nodeID, len(resp.GetMembers()))
			return nil
		},
	}
	add.Flags().StringVar(&nodeID, "node-id", "", "the new member's --node-id")
	add.Flags().StringVar(&raftAddr, "raft-addr", "", "the new member's --raft-addr")

	remove := &cobra.Command{
		Use:   "remove",
		Short: "Remove a member (a removed leader steps down)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if nodeID == "" {
				return fmt.Errorf("remove needs --node-id")
			}
			var resp *stratapb.RemoveMemberResponse
			err := rpc.call(cmd, func(ctx context.Context, c stratapb.StrataClient) (err error) {
				resp, err = c.RemoveMember(ctx, &stratapb.RemoveMemberRequest{NodeId: nodeID})
				return err
			})
			if err != nil {
				return fmt.Errorf("remove %s: %w", nodeID, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %s; %d members\n", nodeID, len(resp.GetMembers()))
			return nil
		},
	}
	remove.Flags().StringVar(&nodeID, "node-id", "", "the member to remove")

	cmd.AddCommand(status, add, remove)
	return cmd
}

// writeClusterStatus prints one line per member.
func writeClusterStatus(out io.Writer, cs *stratapb.ClusterStatusResponse) {
	fmt.Fprintf(out, "leader %s, term %d\n", orDash(cs.GetLeaderId()), cs.GetTerm())
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tSTATE\tTERM\tCOMMIT\tAPPLIED\tLAST LOG\tREADY\tGRPC\tRAFT\tSUFFRAGE\tERROR")
	for _, m := range cs.GetMembers() {
		mm, st := m.GetMember(), m.GetStatus()
		if st == nil {
			fmt.Fprintf(tw, "%s\tunreachable\t-\t-\t-\t-\t-\t%s\t%s\t%s\t%s\n", mm.GetNodeId(), orDash(mm.GetGrpcAddr()),
				mm.GetRaftAddr(), mm.GetSuffrage(), m.GetError())
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%v\t%s\t%s\t%s\t%s\n", mm.GetNodeId(), st.GetRaftState(), st.GetTerm(),
			st.GetCommitIndex(), st.GetAppliedIndex(), st.GetLastLogIndex(), st.GetReady(), orDash(mm.GetGrpcAddr()),
			mm.GetRaftAddr(), mm.GetSuffrage(), orDash(m.GetError()))
	}
	tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
