package server

import (
	"context"
	"fmt"

	"github.com/stratadb/strata/ingest"
	stratapb "github.com/stratadb/strata/proto"
)

func resultOf(resp any) (*ingest.Result, error) {
	r, ok := resp.(*ingest.Result)
	if !ok {
		return nil, fmt.Errorf("BUG: FSM answered %T", resp)
	}
	return r, nil
}

// proposeDDL is propose for commands whose failure is the RPC's.
func (n *Node) proposeDDL(ctx context.Context, cmd *stratapb.Command) (*ingest.Result, error) {
	r, err := n.propose(ctx, cmd)
	if err != nil {
		return nil, toStatus(err)
	}
	if r.Err != nil {
		return nil, toStatus(r.Err)
	}
	return r, nil
}

func (n *Node) CreateTable(ctx context.Context, req *stratapb.CreateTableRequest) (*stratapb.CreateTableResponse, error) {
	if req.GetTable() == nil {
		return nil, toStatus(fmt.Errorf("%w: CreateTable without a table definition", ingest.ErrBadCommand))
	}
	r, err := n.proposeDDL(ctx, ingest.CreateTableCommand(req.GetTable(), req.GetIfNotExists()))
	if err != nil {
		return nil, err
	}
	return &stratapb.CreateTableResponse{Version: r.Version, Existed: r.Existed}, nil
}

func (n *Node) DropTable(ctx context.Context, req *stratapb.DropTableRequest) (*stratapb.DropTableResponse, error) {
	r, err := n.proposeDDL(ctx, ingest.DropTableCommand(req.GetName(), req.GetIfExists()))
	if err != nil {
		return nil, err
	}
	return &stratapb.DropTableResponse{Version: r.Version}, nil
}

func (n *Node) Rollback(ctx context.Context, req *stratapb.RollbackRequest) (*stratapb.RollbackResponse, error) {
	r, err := n.proposeDDL(ctx, ingest.RollbackCommand(req.GetTable(), req.GetToVersion()))
	if err != nil {
		return nil, err
	}
	return &stratapb.RollbackResponse{Version: r.Version}, nil
}

func (n *Node) ListTables(ctx context.Context, _ *stratapb.ListTablesRequest) (*stratapb.ListTablesResponse, error) {
	if err := n.fence(ctx, readOptions{}); err != nil {
		return nil, toStatus(err)
	}
	s := n.fsm.Store()
	return &stratapb.ListTablesResponse{Names: s.ListTables(), Version: s.Applied()}, nil
}

func (n *Node) DescribeTable(ctx context.Context, req *stratapb.DescribeTableRequest) (*stratapb.DescribeTableResponse, error) {
	if err := n.fence(ctx, readOptions{}); err != nil {
		return nil, toStatus(err)
	}
	info, err := n.fsm.Store().DescribeTable(req.GetName())
	if err != nil {
		return nil, toStatus(err)
	}
	return &stratapb.DescribeTableResponse{
		Table:         ingest.TableDefToProto(info.Def),
		CreatedAt:     info.CreatedAt,
		Rows:          info.Rows,
		StoredRows:    info.StoredRows,
		SealedChunks:  int32(info.SealedChunks),
		BufferChunks:  int32(info.BufferChunks),
		BufferedRows:  int64(info.BufferedRows),
		LatestVersion: info.LatestVersion,
	}, nil
}

func (n *Node) Versions(ctx context.Context, req *stratapb.VersionsRequest) (*stratapb.VersionsResponse, error) {
	if err := n.fence(ctx, readOptions{}); err != nil {
		return nil, toStatus(err)
	}
	hist, err := n.fsm.Store().Versions(req.GetTable())
	if err != nil {
		return nil, toStatus(err)
	}
	out := &stratapb.VersionsResponse{}
	for _, h := range hist {
		out.Versions = append(out.Versions, &stratapb.VersionInfo{Version: h.Version, Kind: h.Kind.String(), Rows: h.Rows, To: h.To})
	}
	return out, nil
}

func (n *Node) Status(ctx context.Context, _ *stratapb.StatusRequest) (*stratapb.StatusResponse, error) {
	return n.status(), nil
}

func (n *Node) status() *stratapb.StatusResponse {
	rs := n.raft.Status()
	u := n.usage()
	return &stratapb.StatusResponse{
		NodeId:       n.cfg.NodeID,
		Version:      n.cfg.Version,
		RaftState:    string(rs.State),
		Term:         rs.Term,
		CommitIndex:  rs.CommitIndex,
		AppliedIndex: rs.AppliedIndex,
		LeaderId:     rs.LeaderID,
		LeaderAddr:   rs.LeaderAddr,
		Tables:       int64(u.Tables),
		DataBytes:    u.Bytes,
		Ready:        n.ready() == nil,
		PgAddr:       n.PGAddr(),
		RssBytes:     residentBytes(),
		GrpcAddr:     n.GRPCAddr(),
		RaftAddr:     rs.Addr,
		HttpAddr:     n.HTTPAddr(),
		LeaderGrpcAddr: func() string {
			if rs.LeaderID == "" {
				return ""
			}
			return n.grpcAddrOf(rs.LeaderID)
		}(),
		LastLogIndex: rs.LastLogIndex,
		Members:      n.members(),
		ReadMode:     n.cfg.ReadMode,
	}
}
